// Golden wire tests: each checks status, headers, body and Set-Cookie against the behaviour of
// Auth.js recorded in shared/spec/client-wire.md (sections and test vectors cited per test).
#include "engine_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

constexpr std::string_view json_type = "application/json";

// §4.1, TV-4: GET /csrf without cookies mints the token and the two init cookies.
TEST_F(EngineTest, CsrfWithoutCookiesMintsTokenAndInitCookies) {
  const auto res = build().handle(get("/api/auth/csrf"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("Content-Type"), json_type);
  EXPECT_EQ(res.headers.get("Cache-Control"), "private, no-cache, no-store");
  EXPECT_EQ(res.headers.get("Expires"), "0");
  EXPECT_EQ(res.headers.get("Pragma"), "no-cache");
  const std::string token = body_json(res)["csrfToken"];
  ASSERT_THAT(token, MatchesRegex("[0-9a-f]{64}"));
  const std::string hash = hex::encode(jose::sha256(token + std::string(secret)));
  EXPECT_THAT(
      set_cookies(res),
      ElementsAre("authjs.csrf-token=" + token + "%7C" + hash + "; Path=/; HttpOnly; SameSite=Lax",
                  "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000; Path=/; HttpOnly; "
                  "SameSite=Lax"));
  EXPECT_EQ(res.body, R"({"csrfToken":")" + token + R"("})");
}

// TV-4: a valid CSRF cookie keeps its token; nothing is re-set.
TEST_F(EngineTest, CsrfWithValidCookieReturnsSameTokenAndSetsNothing) {
  const auto a = build();
  jar j;
  const std::string first = csrf(a, j);
  const auto res = a.handle(get("/api/auth/csrf", j.header()));
  EXPECT_EQ(body_json(res)["csrfToken"], first);
  EXPECT_TRUE(set_cookies(res).empty());
}

// TV-4 over https: __Host- CSRF cookie, __Secure- callback cookie, Secure attributes.
TEST_F(EngineTest, CsrfOverHttpsUsesPrefixedSecureCookies) {
  auto c = config();
  c.url = "https://app.example.com";
  const auto res = build(std::move(c)).handle(get("/api/auth/csrf"));
  const auto cookies = set_cookies(res);
  ASSERT_EQ(cookies.size(), 2u);
  EXPECT_THAT(cookies[0], StartsWith("__Host-authjs.csrf-token="));
  EXPECT_THAT(cookies[0], HasSubstr("; Path=/; HttpOnly; Secure; SameSite=Lax"));
  EXPECT_EQ(cookies[1],
            "__Secure-authjs.callback-url=https%3A%2F%2Fapp.example.com; Path=/; HttpOnly; "
            "Secure; SameSite=Lax");
}

// §4.3: providers keyed by id with absolute URLs; no cookies, no cache headers.
TEST_F(EngineTest, ProvidersListsPublicDataWithoutCookies) {
  const auto res = build().handle(get("/api/auth/providers"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body,
            R"({"credentials":{"id":"credentials","name":"Credentials","type":"credentials",)"
            R"("signinUrl":"http://localhost:3000/api/auth/signin/credentials",)"
            R"("callbackUrl":"http://localhost:3000/api/auth/callback/credentials"}})");
  EXPECT_TRUE(set_cookies(res).empty());
  EXPECT_FALSE(res.headers.contains("Cache-Control"));
}

// §4.2, TV-5: no session cookie → null with the cache headers and the init cookies.
TEST_F(EngineTest, SessionWithoutCookieIsNull) {
  const auto res = build().handle(get("/api/auth/session"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "null");
  EXPECT_EQ(res.headers.get("Cache-Control"), "private, no-cache, no-store");
  EXPECT_EQ(set_cookies(res).size(), 2u);
}

// §4.4, TV-7: a credentials sign-in answers {url}, sets the callback-URL and session cookies,
// keeps Location, and the token carries Auth.js's default claims.
TEST_F(EngineTest, CredentialsSuccessSetsSessionAndReturnsUrl) {
  const auto a = build();
  jar j;
  const auto res = sign_in(a, j);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("Content-Type"), json_type);
  EXPECT_EQ(res.headers.get("Location"), "http://localhost:3000/dashboard");
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000/dashboard"})");
  const auto cookies = set_cookies(res);
  ASSERT_EQ(cookies.size(), 2u);
  EXPECT_EQ(cookies[0],
            "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000%2Fdashboard; Path=/; HttpOnly; "
            "SameSite=Lax");
  EXPECT_THAT(cookies[1],
              MatchesRegex("authjs\\.session-token=[A-Za-z0-9_-]{174}\\.\\.[A-Za-z0-9_-]"
                           "{22}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}; Path=/; "
                           "Expires=Sun, 27 Dec 2026 03:39:03 GMT; HttpOnly; "
                           "SameSite=Lax"));
  const json claims = decode(j.value("authjs.session-token"));
  EXPECT_EQ(claims["name"], "Alice");
  EXPECT_EQ(claims["email"], "alice@example.com");
  EXPECT_EQ(claims["sub"], "1");
  EXPECT_FALSE(claims.contains("picture"));
  EXPECT_EQ(claims["iat"], t0);
  EXPECT_EQ(claims["exp"], t0 + 2592000);
}

// TV-7 without the client header: a plain 302.
TEST_F(EngineTest, CredentialsSuccessWithoutClientHeaderRedirects) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  const auto res = a.handle(post_form(
      "/api/auth/callback/credentials",
      form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", token}}), j.header(),
      /*plain=*/true));
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.headers.get("Location"), "http://localhost:3000");
  EXPECT_TRUE(res.body.empty());
}

// TV-6: refused credentials → CredentialsSignin with code=credentials, and no cookies at all.
TEST_F(EngineTest, CredentialsFailureReportsErrorAndCode) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  const auto res = a.handle(post_form("/api/auth/callback/credentials?",
                                      form({{"username", "bob"},
                                            {"csrfToken", token},
                                            {"callbackUrl", "http://localhost:3000/login"}}),
                                      j.header()));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.get("Content-Type"), json_type);
  EXPECT_EQ(
      res.body,
      R"({"url":"http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials"})");
  EXPECT_TRUE(set_cookies(res).empty());
  EXPECT_FALSE(res.headers.contains("Location"));

  const auto plain = a.handle(post_form("/api/auth/callback/credentials",
                                        form({{"username", "bob"}, {"csrfToken", token}}),
                                        j.header(), /*plain=*/true));
  EXPECT_EQ(plain.status, 302);
  EXPECT_EQ(plain.headers.get("Location"),
            "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials");
}

// §7.1: a custom code from authorize reaches the URL.
TEST_F(EngineTest, CredentialsCustomCodeReachesTheUrl) {
  const auto a = build();
  jar j;
  const auto res = sign_in(a, j, "carol");
  EXPECT_EQ(body_json(res)["url"],
            "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=invalid_pw");
}

// TV-6 with pages.signIn: the error goes to the application's page.
TEST_F(EngineTest, CredentialsFailureUsesCustomSignInPage) {
  auto c = config();
  c.pages.sign_in = "/login";
  const auto a = build(std::move(c));
  jar j;
  const auto res = sign_in(a, j, "bob");
  EXPECT_EQ(body_json(res)["url"],
            "http://localhost:3000/login?error=CredentialsSignin&code=credentials");
}

// §2.4 table: authorize throwing or failing → Configuration on the error page.
TEST_F(EngineTest, AuthorizeExceptionBecomesConfiguration) {
  const auto a = build();
  for (const char* user : {"thrower", "broken"}) {
    SCOPED_TRACE(user);
    jar j;
    const auto res = sign_in(a, j, user);
    EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/error?error=Configuration");
  }
  EXPECT_TRUE(logs_contain("database exploded"));
}

// authpp addition: a provider whose store is down answers 503 with Retry-After, no cookies.
TEST_F(EngineTest, UnavailableUserStoreAnswers503) {
  const auto a = build();
  jar j;
  const auto res = sign_in(a, j, "offline");
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.headers.get("Retry-After"), "5");
  EXPECT_TRUE(set_cookies(res).empty());
  EXPECT_TRUE(logs_contain("database file missing"));
}

// §4.2, TV-5: a valid session is returned, re-encrypted and re-set (sliding expiry).
TEST_F(EngineTest, SessionReturnsUserAndSlidesExpiry) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const std::string before = j.value("authjs.session-token");
  clock_.advance(std::chrono::hours(1));
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(
      res.body,
      R"({"user":{"name":"Alice","email":"alice@example.com"},"expires":"2026-12-27T04:39:03.000Z"})");
  EXPECT_EQ(res.headers.get("Cache-Control"), "private, no-cache, no-store");
  const auto cookies = set_cookies(res);
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_THAT(cookies[0], HasSubstr("; Path=/; Expires=Sun, 27 Dec 2026 04:39:03 GMT; HttpOnly"));
  j.apply(res);
  EXPECT_NE(j.value("authjs.session-token"), before);
  EXPECT_EQ(decode(j.value("authjs.session-token"))["iat"], t0 + 3600);
}

// TV-5: garbage and chunked garbage → null and every present chunk deleted.
TEST_F(EngineTest, SessionWithGarbageCookiesClearsThem) {
  const auto a = build();
  auto res = a.handle(get("/api/auth/session", "authjs.session-token=garbage"));
  EXPECT_EQ(res.body, "null");
  EXPECT_THAT(session_set_cookies(res),
              ElementsAre("authjs.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"));

  res =
      a.handle(get("/api/auth/session", "authjs.session-token.0=aaa; authjs.session-token.1=bbb"));
  EXPECT_EQ(res.body, "null");
  EXPECT_THAT(session_set_cookies(res),
              ElementsAre("authjs.session-token.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
                          "authjs.session-token.1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"));
}

// §4.8, TV-9: POST /session runs the jwt callback with trigger update and the client's data.
TEST_F(EngineTest, SessionUpdateRunsJwtCallbackWithData) {
  auto c = config();
  c.callbacks.jwt = [](const jwt_params& p) -> std::optional<json> {
    json token = p.token;
    if (p.trigger == jwt_trigger::update && p.session) token["name"] = (*p.session)["name"];
    return token;
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const std::string token = csrf(a, j);
  const auto res = a.handle(post_json(
      "/api/auth/session", json{{"csrfToken", token}, {"data", {{"name", "Ada"}}}}, j.header()));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(body_json(res)["user"]["name"], "Ada");
  EXPECT_FALSE(res.headers.contains("Cache-Control"));
  j.apply(res);
  EXPECT_EQ(decode(j.value("authjs.session-token"))["name"], "Ada");
}

// TV-8: POST /session without a CSRF token → 400 null.
TEST_F(EngineTest, SessionUpdateWithoutCsrfIs400Null) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const auto res = a.handle(post_json("/api/auth/session", json{{"data", 1}}, j.header()));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, "null");
  EXPECT_TRUE(set_cookies(res).empty());
}

// §4.7, TV-10: sign-out clears the session, keeps CSRF, collapses a foreign callback to origin.
TEST_F(EngineTest, SignOutClearsSessionAndRefusesForeignCallback) {
  const auto a = build();
  jar j;
  sign_in(a, j);
  const std::string token = csrf(a, j);
  const auto res = a.handle(
      post_form("/api/auth/signout",
                form({{"csrfToken", token}, {"callbackUrl", "https://evil.com/"}}), j.header()));
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000"})");
  EXPECT_THAT(set_cookies(res),
              ElementsAre("authjs.callback-url=http%3A%2F%2Flocalhost%3A3000; Path=/; HttpOnly; "
                          "SameSite=Lax",
                          "authjs.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"));
  j.apply(res);
  EXPECT_TRUE(j.has("authjs.csrf-token"));
  EXPECT_EQ(a.handle(get("/api/auth/session", j.header())).body, "null");
}

// TV-10: without a session, sign-out only redirects.
TEST_F(EngineTest, SignOutWithoutSessionOnlyRedirects) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  const auto res = a.handle(post_form(
      "/api/auth/signout", form({{"csrfToken", token}, {"callbackUrl", "/bye"}}), j.header()));
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000/bye"})");
  for (const auto& c : set_cookies(res)) EXPECT_THAT(c, ::testing::Not(HasSubstr("session-token")));
}

// TV-11: callback URL precedence body > query > cookie > origin.
TEST_F(EngineTest, CallbackUrlPrecedence) {
  auto c = config();
  c.url = "https://app.example.com";
  const auto a = build(std::move(c));
  jar j;
  const std::string token = csrf(a, j);
  auto signout = [&](std::string target, http::url_search_params f, std::string extra_cookie) {
    std::string cookie = j.header();
    if (!extra_cookie.empty()) cookie += "; " + extra_cookie;
    return body_json(a.handle(post_form(std::move(target), f, cookie)))["url"].get<std::string>();
  };
  EXPECT_EQ(signout("/api/auth/signout?callbackUrl=/q",
                    form({{"csrfToken", token}, {"callbackUrl", "/b"}}), ""),
            "https://app.example.com/b");
  EXPECT_EQ(signout("/api/auth/signout?callbackUrl=/q", form({{"csrfToken", token}}), ""),
            "https://app.example.com/q");
  j.all().erase("__Secure-authjs.callback-url");
  EXPECT_EQ(signout("/api/auth/signout", form({{"csrfToken", token}}),
                    "__Secure-authjs.callback-url=https%3A%2F%2Fapp.example.com%2Fcookie"),
            "https://app.example.com/cookie");
  EXPECT_EQ(
      signout("/api/auth/signout", form({{"csrfToken", token}, {"callbackUrl", "not a url"}}), ""),
      "https://app.example.com/api/auth/error?error=Configuration");
}

// TV-11: a JSON body is read like a form.
TEST_F(EngineTest, JsonBodyIsAcceptedLikeAForm) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  auto req = post_json("/api/auth/signout", json{{"csrfToken", token}, {"callbackUrl", "/json"}},
                       j.header());
  req.headers.add("X-Auth-Return-Redirect", "1");
  EXPECT_EQ(body_json(a.handle(req))["url"], "http://localhost:3000/json");
}

// TV-13: routing and miscellaneous errors.
TEST_F(EngineTest, RoutingTable) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  EXPECT_EQ(a.handle(get("/api/auth/bogus")).status, 400);
  EXPECT_EQ(a.handle(get("/api/auth/bogus")).body, "\"Bad request.\"");
  EXPECT_EQ(a.handle(get("/api/auth/signin/a/b")).status, 400);
  EXPECT_EQ(a.handle(get("/api/auth/session/x")).status, 400);
  EXPECT_EQ(a.handle(get("/api/authx/session")).status, 400);
  for (const char* method : {"PUT", "HEAD", "DELETE", "OPTIONS"}) {
    auto r = get("/api/auth/session");
    r.method = method;
    EXPECT_EQ(a.handle(r).status, 400) << method;
  }
  EXPECT_EQ(a.handle(get("/api/auth/session/")).status, 200);
  EXPECT_EQ(a.handle(get("/api/auth//session//")).status, 200);

  auto res = a.handle(get("/api/auth/signin/credentials"));
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.headers.get("Location"),
            "http://localhost:3000/api/auth/error?error=Configuration");

  res = a.handle(post_form("/api/auth/signin/nope", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000/api/auth/error?error=Configuration"})");

  res =
      a.handle(post_form("/api/auth/signin/credentials", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(res.body, R"({"url":"http://localhost:3000/api/auth/signin"})");

  res = a.handle(get("/api/auth/callback/credentials"));
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.headers.get("Location"),
            "http://localhost:3000/api/auth/error?error=Configuration");

  res = a.handle(get("/api/auth/signin?callbackUrl=javascript:alert(1)"));
  EXPECT_EQ(res.status, 500);
  EXPECT_THAT(std::string(res.headers.get("Content-Type").value_or("")), StartsWith("text/html"));
}

// TV-13: without a public URL or trust in the host, every request is refused.
TEST_F(EngineTest, UntrustedHostRefusesEveryRequest) {
  auto c = config();
  c.url.reset();
  const auto a = build(std::move(c));
  auto res = a.handle(get("/api/auth/session"));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(
      res.body,
      R"({"message":"There was a problem with the server configuration. Check the server logs for more information."})");
  res = a.handle(get("/api/auth/signin"));
  EXPECT_EQ(res.status, 500);
  EXPECT_THAT(std::string(res.headers.get("Content-Type").value_or("")), StartsWith("text/html"));
}

// §4.9, TV-13: error page statuses.
TEST_F(EngineTest, ErrorPageStatuses) {
  const auto a = build();
  EXPECT_EQ(a.handle(get("/api/auth/error?error=Configuration")).status, 500);
  EXPECT_EQ(a.handle(get("/api/auth/error?error=AccessDenied")).status, 403);
  EXPECT_EQ(a.handle(get("/api/auth/error?error=Verification")).status, 403);
  EXPECT_EQ(a.handle(get("/api/auth/error?error=Whatever")).status, 200);
  EXPECT_EQ(a.handle(get("/api/auth/error")).status, 200);
}

// §4.9: custom pages receive redirects; the sign-in page gets the computed callback URL.
TEST_F(EngineTest, CustomPagesRedirect) {
  auto c = config();
  c.pages.sign_in = "/login";
  c.pages.sign_out = "/bye";
  c.pages.error = "/oops";
  c.pages.verify_request = "/check";
  const auto a = build(std::move(c));
  EXPECT_EQ(a.handle(get("/api/auth/signin?callbackUrl=%2Fx&error=CredentialsSignin"))
                .headers.get("Location"),
            "/login?callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Fx&error=CredentialsSignin");
  EXPECT_EQ(a.handle(get("/api/auth/signout")).headers.get("Location"), "/bye");
  EXPECT_EQ(a.handle(get("/api/auth/error?error=AccessDenied")).headers.get("Location"),
            "/oops?error=AccessDenied");
  EXPECT_EQ(a.handle(get("/api/auth/verify-request?provider=e&type=email")).headers.get("Location"),
            "/check?provider=e&type=email");
}

// TV-13: the signIn callback can redirect (no session) or deny (AccessDenied).
TEST_F(EngineTest, SignInCallbackRedirectsOrDenies) {
  auto c = config();
  c.callbacks.sign_in = [](const sign_in_params&) {
    return sign_in_decision::redirect_to("/custom-landing");
  };
  auto a = build(std::move(c));
  jar j;
  auto res = sign_in(a, j);
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/custom-landing");
  EXPECT_FALSE(j.has("authjs.session-token"));

  c = config();
  c.callbacks.sign_in = [](const sign_in_params&) { return sign_in_decision::deny(); };
  a = build(std::move(c));
  jar k;
  res = sign_in(a, k);
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/error?error=AccessDenied");
  EXPECT_FALSE(k.has("authjs.session-token"));
}

// §5.5, TV-14: large sessions are chunked at 3936 characters, and shrinking back to one cookie
// deletes the chunks first, in request order.
TEST_F(EngineTest, LargeSessionIsChunkedAndShrinksBack) {
  auto c = config();
  bool big = true;
  c.callbacks.jwt = [&big](const jwt_params& p) -> std::optional<json> {
    json token = p.token;
    if (big) {
      token["pad"] = std::string(6000, 'x');
    } else {
      token.erase("pad");
    }
    return token;
  };
  const auto a = build(std::move(c));
  jar j;
  const auto res = sign_in(a, j);
  std::vector<std::string> names;
  for (const auto& line : set_cookies(res)) names.push_back(line.substr(0, line.find('=')));
  EXPECT_THAT(names, ElementsAre("authjs.callback-url", "authjs.session-token.0",
                                 "authjs.session-token.1", "authjs.session-token.2"));
  EXPECT_EQ(j.value("authjs.session-token.0").size(), 3936u);
  EXPECT_EQ(j.value("authjs.session-token.1").size(), 3936u);

  big = false;
  const auto small = a.handle(get("/api/auth/session", j.header()));
  names.clear();
  for (const auto& line : set_cookies(small)) names.push_back(line.substr(0, line.find('=')));
  EXPECT_THAT(names, ElementsAre("authjs.session-token.0", "authjs.session-token.1",
                                 "authjs.session-token.2", "authjs.session-token"));
  j.apply(small);
  EXPECT_FALSE(j.has("authjs.session-token.0"));
  EXPECT_EQ(body_json(a.handle(get("/api/auth/session", j.header())))["user"]["name"], "Alice");
}

// §2.1: the session and jwt callbacks shape what /session returns; events fire.
TEST_F(EngineTest, CallbacksAndEventsShapeTheSession) {
  auto c = config();
  int sign_ins = 0, sign_outs = 0, sessions = 0;
  c.callbacks.jwt = [](const jwt_params& p) -> std::optional<json> {
    json token = p.token;
    if (p.trigger == jwt_trigger::sign_in) token["role"] = "admin";
    return token;
  };
  c.callbacks.session = [](const session_params& p) {
    json s = p.session;
    s["role"] = p.token["role"];
    return s;
  };
  c.events.sign_in = [&](const sign_in_event& e) {
    ++sign_ins;
    EXPECT_EQ(e.account.provider, "credentials");
  };
  c.events.sign_out = [&](const sign_out_event& e) {
    ++sign_outs;
    EXPECT_EQ(e.token["role"], "admin");
  };
  c.events.session = [&](const session_event&) {
    ++sessions;
    throw std::runtime_error("an event handler failing must not break the session");
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(body_json(res)["role"], "admin");
  j.apply(res);
  const std::string token = csrf(a, j);
  a.handle(post_form("/api/auth/signout", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(sign_ins, 1);
  EXPECT_EQ(sign_outs, 1);
  EXPECT_EQ(sessions, 1);
  EXPECT_TRUE(logs_contain("EventError"));
}

// The jwt callback returning nullopt ends the session.
TEST_F(EngineTest, JwtCallbackReturningNothingEndsTheSession) {
  auto c = config();
  bool keep = true;
  c.callbacks.jwt = [&keep](const jwt_params& p) -> std::optional<json> {
    if (!keep) return std::nullopt;
    return p.token;
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  keep = false;
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(res.body, "null");
  j.apply(res);
  EXPECT_FALSE(j.has("authjs.session-token"));
}

// §4.9: built-in pages are HTML with a CSRF token and a strict CSP.
TEST_F(EngineTest, BuiltInPagesCarryTokenAndCsp) {
  const auto a = build();
  jar j;
  const std::string token = csrf(a, j);
  for (const char* page : {"/api/auth/signin", "/api/auth/signout"}) {
    SCOPED_TRACE(page);
    const auto res = a.handle(get(page, j.header()));
    EXPECT_EQ(res.status, 200);
    EXPECT_THAT(res.body, HasSubstr(token));
    EXPECT_THAT(std::string(res.headers.get("Content-Security-Policy").value_or("")),
                HasSubstr("default-src 'none'"));
  }
  EXPECT_THAT(a.handle(get("/api/auth/signin", j.header())).body,
              HasSubstr("http://localhost:3000/api/auth/callback/credentials"));
  EXPECT_EQ(a.handle(get("/api/auth/verify-request")).status, 200);
}

}  // namespace
}  // namespace authpp::test
