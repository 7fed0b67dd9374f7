#include <authpp/core/json.hpp>
#include <authpp/jose/id_token.hpp>
#include <authpp/jose/jws.hpp>

#include <array>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using namespace std::chrono_literals;
using test::error_of;

constexpr long long now = 1700000000;

class IdTokenTest : public ::testing::Test {
 protected:
  test::fixed_clock clock_{now};
  id_token_expectations expected_{"https://issuer.example", "client-1", std::nullopt};
  json claims_ = {{"iss", "https://issuer.example"},
                  {"sub", "248289761001"},
                  {"aud", "client-1"},
                  {"exp", now + 600},
                  {"iat", now}};

  result<json> check() { return check_id_token_claims(claims_.dump(), expected_, clock_); }
  // fails_with checks the error code and that the detail names `claim`.
  void fails_with(errc code, std::string_view claim) {
    auto r = check();
    ASSERT_EQ(error_of(r), code) << claims_.dump();
    EXPECT_NE(r.error().detail.find(claim), std::string::npos) << r.error().detail;
  }
};

TEST_F(IdTokenTest, AcceptsValidClaimsAndReturnsThem) {
  auto claims = check();
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(*claims, claims_);
}

TEST_F(IdTokenTest, RequiresEveryRegisteredClaim) {
  for (const char* name : {"aud", "exp", "iat", "iss", "sub"}) {
    SCOPED_TRACE(name);
    const json saved = claims_;
    claims_.erase(name);
    fails_with(errc::invalid_claims, std::string("`") + name + "` missing");
    claims_ = saved;
  }
}

// §3.1.3.7 step 2: the issuer is compared as an exact string.
TEST_F(IdTokenTest, IssMustEqualTheExpectedIssuer) {
  for (const json& iss : {json("https://issuer.example/"), json("https://ISSUER.example"),
                          json("https://evil.example"), json(""), json(1), json::array()}) {
    SCOPED_TRACE(iss.dump());
    claims_["iss"] = iss;
    fails_with(errc::invalid_claims, "`iss` does not match");
  }
}

TEST_F(IdTokenTest, SubMustBeAString) {
  claims_["sub"] = 248289761001;
  fails_with(errc::invalid_claims, "`sub`");
}

// §3.1.3.7 step 3.
TEST_F(IdTokenTest, AudMustBeOrContainTheClientId) {
  claims_["aud"] = "client-2";
  fails_with(errc::invalid_claims, "`aud`");
  claims_["aud"] = json::array({"client-2"});
  fails_with(errc::invalid_claims, "`aud` does not include");
  claims_["aud"] = json::array();
  fails_with(errc::invalid_claims, "`aud`");
  claims_["aud"] = json::array({"client-1", 7});
  fails_with(errc::invalid_claims, "`aud`");
  claims_["aud"] = 1;
  fails_with(errc::invalid_claims, "`aud`");
  claims_["aud"] = json::array({"client-1"});  // one value: no `azp` needed
  EXPECT_TRUE(check());
}

// §3.1.3.7 steps 4-5: several audiences need `azp`, and `azp` must name this client.
TEST_F(IdTokenTest, SeveralAudiencesRequireAzp) {
  claims_["aud"] = json::array({"client-1", "another-client"});
  fails_with(errc::invalid_claims, "`azp`");
  claims_["azp"] = "another-client";
  fails_with(errc::invalid_claims, "`azp` is not the client_id");
  claims_["azp"] = "client-1";
  EXPECT_TRUE(check());
}

TEST_F(IdTokenTest, PresentAzpMustBeTheClientId) {
  claims_["azp"] = "another-client";
  fails_with(errc::invalid_claims, "`azp`");
  claims_["azp"] = json::array({"client-1"});
  fails_with(errc::invalid_claims, "`azp`");
  claims_["azp"] = "client-1";
  EXPECT_TRUE(check());
}

// exp > now - leeway: with the default 30 s, exp = now - 30 is expired and now - 29 is not.
TEST_F(IdTokenTest, ExpHonoursLeewayToTheSecond) {
  claims_["exp"] = now - 29;
  EXPECT_TRUE(check());
  claims_["exp"] = now - 29.5;  // NumericDate may have a fraction
  EXPECT_TRUE(check());
  claims_["exp"] = now - 30;
  fails_with(errc::token_expired, "`exp`");
  expected_.leeway = 0s;
  claims_["exp"] = now;
  fails_with(errc::token_expired, "`exp`");
  claims_["exp"] = now + 1;
  EXPECT_TRUE(check());
}

// nbf <= now + leeway.
TEST_F(IdTokenTest, NbfHonoursLeewayToTheSecond) {
  claims_["nbf"] = now + 30;
  EXPECT_TRUE(check());
  claims_["nbf"] = now + 31;
  fails_with(errc::token_not_yet_valid, "`nbf`");
  expected_.leeway = 0s;
  claims_["nbf"] = now;
  EXPECT_TRUE(check());
  claims_["nbf"] = now + 1;
  fails_with(errc::token_not_yet_valid, "`nbf`");
}

TEST_F(IdTokenTest, TimeClaimsMustBeNumbers) {
  for (const char* name : {"exp", "iat", "nbf", "auth_time"}) {
    SCOPED_TRACE(name);
    const json saved = claims_;
    claims_[name] = std::to_string(now + 600);
    fails_with(errc::invalid_claims, std::string("`") + name + "` is not a number");
    claims_[name] = nullptr;
    fails_with(errc::invalid_claims, std::string("`") + name + "` is not a number");
    claims_ = saved;
  }
  claims_["auth_time"] = now - 60;
  EXPECT_TRUE(check());
}

// §3.1.3.7 step 11.
TEST_F(IdTokenTest, NonceMustMatchWhenExpected) {
  expected_.nonce = "n-0S6_WzA2Mj";
  fails_with(errc::invalid_claims, "`nonce` missing");
  claims_["nonce"] = "n-0S6_WzA2Mk";
  fails_with(errc::invalid_claims, "`nonce` does not match");
  claims_["nonce"] = "n-0S6_WzA2Mj-";
  fails_with(errc::invalid_claims, "`nonce` does not match");
  claims_["nonce"] = json::array({"n-0S6_WzA2Mj"});
  fails_with(errc::invalid_claims, "`nonce` does not match");
  claims_["nonce"] = "n-0S6_WzA2Mj";
  EXPECT_TRUE(check());
}

// oauth4webapi's converse: a request sent without a nonce cannot be answered with one. A token
// carrying a nonce was issued for some other request.
TEST_F(IdTokenTest, NonceMustBeAbsentWhenNoneIsExpected) {
  claims_["nonce"] = "n-0S6_WzA2Mj";
  fails_with(errc::invalid_claims, "`nonce` present but none was expected");
  claims_["nonce"] = "";
  fails_with(errc::invalid_claims, "`nonce` present");
  claims_["nonce"] = nullptr;
  fails_with(errc::invalid_claims, "`nonce` present");
}

TEST_F(IdTokenTest, RefusesPayloadsThatAreNotObjects) {
  for (const std::string_view payload : {"", "[]", "\"claims\"", "{", "{} {}"}) {
    SCOPED_TRACE(payload);
    EXPECT_EQ(error_of(check_id_token_claims(payload, expected_, clock_)), errc::invalid_claims);
  }
  EXPECT_EQ(error_of(check_id_token_claims(std::string(max_id_token_claims_size + 1, ' '),
                                           expected_, clock_)),
            errc::limit_exceeded);
}

// Details are for logs: they name claims and rules, never a claim's value (a nonce, an issuer an
// attacker chose, a user id).
TEST_F(IdTokenTest, DetailsNeverContainClaimValues) {
  const std::string marker = "VALUE-MARKER";
  expected_.nonce = "expected-" + marker;
  claims_["nonce"] = "sent-" + marker;
  claims_["iss"] = "https://" + marker;
  claims_["aud"] = json::array({marker, marker + "2"});
  claims_["azp"] = marker;
  claims_["sub"] = 1;
  claims_["exp"] = marker;
  for (int step = 0; step < 6; ++step) {
    auto r = check();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().detail.find("MARKER"), std::string::npos) << r.error().detail;
    EXPECT_EQ(r.error().message().find("MARKER"), std::string::npos);
    // Repair the reported claim and look at the next failure.
    if (r.error().detail.find("`iss`") != std::string::npos) claims_["iss"] = expected_.issuer;
    if (r.error().detail.find("`sub`") != std::string::npos) claims_["sub"] = "s";
    if (r.error().detail.find("`aud`") != std::string::npos ||
        r.error().detail.find("`azp`") != std::string::npos) {
      claims_["aud"] = expected_.client_id;
      claims_.erase("azp");
    }
    if (r.error().detail.find("`exp`") != std::string::npos) claims_["exp"] = now + 60;
  }
}

TEST_F(IdTokenTest, VerifyIdTokenChecksSignatureThenClaims) {
  const private_key key = private_key::generate(jws_algorithm::es256).value();
  const jwk_set keys = jwk_set::parse(R"({"keys":[)" + key.public_jwk("k1") + "]}").value();
  const std::array<jws_algorithm, 1> allowed = {jws_algorithm::es256};
  const std::string token =
      sign_jws({{"kid", "k1"}}, claims_.dump(), key, jws_algorithm::es256).value();
  auto claims = verify_id_token(token, keys, allowed, expected_, clock_);
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ((*claims)["sub"], "248289761001");

  // One signature character changed, well inside the signature (its last character carries
  // padding bits, and replacing the last two could reproduce them: a token ending in "BA" did).
  std::string tampered = token;
  char& c = tampered[tampered.size() - 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(verify_id_token(tampered, keys, allowed, expected_, clock_)),
            errc::invalid_signature);
  clock_.advance(631s);  // exp (now + 600) + leeway (30) has passed
  EXPECT_EQ(error_of(verify_id_token(token, keys, allowed, expected_, clock_)),
            errc::token_expired);
  const private_key other = private_key::generate(jws_algorithm::es256).value();
  const std::string foreign =
      sign_jws({{"kid", "k1"}}, claims_.dump(), other, jws_algorithm::es256).value();
  EXPECT_EQ(error_of(verify_id_token(foreign, keys, allowed, expected_, clock_)),
            errc::invalid_signature);
}

}  // namespace
}  // namespace authpp::jose
