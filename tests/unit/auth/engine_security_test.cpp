// Negative tests: each names the attack it stops.
#include "engine_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view missing_csrf_url =
    R"({"url":"http://localhost:3000/api/auth/signin?error=MissingCSRF"})";

class EngineSecurityTest : public EngineTest {
 protected:
  http::response credentials_post(const authpp::auth& a, const std::string& cookie,
                                  std::optional<std::string> token) {
    auto f = form({{"username", "alice"}, {"password", "wonderland"}});
    if (token) f.append("csrfToken", *token);
    return a.handle(post_form("/api/auth/callback/credentials", f, cookie));
  }
};

// Cross-site request forgery: a sign-in POST needs the cookie AND the matching body token.
TEST_F(EngineSecurityTest, CsrfMissingWrongOrForgedIsRefused) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  // Body token without the cookie (the attacker's page cannot send our cookie... or a stale one).
  EXPECT_EQ(credentials_post(a, "", token).body, missing_csrf_url);
  // Cookie without the body token.
  EXPECT_EQ(credentials_post(a, j.header(), std::nullopt).body, missing_csrf_url);
  // A token one character off.
  std::string off = token;
  off.back() = off.back() == '0' ? '1' : '0';
  EXPECT_EQ(credentials_post(a, j.header(), off).body, missing_csrf_url);
  // A cookie forged under another secret (token|sha256(token+other)).
  const std::string forged_hash = hex::encode(jose::sha256(token + "other-secret"));
  EXPECT_EQ(credentials_post(a, "authjs.csrf-token=" + token + "%7C" + forged_hash, token).body,
            missing_csrf_url);
  // A cookie whose token was swapped for the attacker's own, keeping the victim's hash.
  const std::string victim_hash = j.value("authjs.csrf-token").substr(65);
  const std::string attacker(64, 'a');
  EXPECT_EQ(
      credentials_post(a, "authjs.csrf-token=" + attacker + "%7C" + victim_hash, attacker).body,
      missing_csrf_url);
  // None of these signed anyone in.
  EXPECT_FALSE(j.has("authjs.session-token"));
  // And the genuine pair works.
  EXPECT_THAT(credentials_post(a, j.header(), token).body, HasSubstr("http://localhost:3000"));
}

// CSRF on sign-out and session update: refused, and the session survives.
TEST_F(EngineSecurityTest, SignOutAndUpdateWithoutCsrfKeepTheSession) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  auto res = a.handle(post_form("/api/auth/signout", form({{"csrfToken", "nope"}}), j.header()));
  EXPECT_EQ(res.body, missing_csrf_url);
  EXPECT_TRUE(set_cookies(res).empty());
  res = a.handle(
      post_json("/api/auth/session", json{{"csrfToken", "nope"}, {"data", 1}}, j.header()));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(body_json(a.handle(get("/api/auth/session", j.header())))["user"]["name"], "Alice");
}

// The CSRF token is read from the body only, never from the query string or a header.
TEST_F(EngineSecurityTest, CsrfTokenInQueryOrHeaderIsIgnored) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  auto req = post_form("/api/auth/callback/credentials?csrfToken=" + token,
                       form({{"username", "alice"}, {"password", "wonderland"}}), j.header());
  req.headers.add("X-CSRF-Token", token);
  EXPECT_EQ(a.handle(req).body, missing_csrf_url);
}

// Session tampering: every single-character change of the session cookie is rejected, the
// session reads as null and the cookie is cleared.
TEST_F(EngineSecurityTest, TamperedSessionTokenIsRejected) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const std::string token = j.value("authjs.session-token");
  for (std::size_t i = 0; i < token.size(); i += 7) {
    SCOPED_TRACE(i);
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    const auto res = a.handle(get("/api/auth/session", "authjs.session-token=" + tampered));
    EXPECT_EQ(res.body, "null");
    EXPECT_THAT(session_set_cookies(res),
                ::testing::ElementsAre(HasSubstr("authjs.session-token=; Max-Age=0")));
  }
}

// Replay of an old session after expiry, and tokens minted under another secret or for the
// https cookie name: refused.
TEST_F(EngineSecurityTest, ExpiredOrForeignSessionTokensAreRejected) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const std::string cookie = j.header();
  clock_.advance(std::chrono::seconds(2592000 + 15));
  EXPECT_EQ(a.handle(get("/api/auth/session", cookie)).body, "null");
  clock_.set(std::chrono::system_clock::time_point(std::chrono::seconds(t0)));

  const json claims = {{"name", "Mallory"}, {"sub", "666"}};
  const std::vector<std::string> other{"other-secret"};
  const std::string foreign =
      jose::encode_session(claims, other, "authjs.session-token", clock_, default_random()).value();
  EXPECT_EQ(a.handle(get("/api/auth/session", "authjs.session-token=" + foreign)).body, "null");

  const std::vector<std::string> ours{std::string(secret)};
  const std::string https_token =
      jose::encode_session(claims, ours, "__Secure-authjs.session-token", clock_, default_random())
          .value();
  EXPECT_EQ(a.handle(get("/api/auth/session", "authjs.session-token=" + https_token)).body, "null");
}

// A chunked session with a chunk missing is not reassembled into something else.
TEST_F(EngineSecurityTest, ChunkedSessionWithMissingChunkIsRejected) {
  auto c = config();
  c.callbacks.jwt = [](const jwt_params& p) -> std::optional<json> {
    json token = p.token;
    token["pad"] = std::string(9000, 'x');
    return token;
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  ASSERT_TRUE(j.has("authjs.session-token.2"));
  j.all().erase("authjs.session-token.1");
  std::size_t remaining = 0;
  for (const auto& [name, value] : j.all()) remaining += name.starts_with("authjs.session-token.");
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(res.body, "null");
  // Every chunk still present is deleted, none is re-set.
  const auto cookies = session_set_cookies(res);
  EXPECT_EQ(cookies.size(), remaining);
  for (const auto& line : cookies) EXPECT_THAT(line, HasSubstr("=; Max-Age=0"));
}

// Resource exhaustion: oversized bodies and headers are refused before parsing.
TEST_F(EngineSecurityTest, OversizedBodyAndHeadersAreRefused) {
  const auto a = build();
  auto req = post_form("/api/auth/callback/credentials", form({{"a", std::string(70000, 'x')}}));
  EXPECT_EQ(a.handle(req).status, 413);
  auto big = get("/api/auth/session");
  big.headers.add("X-Junk", std::string(40000, 'x'));
  EXPECT_EQ(a.handle(big).status, 431);
  // Deeply nested JSON cannot exhaust the stack.
  auto nested = post_json("/api/auth/session", json::object());
  nested.body = std::string(20000, '[');
  EXPECT_EQ(a.handle(nested).status, 413);
}

// Malformed form encoding is decoded leniently, as URLSearchParams does, and changes nothing.
TEST_F(EngineSecurityTest, MalformedFormEncodingIsHarmless) {
  const auto a = build();
  jar j;
  csrf(a, j);
  auto req = post_form("/api/auth/callback/credentials", {}, j.header());
  req.body = "username=%zz%&password=%E0%A4%A&csrfToken=%&&&==&callbackUrl=%0d%0a";
  EXPECT_EQ(a.handle(req).body, missing_csrf_url);
}

// Parameter pollution: duplicate fields resolve to the last one (as Auth.js), and a foreign
// duplicate still cannot redirect off-site.
TEST_F(EngineSecurityTest, DuplicateFieldsCannotSmuggleARedirect) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  auto req = post_form("/api/auth/signout", {}, j.header());
  req.body = "csrfToken=" + token + "&callbackUrl=%2Fok&callbackUrl=https%3A%2F%2Fevil.com";
  EXPECT_EQ(a.handle(req).body, R"({"url":"http://localhost:3000"})");
}

// Open redirects: none of these callback URLs leaves the origin.
TEST_F(EngineSecurityTest, OpenRedirectFormsStayOnOrigin) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  for (std::string evil :
       {"//evil.com", "//evil.com/x", "/\\evil.com", "/\\/evil.com", "\\\\evil.com", "/\tevil.com",
        "https://evil.com", "http://localhost:3000.evil.com/", "http://localhost:3000@evil.com/",
        "https://localhost:3000/", "javascript:alert(1)", "data:text/html,x",
        "/x\r\nSet-Cookie: a=b", "ftp://localhost:3000/"}) {
    SCOPED_TRACE(evil);
    const auto res = a.handle(post_form(
        "/api/auth/signout", form({{"csrfToken", token}, {"callbackUrl", evil}}), j.header()));
    const std::string url = body_json(res)["url"];
    EXPECT_TRUE(url == "http://localhost:3000" ||
                url.starts_with("http://localhost:3000/api/auth/error"))
        << url;
    for (const auto& c : set_cookies(res)) EXPECT_THAT(c, Not(HasSubstr("evil")));
  }
  // Same-origin targets are kept.
  const auto ok = a.handle(post_form(
      "/api/auth/signout",
      form({{"csrfToken", token}, {"callbackUrl", "http://localhost:3000/a?b=c"}}), j.header()));
  EXPECT_EQ(body_json(ok)["url"], "http://localhost:3000/a?b=c");
}

// Non-http(s) schemes are URLs with an opaque origin: like Auth.js, fall back to the origin and
// still sign the user in; an empty callbackUrl counts as absent (interop with next-auth/react).
TEST_F(EngineSecurityTest, OtherSchemesAndEmptyCallbackFallBackToOrigin) {
  const auto a = build();
  for (std::string target : {"mailto:a@evil.example", "javascript:alert(1)", "data:text/html,hi",
                             "ftp://evil.example/", ""}) {
    SCOPED_TRACE(target);
    jar j;
    const auto res = sign_in(a, j, "alice", target);
    EXPECT_EQ(res.body, R"({"url":"http://localhost:3000"})");
    EXPECT_TRUE(j.has("authjs.session-token"));
  }
}

// Query and cookie callback URLs with a dangerous scheme are refused up front (500); empty ones
// are simply absent.
TEST_F(EngineSecurityTest, DangerousCallbackUrlInQueryOrCookieIsRefused) {
  const auto a = build();
  EXPECT_EQ(a.handle(get("/api/auth/session?callbackUrl=")).status, 200);
  EXPECT_EQ(a.handle(get("/api/auth/session", "authjs.callback-url=")).status, 200);
  EXPECT_EQ(a.handle(get("/api/auth/session?callbackUrl=javascript%3Aalert(1)")).status, 500);
  EXPECT_EQ(a.handle(get("/api/auth/session", "authjs.callback-url=javascript%3Aalert(1)")).status,
            500);
}

// Host header poisoning: with a public URL configured, Host and X-Forwarded-* are ignored.
TEST_F(EngineSecurityTest, UntrustedForwardedHostIsIgnored) {
  const auto a = build();
  auto req = get("/api/auth/providers");
  req.headers.add("Host", "evil.com");
  req.headers.add("X-Forwarded-Host", "evil.com");
  req.headers.add("X-Forwarded-Proto", "https");
  EXPECT_THAT(a.handle(req).body, Not(HasSubstr("evil")));
}

// With trust_host, forwarded headers are honoured, but a malformed host is refused.
TEST_F(EngineSecurityTest, TrustedHostIsValidated) {
  auto c = config();
  c.url.reset();
  c.trust_host = true;
  const auto a = build(std::move(c));
  auto req = get("/api/auth/providers");
  req.headers.add("Host", "internal:8080");
  req.headers.add("X-Forwarded-Host", "app.example.com");
  req.headers.add("X-Forwarded-Proto", "https");
  EXPECT_THAT(a.handle(req).body, HasSubstr("https://app.example.com/api/auth/signin/credentials"));
  for (const char* host :
       {"evil.com/path", "user@evil.com", "a b", "evil.com\r\nX: y", "", "[::1", "a:b:c"}) {
    SCOPED_TRACE(host);
    auto bad = get("/api/auth/providers");
    bad.headers.add("Host", host);
    EXPECT_EQ(a.handle(bad).status, 400);  // the request's fault, not the server's
  }
}

// Host spoofing through a proxy: X-Forwarded-Host/-Proto lists grow one entry per hop, and the
// left-most is whatever the client sent. The engine took that one; now a list is refused (400)
// rather than guessed from, in either header, as one field or as several.
TEST_F(EngineSecurityTest, ForwardedHeaderListIsRefused) {
  auto c = config();
  c.url.reset();
  c.trust_host = true;
  const auto a = build(std::move(c));
  const std::pair<const char*, const char*> lists[] = {
      {"X-Forwarded-Host", "evil.example, app.example.com"},
      {"X-Forwarded-Host", "evil.example,app.example.com"},
      {"X-Forwarded-Proto", "https, http"},
  };
  for (const auto& [name, value] : lists) {
    SCOPED_TRACE(value);
    auto req = get("/api/auth/providers");
    req.headers.add("Host", "app.example.com");
    req.headers.add(name, value);
    const auto res = a.handle(req);
    EXPECT_EQ(res.status, 400);
    EXPECT_THAT(res.body, Not(HasSubstr("evil")));
  }
  auto twice = get("/api/auth/providers");
  twice.headers.add("Host", "app.example.com");
  twice.headers.add("X-Forwarded-Host", "evil.example");
  twice.headers.add("X-Forwarded-Host", "app.example.com");
  EXPECT_EQ(a.handle(twice).status, 400);
  // One value, spaces around it, is still honoured.
  auto one = get("/api/auth/providers");
  one.headers.add("Host", "internal:8080");
  one.headers.add("X-Forwarded-Host", " app.example.com ");
  one.headers.add("X-Forwarded-Proto", "https");
  EXPECT_THAT(a.handle(one).body, HasSubstr("https://app.example.com/api/auth/signin/credentials"));
}

// CPU exhaustion: a JSON body of thousands of distinct names cost O(n²) to read, before any CSRF
// check. It is now read in one pass, and the names the engine needs still count.
TEST_F(EngineSecurityTest, ManyNamedBodiesAreReadInOnePass) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const std::string token = csrf(a, j);
  // 6500 distinct names, within the 64 KiB body limit.
  std::string names_json, names_form;
  for (int i = 0; i < 6500; ++i) {
    const std::string name = "k" + std::to_string(i);
    names_json += "\"" + name + "\":0,";
    names_form += name + "=&";
  }
  auto update = post_json("/api/auth/session", json::object(), j.header());
  update.body = "{" + names_json + R"("data":{"name":"Many"},"csrfToken":")" + token + "\"}";
  ASSERT_LE(update.body.size(), 64u * 1024);
  auto res = a.handle(update);
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("alice"));
  // Form bodies are bounded by their field count before decoding.
  auto out = post_form("/api/auth/signout", form({}), j.header());
  out.body = names_form + "csrfToken=" + token;
  EXPECT_EQ(a.handle(out).status, 413);
}

// Unknown providers and methods an action does not take are Configuration errors, not crashes.
TEST_F(EngineSecurityTest, UnknownProviderAndWrongMethod) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  auto res =
      a.handle(post_form("/api/auth/callback/nope", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000/api/auth/error?error=Configuration"})");
  res = a.handle(post_form("/api/auth/csrf", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000/api/auth/error?error=Configuration"})");
  res = a.handle(get("/api/auth/callback/credentials"));
  EXPECT_EQ(res.status, 302);
}

// Reflected XSS: the error page never echoes the raw error type.
TEST_F(EngineSecurityTest, ErrorPageDoesNotReflectInput) {
  const auto a = build();
  const auto res = a.handle(get("/api/auth/error?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E"));
  EXPECT_THAT(res.body, Not(HasSubstr("<script>")));
  const auto signin = a.handle(get("/api/auth/signin?error=%3Cimg%20src%3Dx%3E"));
  EXPECT_THAT(signin.body, Not(HasSubstr("<img src=x>")));
}

// Secrets, passwords and tokens never reach the log.
TEST_F(EngineSecurityTest, LogsHoldNoSecretsPasswordsOrTokens) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  sign_in(a, j, "bob");
  sign_in(a, j, "thrower");
  a.handle(get("/api/auth/session", "authjs.session-token=garbage"));
  ASSERT_FALSE(logs_.empty());
  for (const auto& line : logs_) {
    EXPECT_THAT(line, Not(HasSubstr(secret)));
    EXPECT_THAT(line, Not(HasSubstr("wonderland")));
    EXPECT_THAT(line, Not(HasSubstr(j.value("authjs.csrf-token").substr(0, 64))));
  }
}

// Invalid configuration is refused when the engine is built, naming the field.
TEST(EngineConfigTest, InvalidConfigurationNamesTheField) {
  auto error_for = [](auth_config c) {
    auto r = authpp::auth::create(std::move(c));
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().detail;
  };
  auth_config c;
  EXPECT_THAT(error_for(c), HasSubstr("secrets"));
  c.secrets = {""};
  EXPECT_THAT(error_for(c), HasSubstr("secrets[0]"));
  c.secrets = {"s"};
  c.base_path = "api/auth/";
  EXPECT_THAT(error_for(c), HasSubstr("base_path"));
  c.base_path = "/api/auth";
  c.url = "ftp://x";
  EXPECT_THAT(error_for(c), HasSubstr("url"));
  c.url.reset();
  c.providers.push_back(credentials_provider{});
  EXPECT_THAT(error_for(c), HasSubstr("providers[0].authorize"));
  credentials_provider p;
  p.authorize = [](const authorize_request&) { return authorize_result::reject(); };
  c.providers = {p, p};
  EXPECT_THAT(error_for(c), HasSubstr("duplicate provider id"));
  c.providers = {p};
  c.pages.sign_in = "https://evil.com/login";
  EXPECT_THAT(error_for(c), HasSubstr("pages.sign_in"));
  c.pages.sign_in.reset();
  EXPECT_TRUE(authpp::auth::create(c));
}

// Clickjacking, referrer leaks and TLS stripping: every page forbids framing (CSP and the older
// X-Frame-Options), sends no referrer, and over https asks the browser to stay on https.
TEST_F(EngineSecurityTest, PagesForbidFramingAndPinHttps) {
  for (const char* url : {"http://localhost:3000", "https://app.example.com"}) {
    SCOPED_TRACE(url);
    auto c = config();
    c.url = url;
    const auto a = build(std::move(c));
    for (const char* page :
         {"/api/auth/signin", "/api/auth/signout", "/api/auth/error", "/api/auth/verify-request"}) {
      SCOPED_TRACE(page);
      const auto res = a.handle(get(page));
      EXPECT_THAT(std::string(res.headers.get("Content-Security-Policy").value_or("")),
                  HasSubstr("frame-ancestors 'none'"));
      EXPECT_EQ(res.headers.get("X-Frame-Options"), "DENY");
      EXPECT_EQ(res.headers.get("Referrer-Policy"), "no-referrer");
      EXPECT_EQ(res.headers.get("Strict-Transport-Security"),
                std::string_view(url).starts_with("https")
                    ? std::optional<std::string_view>("max-age=31536000")
                    : std::nullopt);
    }
    // JSON endpoints are not pages.
    EXPECT_FALSE(a.handle(get("/api/auth/session")).headers.contains("Strict-Transport-Security"));
  }
}

}  // namespace
}  // namespace authpp::test
