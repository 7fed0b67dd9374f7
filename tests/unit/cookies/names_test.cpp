#include <authpp/cookies/names.hpp>
#include <authpp/http/cookie.hpp>

#include <gtest/gtest.h>

namespace authpp::cookies {
namespace {

TEST(CookieNamesTest, PlainNamesOverHttp) {
  const cookie_names names = default_cookie_names(false);
  EXPECT_EQ(names.session_token, "authjs.session-token");
  EXPECT_EQ(names.callback_url, "authjs.callback-url");
  EXPECT_EQ(names.csrf_token, "authjs.csrf-token");
  EXPECT_EQ(names.pkce_code_verifier, "authjs.pkce.code_verifier");
  EXPECT_EQ(names.state, "authjs.state");
  EXPECT_EQ(names.nonce, "authjs.nonce");
  EXPECT_EQ(names.webauthn_challenge, "authjs.challenge");
}

// The __Host- prefix on the CSRF cookie stops a sibling subdomain from planting a CSRF cookie
// of its choosing (cookie tossing): browsers only accept it with Secure, Path=/ and no Domain.
TEST(CookieNamesTest, PrefixedNamesOverHttpsStopCookieTossing) {
  const cookie_names names = default_cookie_names(true);
  EXPECT_EQ(names.session_token, "__Secure-authjs.session-token");
  EXPECT_EQ(names.callback_url, "__Secure-authjs.callback-url");
  EXPECT_EQ(names.csrf_token, "__Host-authjs.csrf-token");
  EXPECT_EQ(names.pkce_code_verifier, "__Secure-authjs.pkce.code_verifier");
  EXPECT_EQ(names.state, "__Secure-authjs.state");
  EXPECT_EQ(names.nonce, "__Secure-authjs.nonce");
  EXPECT_EQ(names.webauthn_challenge, "__Secure-authjs.challenge");
}

TEST(CookieNamesTest, EveryNamePassesTheSetCookieCheck) {
  for (const bool secure : {false, true}) {
    const cookie_names n = default_cookie_names(secure);
    for (const std::string& name : {n.session_token, n.callback_url, n.csrf_token,
                                    n.pkce_code_verifier, n.state, n.nonce, n.webauthn_challenge}) {
      SCOPED_TRACE(name);
      http::set_cookie c = default_cookie_attributes(secure);
      c.name = name;
      EXPECT_TRUE(http::check_set_cookie(c));
    }
  }
}

TEST(CookieAttributesTest, HttpDefaults) {
  const http::set_cookie c = default_cookie_attributes(false);
  EXPECT_EQ(c.path, "/");
  EXPECT_TRUE(c.http_only);
  EXPECT_FALSE(c.secure);
  EXPECT_EQ(c.same_site, http::same_site::lax);
  EXPECT_FALSE(c.domain);
  EXPECT_FALSE(c.max_age);
  EXPECT_FALSE(c.expires);
}

// TV-4 over https://app.example.com: both init cookies byte-exactly.
TEST(CookieAttributesTest, Tv4HttpsInitCookies) {
  const cookie_names names = default_cookie_names(true);
  http::set_cookie csrf = default_cookie_attributes(true);
  csrf.name = names.csrf_token;
  csrf.value = "t|h";
  EXPECT_EQ(http::serialize(csrf),
            "__Host-authjs.csrf-token=t%7Ch; Path=/; HttpOnly; Secure; SameSite=Lax");
  http::set_cookie callback = default_cookie_attributes(true);
  callback.name = names.callback_url;
  callback.value = "https://app.example.com";
  EXPECT_EQ(http::serialize(callback),
            "__Secure-authjs.callback-url=https%3A%2F%2Fapp.example.com; Path=/; HttpOnly; Secure; "
            "SameSite=Lax");
}

// TV-4 over http: the callback-url cookie.
TEST(CookieAttributesTest, Tv4HttpCallbackCookie) {
  http::set_cookie callback = default_cookie_attributes(false);
  callback.name = default_cookie_names(false).callback_url;
  callback.value = "http://localhost:3000";
  EXPECT_EQ(http::serialize(callback),
            "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000; Path=/; HttpOnly; SameSite=Lax");
}

}  // namespace
}  // namespace authpp::cookies
