// The client SDK end to end: the real libcurl transport and cookie jar against the engine behind
// the real HTTP server, on 127.0.0.1 with a port chosen at run time.
#include <authpp/adapters/memory_store.hpp>
#include <authpp/adapters/password.hpp>
#include <authpp/auth/auth.hpp>
#include <authpp/auth/store_credentials.hpp>
#include <authpp/client/client.hpp>
#include <authpp/mfa/sealed_secret.hpp>
#include <authpp/mfa/totp.hpp>
#include <authpp/server/http_server.hpp>

#include <memory>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace authpp {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// EngineOverHttp puts an engine behind the real HTTP server on a free loopback port, and makes
// clients of it.
class EngineOverHttp : public ::testing::Test {
 protected:
  void serve(auth_config c) {
    engine_ = std::make_unique<auth>(auth::create(std::move(c)).value());
    server::server_options o;
    o.port = 0;
    o.threads = 2;
    auto s = server::http_server::start(
        o, [this](const http::request& r) { return engine_->handle(r); });
    ASSERT_TRUE(s) << s.error().message();
    server_ = std::move(*s);
    origin_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  client::client make() const {
    client::client_options o;
    o.base_url = origin_ + "/api/auth";
    o.http.timeout = std::chrono::seconds(10);
    return client::client::create(std::move(o)).value();
  }

  std::unique_ptr<auth> engine_;
  std::unique_ptr<server::http_server> server_;
  std::string origin_;
};

class ClientEndToEndTest : public EngineOverHttp {
 protected:
  void SetUp() override {
    auth_config c;
    c.secrets = {"client-integration-secret-0123456789"};
    c.trust_host = true;  // the origin comes from the Host header: the port is not known yet
    credentials_provider p;
    p.fields = {{"username", "Username", "text", "", true},
                {"password", "Password", "password", "", true}};
    p.authorize = [](const authorize_request& r) {
      const auto field = [&](const char* k) {
        auto it = r.credentials.find(k);
        return it != r.credentials.end() && it->is_string() ? it->get<std::string>() : "";
      };
      if (field("username") == "alice" && field("password") == "wonderland") {
        return authorize_result::accept(
            {.id = "1", .name = "Alice", .email = "alice@example.com", .image = {}, .extra = {}});
      }
      if (field("username") == "carol") return authorize_result::reject("invalid_pw");
      return authorize_result::reject();
    };
    c.providers.push_back(std::move(p));
    c.logger = [](log_level, std::string_view, std::string_view) {};
    ASSERT_NO_FATAL_FAILURE(serve(std::move(c)));
  }
};

TEST_F(ClientEndToEndTest, SignInReadUpdateAndSignOut) {
  const client::client c = make();
  EXPECT_THAT(c.get_csrf_token().value(), ::testing::SizeIs(64));
  EXPECT_TRUE(c.get_providers().value().contains("credentials"));
  auto before = c.get_session();
  ASSERT_TRUE(before) << before.error().message();
  EXPECT_FALSE(before->has_value());

  // Wrong password: a completed call whose response says so (status 200, as Auth.js answers).
  auto bad = c.sign_in<false>(
      "credentials",
      {.redirect_to = "/dash", .fields = {{"username", "alice"}, {"password", "nope"}}});
  ASSERT_TRUE(bad) << bad.error().message();
  ASSERT_TRUE(bad->has_value());
  EXPECT_EQ((*bad)->error, "CredentialsSignin");
  EXPECT_EQ((*bad)->code, "credentials");
  EXPECT_EQ((*bad)->status, 200);
  EXPECT_FALSE((*bad)->url.has_value());

  auto custom = c.sign_in<false>("credentials", {.fields = {{"username", "carol"}}});
  ASSERT_TRUE(custom && custom->has_value());
  EXPECT_EQ((*custom)->code, "invalid_pw");

  auto good = c.sign_in<false>(
      "credentials",
      {.redirect_to = "/dash", .fields = {{"username", "alice"}, {"password", "wonderland"}}});
  ASSERT_TRUE(good && good->has_value());
  EXPECT_EQ((*good)->error, std::nullopt);
  EXPECT_TRUE((*good)->ok);
  EXPECT_EQ((*good)->url, origin_ + "/dash");

  auto session = c.get_session();
  ASSERT_TRUE(session && session->has_value());
  EXPECT_EQ((**session)["user"]["name"], "Alice");

  auto updated = c.update_session(json{{"theme", "dark"}});
  ASSERT_TRUE(updated) << updated.error().message();
  ASSERT_TRUE(updated->has_value());
  EXPECT_EQ((**updated)["user"]["email"], "alice@example.com");

  auto out = c.sign_out<false>({.redirect_to = "/bye"});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->url, origin_ + "/bye");
  auto after = c.get_session();
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->has_value());
  // Without a session, update answers 400: an empty optional, like the JS client's null.
  auto no_update = c.update_session(json{{"x", 1}});
  ASSERT_TRUE(no_update);
  EXPECT_FALSE(no_update->has_value());
}

TEST_F(ClientEndToEndTest, RedirectOnFollowsTheUrlWithTheDefaultNavigator) {
  const client::client c = make();
  ASSERT_TRUE(
      c.sign_in("credentials", {.redirect_to = "/api/auth/session",
                                .fields = {{"username", "alice"}, {"password", "wonderland"}}}));
  EXPECT_TRUE(c.get_session().value().has_value());
  // Unknown provider: the built-in sign-in page is loaded; nothing else happens.
  ASSERT_TRUE(c.sign_in("github"));
  ASSERT_TRUE(c.sign_out());
  EXPECT_FALSE(c.get_session().value().has_value());
}

TEST_F(ClientEndToEndTest, OneClientIsSharedBetweenThreads) {
  const client::client c = make();
  ASSERT_TRUE(c.sign_in<false>("credentials",
                               {.fields = {{"username", "alice"}, {"password", "wonderland"}}}));
  std::vector<std::future<result<std::optional<json>>>> futures;
  for (int i = 0; i < 8; ++i) futures.push_back(c.get_session_async());
  for (auto& f : futures) {
    auto s = f.get();
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_TRUE(s->has_value());
  }
}

// TOTP through the C++ client, as an app sees it (issue 14): SignInResponse.code says
// "totp_required" until the same sign-in carries a code, and a code works once.
class ClientTotpTest : public EngineOverHttp {
 protected:
  void SetUp() override {
    auth_config c;
    c.secrets = {secret_};
    c.trust_host = true;
    c.adapter = store_;
    c.totp.enabled = true;
    // The database-backed provider of authpp serve, at libsodium's cheapest Argon2id cost.
    const adapters::argon2_params cheap{.ops = 1, .mem_bytes = 8 * 1024};
    c.providers.push_back(store_credentials_provider(store_, cheap));
    c.logger = [](log_level, std::string_view, std::string_view) {};
    const auto hash = adapters::hash_password("correct horse", cheap);
    ASSERT_TRUE(hash);
    const auto ada = store_->add_user({.email = "ada@example.com", .name = "Ada"}, *hash);
    ASSERT_TRUE(ada);
    const auto sealed = mfa::seal_secret(as_bytes(totp_secret_), ada->id, c.secrets);
    ASSERT_TRUE(sealed);
    ASSERT_TRUE(store_->begin_totp(ada->id, *sealed));
    ASSERT_TRUE(store_->use_totp_step(ada->id, 1, true).value());  // enrolment confirmed
    ASSERT_NO_FATAL_FAILURE(serve(std::move(c)));
  }

  const std::string secret_ = "client-totp-secret-0123456789abcdef";
  const std::string totp_secret_ = "12345678901234567890";
  std::shared_ptr<adapters::adapter> store_ = adapters::make_memory_store();
};

TEST_F(ClientTotpTest, SignInSaysTotpRequiredThenSucceedsWithTheCode) {
  const client::client c = make();
  const auto password_only = c.sign_in<false>(
      "credentials", {.fields = {{"email", "ada@example.com"}, {"password", "correct horse"}}});
  ASSERT_TRUE(password_only && password_only->has_value());
  EXPECT_EQ((*password_only)->error, "CredentialsSignin");
  EXPECT_EQ((*password_only)->code, "totp_required");
  EXPECT_FALSE(c.get_session().value().has_value());

  const std::string code = mfa::totp(as_bytes(totp_secret_), std::chrono::system_clock::now());
  const auto with_code = c.sign_in<false>(
      "credentials",
      {.fields = {{"email", "ada@example.com"}, {"password", "correct horse"}, {"totp", code}}});
  ASSERT_TRUE(with_code && with_code->has_value());
  EXPECT_EQ((*with_code)->error, std::nullopt);
  EXPECT_TRUE((*with_code)->ok);
  const auto session = c.get_session();
  ASSERT_TRUE(session && session->has_value());
  EXPECT_EQ((**session)["user"]["email"], "ada@example.com");

  // The same code from another client (a replay) is refused.
  const client::client other = make();
  const auto replay = other.sign_in<false>(
      "credentials",
      {.fields = {{"email", "ada@example.com"}, {"password", "correct horse"}, {"totp", code}}});
  ASSERT_TRUE(replay && replay->has_value());
  EXPECT_EQ((*replay)->code, "totp_required");
  EXPECT_FALSE(other.get_session().value().has_value());
}

}  // namespace
}  // namespace authpp
