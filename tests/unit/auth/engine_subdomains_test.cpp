// One sign-in across sibling hosts: auth_config::session_cookie_domain widens the session cookie
// (and nothing else), auth_config::redirect_hosts lets callback URLs lead back to those hosts
// (and nowhere else).
#include "engine_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

class SiblingHostsTest : public EngineTest {
 protected:
  auth_config domain_config() {
    auto c = config();
    c.url = "http://auth.example.test";
    c.session_cookie_domain = "example.test";
    return c;
  }
  static std::string callback() { return "http://auth.example.test/"; }
};

TEST_F(SiblingHostsTest, TheSessionCookieHoldsOnEverySubdomain) {
  const auto a = build(domain_config());
  jar j;
  const auto res = sign_in(a, j, "alice", callback());
  ASSERT_TRUE(j.has("authjs.session-token"));
  EXPECT_THAT(session_set_cookies(res), Each(HasSubstr("; Domain=example.test;")));
  // Renewed on every read, with the same Domain (else the browser would keep two cookies).
  const auto renewed = a.handle(get("/api/auth/session", j.header()));
  ASSERT_FALSE(session_set_cookies(renewed).empty());
  EXPECT_THAT(session_set_cookies(renewed), Each(HasSubstr("; Domain=example.test;")));
}

// Cookie tossing and CSRF-token fixation across subdomains: only the session cookie is widened.
// The CSRF cookie stays host-only (its __Host- form forbids a Domain), and so do the callback-URL
// and OAuth check cookies, so that a sibling subdomain never reads or plants them.
TEST_F(SiblingHostsTest, OnlyTheSessionCookieIsWidened) {
  const auto a = build(domain_config());
  jar j;
  const auto csrf_res = a.handle(get("/api/auth/csrf"));
  const auto res = sign_in(a, j, "alice", callback());
  for (const auto& line : set_cookies(csrf_res)) EXPECT_THAT(line, Not(HasSubstr("Domain=")));
  for (const auto& line : set_cookies(res)) {
    if (!line.starts_with("authjs.session-token")) {
      EXPECT_THAT(line, Not(HasSubstr("Domain="))) << line;
    }
  }
}

// Sign-out must delete the cookie the browser holds: one with the same Domain.
TEST_F(SiblingHostsTest, SignOutDeletesTheDomainCookie) {
  const auto a = build(domain_config());
  jar j;
  sign_in(a, j, "alice", callback());
  const std::string token = csrf(a, j);
  const auto res = a.handle(post_form(
      "/api/auth/signout", form({{"csrfToken", token}, {"callbackUrl", callback()}}), j.header()));
  j.apply(res);
  EXPECT_FALSE(j.has("authjs.session-token"));
  EXPECT_THAT(session_set_cookies(res), Contains(HasSubstr("; Domain=example.test;")));
}

// A domain the browser would refuse, or one that would share the session with other sites, is a
// configuration error at start-up rather than sign-ins that silently never stick.
TEST_F(SiblingHostsTest, ADomainBrowsersWouldRefuseIsAConfigurationError) {
  for (const char* domain :
       {"test", "other.test", ".example.test", "example.test:80", "10.0.0.1"}) {
    SCOPED_TRACE(domain);
    auto c = domain_config();
    c.session_cookie_domain = domain;
    auto a = authpp::auth::create(std::move(c));
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, errc::invalid_config);
    EXPECT_THAT(a.error().message(), HasSubstr("session_cookie_domain"));
  }
  auto c = domain_config();
  c.session_cookie_domain = "other.test";
  EXPECT_THAT(authpp::auth::create(std::move(c)).error().message(),
              HasSubstr("the host of url (auth.example.test) is not other.test or under it"));
}

// Host header spoofing with trust_host: a request for a host outside the domain gets a host-only
// cookie, so a forged Host cannot scatter domain cookies, and one inside gets the domain.
TEST_F(SiblingHostsTest, WithTrustHostOnlyHostsUnderTheDomainGetIt) {
  auto c = domain_config();
  c.url.reset();
  c.trust_host = true;
  const auto a = build(std::move(c));
  for (const auto& [host, widened] :
       {std::pair{"app.example.test", true}, std::pair{"example.test.evil.example", false}}) {
    SCOPED_TRACE(host);
    const auto on_host = [host = std::string(host)](http::request r) {
      r.headers.add("Host", host);
      return r;
    };
    jar j;
    auto csrf_res = a.handle(on_host(get("/api/auth/csrf")));
    j.apply(csrf_res);
    const auto res = a.handle(on_host(
        post_form("/api/auth/callback/credentials?",
                  form({{"username", "alice"},
                        {"password", "wonderland"},
                        {"csrfToken", body_json(csrf_res)["csrfToken"].get<std::string>()}}),
                  j.header())));
    const auto lines = session_set_cookies(res);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front().find("Domain=example.test") != std::string::npos, widened);
  }
}

TEST_F(SiblingHostsTest, ACallbackUrlMayLeadBackToASiblingHostTheConfigurationNames) {
  auto c = domain_config();
  c.redirect_hosts = {"*.example.test"};
  const auto a = build(std::move(c));
  jar j;
  const auto res = sign_in(a, j, "alice", "http://app.example.test/reports?q=1");
  EXPECT_EQ(body_json(res)["url"], "http://app.example.test/reports?q=1");
  // Without redirect_hosts, the default stays the origin only.
  const auto plain = build(domain_config());
  jar k;
  EXPECT_EQ(body_json(sign_in(plain, k, "alice", "http://app.example.test/reports"))["url"],
            "http://auth.example.test");
}

// Open redirect through the sibling list: only the named hosts, on the origin's scheme.
TEST_F(SiblingHostsTest, RedirectHostsOpenNoOtherSite) {
  auto c = domain_config();
  c.redirect_hosts = {"*.example.test"};
  const auto a = build(std::move(c));
  for (const char* url :
       {"http://evil.test/", "http://example.test.evil.test/", "http://app.example.test@evil.test/",
        "http://evil.test/.example.test", "https://app.example.test/", "//app.example.test/"}) {
    SCOPED_TRACE(url);
    jar j;
    EXPECT_EQ(body_json(sign_in(a, j, "alice", url))["url"], "http://auth.example.test");
  }
  auto bad = domain_config();
  bad.redirect_hosts = {"https://app.example.test"};
  auto refused = authpp::auth::create(std::move(bad));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message(), HasSubstr("redirect_hosts: expected a host"));
}

}  // namespace
}  // namespace authpp::test
