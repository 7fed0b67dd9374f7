#include <authpp/core/base64url.hpp>
#include <authpp/core/json.hpp>
#include <authpp/jose/jws.hpp>
#include <authpp/providers/authorization_server.hpp>
#include <authpp/providers/presets.hpp>

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"
#include "unit/jose/jose_vectors.hpp"
#include "unit/providers/profile_support.hpp"

// Sign in with Apple: the preset's data, the ES256 client secret made from the .p8 key
// (https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret),
// and the profile taken from Apple's ID token.
namespace authpp::providers {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using test::fields;
using test::user_fields;
using ::testing::HasSubstr;

constexpr long long jan_2025 = 1735689600;  // 2025-01-01T00:00:00Z

class AppleTest : public ::testing::Test {
 protected:
  test::fixed_clock clock_{jan_2025};
  // The RFC 7515 A.3 P-256 key in PKCS #8 PEM: the form of Apple's .p8 files.
  apple_credentials credentials_{.client_id = "com.example.web",
                                 .team_id = "ABCDE12345",
                                 .key_id = "KEYID67890",
                                 .private_key_pem = std::string(jose::vectors::pem::a3_pkcs8)};

  // verify checks `secret` with the public half of the .p8 key, published as a JWK Set the way a
  // relying party would see it, allowing ES256 alone.
  result<jose::verified_jws> verify(std::string_view secret) {
    auto key = jose::private_key::from_pem(credentials_.private_key_pem);
    if (!key) return key.error();
    auto keys = jose::jwk_set::parse(R"({"keys":[)" + key->public_jwk(credentials_.key_id) + "]}");
    if (!keys) return keys.error();
    const std::array algs{jose::jws_algorithm::es256};
    return jose::verify_jws(secret, *keys, algs);
  }
};

TEST_F(AppleTest, ClientSecretIsAnEs256JwtAppleAccepts) {
  auto secret = apple_client_secret(credentials_, clock_);
  ASSERT_TRUE(secret) << secret.error().message();
  auto jws = verify(*secret);
  ASSERT_TRUE(jws) << jws.error().message();
  EXPECT_EQ(jws->alg, jose::jws_algorithm::es256);
  EXPECT_EQ(jws->header.dump(), R"({"alg":"ES256","kid":"KEYID67890"})");
  // exp = iat + 180 days (15 552 000 s), under Apple's six-month limit.
  EXPECT_EQ(jws->payload, R"({"iss":"ABCDE12345","iat":1735689600,"exp":1751241600,)"
                          R"("aud":"https://appleid.apple.com","sub":"com.example.web"})");
}

// A signature made with another key does not verify: the test above does check the signature.
TEST_F(AppleTest, SecretFromAnotherKeyDoesNotVerify) {
  auto generated = jose::private_key::generate(jose::jws_algorithm::es256);
  ASSERT_TRUE(generated);
  // Re-sign the same claims with a fresh key, under the same kid.
  auto secret = apple_client_secret(credentials_, clock_);
  ASSERT_TRUE(secret);
  const std::string payload =
      secret->substr(secret->find('.') + 1, secret->rfind('.') - secret->find('.') - 1);
  auto claims = base64url::decode(payload);
  ASSERT_TRUE(claims);
  auto forged =
      jose::sign_jws(json{{"kid", "KEYID67890"}},
                     std::string(reinterpret_cast<const char*>(claims->data()), claims->size()),
                     *generated, jose::jws_algorithm::es256);
  ASSERT_TRUE(forged);
  EXPECT_EQ(error_of(verify(*forged)), errc::invalid_signature);
}

TEST_F(AppleTest, LifetimeIsBoundedBySixMonths) {
  credentials_.secret_lifetime = apple_max_secret_lifetime;
  auto longest = apple_client_secret(credentials_, clock_);
  ASSERT_TRUE(longest);
  auto jws = verify(*longest);
  ASSERT_TRUE(jws);
  const json claims = parse_json(jws->payload).value();
  EXPECT_EQ(claims["exp"].get<long long>() - claims["iat"].get<long long>(), 15777000);

  credentials_.secret_lifetime = apple_max_secret_lifetime + 1s;
  EXPECT_EQ(error_of(apple_client_secret(credentials_, clock_)), errc::invalid_config);
  credentials_.secret_lifetime = 0s;
  EXPECT_EQ(error_of(apple_client_secret(credentials_, clock_)), errc::invalid_config);
  credentials_.secret_lifetime = -1s;
  EXPECT_EQ(error_of(apple_client_secret(credentials_, clock_)), errc::invalid_config);
}

TEST_F(AppleTest, IdentifiersAreRequiredAscii) {
  for (std::string apple_credentials::*member :
       {&apple_credentials::client_id, &apple_credentials::team_id, &apple_credentials::key_id}) {
    for (const std::string_view bad : {"", "AB CD", "ABCDE\n12345",
                                       "\xc3\x84"
                                       "BCDE12345"}) {
      SCOPED_TRACE(bad);
      apple_credentials c = credentials_;
      c.*member = std::string(bad);
      EXPECT_EQ(error_of(apple_client_secret(c, clock_)), errc::invalid_config);
    }
  }
  // Quotes are printable ASCII: the JSON escapes them, and Apple judges the value.
  credentials_.client_id = "com.example.\"web\"";
  EXPECT_TRUE(apple_client_secret(credentials_, clock_));
}

// Only a P-256 key makes an ES256 signature: an RSA or Ed25519 PEM, an encrypted or public key,
// or text that is no key at all is refused.
TEST_F(AppleTest, RefusesKeysThatAreNotP256PrivateKeys) {
  namespace pem = jose::vectors::pem;
  for (const std::string_view key :
       {pem::a2_pkcs8, pem::ed_pkcs8, pem::a3_encrypted, pem::a3_public, pem::secp256k1,
        std::string_view("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        std::string_view("")}) {
    SCOPED_TRACE(key.substr(0, 40));
    credentials_.private_key_pem = std::string(key);
    EXPECT_EQ(error_of(apple_client_secret(credentials_, clock_)), errc::invalid_key);
  }
  // The traditional SEC 1 form of the same key is a P-256 key too.
  credentials_.private_key_pem = std::string(pem::a3_sec1);
  EXPECT_TRUE(apple_client_secret(credentials_, clock_));
}

TEST_F(AppleTest, DataMatchesAuthJs) {
  auto made = apple(credentials_, clock_);
  ASSERT_TRUE(made) << made.error().message();
  const oauth_provider& p = *made;
  EXPECT_EQ(p.id, "apple");
  EXPECT_EQ(p.name, "Apple");
  EXPECT_EQ(p.type, oauth_kind::oidc);
  EXPECT_EQ(p.issuer, "https://appleid.apple.com");
  EXPECT_EQ(p.client_id, "com.example.web");
  EXPECT_TRUE(p.authorization_endpoint.empty());  // from discovery
  EXPECT_EQ(p.scope, "name email");
  EXPECT_EQ(p.authorization_params,
            (std::vector<std::pair<std::string, std::string>>{{"response_mode", "form_post"}}));
  EXPECT_EQ(p.checks, (oauth_checks{.pkce = false, .state = true, .nonce = true}));
  EXPECT_EQ(p.token_auth, token_auth_method::client_secret_post);
  EXPECT_FALSE(p.userinfo);
  EXPECT_FALSE(p.profile);  // default_profile
  EXPECT_EQ(p.style.bg, "#000");
  EXPECT_EQ(p.style.text, "#fff");
  EXPECT_EQ(p.style.logo, "apple.svg");
  EXPECT_TRUE(needs_discovery(p));
  // The client secret is the JWT (ECDSA signatures are randomised: verify, not compare).
  auto jws = verify(p.client_secret);
  ASSERT_TRUE(jws) << jws.error().message();
  EXPECT_EQ(parse_json(jws->payload).value()["sub"], "com.example.web");
}

// type = "apple" in TOML: the same provider, its secret made ahead by `authpp apple-secret`.
TEST_F(AppleTest, PresetByNameTakesASecretMadeAhead) {
  auto made = apple(credentials_, clock_);
  ASSERT_TRUE(made);
  auto named = preset("apple", {"com.example.web", "made-ahead", ""});
  ASSERT_TRUE(named);
  EXPECT_TRUE(is_preset("apple"));
  EXPECT_EQ(named->client_secret, "made-ahead");
  named->client_secret = made->client_secret;
  EXPECT_EQ(named->id, made->id);
  EXPECT_EQ(named->issuer, made->issuer);
  EXPECT_EQ(named->scope, made->scope);
  EXPECT_EQ(named->authorization_params, made->authorization_params);
  EXPECT_EQ(named->checks, made->checks);
  EXPECT_EQ(named->token_auth, made->token_auth);
}

TEST_F(AppleTest, SecretProblemsAreNamedUntilExpiry) {
  auto secret = apple_client_secret(credentials_, clock_);
  ASSERT_TRUE(secret);
  EXPECT_EQ(apple_secret_problem(*secret, clock_), std::nullopt);
  // Apple refuses a secret past its exp: so does the check, from that second on.
  test::fixed_clock later{jan_2025};
  later.advance(credentials_.secret_lifetime - 1s);
  EXPECT_EQ(apple_secret_problem(*secret, later), std::nullopt);
  later.advance(1s);
  EXPECT_THAT(apple_secret_problem(*secret, later).value_or(""), HasSubstr("has expired"));
  // Not a JWT, or one without a numeric exp.
  for (const std::string_view bad :
       {"", "secret", "a.b", "a.b.c.d", "eyJhbGciOiJFUzI1NiJ9.!!!.c2ln",
        "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOiJzb29uIn0.c2ln" /* {"exp":"soon"} */,
        "eyJhbGciOiJFUzI1NiJ9.WzFd.c2ln" /* [1] */}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(apple_secret_problem(bad, clock_), std::nullopt);
  }
}

TEST_F(AppleTest, PresetFailsAsTheSecretDoes) {
  credentials_.private_key_pem = std::string(jose::vectors::pem::a2_pkcs8);
  EXPECT_EQ(error_of(apple(credentials_, clock_)), errc::invalid_key);
}

// https://appleid.apple.com/.well-known/openid-configuration as Apple serves it: no
// userinfo_endpoint (the profile is the ID token's), which the preset does not need.
constexpr std::string_view apple_discovery = R"({
  "issuer": "https://appleid.apple.com",
  "authorization_endpoint": "https://appleid.apple.com/auth/authorize",
  "token_endpoint": "https://appleid.apple.com/auth/token",
  "revocation_endpoint": "https://appleid.apple.com/auth/revoke",
  "jwks_uri": "https://appleid.apple.com/auth/keys",
  "response_types_supported": ["code"],
  "response_modes_supported": ["query", "fragment", "form_post"],
  "subject_types_supported": ["pairwise"],
  "id_token_signing_alg_values_supported": ["RS256"],
  "scopes_supported": ["openid", "email", "name"],
  "token_endpoint_auth_methods_supported": ["client_secret_post"],
  "claims_supported": ["aud", "email", "email_verified", "exp", "iat", "is_private_email", "iss",
    "nonce", "nonce_supported", "real_user_status", "sub", "transfer_sub"]
})";

TEST_F(AppleTest, DiscoveryDocumentCompletesThePreset) {
  auto p = apple(credentials_, clock_);
  ASSERT_TRUE(p);
  auto s = parse_discovery(apple_discovery, *p);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->authorization_endpoint, "https://appleid.apple.com/auth/authorize");
  EXPECT_EQ(s->token_endpoint, "https://appleid.apple.com/auth/token");
  EXPECT_EQ(s->jwks_uri, "https://appleid.apple.com/auth/keys");
  EXPECT_EQ(s->userinfo_endpoint, "");
}

// An ID token's payload as
// https://developer.apple.com/documentation/signinwithapplerestapi/authenticating-users-with-sign-in-with-apple
// describes it, for a user who hid their address behind the private relay. Apple's ID token has
// no name: the user's name comes once, in the first callback's `user` form field, which the
// engine does not read yet.
constexpr std::string_view apple_claims = R"({
  "iss": "https://appleid.apple.com",
  "aud": "com.example.web",
  "exp": 1735776000,
  "iat": 1735689600,
  "sub": "001234.5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d.1234",
  "nonce": "kq3B9fUxmJt0yL4oW2Zr8Hc1VnA7sEeD5pGqTiRwXy0",
  "c_hash": "x2Hy3pNfTq5yQ2m1Zl0Wdg",
  "email": "h8d5xk2q9c@privaterelay.appleid.com",
  "email_verified": "true",
  "is_private_email": "true",
  "auth_time": 1735689590,
  "nonce_supported": true
})";

TEST_F(AppleTest, MapsIdTokenClaims) {
  auto p = apple(credentials_, clock_);
  ASSERT_TRUE(p);
  EXPECT_EQ(fields(test::map_profile(*p, apple_claims)),
            (user_fields{"001234.5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d.1234", std::nullopt,
                         "h8d5xk2q9c@privaterelay.appleid.com", std::nullopt}));
}

}  // namespace
}  // namespace authpp::providers
