#include <authpp/cookies/csrf.hpp>
#include <authpp/cookies/names.hpp>
#include <authpp/http/cookie.hpp>

#include <array>
#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::cookies {
namespace {

// TV-3 (client-wire.md §10).
const std::string tv3_secret = "test-secret-0123456789";
const std::string tv3_token = "5344ede14da746d36d672c12db843dc8317e0dc62845c0f2f0fbb0594368efc3";
const std::string tv3_hash = "01baba254d7840ed315c0cf91eaa7e524f6bb2417eb31702c8f8199e24abd14e";
const std::string tv3_cookie = tv3_token + "|" + tv3_hash;

TEST(CsrfTest, HashMatchesTv3) {
  EXPECT_EQ(csrf_hash("abc", "secret"),
            "a42178b773273f5c9f24387fbea546af537d08b8c06b23631e44878b9ce47f49");
  EXPECT_EQ(csrf_hash(tv3_token, tv3_secret), tv3_hash);
}

TEST(CsrfTest, SecretListIsJoinedWithCommasLikeJavaScriptString) {
  const std::array<std::string, 2> two = {"s1", "s2"};
  EXPECT_EQ(csrf_secret_string(two), "s1,s2");
  const std::array<std::string, 1> one = {"secret"};
  EXPECT_EQ(csrf_secret_string(one), "secret");
  EXPECT_EQ(csrf_secret_string({}), "");
  // TV-3: the hash input is token + "s1,s2" (value computed with Node's crypto).
  EXPECT_EQ(csrf_hash(tv3_token, csrf_secret_string(two)),
            "89458e704ee40070d52b5af84a03e3a2f2a631c9cace86a9afbd2e907482e955");
}

TEST(CsrfTest, CreatesTokenFromThirtyTwoRandomBytes) {
  test::counting_random random;
  const csrf_token t = create_csrf_token("secret", random).value();
  EXPECT_EQ(t.token, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(t.cookie_value,
            t.token + "|0176c4ba39c3f1d0493913fb16247721c2ddc15d7089aa56df00395f46c2b224");
  EXPECT_EQ(verified_csrf_cookie(t.cookie_value, "secret"), t.token);
}

TEST(CsrfTest, RandomFailurePropagates) {
  test::failing_random random;
  EXPECT_EQ(test::error_of(create_csrf_token("secret", random)), errc::random_failure);
}

// TV-3's Set-Cookie line, byte-exactly, from the cookie value this module makes.
TEST(CsrfTest, Tv3SetCookieIsByteExact) {
  http::set_cookie c = default_cookie_attributes(false);
  c.name = default_cookie_names(false).csrf_token;
  c.value = tv3_cookie;
  EXPECT_EQ(http::serialize(c), "authjs.csrf-token=" + tv3_token + "%7C" + tv3_hash +
                                    "; Path=/; HttpOnly; SameSite=Lax");
}

TEST(CsrfTest, VerifiesTheTv3Cookie) {
  EXPECT_EQ(verified_csrf_cookie(tv3_cookie, tv3_secret), tv3_token);
  EXPECT_TRUE(check_csrf(tv3_cookie, tv3_token, tv3_secret));
}

// An attacker who can set cookies (subdomain, http MITM) but does not know the secret cannot
// forge a matching hash.
TEST(CsrfTest, ForgedHashIsRejected) {
  std::string forged = tv3_cookie;
  forged.back() = forged.back() == 'e' ? 'f' : 'e';
  EXPECT_EQ(verified_csrf_cookie(forged, tv3_secret), std::nullopt);
  EXPECT_EQ(test::error_of(check_csrf(forged, tv3_token, tv3_secret)), errc::csrf_mismatch);
  // The hash of the same token under another secret is a forgery too.
  EXPECT_EQ(verified_csrf_cookie(tv3_token + "|" + csrf_hash(tv3_token, "guess"), tv3_secret),
            std::nullopt);
}

// A cookie minted under the old secret string no longer verifies after rotation.
TEST(CsrfTest, OtherSecretStringIsAMismatch) {
  EXPECT_EQ(test::error_of(check_csrf(tv3_cookie, tv3_token, tv3_secret + ",old")),
            errc::csrf_mismatch);
}

// Swapping in a different (genuine-looking) token with its own honest hash requires the secret.
TEST(CsrfTest, TokenSwappedInTheCookieIsRejected) {
  const std::string other(64, 'a');
  EXPECT_EQ(test::error_of(check_csrf(other + "|" + tv3_hash, other, tv3_secret)),
            errc::csrf_mismatch);
}

TEST(CsrfTest, BodyTokenDifferingByOneCharacterIsRejected) {
  for (std::size_t i = 0; i < tv3_token.size(); ++i) {
    SCOPED_TRACE(testing::Message() << "position " << i);
    std::string body = tv3_token;
    body[i] = body[i] == '0' ? '1' : '0';
    EXPECT_EQ(test::error_of(check_csrf(tv3_cookie, body, tv3_secret)), errc::csrf_mismatch);
  }
  EXPECT_EQ(test::error_of(check_csrf(tv3_cookie, tv3_token + "0", tv3_secret)),
            errc::csrf_mismatch);
  EXPECT_EQ(test::error_of(check_csrf(tv3_cookie, tv3_token.substr(1), tv3_secret)),
            errc::csrf_mismatch);
  EXPECT_EQ(test::error_of(check_csrf(tv3_cookie, "", tv3_secret)), errc::csrf_mismatch);
}

TEST(CsrfTest, MissingCookieOrBodyTokenIsMissingCsrf) {
  EXPECT_EQ(test::error_of(check_csrf(std::nullopt, tv3_token, tv3_secret)), errc::missing_csrf);
  EXPECT_EQ(test::error_of(check_csrf(tv3_cookie, std::nullopt, tv3_secret)), errc::missing_csrf);
  EXPECT_EQ(test::error_of(check_csrf(std::nullopt, std::nullopt, tv3_secret)), errc::missing_csrf);
}

TEST(CsrfTest, MalformedCookiesAreRejected) {
  for (const std::string& bad :
       {std::string(""), std::string("|"), tv3_token, tv3_token + tv3_hash, tv3_token + "|",
        "|" + tv3_hash, tv3_token + "|" + tv3_hash + "|x", tv3_token + "0|" + tv3_hash,
        tv3_token + "|" + tv3_hash.substr(1), tv3_token + "%7C" + tv3_hash}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(verified_csrf_cookie(bad, tv3_secret), std::nullopt);
    EXPECT_EQ(test::error_of(check_csrf(bad, tv3_token, tv3_secret)), errc::csrf_mismatch);
  }
}

// The round trip through the Cookie header decodes `%7C` back to `|`.
TEST(CsrfTest, CookieFromTheRequestHeaderVerifies) {
  const auto cookies =
      http::parse_cookie_header("authjs.csrf-token=" + tv3_token + "%7C" + tv3_hash + "; other=1");
  const http::cookie* c = http::find_cookie(cookies, "authjs.csrf-token");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(check_csrf(c->value, tv3_token, tv3_secret));
}

}  // namespace
}  // namespace authpp::cookies
