#include <authpp/core/base64url.hpp>
#include <authpp/core/json.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/jws.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "jose_vectors.hpp"
#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using test::error_of;
namespace v = vectors;

std::string set_of(std::initializer_list<std::string_view> keys) { return v::jwks_text(keys); }

json object(std::string_view text) { return parse_json(text).value(); }

// with returns the JWK `jwk` with member `name` set to `value` (or removed when null).
std::string with(std::string_view jwk, const std::string& name, const json& value) {
  json j = object(jwk);
  if (value.is_null()) {
    j.erase(name);
  } else {
    j[name] = value;
  }
  return j.dump();
}

// altered re-encodes member `name` of `jwk` after `change` has modified its decoded bytes.
template <class Change>
std::string altered(std::string_view jwk, const std::string& name, Change change) {
  json j = object(jwk);
  bytes value = base64url::decode(j[name].get<std::string>()).value();
  change(value);
  j[name] = base64url::encode(value);
  return j.dump();
}

TEST(JwksTest, ReadsEveryRfcPublicKey) {
  const std::pair<std::string_view, key_type> cases[] = {
      {v::rfc7515_a2_public_jwk, key_type::rsa},     {v::rfc7515_a3_public_jwk, key_type::ec_p256},
      {v::rfc7515_a4_public_jwk, key_type::ec_p521}, {v::rfc8037_a2_public_jwk, key_type::ed25519},
      {v::rfc7520_rsa_public_jwk, key_type::rsa},    {v::rfc7520_ec_public_jwk, key_type::ec_p521},
  };
  for (const auto& [text, type] : cases) {
    SCOPED_TRACE(text);
    auto key = public_key::from_jwk(text);
    ASSERT_TRUE(key) << key.error().message();
    EXPECT_EQ(key->type(), type);
  }
}

// to_jwk is the RFC 7638 input, so hashing it gives the RFC's thumbprint.
TEST(JwksTest, ToJwkIsTheRfc7638ThumbprintInput) {
  auto key = public_key::from_jwk(v::rfc7638_jwk);
  ASSERT_TRUE(key);
  EXPECT_EQ(base64url::encode(sha256(key->to_jwk())), v::rfc7638_thumbprint);
  auto ec = public_key::from_jwk(v::rfc7515_a3_public_jwk);
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec->to_jwk(),
            R"({"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
            R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})");
  auto ed = public_key::from_jwk(v::rfc8037_a2_public_jwk);
  ASSERT_TRUE(ed);
  EXPECT_EQ(ed->to_jwk(),
            R"({"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})");
}

TEST(JwksTest, ToJwkRoundTrips) {
  for (const std::string_view text : {v::rfc7515_a2_public_jwk, v::rfc7515_a4_public_jwk,
                                      v::rfc7520_ec_public_jwk, v::rfc8037_a2_public_jwk}) {
    SCOPED_TRACE(text);
    auto key = public_key::from_jwk(text);
    ASSERT_TRUE(key);
    auto again = public_key::from_jwk(key->to_jwk());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->to_jwk(), key->to_jwk());
    EXPECT_EQ(again->type(), key->type());
  }
}

TEST(JwksTest, KeepsKeysInOrderWithKidAlgUse) {
  auto set =
      jwk_set::parse(set_of({v::rfc7520_rsa_public_jwk, v::rfc7638_jwk, v::rfc7515_a3_public_jwk}));
  ASSERT_TRUE(set) << set.error().message();
  ASSERT_EQ(set->keys().size(), 3U);
  EXPECT_TRUE(set->skipped().empty());
  EXPECT_EQ(set->keys()[0].kid, "bilbo.baggins@hobbiton.example");
  EXPECT_EQ(set->keys()[0].use, "sig");
  EXPECT_EQ(set->keys()[0].alg, std::nullopt);
  EXPECT_EQ(set->keys()[1].kid, "2011-04-29");
  EXPECT_EQ(set->keys()[1].alg, "RS256");
  EXPECT_EQ(set->keys()[2].kid, std::nullopt);
  EXPECT_EQ(set->keys()[2].key.type(), key_type::ec_p256);
}

TEST(JwksTest, RefusesMalformedJson) {
  for (const std::string_view text :
       {"", "not json", "[]", "{}", R"({"keys":{}})", R"({"keys":[1]})", R"({"keys":["x"]})",
        R"({"keys":[]} trailing)", R"({"keys":[{"kty":"RSA",}]})"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(error_of(jwk_set::parse(text)), errc::malformed_input);
  }
  EXPECT_EQ(error_of(public_key::from_jwk("[]")), errc::malformed_input);
  EXPECT_EQ(error_of(public_key::from_jwk("{")), errc::malformed_input);
}

TEST(JwksTest, EmptySetHasNoKeys) {
  auto set = jwk_set::parse(R"({"keys":[]})");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->keys().empty());
}

// Sizes are bounded before parsing: a huge document costs nothing.
TEST(JwksTest, RefusesOversizeTextAndTooManyKeys) {
  const std::string big = set_of({v::rfc7515_a3_public_jwk}) + std::string(64 * 1024, ' ');
  EXPECT_EQ(error_of(jwk_set::parse(big)), errc::limit_exceeded);
  EXPECT_EQ(error_of(public_key::from_jwk(std::string(64 * 1024 + 1, ' '))), errc::limit_exceeded);
  std::string many = R"({"keys":[)";
  for (int i = 0; i < 101; ++i) many += std::string(i == 0 ? "" : ",") + R"({"kty":"x"})";
  many += "]}";
  EXPECT_EQ(error_of(jwk_set::parse(many)), errc::limit_exceeded);
  EXPECT_TRUE(jwk_set::parse(many, {.max_size = 64 * 1024, .max_keys = 101}));
}

// RFC 7517 §5: keys missing required members are ignored, not fatal; the reason is kept for logs.
TEST(JwksTest, SkipsKeysMissingMembers) {
  const std::string cases[] = {
      with(v::rfc7515_a2_public_jwk, "e", nullptr),
      with(v::rfc7515_a2_public_jwk, "n", nullptr),
      with(v::rfc7515_a3_public_jwk, "y", nullptr),
      with(v::rfc7515_a3_public_jwk, "crv", nullptr),
      with(v::rfc7515_a3_public_jwk, "kty", nullptr),
      with(v::rfc8037_a2_public_jwk, "x", nullptr),
      with(v::rfc7515_a3_public_jwk, "x", 5),
  };
  for (const std::string& bad : cases) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(public_key::from_jwk(bad)), errc::invalid_key);
    auto set = jwk_set::parse(set_of({bad, v::rfc8037_a2_public_jwk}));
    ASSERT_TRUE(set);
    ASSERT_EQ(set->keys().size(), 1U);
    EXPECT_EQ(set->keys()[0].key.type(), key_type::ed25519);
    ASSERT_EQ(set->skipped().size(), 1U);
    EXPECT_EQ(set->skipped()[0].index, 0U);
    EXPECT_EQ(set->skipped()[0].reason.code, errc::invalid_key);
  }
  auto set = jwk_set::parse(set_of({with(v::rfc7638_jwk, "e", nullptr)}));
  ASSERT_TRUE(set);
  ASSERT_EQ(set->skipped().size(), 1U);
  EXPECT_EQ(set->skipped()[0].kid, "2011-04-29");
  EXPECT_EQ(set->skipped()[0].reason.detail, "`e` is missing");
}

// RFC 7518 §3.3 and oauth4webapi: RSA keys of at least 2048 bits. The bound is on the modulus's
// bits, so 2047 bits in 256 bytes is refused too.
TEST(JwksTest, RefusesShortRsaModulus) {
  const std::string bits_2047 =
      altered(v::rfc7515_a2_public_jwk, "n", [](bytes& n) { n[0] = std::byte{0x7f}; });
  auto key = public_key::from_jwk(bits_2047);
  ASSERT_EQ(error_of(key), errc::invalid_key);
  EXPECT_EQ(key.error().detail, "RSA modulus is shorter than 2048 bits");
  const std::string bits_1024 = altered(v::rfc7515_a2_public_jwk, "n", [](bytes& n) {
    n.resize(128);
    n[127] |= std::byte{1};
  });
  EXPECT_EQ(error_of(public_key::from_jwk(bits_1024)), errc::invalid_key);
  auto set = jwk_set::parse(set_of({bits_1024}));
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->keys().empty());
  ASSERT_EQ(set->skipped().size(), 1U);
  EXPECT_EQ(set->skipped()[0].reason.detail, "RSA modulus is shorter than 2048 bits");
}

TEST(JwksTest, RefusesOversizeRsaModulusAndBadExponents) {
  const std::string bits_8200 = altered(v::rfc7515_a2_public_jwk, "n", [](bytes& n) {
    n.insert(n.begin(), 769, std::byte{0xff});  // 256 + 769 bytes = 8200 bits
  });
  EXPECT_EQ(error_of(public_key::from_jwk(bits_8200)), errc::invalid_key);
  for (const char* e : {"AQAA", "AQ", "Ag", "AQEBAQEBAQEBAQ"}) {  // even, 1, 2, 10 bytes
    SCOPED_TRACE(e);
    EXPECT_EQ(error_of(public_key::from_jwk(with(v::rfc7515_a2_public_jwk, "e", e))),
              errc::invalid_key);
  }
  EXPECT_TRUE(public_key::from_jwk(with(v::rfc7515_a2_public_jwk, "e", "Aw")));  // e = 3
}

// RFC 7518 §6.3.1.1 forbids a leading zero octet in `n`, but some libraries emit one: the value is
// the same key, accepted as such.
TEST(JwksTest, AcceptsModulusWithLeadingZeroOctet) {
  const std::string padded =
      altered(v::rfc7515_a2_public_jwk, "n", [](bytes& n) { n.insert(n.begin(), std::byte{0}); });
  auto key = public_key::from_jwk(padded);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->to_jwk(), public_key::from_jwk(v::rfc7515_a2_public_jwk)->to_jwk());
}

// The invalid-curve attack needs a point off the curve: it never becomes a key.
TEST(JwksTest, RefusesEcPointNotOnCurve) {
  for (const std::string_view jwk : {v::rfc7515_a3_public_jwk, v::rfc7515_a4_public_jwk}) {
    SCOPED_TRACE(jwk);
    const std::string off_curve = altered(jwk, "y", [](bytes& y) { y.back() ^= std::byte{1}; });
    auto key = public_key::from_jwk(off_curve);
    ASSERT_EQ(error_of(key), errc::invalid_key);
    EXPECT_EQ(key.error().detail, "the point is not on the curve");
    auto set = jwk_set::parse(set_of({off_curve}));
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->keys().empty());
    EXPECT_EQ(set->skipped().size(), 1U);
  }
  // Coordinates at or above the field prime are not points either.
  const std::string all_ones = altered(v::rfc7515_a3_public_jwk, "x", [](bytes& x) {
    for (std::byte& b : x) b = std::byte{0xff};
  });
  EXPECT_EQ(error_of(public_key::from_jwk(all_ones)), errc::invalid_key);
}

// RFC 7518 §6.2.1.2: coordinates are full size (as WebCrypto requires); so is an Ed25519 key.
TEST(JwksTest, RefusesCoordinatesOfTheWrongSize) {
  const std::string short_x =
      altered(v::rfc7515_a3_public_jwk, "x", [](bytes& x) { x.erase(x.begin()); });
  EXPECT_EQ(error_of(public_key::from_jwk(short_x)), errc::invalid_key);
  const std::string long_y =
      altered(v::rfc7515_a3_public_jwk, "y", [](bytes& y) { y.insert(y.begin(), std::byte{0}); });
  EXPECT_EQ(error_of(public_key::from_jwk(long_y)), errc::invalid_key);
  const std::string long_ed =
      altered(v::rfc8037_a2_public_jwk, "x", [](bytes& x) { x.push_back(std::byte{0}); });
  EXPECT_EQ(error_of(public_key::from_jwk(long_ed)), errc::invalid_key);
  // A P-256 point labelled P-384 has coordinates of the wrong size.
  EXPECT_EQ(error_of(public_key::from_jwk(with(v::rfc7515_a3_public_jwk, "crv", "P-384"))),
            errc::invalid_key);
}

TEST(JwksTest, RefusesNonCanonicalBase64url) {
  json j = object(v::rfc7515_a3_public_jwk);
  j["x"] = j["x"].get<std::string>() + "=";
  EXPECT_EQ(error_of(public_key::from_jwk(j.dump())), errc::invalid_key);
  j = object(v::rfc7515_a3_public_jwk);
  std::string x = j["x"].get<std::string>();
  x.back() = 'V';  // 'U' + 1: sets an unused bit of the last character (RFC 4648 §3.5)
  j["x"] = x;
  EXPECT_EQ(error_of(public_key::from_jwk(j.dump())), errc::invalid_key);
}

// RFC 7517 §5: keys of a type or curve authpp lacks are ignored, not fatal.
TEST(JwksTest, SkipsUnknownKtyAndCurve) {
  const std::string secp256k1 = with(v::rfc7515_a3_public_jwk, "crv", "secp256k1");
  const std::string x25519 = with(v::rfc8037_a2_public_jwk, "crv", "X25519");
  const std::string ed_as_ec = with(v::rfc8037_a2_public_jwk, "kty", "EC");
  auto set = jwk_set::parse(set_of(
      {R"({"kty":"PQC","kid":"future"})", secp256k1, v::rfc7515_a3_public_jwk, x25519, ed_as_ec}));
  ASSERT_TRUE(set) << set.error().message();
  ASSERT_EQ(set->keys().size(), 1U);
  EXPECT_EQ(set->keys()[0].key.type(), key_type::ec_p256);
  ASSERT_EQ(set->skipped().size(), 4U);
  EXPECT_EQ(set->skipped()[0].kid, "future");
  EXPECT_EQ(set->skipped()[0].reason.detail, "`kty` is not RSA, EC or OKP");
  EXPECT_EQ(set->skipped()[1].index, 1U);
  EXPECT_EQ(set->skipped()[2].index, 3U);
  EXPECT_EQ(set->skipped()[3].index, 4U);
}

// RFC 7517 §4.2-4.3: keys published for encryption are not signature keys.
TEST(JwksTest, SkipsKeysNotForSignatures) {
  const std::string enc = with(v::rfc7515_a3_public_jwk, "use", "enc");
  const std::string wrap = with(v::rfc7515_a3_public_jwk, "key_ops", json::array({"wrapKey"}));
  const std::string ops_string = with(v::rfc7515_a3_public_jwk, "key_ops", "verify");
  const std::string use_number = with(v::rfc7515_a3_public_jwk, "use", 1);
  const std::string verify = with(v::rfc7515_a3_public_jwk, "key_ops", json::array({"verify"}));
  auto set = jwk_set::parse(set_of({enc, wrap, ops_string, use_number, verify}));
  ASSERT_TRUE(set);
  ASSERT_EQ(set->keys().size(), 1U);
  EXPECT_EQ(set->skipped().size(), 4U);
  EXPECT_EQ(set->skipped()[0].reason.detail, "`use` is not \"sig\"");
}

// A JWKS is public. Private or secret members mean its publisher leaked a key: the whole set is
// refused rather than partly trusted.
TEST(JwksTest, RefusesPrivateKeyMaterial) {
  for (const std::string_view leaked :
       {v::rfc7515_a3_private_jwk, v::rfc7515_a2_private_jwk, v::rfc8037_a1_private_jwk,
        std::string_view(R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T"})")}) {
    SCOPED_TRACE(leaked);
    auto set = jwk_set::parse(set_of({v::rfc7515_a3_public_jwk, leaked}));
    ASSERT_EQ(error_of(set), errc::invalid_key);
    EXPECT_EQ(set.error().detail, "key 1 of the JWK Set holds private key material");
    EXPECT_EQ(error_of(public_key::from_jwk(leaked)), errc::invalid_key);
  }
}

// Details name members and rules, never key values.
TEST(JwksTest, SkipReasonsCarryNoKeyValues) {
  const std::string bad =
      altered(v::rfc7515_a3_public_jwk, "y", [](bytes& y) { y[0] ^= std::byte{1}; });
  auto set = jwk_set::parse(set_of({bad}));
  ASSERT_TRUE(set);
  ASSERT_EQ(set->skipped().size(), 1U);
  const std::string& detail = set->skipped()[0].reason.detail;
  EXPECT_EQ(detail.find(object(bad)["y"].get<std::string>()), std::string::npos);
  EXPECT_EQ(detail.find("f83OJ3D2"), std::string::npos);
}

}  // namespace
}  // namespace authpp::jose
