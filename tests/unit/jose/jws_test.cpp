#include <authpp/core/base64url.hpp>
#include <authpp/core/json.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/jwe.hpp>
#include <authpp/jose/jws.hpp>

#include <array>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <gtest/gtest.h>

#include "jose_vectors.hpp"
#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using test::error_of;
namespace v = vectors;

constexpr std::array<jws_algorithm, 10> all_algorithms = {
    jws_algorithm::rs256, jws_algorithm::rs384, jws_algorithm::rs512, jws_algorithm::ps256,
    jws_algorithm::ps384, jws_algorithm::ps512, jws_algorithm::es256, jws_algorithm::es384,
    jws_algorithm::es512, jws_algorithm::eddsa};

jwk_set set_of(std::initializer_list<std::string_view> keys) {
  return jwk_set::parse(vectors::jwks_text(keys)).value();
}

std::string b64(std::string_view text) { return base64url::encode(text); }

// segment returns the i-th dot-separated segment of `token`.
std::string segment(std::string_view token, int i) {
  for (; i > 0; --i) token.remove_prefix(token.find('.') + 1);
  return std::string(token.substr(0, token.find('.')));
}

std::string with_segment(std::string_view token, int i, std::string_view value) {
  std::string parts[3] = {segment(token, 0), segment(token, 1), segment(token, 2)};
  parts[i] = value;
  return parts[0] + "." + parts[1] + "." + parts[2];
}

bytes signature_of(std::string_view token) { return base64url::decode(segment(token, 2)).value(); }

// generated returns one fresh key per key type, shared by the tests (RSA generation is slow).
const private_key& generated(jws_algorithm alg) {
  static std::map<key_type, private_key> keys;
  for (const key_type t : {key_type::rsa, key_type::ec_p256, key_type::ec_p384, key_type::ec_p521,
                           key_type::ed25519}) {
    if (!key_fits(t, alg)) continue;
    auto it = keys.find(t);
    if (it == keys.end()) it = keys.emplace(t, private_key::generate(alg).value()).first;
    return it->second;
  }
  throw std::logic_error("no key type fits");
}

// with_unused_bit sets the lowest bit of the last character of `text`, an unused bit when the
// encoded length is not a multiple of three (RFC 4648 §3.5).
std::string with_unused_bit(std::string text) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  text.back() = alphabet[alphabet.find(text.back()) | 1U];
  return text;
}

// set_for publishes the public half of `key` under `kid`, with no `alg` (so an RSA key serves RS*
// and PS* alike).
jwk_set set_for(const private_key& key, std::string kid = "k1") {
  return jwk_set({public_jwk{key.public_part(), std::move(kid), std::nullopt, std::string("sig")}});
}

TEST(JwsTest, AlgorithmNamesRoundTrip) {
  for (const jws_algorithm alg : all_algorithms) {
    EXPECT_EQ(parse_jws_algorithm(to_string(alg)), alg);
  }
  EXPECT_EQ(to_string(jws_algorithm::eddsa), "EdDSA");
  EXPECT_EQ(to_string(jws_algorithm::ps384), "PS384");
  for (const std::string_view name : {"none", "None", "HS256", "HS384", "HS512", "rs256", "RS256 ",
                                      "ES256K", "Ed25519", "RSA-OAEP", ""}) {
    EXPECT_EQ(parse_jws_algorithm(name), std::nullopt) << name;
  }
}

TEST(JwsTest, KeyFitsOnlyItsAlgorithms) {
  EXPECT_TRUE(key_fits(key_type::rsa, jws_algorithm::rs256));
  EXPECT_TRUE(key_fits(key_type::rsa, jws_algorithm::ps512));
  EXPECT_FALSE(key_fits(key_type::rsa, jws_algorithm::es256));
  EXPECT_TRUE(key_fits(key_type::ec_p384, jws_algorithm::es384));
  EXPECT_FALSE(key_fits(key_type::ec_p256, jws_algorithm::es384));
  EXPECT_FALSE(key_fits(key_type::ec_p521, jws_algorithm::eddsa));
  EXPECT_TRUE(key_fits(key_type::ed25519, jws_algorithm::eddsa));
}

struct published {
  const char* name;
  std::string_view jwk;
  std::string_view token;
  jws_algorithm alg;
  std::string_view payload;
};

const published vectors_to_verify[] = {
    {"RFC 7515 A.2 RS256", v::rfc7515_a2_public_jwk, v::rfc7515_a2_token, jws_algorithm::rs256,
     v::rfc7515_payload},
    {"RFC 7515 A.3 ES256", v::rfc7515_a3_public_jwk, v::rfc7515_a3_token, jws_algorithm::es256,
     v::rfc7515_payload},
    {"RFC 7515 A.4 ES512", v::rfc7515_a4_public_jwk, v::rfc7515_a4_token, jws_algorithm::es512,
     "Payload"},
    {"RFC 8037 A.4/A.5 EdDSA", v::rfc8037_a2_public_jwk, v::rfc8037_a4_token, jws_algorithm::eddsa,
     "Example of Ed25519 signing"},
    {"RFC 7520 4.1 RS256", v::rfc7520_rsa_public_jwk, v::rfc7520_4_1_token, jws_algorithm::rs256,
     v::rfc7520_payload},
    {"RFC 7520 4.2 PS384", v::rfc7520_rsa_public_jwk, v::rfc7520_4_2_token, jws_algorithm::ps384,
     v::rfc7520_payload},
    {"RFC 7520 4.3 ES512", v::rfc7520_ec_public_jwk, v::rfc7520_4_3_token, jws_algorithm::es512,
     v::rfc7520_payload},
};

TEST(JwsTest, VerifiesPublishedVectors) {
  for (const published& p : vectors_to_verify) {
    SCOPED_TRACE(p.name);
    const std::array<jws_algorithm, 1> allowed = {p.alg};
    auto jws = verify_jws(p.token, set_of({p.jwk}), allowed);
    ASSERT_TRUE(jws) << jws.error().message();
    EXPECT_EQ(jws->payload, p.payload);
    EXPECT_EQ(jws->alg, p.alg);
    EXPECT_EQ(jws->header["alg"], to_string(p.alg));
  }
}

// Each vector's key verifies its own token only: the tests above are not passing by accident.
TEST(JwsTest, PublishedVectorsFailUnderAnotherKeyOfTheirType) {
  const std::array<jws_algorithm, 1> rs256 = {jws_algorithm::rs256};
  EXPECT_EQ(error_of(verify_jws(v::rfc7515_a2_token, set_of({v::rfc7520_rsa_public_jwk}), rs256)),
            errc::invalid_signature);
  const std::array<jws_algorithm, 1> es512 = {jws_algorithm::es512};
  EXPECT_EQ(error_of(verify_jws(v::rfc7515_a4_token, set_of({v::rfc7520_ec_public_jwk}), es512)),
            errc::invalid_signature);
}

// RSASSA-PKCS1-v1_5 and Ed25519 are deterministic: signing the published input with the published
// private key must give the published token, byte for byte.
TEST(JwsTest, SigningReproducesDeterministicVectors) {
  auto a2 = private_key::from_jwk(v::rfc7515_a2_private_jwk);
  ASSERT_TRUE(a2) << a2.error().message();
  EXPECT_EQ(sign_jws(json::object(), v::rfc7515_payload, *a2, jws_algorithm::rs256).value(),
            v::rfc7515_a2_token);

  auto bilbo = private_key::from_jwk(v::rfc7520_rsa_private_jwk);
  ASSERT_TRUE(bilbo) << bilbo.error().message();
  const json kid = {{"kid", "bilbo.baggins@hobbiton.example"}};
  EXPECT_EQ(sign_jws(kid, v::rfc7520_payload, *bilbo, jws_algorithm::rs256).value(),
            v::rfc7520_4_1_token);

  auto ed = private_key::from_jwk(v::rfc8037_a1_private_jwk);
  ASSERT_TRUE(ed) << ed.error().message();
  EXPECT_EQ(
      sign_jws(json::object(), "Example of Ed25519 signing", *ed, jws_algorithm::eddsa).value(),
      v::rfc8037_a4_token);
}

// Randomised algorithms cannot reproduce a vector; the published private keys must still make
// signatures their published public keys accept.
TEST(JwsTest, PublishedPrivateKeysSignWhatTheirPublicKeysVerify) {
  const std::tuple<std::string_view, std::string_view, jws_algorithm> cases[] = {
      {v::rfc7520_rsa_private_jwk, v::rfc7520_rsa_public_jwk, jws_algorithm::ps384},
      {v::rfc7520_ec_private_jwk, v::rfc7520_ec_public_jwk, jws_algorithm::es512},
      {v::rfc7515_a3_private_jwk, v::rfc7515_a3_public_jwk, jws_algorithm::es256},
      {v::rfc7515_a4_private_jwk, v::rfc7515_a4_public_jwk, jws_algorithm::es512},
  };
  for (const auto& [priv, pub, alg] : cases) {
    SCOPED_TRACE(to_string(alg));
    auto key = private_key::from_jwk(priv);
    ASSERT_TRUE(key) << key.error().message();
    auto token = sign_jws(json::object(), "payload", *key, alg);
    ASSERT_TRUE(token);
    const std::array<jws_algorithm, 1> allowed = {alg};
    auto jws = verify_jws(*token, set_of({pub}), allowed);
    ASSERT_TRUE(jws) << jws.error().message();
    EXPECT_EQ(jws->payload, "payload");
  }
}

TEST(JwsTest, RoundTripsEveryAlgorithm) {
  for (const jws_algorithm alg : all_algorithms) {
    SCOPED_TRACE(to_string(alg));
    const private_key& key = generated(alg);
    const std::string payload =
        R"({"sub":"user-1","n":)" + std::to_string(static_cast<int>(alg)) + "}";
    auto token = sign_jws({{"kid", "k1"}, {"typ", "JWT"}}, payload, key, alg);
    ASSERT_TRUE(token) << token.error().message();
    const std::array<jws_algorithm, 1> allowed = {alg};
    auto jws = verify_jws(*token, set_for(key), allowed);
    ASSERT_TRUE(jws) << jws.error().message();
    EXPECT_EQ(jws->payload, payload);
    EXPECT_EQ(jws->header.dump(),
              R"({"alg":")" + std::string(to_string(alg)) + R"(","kid":"k1","typ":"JWT"})");
  }
}

// RFC 7518 §3.4: ECDSA signatures are R‖S of fixed length, never DER.
TEST(JwsTest, EcdsaSignaturesAreRawOfTheCurveLength) {
  const std::pair<jws_algorithm, std::size_t> cases[] = {
      {jws_algorithm::es256, 64}, {jws_algorithm::es384, 96}, {jws_algorithm::es512, 132}};
  for (const auto& [alg, size] : cases) {
    SCOPED_TRACE(to_string(alg));
    for (int i = 0; i < 8; ++i) {  // DER lengths vary with leading zeros; R‖S never does
      auto token = sign_jws(json::object(), "x", generated(alg), alg);
      ASSERT_TRUE(token);
      EXPECT_EQ(signature_of(*token).size(), size);
    }
  }
}

TEST(JwsTest, SignJwsPutsAlgFirstAndKeepsTheHeaderOrder) {
  const private_key& key = generated(jws_algorithm::es256);
  json header = json::object();
  header["typ"] = "JWT";
  header["alg"] = "none";  // replaced: the key and the argument decide
  header["kid"] = "k";
  auto token = sign_jws(header, "{}", key, jws_algorithm::es256);
  ASSERT_TRUE(token);
  EXPECT_EQ(authpp::to_string(base64url::decode(segment(*token, 0)).value()),
            R"({"alg":"ES256","typ":"JWT","kid":"k"})");
}

TEST(JwsTest, SignJwsRefusesBadArguments) {
  const private_key& ec = generated(jws_algorithm::es256);
  EXPECT_EQ(error_of(sign_jws(json::array(), "x", ec, jws_algorithm::es256)),
            errc::malformed_token);
  EXPECT_EQ(error_of(sign_jws({{"kid", "\xff"}}, "x", ec, jws_algorithm::es256)),
            errc::malformed_token);
  EXPECT_EQ(error_of(sign_jws(json::object(), "x", ec, jws_algorithm::es384)), errc::invalid_key);
  EXPECT_EQ(error_of(sign_jws(json::object(), "x", ec, jws_algorithm::rs256)), errc::invalid_key);
  EXPECT_EQ(error_of(sign_jws(json::object(), "x", generated(jws_algorithm::rs256),
                              jws_algorithm::eddsa)),
            errc::invalid_key);
}

// --- attacks and malformed tokens, each named ---

class JwsAttackTest : public ::testing::Test {
 protected:
  const private_key& rsa_ = generated(jws_algorithm::rs256);
  const private_key& ec_ = generated(jws_algorithm::es256);
  jwk_set keys_ = jwk_set({public_jwk{rsa_.public_part(), "rsa", std::nullopt, "sig"},
                           public_jwk{ec_.public_part(), "ec", std::nullopt, "sig"}});

  std::string sign(const json& header, std::string_view payload, jws_algorithm alg) {
    return sign_jws(header, payload, alg == jws_algorithm::es256 ? ec_ : rsa_, alg).value();
  }
  result<verified_jws> verify(std::string_view token,
                              std::span<const jws_algorithm> allowed = all_algorithms) {
    return verify_jws(token, keys_, allowed);
  }
};

TEST_F(JwsAttackTest, AcceptsItsOwnTokens) {
  EXPECT_TRUE(verify(sign({{"kid", "rsa"}}, "x", jws_algorithm::rs256)));
  EXPECT_TRUE(verify(sign({{"kid", "ec"}}, "x", jws_algorithm::es256)));
  EXPECT_TRUE(verify(sign(json::object(), "x", jws_algorithm::ps512)));  // no kid: tries all
}

// CVE-2015-9235 and kin: "none" is never an algorithm, whatever the allow-list.
TEST_F(JwsAttackTest, RefusesAlgNone) {
  for (const std::string_view header :
       {R"({"alg":"none"})", R"({"alg":"None"})", R"({"alg":"NONE","kid":"rsa"})"}) {
    SCOPED_TRACE(header);
    const std::string token = b64(header) + "." + b64(R"({"sub":"admin"})") + ".";
    EXPECT_EQ(error_of(verify(token)), errc::unsupported_algorithm);
    EXPECT_EQ(error_of(verify(token + "c2ln")), errc::unsupported_algorithm);
  }
}

// Key confusion: a verifier that lets the header choose HMAC keys it with the RSA public key's
// bytes, which the attacker knows too. HMAC is no algorithm here.
TEST_F(JwsAttackTest, RefusesHmacSignedWithThePublicKey) {
  const std::string public_jwk = rsa_.public_jwk("rsa");
  for (const std::string_view alg : {"HS256", "HS384", "HS512"}) {
    SCOPED_TRACE(alg);
    const std::string input = b64(R"({"alg":")" + std::string(alg) + R"(","kid":"rsa"})") + "." +
                              b64(R"({"sub":"admin"})");
    const auto mac = hmac_sha256(as_bytes(public_jwk), as_bytes(input));
    const std::string token = input + "." + base64url::encode(mac);
    auto result = verify(token);
    ASSERT_EQ(error_of(result), errc::unsupported_algorithm);
    EXPECT_EQ(result.error().detail, "`alg` is not in the allow-list");
  }
}

TEST_F(JwsAttackTest, RefusesAlgNotInTheAllowList) {
  const std::string token = sign({{"kid", "rsa"}}, "x", jws_algorithm::rs256);
  const std::array<jws_algorithm, 2> others = {jws_algorithm::ps256, jws_algorithm::es256};
  EXPECT_EQ(error_of(verify(token, others)), errc::unsupported_algorithm);
  EXPECT_EQ(error_of(verify(token, {})), errc::unsupported_algorithm);
}

// RFC 7515 §4.1.11: an extension the recipient must understand, and authpp understands none
// (RFC 7797's unencoded payload among them).
TEST_F(JwsAttackTest, RefusesCritHeader) {
  for (const json& crit : {json::array({"exp"}), json::array({"b64"}), json::array()}) {
    SCOPED_TRACE(crit.dump());
    const std::string token =
        sign({{"kid", "ec"}, {"crit", crit}, {"b64", false}}, "x", jws_algorithm::es256);
    auto result = verify(token);
    ASSERT_EQ(error_of(result), errc::malformed_token);
    EXPECT_EQ(result.error().detail, "header has `crit`");
  }
}

TEST_F(JwsAttackTest, RefusesJweWhereJwsIsExpected) {
  const bytes key(32, std::byte{7});
  const std::string jwe =
      encrypt_compact(as_bytes("{}"), key, content_encryption::a256gcm, test::counting_random{})
          .value();
  auto result = verify(jwe);
  ASSERT_EQ(error_of(result), errc::malformed_token);
  EXPECT_EQ(result.error().detail, "five segments: a JWE where a JWS is expected");
}

TEST_F(JwsAttackTest, RefusesWrongSegmentCounts) {
  const std::string token = sign({{"kid", "ec"}}, "x", jws_algorithm::es256);
  for (const std::string& bad :
       {std::string(), std::string("."), std::string(".."), segment(token, 0),
        segment(token, 0) + "." + segment(token, 1), token + ".", token + ".x.y.z"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(verify(bad)), errc::malformed_token);
  }
}

TEST_F(JwsAttackTest, RefusesTamperedPayload) {
  for (const jws_algorithm alg :
       {jws_algorithm::rs256, jws_algorithm::es256, jws_algorithm::ps256}) {
    SCOPED_TRACE(to_string(alg));
    const std::string token = sign(json::object(), R"({"sub":"user"})", alg);
    const std::string tampered = with_segment(token, 1, b64(R"({"sub":"admin"})"));
    EXPECT_EQ(error_of(verify(tampered)), errc::invalid_signature);
    // The header is signed too: adding a member breaks the signature.
    const std::string header = with_segment(
        token, 0, b64(R"({"alg":")" + std::string(to_string(alg)) + R"(","typ":"JWT"})"));
    EXPECT_EQ(error_of(verify(header)), errc::invalid_signature);
  }
}

TEST_F(JwsAttackTest, RefusesTamperedSignature) {
  for (const jws_algorithm alg :
       {jws_algorithm::rs256, jws_algorithm::es256, jws_algorithm::ps256}) {
    SCOPED_TRACE(to_string(alg));
    const std::string token = sign(json::object(), "x", alg);
    for (const std::size_t at : {std::size_t{0}, std::size_t{20}, signature_of(token).size() - 1}) {
      bytes sig = signature_of(token);
      sig[at] ^= std::byte{0x01};
      EXPECT_EQ(error_of(verify(with_segment(token, 2, base64url::encode(sig)))),
                errc::invalid_signature);
    }
    EXPECT_EQ(error_of(verify(with_segment(token, 2, ""))), errc::invalid_signature);
  }
}

// RFC 7518 §3.4: exactly 64 bytes for ES256. A DER signature (what OpenSSL emits, the classic
// interop bug) or a truncated or padded one is refused before any key sees it.
TEST_F(JwsAttackTest, RefusesEcdsaSignatureOfTheWrongLength) {
  const std::string token = sign({{"kid", "ec"}}, "x", jws_algorithm::es256);
  const bytes sig = signature_of(token);
  bytes longer = sig;
  longer.push_back(std::byte{0});
  bytes der = {std::byte{0x30}, std::byte{0x44}, std::byte{0x02}, std::byte{0x20}};
  der.insert(der.end(), sig.begin(), sig.begin() + 32);
  der.insert(der.end(), {std::byte{0x02}, std::byte{0x20}});
  der.insert(der.end(), sig.begin() + 32, sig.end());
  for (const bytes& bad : {bytes(sig.begin(), sig.end() - 1), longer, der, bytes(132)}) {
    SCOPED_TRACE(bad.size());
    auto result = verify(with_segment(token, 2, base64url::encode(bad)));
    ASSERT_EQ(error_of(result), errc::invalid_signature);
    EXPECT_EQ(result.error().detail, "ECDSA signature has the wrong length");
  }
}

// A rotated key: callers refetch the JWKS once on no_matching_key.
TEST_F(JwsAttackTest, UnknownKidIsNoMatchingKey) {
  const std::string token = sign({{"kid", "rotated"}}, "x", jws_algorithm::rs256);
  auto result = verify(token);
  ASSERT_EQ(error_of(result), errc::no_matching_key);
  EXPECT_EQ(result.error().detail, "no key with the header's `kid` fits `alg`");
}

// A key is only ever used for its own kind of algorithm: the EC key does not verify RS256, even
// when the token names its kid; the P-256 key does not verify ES384.
TEST_F(JwsAttackTest, KeyOfTheWrongTypeIsNeverUsed) {
  const std::string rs = sign({{"kid", "ec"}}, "x", jws_algorithm::rs256);
  EXPECT_EQ(error_of(verify(rs)), errc::no_matching_key);
  const std::string es384 =
      sign_jws({{"kid", "ec"}}, "x", generated(jws_algorithm::es384), jws_algorithm::es384).value();
  EXPECT_EQ(error_of(verify(es384)), errc::no_matching_key);
  const jwk_set only_rsa(
      {public_jwk{rsa_.public_part(), std::nullopt, std::nullopt, std::nullopt}});
  const std::string es = sign(json::object(), "x", jws_algorithm::es256);
  EXPECT_EQ(error_of(verify_jws(es, only_rsa, all_algorithms)), errc::no_matching_key);
}

// A key published with `alg` serves that algorithm only (RS256 here, not PS256).
TEST_F(JwsAttackTest, KeyPublishedWithAlgServesOnlyThatAlg) {
  const jwk_set pinned({public_jwk{rsa_.public_part(), "rsa", "RS256", "sig"}});
  EXPECT_TRUE(
      verify_jws(sign({{"kid", "rsa"}}, "x", jws_algorithm::rs256), pinned, all_algorithms));
  EXPECT_EQ(error_of(verify_jws(sign({{"kid", "rsa"}}, "x", jws_algorithm::ps256), pinned,
                                all_algorithms)),
            errc::no_matching_key);
}

// Without a kid every fitting key is tried, so the right one need not come first; with a kid only
// that key is tried.
TEST_F(JwsAttackTest, KidSelectsAmongKeysOfOneType) {
  const private_key other = private_key::generate(jws_algorithm::es256).value();
  const jwk_set two({public_jwk{other.public_part(), "a", std::nullopt, std::nullopt},
                     public_jwk{ec_.public_part(), "b", std::nullopt, std::nullopt}});
  EXPECT_TRUE(verify_jws(sign(json::object(), "x", jws_algorithm::es256), two, all_algorithms));
  EXPECT_TRUE(verify_jws(sign({{"kid", "b"}}, "x", jws_algorithm::es256), two, all_algorithms));
  auto wrong = verify_jws(sign({{"kid", "a"}}, "x", jws_algorithm::es256), two, all_algorithms);
  ASSERT_EQ(error_of(wrong), errc::invalid_signature);
  EXPECT_EQ(wrong.error().detail, "signature does not verify under the 1 fitting key(s)");
}

// The header may carry its own key (`jwk`, RFC 7515 §4.1.3) or point at one (`jku`, `x5u`): a
// verifier trusting those accepts any attacker's token. They are ignored.
TEST_F(JwsAttackTest, IgnoresKeysEmbeddedInTheHeader) {
  const private_key attacker = private_key::generate(jws_algorithm::es256).value();
  const json header = {{"jwk", parse_json(attacker.public_jwk("")).value()},
                       {"jku", "https://attacker.example/jwks"},
                       {"x5u", "https://attacker.example/cert"}};
  const std::string token =
      sign_jws(header, R"({"sub":"admin"})", attacker, jws_algorithm::es256).value();
  EXPECT_EQ(error_of(verify(token)), errc::invalid_signature);
}

TEST_F(JwsAttackTest, RefusesOversizeTokenBeforeParsing) {
  const std::string token = sign({{"kid", "ec"}}, std::string(12000, 'a'), jws_algorithm::es256);
  ASSERT_LE(token.size(), default_max_jws_size);
  EXPECT_TRUE(verify(token));
  EXPECT_EQ(
      error_of(verify_jws(token, keys_, all_algorithms, {.max_token_size = token.size() - 1})),
      errc::limit_exceeded);
  EXPECT_EQ(error_of(verify(std::string(default_max_jws_size + 1, 'a'))), errc::limit_exceeded);
}

// Every JWS has one spelling: padding, other alphabets and non-zero unused bits are refused.
TEST_F(JwsAttackTest, RefusesNonCanonicalBase64url) {
  const std::string token = sign({{"kid", "ec"}}, "x", jws_algorithm::es256);
  const std::string sig =
      segment(token, 2);  // 64 bytes: 86 characters, the last with 4 unused bits
  ASSERT_EQ(sig.size(), 86U);
  for (const std::string& bad :
       {with_segment(token, 2, sig + "=="), with_segment(token, 2, with_unused_bit(sig)),
        with_segment(token, 1, segment(token, 1) + "="),
        with_segment(token, 0, segment(token, 0) + "="), with_segment(token, 1, "e+Q/"),
        with_segment(token, 1, "a b")}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(verify(bad)), errc::malformed_token);
  }
}

TEST_F(JwsAttackTest, RefusesHeaderThatIsNotAnObject) {
  for (const std::string_view header :
       {R"([{"alg":"ES256"}])", R"("ES256")", "null", "1", "", "{", R"({"alg":"ES256"} x)",
        R"({"alg":256})", R"({"kid":"ec"})", R"({"alg":"ES256","kid":7})"}) {
    SCOPED_TRACE(header);
    const std::string token =
        with_segment(sign({{"kid", "ec"}}, "x", jws_algorithm::es256), 0, b64(header));
    EXPECT_EQ(error_of(verify(token)), errc::malformed_token);
  }
}

// Changing any single character must be detected, whatever error it causes.
TEST_F(JwsAttackTest, RefusesEverySingleCharacterChange) {
  const std::string token = sign({{"kid", "ec"}}, R"({"sub":"user-1"})", jws_algorithm::es256);
  ASSERT_TRUE(verify(token));
  for (std::size_t i = 0; i < token.size(); ++i) {
    SCOPED_TRACE(testing::Message() << "position " << i);
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify(tampered));
  }
}

TEST(PrivateKeyTest, ReadsEveryRfcPrivateKey) {
  const std::tuple<std::string_view, key_type, std::optional<jws_algorithm>> cases[] = {
      {v::rfc7515_a2_private_jwk, key_type::rsa, std::nullopt},
      {v::rfc7515_a3_private_jwk, key_type::ec_p256, jws_algorithm::es256},
      {v::rfc7515_a4_private_jwk, key_type::ec_p521, jws_algorithm::es512},
      {v::rfc8037_a1_private_jwk, key_type::ed25519, jws_algorithm::eddsa},
      {v::rfc7520_rsa_private_jwk, key_type::rsa, std::nullopt},
      {v::rfc7520_ec_private_jwk, key_type::ec_p521, jws_algorithm::es512},
  };
  for (const auto& [text, type, alg] : cases) {
    SCOPED_TRACE(text);
    auto key = private_key::from_jwk(text);
    ASSERT_TRUE(key) << key.error().message();
    EXPECT_EQ(key->type(), type);
    EXPECT_EQ(key->algorithm(), alg);
  }
}

TEST(PrivateKeyTest, PublicPartMatchesThePublishedPublicKey) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {v::rfc7515_a2_private_jwk, v::rfc7515_a2_public_jwk},
      {v::rfc7515_a3_private_jwk, v::rfc7515_a3_public_jwk},
      {v::rfc8037_a1_private_jwk, v::rfc8037_a2_public_jwk},
      {v::rfc7520_ec_private_jwk, v::rfc7520_ec_public_jwk},
  };
  for (const auto& [priv, pub] : cases) {
    EXPECT_EQ(private_key::from_jwk(priv)->public_part().to_jwk(),
              public_key::from_jwk(pub)->to_jwk());
  }
}

TEST(PrivateKeyTest, PublicJwkIsPublishable) {
  auto key = private_key::from_jwk(v::rfc7515_a3_private_jwk);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->public_jwk("k1"),
            R"({"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
            R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","alg":"ES256",)"
            R"("use":"sig"})");
  // An RSA key without `alg` serves six algorithms: none is claimed.
  const json rsa =
      parse_json(private_key::from_jwk(v::rfc7515_a2_private_jwk)->public_jwk("")).value();
  EXPECT_FALSE(rsa.contains("kid"));
  EXPECT_FALSE(rsa.contains("alg"));
  EXPECT_FALSE(rsa.contains("d"));
  EXPECT_EQ(rsa["use"], "sig");
  const json generated_rsa =
      parse_json(private_key::generate(jws_algorithm::ps256)->public_jwk("\xff")).value();
  EXPECT_EQ(generated_rsa["alg"], "PS256");
  EXPECT_EQ(generated_rsa["kid"], "\xef\xbf\xbd");  // U+FFFD
  // Whatever it prints, a JWKS parses back.
  for (const jws_algorithm alg : all_algorithms) {
    auto set = jwk_set::parse(R"({"keys":[)" + generated(alg).public_jwk("k") + "]}");
    ASSERT_TRUE(set);
    ASSERT_EQ(set->keys().size(), 1U);
    EXPECT_EQ(set->keys()[0].key.to_jwk(), generated(alg).public_part().to_jwk());
  }
}

TEST(PrivateKeyTest, GeneratesKeysOfTheAlgorithmsType) {
  EXPECT_EQ(generated(jws_algorithm::rs256).type(), key_type::rsa);
  EXPECT_EQ(generated(jws_algorithm::es384).type(), key_type::ec_p384);
  EXPECT_EQ(generated(jws_algorithm::es512).type(), key_type::ec_p521);
  EXPECT_EQ(generated(jws_algorithm::eddsa).type(), key_type::ed25519);
  const json rsa = parse_json(generated(jws_algorithm::rs256).public_part().to_jwk()).value();
  EXPECT_EQ(base64url::decode(rsa["n"].get<std::string>())->size(), 256U);  // 2048 bits
}

// A private key whose halves disagree would sign what its published key never verifies, or, for
// EC, lets an attacker pair a chosen point with a known scalar.
TEST(PrivateKeyTest, RefusesMismatchedHalves) {
  json ec_d = parse_json(v::rfc7515_a3_private_jwk).value();
  ec_d["d"] = base64url::encode(bytes(32, std::byte{0x11}));
  EXPECT_EQ(error_of(private_key::from_jwk(ec_d.dump())), errc::invalid_key);
  json ed = parse_json(v::rfc8037_a1_private_jwk).value();
  ed["d"] = base64url::encode(bytes(32, std::byte{0x22}));
  EXPECT_EQ(error_of(private_key::from_jwk(ed.dump())), errc::invalid_key);
  json rsa = parse_json(v::rfc7515_a2_private_jwk).value();
  rsa["p"] = parse_json(v::rfc7520_rsa_private_jwk).value()["p"];
  EXPECT_EQ(error_of(private_key::from_jwk(rsa.dump())), errc::invalid_key);
}

TEST(PrivateKeyTest, RefusesIncompleteOrMislabelledKeys) {
  EXPECT_EQ(error_of(private_key::from_jwk(v::rfc7515_a3_public_jwk)), errc::invalid_key);
  EXPECT_EQ(error_of(private_key::from_jwk(v::rfc8037_a2_public_jwk)), errc::invalid_key);
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi"}) {
    SCOPED_TRACE(member);
    json rsa = parse_json(v::rfc7515_a2_private_jwk).value();
    rsa.erase(member);
    auto key = private_key::from_jwk(rsa.dump());
    ASSERT_EQ(error_of(key), errc::invalid_key);
    EXPECT_EQ(key.error().detail, "`" + std::string(member) + "` is missing");
  }
  json oth = parse_json(v::rfc7515_a2_private_jwk).value();
  oth["oth"] = json::array();
  EXPECT_EQ(error_of(private_key::from_jwk(oth.dump())), errc::invalid_key);
  json es = parse_json(v::rfc7515_a3_private_jwk).value();
  es["alg"] = "ES384";
  EXPECT_EQ(error_of(private_key::from_jwk(es.dump())), errc::invalid_key);
  es["alg"] = "HS256";
  EXPECT_EQ(error_of(private_key::from_jwk(es.dump())), errc::invalid_key);
  json ps = parse_json(v::rfc7515_a2_private_jwk).value();
  ps["alg"] = "PS256";
  EXPECT_EQ(private_key::from_jwk(ps.dump())->algorithm(), jws_algorithm::ps256);
  EXPECT_EQ(error_of(private_key::from_jwk("[]")), errc::malformed_input);
  EXPECT_EQ(error_of(private_key::from_jwk(std::string(64 * 1024 + 1, ' '))), errc::limit_exceeded);
}

// Apple issues its Sign in with Apple key as a PKCS #8 PEM (.p8): it must sign ES256 as is.
TEST(PrivateKeyTest, FromPemReadsPkcs8AndTraditionalKeys) {
  for (const std::string_view pem : {v::pem::a3_pkcs8, v::pem::a3_sec1}) {
    auto key = private_key::from_pem(pem);
    ASSERT_TRUE(key) << key.error().message();
    EXPECT_EQ(key->type(), key_type::ec_p256);
    EXPECT_EQ(key->algorithm(), jws_algorithm::es256);
    EXPECT_EQ(key->public_part().to_jwk(),
              public_key::from_jwk(v::rfc7515_a3_public_jwk)->to_jwk());
    auto token = sign_jws(json::object(), "{}", *key, jws_algorithm::es256);
    ASSERT_TRUE(token);
    const std::array<jws_algorithm, 1> es256 = {jws_algorithm::es256};
    EXPECT_TRUE(verify_jws(*token, set_of({v::rfc7515_a3_public_jwk}), es256));
  }
}

TEST(PrivateKeyTest, FromPemReproducesDeterministicVectors) {
  auto rsa = private_key::from_pem(v::pem::a2_pkcs8);
  ASSERT_TRUE(rsa) << rsa.error().message();
  EXPECT_EQ(rsa->algorithm(), std::nullopt);
  EXPECT_EQ(sign_jws(json::object(), v::rfc7515_payload, *rsa, jws_algorithm::rs256).value(),
            v::rfc7515_a2_token);
  auto ed = private_key::from_pem(v::pem::ed_pkcs8);
  ASSERT_TRUE(ed) << ed.error().message();
  EXPECT_EQ(ed->algorithm(), jws_algorithm::eddsa);
  EXPECT_EQ(
      sign_jws(json::object(), "Example of Ed25519 signing", *ed, jws_algorithm::eddsa).value(),
      v::rfc8037_a4_token);
}

TEST(PrivateKeyTest, FromPemRefusesWhatItCannotSignWith) {
  // Encrypted keys are refused, never prompted for; public keys and other text are not keys.
  for (const std::string_view bad :
       {v::pem::a3_encrypted, v::pem::a3_public, v::rfc7515_a3_private_jwk, std::string_view(),
        std::string_view("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        v::pem::a3_pkcs8.substr(0, 100)}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(private_key::from_pem(bad)), errc::invalid_key);
  }
  // Keys of no key_type: RSA under 2048 bits, a curve other than P-256/384/521.
  EXPECT_EQ(error_of(private_key::from_pem(v::pem::rsa1024)), errc::invalid_key);
  EXPECT_EQ(error_of(private_key::from_pem(v::pem::secp256k1)), errc::invalid_key);
  EXPECT_EQ(error_of(private_key::from_pem(std::string(64 * 1024 + 1, '-'))), errc::limit_exceeded);
}

}  // namespace
}  // namespace authpp::jose
