#include <authpp/webauthn/attestation.hpp>

#include <string>

#include <gtest/gtest.h>

#include "published_vectors.hpp"
#include "test_support/test_support.hpp"
#include "webauthn_test_support.hpp"

namespace authpp::webauthn {
namespace {

using authpp::test::error_of;
using test::test_key;
using test::text_map;

constexpr std::string_view rp_id = "example.com";
constexpr std::string_view client_data = R"({"type":"webauthn.create"})";

class AttestationTest : public ::testing::Test {
 protected:
  test_key key_{cose_algorithm::es256};
  bytes cose_ = key_.cose();
  bytes auth_data_ = test::authenticator_data_for(rp_id, test::flag_up, 0, &cose_);
  jose::sha256_digest hash_ = jose::sha256(client_data);

  result<verified_attestation> verify(std::string_view fmt, const cbor_value& statement) {
    auto object =
        parse_attestation_object(test::attestation_object_for(fmt, statement, auth_data_));
    if (!object) return object.error();
    return verify_attestation(*object, hash_);
  }
  cbor_value self_statement() { return test::packed_self_statement(key_, auth_data_, client_data); }
};

TEST_F(AttestationTest, ParsesTheThreeMembers) {
  auto object = parse_attestation_object(
      test::attestation_object_for("none", cbor_value::map({}), auth_data_));
  ASSERT_TRUE(object) << object.error().message();
  EXPECT_EQ(object->fmt, "none");
  EXPECT_EQ(object->raw_authenticator_data, auth_data_);
  ASSERT_TRUE(object->authenticator.attested);
  EXPECT_EQ(object->authenticator.attested->public_key, cose_);
}

TEST_F(AttestationTest, RefusesObjectsOfAnotherShape) {
  const auto auth = cbor_value::byte_string(auth_data_);
  const auto fmt = cbor_value::text_string("none");
  const auto empty = cbor_value::map({});
  const std::vector<std::pair<const char*, cbor_value>> cases = {
      {"fmt missing", text_map({{"attStmt", empty}, {"authData", auth}})},
      {"an extra member", text_map({{"fmt", fmt},
                                    {"attStmt", empty},
                                    {"authData", auth},
                                    {"ep", cbor_value::boolean(true)}})},
      {"fmt not text",
       text_map({{"fmt", cbor_value::integer(1)}, {"attStmt", empty}, {"authData", auth}})},
      {"attStmt not a map",
       text_map({{"fmt", fmt}, {"attStmt", cbor_value::null()}, {"authData", auth}})},
      {"authData as text",
       text_map({{"fmt", fmt}, {"attStmt", empty}, {"authData", cbor_value::text_string("x")}})},
      {"CTAP2 integer keys", cbor_value::map(test::entries({{1, fmt}, {2, auth}, {3, empty}}))},
      {"an array", cbor_value::array({fmt, empty, auth})},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(name);
    EXPECT_EQ(error_of(parse_attestation_object(encode_cbor(value))), errc::malformed_input);
  }
  EXPECT_EQ(error_of(parse_attestation_object(bytes(max_attestation_object_size + 1))),
            errc::limit_exceeded);
}

TEST_F(AttestationTest, NoneNeedsAnEmptyStatement) {
  auto verified = verify("none", cbor_value::map({}));
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->type, attestation_type::none);
  EXPECT_EQ(error_of(verify("none", self_statement())), errc::malformed_input);
}

TEST_F(AttestationTest, AcceptsPackedSelfAttestation) {
  auto verified = verify("packed", self_statement());
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->type, attestation_type::self);
  EXPECT_TRUE(verified->certificates.empty());
}

// A self attestation under another algorithm than the credential's says nothing about the key.
TEST_F(AttestationTest, RefusesPackedSelfAttestationWithMismatchedAlg) {
  const test_key rsa(cose_algorithm::rs256);
  const cbor_value statement =
      text_map({{"alg", cbor_value::integer(-257)},
                {"sig", cbor_value::byte_string(rsa.sign(test::concat(auth_data_, hash_)))}});
  EXPECT_EQ(error_of(verify("packed", statement)), errc::unsupported_algorithm);
}

TEST_F(AttestationTest, RefusesPackedSignatureOverOtherBytes) {
  // Signed over another client data hash: the statement belongs to another ceremony.
  const cbor_value other = test::packed_self_statement(key_, auth_data_, R"({"other":1})");
  EXPECT_EQ(error_of(verify("packed", other)), errc::invalid_signature);
  // Signed by a key other than the credential's.
  const test_key stranger(cose_algorithm::es256);
  EXPECT_EQ(
      error_of(verify("packed", test::packed_self_statement(stranger, auth_data_, client_data))),
      errc::invalid_signature);
}

TEST_F(AttestationTest, RefusesPackedStatementsOfAnotherForm) {
  const cbor_value sig = *self_statement().find("sig");
  const auto alg = cbor_value::integer(-7);
  const std::vector<std::pair<const char*, cbor_value>> cases = {
      {"no sig", text_map({{"alg", alg}})},
      {"no alg", text_map({{"sig", sig}})},
      {"alg as text", text_map({{"alg", cbor_value::text_string("ES256")}, {"sig", sig}})},
      {"ECDAA",
       text_map({{"alg", alg}, {"sig", sig}, {"ecdaaKeyId", cbor_value::byte_string(bytes(32))}})},
      {"x5c empty", text_map({{"alg", alg}, {"sig", sig}, {"x5c", cbor_value::array({})}})},
      {"x5c not an array",
       text_map({{"alg", alg}, {"sig", sig}, {"x5c", cbor_value::byte_string(bytes(10))}})},
  };
  for (const auto& [name, statement] : cases) {
    SCOPED_TRACE(name);
    EXPECT_EQ(error_of(verify("packed", statement)), errc::malformed_input);
  }
  const cbor_value garbage_cert = text_map(
      {{"alg", alg},
       {"sig", sig},
       {"x5c", cbor_value::array({cbor_value::byte_string(bytes(100, std::byte{0x30}))})}});
  EXPECT_EQ(error_of(verify("packed", garbage_cert)), errc::invalid_key);
}

// Formats we cannot check are refused rather than trusted.
TEST_F(AttestationTest, RefusesUnsupportedFormats) {
  for (std::string_view fmt : {"tpm", "android-key", "fido-u2f", "apple", "Packed", ""}) {
    SCOPED_TRACE(fmt);
    EXPECT_EQ(error_of(verify(fmt, self_statement())), errc::unsupported_algorithm);
  }
}

TEST_F(AttestationTest, RefusesHashOfWrongSize) {
  auto object = parse_attestation_object(
      test::attestation_object_for("packed", self_statement(), auth_data_));
  ASSERT_TRUE(object);
  EXPECT_EQ(error_of(verify_attestation(*object, byte_view(hash_).first(31))),
            errc::malformed_input);
}

// A YubiKey's packed attestation, published by py_webauthn: the leaf certificate is a real
// batch certificate (OU "Authenticator Attestation", AAGUID extension), signed by Yubico's CA.
TEST(PublishedAttestationTest, VerifiesYubiKeyPackedAttestations) {
  for (const auto* vector :
       {&test::published::packed_yubikey_firefox, &test::published::packed_yubikey_okp}) {
    auto object = parse_attestation_object(test::b64(vector->attestation_object));
    ASSERT_TRUE(object) << object.error().message();
    EXPECT_EQ(object->fmt, "packed");
    const jose::sha256_digest hash =
        jose::sha256(as_bytes(as_chars(test::b64(vector->client_data_json))));
    auto verified = verify_attestation(*object, hash);
    ASSERT_TRUE(verified) << verified.error().message();
    EXPECT_EQ(verified->type, attestation_type::basic);
    EXPECT_EQ(verified->certificates.size(), 1U);
    EXPECT_EQ(object->authenticator.attested->credential_id, test::b64(vector->credential_id));
    // The same statement over another client data hash fails: the signature is checked.
    jose::sha256_digest other = hash;
    other[0] ^= std::byte{1};
    EXPECT_EQ(error_of(verify_attestation(*object, other)), errc::invalid_signature);
  }
}

}  // namespace
}  // namespace authpp::webauthn
