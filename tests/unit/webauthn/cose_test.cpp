#include <authpp/webauthn/cose.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include "test_support/test_support.hpp"
#include "webauthn_test_support.hpp"

namespace authpp::webauthn {
namespace {

using authpp::test::error_of;
using test::test_key;

const std::vector<cose_algorithm> all_algorithms = {cose_algorithm::es256, cose_algorithm::rs256,
                                                    cose_algorithm::eddsa};

// with_entry returns `key` with the entry labelled `label` set to `value` (added when absent).
cbor_value with_entry(const cbor_value& key, std::int64_t label, const cbor_value& value) {
  cbor_value::map_type entries = *key.as_map();
  for (cbor_map_entry& e : entries) {
    if (e.key.as_int64() == label) {
      e.value = value;
      return cbor_value::map(std::move(entries));
    }
  }
  entries.push_back({cbor_value::integer(label), value});
  return cbor_value::map(std::move(entries));
}

cbor_value without_entry(const cbor_value& key, std::int64_t label) {
  cbor_value::map_type entries;
  for (const cbor_map_entry& e : *key.as_map()) {
    if (e.key.as_int64() != label) entries.push_back(e);
  }
  return cbor_value::map(std::move(entries));
}

TEST(CoseKeyTest, VerifiesSignaturesOfEachAlgorithm) {
  for (cose_algorithm alg : all_algorithms) {
    SCOPED_TRACE(to_string(alg));
    const test_key key(alg);
    auto parsed = cose_key::parse(key.cose());
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(parsed->algorithm(), alg);
    const bytes message = to_bytes("authenticator data and client data hash");
    EXPECT_TRUE(parsed->verify(message, key.sign(message)));
  }
}

// A signature over other bytes, or by another key, must never pass.
TEST(CoseKeyTest, RefusesBadSignature) {
  for (cose_algorithm alg : all_algorithms) {
    SCOPED_TRACE(to_string(alg));
    const test_key key(alg);
    const test_key other(alg);
    auto parsed = cose_key::parse(key.cose()).value();
    const bytes message = to_bytes("signed bytes");
    bytes sig = key.sign(message);
    EXPECT_EQ(error_of(parsed.verify(to_bytes("signed byteS"), sig)), errc::invalid_signature);
    EXPECT_EQ(error_of(parsed.verify(message, other.sign(message))), errc::invalid_signature);
    sig[sig.size() / 2] ^= std::byte{0x01};
    EXPECT_EQ(error_of(parsed.verify(message, sig)), errc::invalid_signature);
    EXPECT_EQ(error_of(parsed.verify(message, {})), errc::invalid_signature);
  }
}

// WebAuthn ES256 signatures are DER (§6.5.6); JOSE's raw R‖S, or DER with bytes after it, is
// refused, so that one signature has one accepted form.
TEST(CoseKeyTest, RefusesEs256SignatureNotInStrictDer) {
  const test_key key(cose_algorithm::es256);
  auto parsed = cose_key::parse(key.cose()).value();
  const bytes message = to_bytes("m");
  const bytes der = key.sign(message);
  ASSERT_TRUE(parsed.verify(message, der));

  const unsigned char* p = test::uchars(der);
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(sig, nullptr);
  bytes raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);  // NOLINT
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32,  // NOLINT
               32);
  ECDSA_SIG_free(sig);
  EXPECT_EQ(error_of(parsed.verify(message, raw)), errc::invalid_signature);

  bytes trailing = der;
  trailing.push_back(std::byte{0});
  EXPECT_EQ(error_of(parsed.verify(message, trailing)), errc::invalid_signature);
}

// A key that claims one algorithm but carries another's parameters must not be used for either:
// the algorithm decides how the signature is checked.
TEST(CoseKeyTest, RefusesKeyWithMismatchedAlg) {
  const test_key ec(cose_algorithm::es256);
  const test_key ed(cose_algorithm::eddsa);
  const test_key rsa(cose_algorithm::rs256);
  const std::vector<std::pair<const char*, cbor_value>> cases = {
      {"ES256 alg on an OKP key", with_entry(ed.cose_map(), 3, cbor_value::integer(-7))},
      {"EdDSA alg on an EC2 key", with_entry(ec.cose_map(), 3, cbor_value::integer(-8))},
      {"RS256 alg on an EC2 key", with_entry(ec.cose_map(), 3, cbor_value::integer(-257))},
      {"ES256 alg on an RSA key", with_entry(rsa.cose_map(), 3, cbor_value::integer(-7))},
      {"ES256 with crv Ed25519", with_entry(ec.cose_map(), -1, cbor_value::integer(6))},
      {"ES256 with crv P-384", with_entry(ec.cose_map(), -1, cbor_value::integer(2))},
      {"EdDSA with crv X25519", with_entry(ed.cose_map(), -1, cbor_value::integer(4))},
      {"kty as text", with_entry(ec.cose_map(), 1, cbor_value::text_string("EC2"))},
      // Only kty is wrong: the parameters would otherwise make a valid key.
      {"ES256 with kty OKP", with_entry(ec.cose_map(), 1, cbor_value::integer(1))},
      {"EdDSA with kty EC2", with_entry(ed.cose_map(), 1, cbor_value::integer(2))},
      {"RS256 with kty EC2", with_entry(rsa.cose_map(), 1, cbor_value::integer(2))},
  };
  for (const auto& [name, key] : cases) {
    SCOPED_TRACE(name);
    auto parsed = cose_key::from_cbor(key);
    EXPECT_TRUE(error_of(parsed) == errc::invalid_key || error_of(parsed) == errc::malformed_input)
        << (parsed ? "accepted" : parsed.error().message());
  }
}

// The invalid-curve attack: a point off P-256 can leak the private key of an ECDH peer, and here
// it is never a key anyone holds.
TEST(CoseKeyTest, RefusesEcPointNotOnCurve) {
  const test_key ec(cose_algorithm::es256);
  bytes y = *ec.cose_map().find(-3)->as_bytes();
  y[31] ^= std::byte{0x01};
  auto parsed = cose_key::from_cbor(with_entry(ec.cose_map(), -3, cbor_value::byte_string(y)));
  ASSERT_EQ(error_of(parsed), errc::invalid_key);
  EXPECT_NE(parsed.error().detail.find("not on the curve"), std::string::npos);
  // The point at infinity has no affine coordinates; all-zero ones are off the curve.
  auto zero = cose_key::from_cbor(
      with_entry(with_entry(ec.cose_map(), -2, cbor_value::byte_string(bytes(32))), -3,
                 cbor_value::byte_string(bytes(32))));
  EXPECT_EQ(error_of(zero), errc::invalid_key);
}

TEST(CoseKeyTest, RefusesUnsupportedAlgorithms) {
  const test_key ec(cose_algorithm::es256);
  for (std::int64_t alg : {-35, -36, -37, -65535, 1, 0}) {
    SCOPED_TRACE(alg);
    EXPECT_EQ(error_of(cose_key::from_cbor(with_entry(ec.cose_map(), 3, cbor_value::integer(alg)))),
              errc::unsupported_algorithm);
  }
}

TEST(CoseKeyTest, RefusesWeakOrMalformedKeys) {
  const test_key ec(cose_algorithm::es256);
  const test_key ed(cose_algorithm::eddsa);
  const test_key rsa(cose_algorithm::rs256);
  const test_key short_rsa(cose_algorithm::rs256, 1024);
  const std::vector<std::pair<const char*, cbor_value>> cases = {
      {"RSA of 1024 bits", short_rsa.cose_map()},
      {"RSA exponent 1", with_entry(rsa.cose_map(), -2, cbor_value::byte_string({std::byte{1}}))},
      {"RSA exponent even",
       with_entry(rsa.cose_map(), -2, cbor_value::byte_string({std::byte{4}}))},
      {"RSA private exponent", with_entry(rsa.cose_map(), -3, cbor_value::byte_string(bytes(256)))},
      {"EC private key d", with_entry(ec.cose_map(), -4, cbor_value::byte_string(bytes(32)))},
      {"OKP private key d", with_entry(ed.cose_map(), -4, cbor_value::byte_string(bytes(32)))},
      {"EC x of 31 bytes", with_entry(ec.cose_map(), -2, cbor_value::byte_string(bytes(31)))},
      {"EC compressed y", with_entry(ec.cose_map(), -3, cbor_value::boolean(true))},
      {"EC without y", without_entry(ec.cose_map(), -3)},
      {"OKP x of 33 bytes", with_entry(ed.cose_map(), -2, cbor_value::byte_string(bytes(33)))},
      {"RSA without n", without_entry(rsa.cose_map(), -1)},
  };
  for (const auto& [name, key] : cases) {
    SCOPED_TRACE(name);
    EXPECT_EQ(error_of(cose_key::from_cbor(key)), errc::invalid_key);
  }
  EXPECT_EQ(error_of(cose_key::from_cbor(without_entry(ec.cose_map(), 3))), errc::malformed_input);
  EXPECT_EQ(error_of(cose_key::from_cbor(cbor_value::integer(1))), errc::malformed_input);
}

TEST(CoseKeyTest, ParseRefusesTrailingBytesAndOversizedInput) {
  const test_key ec(cose_algorithm::es256);
  bytes encoded = ec.cose();
  encoded.push_back(std::byte{0});
  EXPECT_EQ(error_of(cose_key::parse(encoded)), errc::malformed_input);
  EXPECT_EQ(error_of(cose_key::parse(bytes(max_cose_key_size + 1))), errc::limit_exceeded);
}

}  // namespace
}  // namespace authpp::webauthn
