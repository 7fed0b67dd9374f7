// The client's request sequence and bytes against a fake transport, after client-wire.md §2 and
// the TV-15 vectors (next-auth/react v5 run with a fake window and fetch).
#include <authpp/client/client.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::client {
namespace {

using test::error_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view base = "http://localhost:3000/api/auth";
constexpr std::string_view providers_json =
    R"({"credentials":{"id":"credentials","name":"Credentials","type":"credentials"},)"
    R"("github":{"id":"github","name":"GitHub","type":"oauth"},)"
    R"("passkey":{"id":"passkey","name":"Passkey","type":"webauthn"}})";
constexpr std::string_view token = "tok123";

http_reply reply(int status, std::string body, std::vector<std::string> set_cookies = {}) {
  http_reply r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  for (auto& c : set_cookies) r.headers.add("Set-Cookie", std::move(c));
  r.body = std::move(body);
  return r;
}

// fake_transport answers by "METHOD path" (the URL without origin and query) and records calls.
class fake_transport final : public transport {
 public:
  using responder = std::function<result<http_reply>(const http_call&)>;
  std::map<std::string, responder> routes;
  std::vector<http_call> calls;

  result<http_reply> send(const http_call& call) override {
    std::lock_guard lock(mutex_);
    calls.push_back(call);
    std::string path = call.url.substr(std::string_view("http://localhost:3000").size());
    path = path.substr(0, path.find('?'));
    const auto it = routes.find(call.method + " " + path);
    if (it == routes.end()) return reply(404, R"({"message":"not found"})");
    return it->second(call);
  }
  std::vector<std::string> summary() const {
    std::vector<std::string> out;
    for (const auto& c : calls) out.push_back(c.method + " " + c.url);
    return out;
  }

 private:
  std::mutex mutex_;
};

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    net_->routes["GET /api/auth/providers"] = [](const http_call&) {
      return reply(200, std::string(providers_json));
    };
    net_->routes["GET /api/auth/csrf"] = [](const http_call&) {
      return reply(200, R"({"csrfToken":"tok123"})",
                   {"authjs.csrf-token=tok123%7Chash; Path=/; HttpOnly; SameSite=Lax"});
    };
  }

  client make(client_options o = {}) {
    o.base_url = std::string(base);
    o.transport = net_;
    o.navigate = [this](std::string_view url) -> result<void> {
      std::lock_guard lock(mutex_);
      navigated_.emplace_back(url);
      return {};
    };
    o.log = [this](log_level level, std::string_view m) {
      std::lock_guard lock(mutex_);
      if (level >= log_level::warn) warnings_.emplace_back(m);
    };
    return client::create(std::move(o)).value();
  }

  void answer_post(std::string path, int status, std::string body) {
    net_->routes["POST " + path] = [status, body](const http_call&) { return reply(status, body); };
  }

  std::shared_ptr<fake_transport> net_ = std::make_shared<fake_transport>();
  std::mutex mutex_;
  std::vector<std::string> navigated_;
  std::vector<std::string> warnings_;
};

// TV-15: signIn() and signIn("unknown") make exactly one request, then navigate.
TEST_F(ClientTest, NoOrUnknownProviderNavigatesToTheSignInPageAfterOneRequest) {
  const client c = make();
  ASSERT_TRUE(c.sign_in());
  const auto off = c.sign_in("unknown", sign_in_options<false>{});
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->has_value());  // JS: undefined, even with redirect:false
  EXPECT_THAT(net_->summary(), ElementsAre("GET http://localhost:3000/api/auth/providers",
                                           "GET http://localhost:3000/api/auth/providers"));
  EXPECT_EQ(net_->calls[0].headers.get("Content-Type"), "application/json");
  const std::string page =
      "http://localhost:3000/api/auth/signin?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2F";
  EXPECT_THAT(navigated_, ElementsAre(page, page));
}

// TV-15: /providers failing sends the browser to the error page.
TEST_F(ClientTest, ProvidersFailureNavigatesToTheErrorPage) {
  net_->routes["GET /api/auth/providers"] = [](const http_call&) {
    return reply(500, R"({"message":"boom"})");
  };
  const client c = make();
  ASSERT_TRUE(c.sign_in("credentials"));
  EXPECT_EQ(net_->calls.size(), 1u);
  EXPECT_THAT(navigated_, ElementsAre("http://localhost:3000/api/auth/error"));
}

// TV-15: the deprecated callbackUrl, redirect on: navigate to the server's url (fragment kept).
TEST_F(ClientTest, CredentialsWithCallbackUrlNavigatesToTheReturnedUrl) {
  answer_post("/api/auth/callback/credentials", 200, R"({"url":"http://localhost:3000/dash#top"})");
  const client c = make();
  ASSERT_TRUE(
      c.sign_in("credentials", {.callback_url = "/dash#top", .fields = {{"username", "alice"}}}));
  EXPECT_THAT(net_->summary(),
              ElementsAre("GET http://localhost:3000/api/auth/providers",
                          "GET http://localhost:3000/api/auth/csrf",
                          "POST http://localhost:3000/api/auth/callback/credentials?"));
  EXPECT_EQ(net_->calls[2].body, "username=alice&csrfToken=tok123&callbackUrl=%2Fdash%23top");
  EXPECT_THAT(navigated_, ElementsAre("http://localhost:3000/dash#top"));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_THAT(warnings_[0], HasSubstr("callback_url is deprecated"));
}

// TV-15: redirect:false, redirectTo:"/dash", {foo:"bar"}.
TEST_F(ClientTest, RedirectOffPostsTheExactRequestAndReturnsTheResponse) {
  answer_post("/api/auth/callback/credentials", 200, R"({"url":"http://localhost:3000/dash"})");
  const client c = make();
  const auto r =
      c.sign_in("credentials",
                sign_in_options<false>{.redirect_to = "/dash", .fields = {{"username", "alice"}}},
                {{"foo", "bar"}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, (sign_in_response{.error = std::nullopt,
                                   .code = std::nullopt,
                                   .status = 200,
                                   .ok = true,
                                   .url = "http://localhost:3000/dash"}));
  const http_call& post = net_->calls.at(2);
  EXPECT_EQ(post.url, "http://localhost:3000/api/auth/callback/credentials?foo=bar");
  EXPECT_EQ(post.body, "username=alice&csrfToken=tok123&callbackUrl=%2Fdash");
  EXPECT_EQ(post.headers.get("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(post.headers.get("X-Auth-Return-Redirect"), "1");
  // The CSRF cookie from GET /csrf is replayed raw.
  EXPECT_EQ(post.headers.get("Cookie"), "authjs.csrf-token=tok123%7Chash");
  EXPECT_TRUE(navigated_.empty());
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ClientTest, ErrorAndCodeComeFromTheReturnedUrl) {
  answer_post(
      "/api/auth/callback/credentials", 200,
      R"({"url":"http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=invalid_pw"})");
  const client c = make();
  const auto r = c.sign_in<false>("credentials", {.fields = {{"username", "carol"}}});
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ(**r, (sign_in_response{.error = "CredentialsSignin",
                                   .code = "invalid_pw",
                                   .status = 200,
                                   .ok = true,
                                   .url = std::nullopt}));
}

TEST_F(ClientTest, OtherProviderTypesPostToSignInWithAuthorizationParams) {
  answer_post("/api/auth/signin/github", 200,
              R"({"url":"https://github.com/login/oauth/authorize?client_id=x"})");
  const client c = make();
  const auto r = c.sign_in("github", sign_in_options<false>{}, "prompt=consent&scope=read user");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ(net_->calls.at(2).url,
            "http://localhost:3000/api/auth/signin/github?prompt=consent&scope=read+user");
  EXPECT_EQ((*r)->url, "https://github.com/login/oauth/authorize?client_id=x");
  EXPECT_EQ(error_of(c.sign_in("passkey")), errc::malformed_input);
}

// The body is URLSearchParams({...fields, csrfToken, callbackUrl}) of a JavaScript object.
TEST_F(ClientTest, FormBodyFollowsJavaScriptObjectSemantics) {
  answer_post("/api/auth/callback/credentials", 200, R"({"url":"http://localhost:3000/"})");
  const client c = make();
  ASSERT_TRUE(c.sign_in<false>("credentials", {.fields = {{"username", "bob"},
                                                          {"csrfToken", "mine"},
                                                          {"1", "one"},
                                                          {"username", "bob 2"},
                                                          {"redirectTo", "/ignored"}}}));
  EXPECT_EQ(net_->calls.at(2).body,
            "1=one&username=bob+2&csrfToken=tok123&callbackUrl=http%3A%2F%2Flocalhost%3A3000%2F");
  ASSERT_EQ(warnings_.size(), 1u);
}

// TV-15: a 500 {message} to the POST: redirect on navigates to redirectTo; redirect off is an
// error of the call (the JS promise rejects in `new URL(undefined)`).
TEST_F(ClientTest, ServerErrorWithoutUrl) {
  answer_post("/api/auth/callback/credentials", 500, R"({"message":"boom"})");
  const client c = make();
  ASSERT_TRUE(c.sign_in("credentials", {.redirect_to = "/dash"}));
  EXPECT_THAT(navigated_, ElementsAre("http://localhost:3000/dash"));
  EXPECT_EQ(error_of(c.sign_in<false>("credentials", {.redirect_to = "/dash"})),
            errc::invalid_response);
  answer_post("/api/auth/callback/credentials", 200, R"({"url":"/relative"})");
  EXPECT_EQ(error_of(c.sign_in<false>("credentials")), errc::invalid_response);
  answer_post("/api/auth/callback/credentials", 200, "<html>");
  EXPECT_EQ(error_of(c.sign_in<false>("credentials")), errc::invalid_response);
  EXPECT_EQ(error_of(c.sign_in("credentials")), errc::invalid_response);
  answer_post("/api/auth/callback/credentials", 500,
              R"({"url":"http://localhost:3000/api/auth/error?error=Configuration"})");
  const auto r = c.sign_in<false>("credentials");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->status, 500);
  EXPECT_FALSE((*r)->ok);
  EXPECT_EQ((*r)->error, "Configuration");
}

// A transport failure is an error of the call, never a response or a navigation.
TEST_F(ClientTest, TransportFailuresAreErrors) {
  net_->routes["GET /api/auth/providers"] = [](const http_call&) -> result<http_reply> {
    return auth_error{errc::transport_failure, "Connection refused"};
  };
  const client c = make();
  EXPECT_EQ(error_of(c.sign_in("credentials")), errc::transport_failure);
  EXPECT_EQ(error_of(c.get_providers()), errc::transport_failure);
  EXPECT_TRUE(navigated_.empty());
}

// TV-15: signOut({redirect:false, redirectTo:"/bye"}).
TEST_F(ClientTest, SignOutPostsCsrfAndCallbackAndReturnsTheUrl) {
  answer_post("/api/auth/signout", 200, R"({"url":"http://localhost:3000/bye"})");
  const client c = make();
  const auto r = c.sign_out(sign_out_options<false>{.redirect_to = "/bye"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sign_out_response{"http://localhost:3000/bye"});
  EXPECT_THAT(net_->summary(), ElementsAre("GET http://localhost:3000/api/auth/csrf",
                                           "POST http://localhost:3000/api/auth/signout"));
  EXPECT_EQ(net_->calls[1].body, "csrfToken=tok123&callbackUrl=%2Fbye");
  EXPECT_EQ(net_->calls[1].headers.get("X-Auth-Return-Redirect"), "1");
  ASSERT_TRUE(c.sign_out());
  EXPECT_THAT(navigated_, ElementsAre("http://localhost:3000/bye"));
  answer_post("/api/auth/signout", 200, R"({"message":"no url"})");
  EXPECT_EQ(error_of(c.sign_out<false>()), errc::invalid_response);
}

// TV-15: update({a:1}) → GET /csrf, POST /session JSON; a 400 resolves to null.
TEST_F(ClientTest, UpdateSessionPostsJsonAndMaps400ToEmpty) {
  answer_post("/api/auth/session", 200, R"({"user":{"name":"A"},"a":1})");
  const client c = make();
  auto r = c.update_session(json{{"a", 1}});
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((**r)["a"], 1);
  EXPECT_EQ(net_->calls.at(1).body, R"({"csrfToken":"tok123","data":{"a":1}})");
  EXPECT_EQ(net_->calls.at(1).headers.get("Content-Type"), "application/json");
  answer_post("/api/auth/session", 400, R"({"message":"Bad request"})");
  r = c.update_session(json{{"a", 1}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  answer_post("/api/auth/session", 503, "{}");
  EXPECT_EQ(error_of(c.update_session(nullptr)), errc::http_status);
}

TEST_F(ClientTest, GettersReportWhereTheJsClientReturnsNull) {
  net_->routes["GET /api/auth/session"] = [](const http_call&) { return reply(200, "null"); };
  const client c = make();
  auto s = c.get_session();
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->has_value());
  EXPECT_EQ(c.get_csrf_token().value_or(""), token);
  EXPECT_TRUE(c.get_providers().value().contains("github"));
  net_->routes["GET /api/auth/session"] = [](const http_call&) { return reply(500, "{}"); };
  EXPECT_EQ(error_of(c.get_session()), errc::http_status);
  net_->routes["GET /api/auth/session"] = [](const http_call&) { return reply(200, "{\"a\":"); };
  EXPECT_EQ(error_of(c.get_session()), errc::invalid_response);
  net_->routes["GET /api/auth/csrf"] = [](const http_call&) { return reply(200, "{}"); };
  EXPECT_EQ(error_of(c.get_csrf_token()), errc::invalid_response);
}

// Without a CSRF token the JS client posts "" and lets the server answer MissingCSRF.
TEST_F(ClientTest, UnreadableCsrfTokenIsPostedEmptyLikeTheJsClient) {
  net_->routes["GET /api/auth/csrf"] = [](const http_call&) { return reply(500, "oops"); };
  answer_post("/api/auth/signout", 200,
              R"({"url":"http://localhost:3000/api/auth/signin?error=MissingCSRF"})");
  const client c = make();
  const auto r = c.sign_out<false>();
  ASSERT_TRUE(r);
  EXPECT_EQ(net_->calls.at(1).body, "csrfToken=&callbackUrl=http%3A%2F%2Flocalhost%3A3000%2F");
}

TEST_F(ClientTest, RunTimeRedirectFlagAndAsyncForms) {
  answer_post("/api/auth/callback/credentials", 200, R"({"url":"http://localhost:3000/x"})");
  const client c = make({.current_url = "http://localhost:3000/login?next=1"});
  auto off = c.sign_in("credentials", false, {});
  ASSERT_TRUE(off && off->has_value());
  EXPECT_EQ(net_->calls.at(2).body,
            "csrfToken=tok123&callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Flogin%3Fnext%3D1");
  auto on = c.sign_in("credentials", true, {});
  ASSERT_TRUE(on);
  EXPECT_FALSE(on->has_value());
  EXPECT_THAT(navigated_, ElementsAre("http://localhost:3000/x"));

  auto f1 = c.sign_in_async<false>("credentials");
  auto f2 = c.get_csrf_token_async();
  auto f3 = c.get_providers_async();
  const auto r1 = f1.get();
  ASSERT_TRUE(r1 && r1->has_value());
  EXPECT_EQ((*r1)->url, "http://localhost:3000/x");
  EXPECT_EQ(f2.get().value_or(""), token);
  EXPECT_TRUE(f3.get());
}

TEST(ClientCreateTest, BaseUrlIsReadLikeNextAuthUrl) {
  const auto base_of = [](std::string url) {
    client_options o;
    o.base_url = std::move(url);
    auto c = client::create(std::move(o));
    return c ? c->base_url() : "error: " + c.error().message();
  };
  EXPECT_EQ(base_of(""), "http://localhost:3000/api/auth");
  EXPECT_EQ(base_of("example.com"), "https://example.com/api/auth");
  EXPECT_EQ(base_of("http://127.0.0.1:3000/"), "http://127.0.0.1:3000/api/auth");
  EXPECT_EQ(base_of("http://h/custom/auth/"), "http://h/custom/auth");
  client_options bad;
  bad.base_url = "http://exa mple.com";
  EXPECT_EQ(error_of(client::create(bad)), errc::invalid_url);
  client_options bad_current;
  bad_current.current_url = "/relative";
  EXPECT_EQ(error_of(client::create(bad_current)), errc::invalid_url);
}

}  // namespace
}  // namespace authpp::client
