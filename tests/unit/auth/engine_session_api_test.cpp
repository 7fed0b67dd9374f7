// auth::session: who is signed in on any request of the application (Auth.js's auth()), as
// values. It must agree with GET /session byte for byte, and it must not be a way around what
// /session guards: a forged, expired or revoked cookie is no session, and a POST of the app is
// never a session update.
#include <authpp/adapters/memory_store.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class SessionApiTest : public StoredUserEngineTest {
 protected:
  // app_request is a request to one of the application's own routes, with the browser's cookies.
  static http::request app_request(const jar& j, std::string method = "GET") {
    http::request r;
    r.method = std::move(method);
    r.target = "/dashboard?tab=1";
    r.headers.add("Cookie", j.header());
    return r;
  }

  // session_of runs session_async on a loop of its own.
  static result<session_result> session_async(const authpp::auth& a, http::request req) {
    asio::io_context io;
    std::optional<result<session_result>> out;
    asio::co_spawn(io, a.session_async(std::move(req)),
                   [&out](std::exception_ptr e, result<session_result> r) {
                     EXPECT_FALSE(e);
                     out = std::move(r);
                   });
    io.run();
    EXPECT_TRUE(out.has_value());
    return out.value_or(auth_error{errc::engine_failure, "never answered"});
  }

  static std::vector<std::string> cookie_names(const http::headers& headers) {
    std::vector<std::string> names;
    for (const auto& h : headers) {
      EXPECT_EQ(h.name, "Set-Cookie");
      names.push_back(h.value.substr(0, h.value.find('=')));
    }
    return names;
  }
};

TEST_F(SessionApiTest, SignedInRequestOfTheAppGetsWhatSessionWouldAnswer) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const auto found = a.session(app_request(j));
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(found->session);
  const auto endpoint = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(found->session->dump(), body_json(endpoint).dump());
  EXPECT_EQ((*found->session)["user"]["email"], "alice@example.com");
  // The session cookie slides, as on every read; nothing else is set.
  EXPECT_EQ(cookie_names(found->headers), std::vector<std::string>{"authjs.session-token"});
  EXPECT_THAT(found->headers.get("Set-Cookie").value_or(""),
              HasSubstr("Expires=Sun, 27 Dec 2026 03:39:03 GMT"));
}

// Unlike a request to /session, asking who is signed in mints no CSRF or callback-URL cookie: an
// app page would otherwise set two cookies on every first visit.
TEST_F(SessionApiTest, SignedOutRequestHasNoSessionAndSetsNoCookie) {
  const auto a = build();
  const auto found = a.session(app_request(jar{}));
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_FALSE(found->session);
  EXPECT_TRUE(found->headers.empty());
}

// Attack: a session cookie forged or altered by the client. No session, and the cookie is
// cleared, as /session clears it.
TEST_F(SessionApiTest, TamperedCookieIsNoSessionAndIsCleared) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  std::string token = j.value("authjs.session-token");
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  j.all()["authjs.session-token"] = token;
  const auto found = a.session(app_request(j));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->session);
  EXPECT_EQ(cookie_names(found->headers), std::vector<std::string>{"authjs.session-token"});
  EXPECT_THAT(found->headers.get("Set-Cookie").value_or(""), HasSubstr("Max-Age=0"));
}

// Attack: replaying a session cookie past its expiry (and the decoder's clock leeway).
TEST_F(SessionApiTest, ExpiredSessionIsNoSession) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  clock_.advance(30 * 24h - 1min);
  const auto still = a.session(app_request(j));
  ASSERT_TRUE(still);
  EXPECT_TRUE(still->session);
  clock_.advance(2min);
  const auto found = a.session(app_request(j));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->session);
}

// Attack: a cross-site form posted to the app's own route, carrying `data`, to change the
// session without a CSRF token. auth::session reads; it never runs the update.
TEST_F(SessionApiTest, APostOfTheAppIsNeverASessionUpdate) {
  auth_config c = config();
  std::vector<jwt_trigger> triggers;
  c.callbacks.jwt = [&triggers](const jwt_params& p) -> std::optional<json> {
    triggers.push_back(p.trigger);
    json t = p.token;
    if (p.session) t["name"] = "changed";
    return t;
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  triggers.clear();
  http::request post = app_request(j, "POST");
  post.headers.add("Content-Type", "application/json");
  post.body = R"({"data":{"name":"changed"}})";
  const auto found = a.session(post);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->session);
  EXPECT_EQ((*found->session)["user"]["name"], "Alice");
  EXPECT_EQ(triggers, std::vector<jwt_trigger>{jwt_trigger::none});
}

TEST_F(SessionApiTest, CallbacksShapeTheSessionAsForTheEndpoint) {
  auth_config c = config();
  c.callbacks.session = [](const session_params& p) {
    json s = p.session;
    s["role"] = "admin";
    return s;
  };
  int events = 0;
  c.events.session = [&events](const session_event&) { ++events; };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const auto found = a.session(app_request(j));
  ASSERT_TRUE(found && found->session);
  EXPECT_EQ((*found->session)["role"], "admin");
  EXPECT_EQ(events, 1);
}

// Attack: Host header spoofing. Without `url`, a host is only believed with trust_host, as for
// every endpoint; a header that cannot be an origin is refused, not reflected.
TEST_F(SessionApiTest, HostIsTrustedOnlyAsTheEndpointsTrustIt) {
  auth_config c = config();
  c.url.reset();
  const auto untrusting = build(c);
  http::request req = app_request(jar{});
  req.headers.add("Host", "evil.example");
  const auto refused = untrusting.session(req);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::invalid_config);

  c.trust_host = true;
  const auto trusting = build(c);
  EXPECT_TRUE(trusting.session(req));
  http::request bad = app_request(jar{});
  bad.headers.add("Host", "evil.example/path?x");
  const auto malformed = trusting.session(bad);
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, errc::malformed_input);
}

TEST_F(SessionApiTest, OversizedHeadersAreRefusedBeforeParsing) {
  const auto a = build();
  http::request req = app_request(jar{});
  req.headers.add("Cookie", std::string(40 * 1024, 'a'));
  const auto refused = a.session(req);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::limit_exceeded);
}

// A database session is read from the store; a store that cannot answer is an error the app can
// answer 503 with, not "signed out" (which would send a signed-in user to the sign-in page).
TEST_F(SessionApiTest, DatabaseSessionsAndAStoreThatIsDown) {
  auth_config c = stored_config();
  c.session.strategy = session_strategy::database;
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const auto found = a.session(app_request(j));
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(found->session);
  EXPECT_EQ(found->session->dump(),
            body_json(a.handle(get("/api/auth/session", j.header()))).dump());

  faulty_->sessions_down = true;
  const auto down = a.session(app_request(j));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, errc::storage_unavailable);
}

// Attack: a session that outlives the user's sign-out everywhere (`session revoke`), through
// the embedder's door rather than /session.
TEST_F(SessionApiTest, ARevokedSessionIsNoSession) {
  auth_config c = stored_config();
  c.session.strategy = session_strategy::database;
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  ASSERT_TRUE(store_->delete_user_sessions(alice_id_));
  const auto found = a.session(app_request(j));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->session);
}

// session_async answers the same, and waits for the store through run_blocking (the server's
// store pool), never on the calling thread.
TEST_F(SessionApiTest, AsyncFormAgreesAndRunsStoreReadsThroughRunBlocking) {
  int ran = 0;
  auth_config c = stored_config();
  c.session.strategy = session_strategy::database;
  c.run_blocking = [&ran](std::function<void()> work) -> asio::awaitable<result<void>> {
    ++ran;
    work();
    co_return result<void>{};
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const auto before = ran;
  const auto found = session_async(a, app_request(j));
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(found->session);
  EXPECT_EQ(ran, before + 1);
  EXPECT_EQ(found->session->dump(), a.session(app_request(j))->session->dump());

  const auto signed_out = session_async(a, app_request(jar{}));
  ASSERT_TRUE(signed_out);
  EXPECT_FALSE(signed_out->session);
}

// A signed-out visitor of /dashboard?tab=1 is sent to sign in, and back to that page after.
TEST_F(SessionApiTest, SignInUrlComesBackToTheRequestedPage) {
  const auto a = build();
  const auto url = a.sign_in_url(app_request(jar{}));
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_EQ(*url,
            "http://localhost:3000/api/auth/signin?callbackUrl="
            "http%3A%2F%2Flocalhost%3A3000%2Fdashboard%3Ftab%3D1");
  const auto redirect = a.sign_in_redirect(app_request(jar{}));
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 302);
  EXPECT_EQ(redirect->headers.get("Location"), *url);
  EXPECT_EQ(redirect->headers.get("Cache-Control"), "private, no-store");
}

TEST_F(SessionApiTest, SignInUrlUsesTheApplicationsSignInPage) {
  auth_config c = config();
  c.pages.sign_in = "/login";
  const auto a = build(std::move(c));
  EXPECT_EQ(a.sign_in_url(app_request(jar{}), "/settings").value(),
            "http://localhost:3000/login?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Fsettings");
}

// Attack: an open redirect through the callback URL. A foreign or protocol-relative URL comes back
// to the origin, as every callback URL does; a request-target that is not a path is refused.
TEST_F(SessionApiTest, SignInUrlNeverLeavesTheOrigin) {
  const auto a = build();
  const std::string home =
      "http://localhost:3000/api/auth/signin?callbackUrl=http%3A%2F%2Flocalhost%3A3000";
  EXPECT_EQ(a.sign_in_url(app_request(jar{}), "https://evil.example/x").value(), home);
  EXPECT_EQ(a.sign_in_url(app_request(jar{}), "//evil.example/x").value(), home);
  EXPECT_EQ(a.sign_in_url(app_request(jar{}), "/\\evil.example").value(), home);
  http::request absolute = app_request(jar{});
  absolute.target = "http://evil.example/";
  const auto refused = a.sign_in_url(absolute);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::malformed_input);
  absolute.target = "//evil.example/";
  EXPECT_FALSE(a.sign_in_url(absolute));
}

}  // namespace
}  // namespace authpp::test
