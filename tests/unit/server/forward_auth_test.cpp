// {base_path}/forward, the endpoint reverse proxies ask (nginx auth_request, Caddy forward_auth).
// Each test names what it stops; the proxies themselves are tested end to end in
// tests/integration/forward_auth.test.mjs.
#include <authpp/server/forward_auth.hpp>

#include "unit/auth/stored_user_fixture.hpp"

namespace authpp::test {
namespace {

using server::forward_auth;
using server::forward_auth_options;
using ::testing::HasSubstr;

class ForwardAuthTest : public StoredUserEngineTest {
 protected:
  forward_auth_options options_{.enabled = true};

  // ask is nginx's question: the original URL in X-Original-URL.
  http::response ask(const authpp::auth& a, const jar& j, std::string original,
                     std::string target = "/api/auth/forward") {
    http::request r = get(std::move(target), j.header());
    if (!original.empty()) r.headers.add("X-Original-URL", std::move(original));
    return answer(a, std::move(r));
  }

  http::response answer(const authpp::auth& a, http::request r) {
    boost::asio::io_context io;
    std::optional<http::response> out;
    boost::asio::co_spawn(io, forward_auth(a, options_, std::move(r)),
                          [&out](std::exception_ptr e, http::response res) {
                            EXPECT_FALSE(e);
                            out = std::move(res);
                          });
    io.run();
    return out.value_or(http::response{});
  }
};

TEST_F(ForwardAuthTest, ASignedInUserPassesWithWhoTheyAre) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const auto res = ask(a, j, "http://localhost:3000/reports?q=1");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("X-Auth-Request-User"), "alice@example.com");
  EXPECT_EQ(res.headers.get("X-Auth-Request-Email"), "alice@example.com");
  EXPECT_EQ(res.headers.get("X-Auth-Request-Name"), "Alice");
  EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
  // The session cookie slides, as on every read, so an active user stays signed in.
  EXPECT_EQ(session_set_cookies(res).size(), 1u);
}

TEST_F(ForwardAuthTest, ASignedOutVisitorIs401OrSentToSignInInRedirectMode) {
  const auto a = build();
  const auto denied = ask(a, jar{}, "http://localhost:3000/reports?q=1");
  EXPECT_EQ(denied.status, 401);
  EXPECT_FALSE(denied.headers.contains("X-Auth-Request-User"));
  const auto sent =
      ask(a, jar{}, "http://localhost:3000/reports?q=1", "/api/auth/forward?mode=redirect");
  EXPECT_EQ(sent.status, 302);
  EXPECT_EQ(sent.headers.get("Location"),
            "http://localhost:3000/api/auth/signin?callbackUrl="
            "http%3A%2F%2Flocalhost%3A3000%2Freports%3Fq%3D1");
}

// Caddy and Traefik name the original request in three X-Forwarded-* fields.
TEST_F(ForwardAuthTest, TheForwardedFieldsOfCaddyNameTheOriginalUrl) {
  const auto a = build();
  http::request r = get("/api/auth/forward?mode=redirect");
  r.headers.add("X-Forwarded-Proto", "http");
  r.headers.add("X-Forwarded-Host", "localhost:3000");
  r.headers.add("X-Forwarded-Uri", "/reports");
  const auto res = answer(a, std::move(r));
  EXPECT_EQ(res.status, 302);
  EXPECT_THAT(std::string(res.headers.get("Location").value_or("")),
              HasSubstr("callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Freports"));
}

TEST_F(ForwardAuthTest, WithoutAnOriginalUrlThereIsNothingToDecide) {
  const auto a = build();
  EXPECT_EQ(ask(a, jar{}, "").status, 400);
  EXPECT_EQ(ask(a, jar{}, "not a url").status, 400);
}

// Attack: using authpp's guard, and its sign-in redirect, for a site it was not set up for.
TEST_F(ForwardAuthTest, AHostAuthppDoesNotGuardIs403) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  EXPECT_EQ(ask(a, j, "https://evil.example/").status, 403);
  options_.allowed_hosts = {"*.example.com", "intranet.local"};
  EXPECT_EQ(ask(a, j, "https://wiki.example.com/").status, 200);
  EXPECT_EQ(ask(a, j, "https://intranet.local/").status, 200);
  EXPECT_EQ(ask(a, j, "https://example.com/").status, 403);  // "*." means subdomains only
  EXPECT_EQ(ask(a, j, "https://evil-example.com/").status, 403);
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 403);  // no longer in the list
}

TEST_F(ForwardAuthTest, OnlyTheListedUsersPass) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  options_.emails = {"bob@example.com"};
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 403);
  options_.emails = {"ALICE@example.com"};
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 200);
  options_.emails = {"@example.org"};  // a whole domain, as in groups
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 403);
  options_.emails = {"@example.com"};
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 200);
  options_.emails.clear();
  options_.email_domains = {"example.org"};
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 403);
  options_.email_domains = {"example.com"};
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 200);
}

// Attack: header injection through the identity headers. A name with CR LF in it would add a
// header of the user's choosing to the request the application trusts.
TEST_F(ForwardAuthTest, ANameWithALineBreakCannotAddAHeader) {
  auth_config c = config();
  std::get<credentials_provider>(c.providers.front()).authorize = [](const authorize_request&) {
    return authorize_result::accept({.id = "7",
                                     .name = "Mallory\r\nX-Auth-Request-Admin: yes",
                                     .email = "mallory@example.com",
                                     .image = {},
                                     .extra = {}});
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const auto res = ask(a, j, "http://localhost:3000/");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("X-Auth-Request-Name"), "MalloryX-Auth-Request-Admin: yes");
  EXPECT_FALSE(res.headers.contains("X-Auth-Request-Admin"));
}

// A session store that cannot answer is 503, not 401: the proxy must not send a signed-in user
// to sign in again (nor let anyone through).
TEST_F(ForwardAuthTest, AStoreThatIsDownIs503) {
  auth_config c = stored_config();
  c.session.strategy = session_strategy::database;
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  EXPECT_EQ(ask(a, j, "http://localhost:3000/").status, 200);
  faulty_->sessions_down = true;
  const auto res = ask(a, j, "http://localhost:3000/");
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.headers.get("Retry-After"), "1");
  EXPECT_FALSE(res.headers.contains("X-Auth-Request-User"));
}

TEST_F(ForwardAuthTest, APublicPathPassesWithoutASession) {
  options_.public_paths = {"/healthz", "/static/*"};
  const auto a = build();
  for (const char* path : {"/healthz", "/static/app.css", "/static/img/logo.png"}) {
    SCOPED_TRACE(path);
    const auto res = ask(a, jar{}, std::string("http://localhost:3000") + path);
    EXPECT_EQ(res.status, 200);
    // Empty, so that identity headers a visitor forged are overwritten on the way upstream.
    EXPECT_EQ(res.headers.get("X-Auth-Request-User"), "");
    EXPECT_EQ(res.headers.get("X-Auth-Request-Email"), "");
  }
  // Exact means exact; "/static/*" is what is under /static/.
  for (const char* path : {"/healthz/x", "/healthzx", "/static", "/staticfiles/x", "/"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(ask(a, jar{}, std::string("http://localhost:3000") + path).status, 401);
  }
  // A signed-in user on a public path is still named.
  jar j;
  sign_in(a, j);
  EXPECT_EQ(ask(a, j, "http://localhost:3000/healthz").headers.get("X-Auth-Request-User"),
            "alice@example.com");
}

// Attack: path confusion. The proxy compares the raw path, the application normalises it, so
// "/static/../admin" would pass as public and be served as /admin. Any path an application could
// read as another one is never public.
TEST_F(ForwardAuthTest, APathThatCouldMeanAnotherIsNeverPublic) {
  options_.public_paths = {"/static/*"};
  const auto a = build();
  for (const char* path : {"/static/../admin", "/static/./../admin", "/static/%2e%2e/admin",
                           "/static/%2E%2E/admin", "/static/..%2fadmin", "/static/..%2Fadmin",
                           "/static/..%5cadmin", "/static/..\\admin", "/static/.."}) {
    SCOPED_TRACE(path);
    // 401: sign in first; a backslash makes the URL itself unacceptable (400).
    const int status = ask(a, jar{}, std::string("http://localhost:3000") + path).status;
    EXPECT_TRUE(status == 401 || status == 400) << status;
  }
}

TEST_F(ForwardAuthTest, AGroupAskedForLetsOnlyItsMembersThrough) {
  options_.groups = {{"admins", {"ALICE@example.com"}},
                     {"partners", {"@example.org"}},
                     {"staff", {"@example.com"}}};
  const auto a = build();
  jar j;
  sign_in(a, j);
  const auto ask_for = [&](const std::string& query) {
    return ask(a, j, "http://localhost:3000/", "/api/auth/forward?" + query).status;
  };
  EXPECT_EQ(ask_for("group=admins"), 200);
  EXPECT_EQ(ask_for("group=staff"), 200);  // by domain
  EXPECT_EQ(ask_for("group=partners"), 403);
  EXPECT_EQ(ask_for("group=partners&group=admins"), 200);  // any of them
  EXPECT_EQ(ask_for("mode=redirect&group=partners"), 403);
  // A group the configuration does not define is the proxy's mistake, and loud.
  const auto unknown = ask(a, j, "http://localhost:3000/", "/api/auth/forward?group=root");
  EXPECT_EQ(unknown.status, 500);
  EXPECT_THAT(unknown.body, HasSubstr("forward_auth.groups has no group \"root\""));
  // Groups narrow the global lists; they do not widen them.
  options_.emails = {"bob@example.com"};
  EXPECT_EQ(ask_for("group=admins"), 403);
}

}  // namespace
}  // namespace authpp::test
