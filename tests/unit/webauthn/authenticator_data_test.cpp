#include <authpp/webauthn/authenticator_data.hpp>

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"
#include "webauthn_test_support.hpp"

namespace authpp::webauthn {
namespace {

using authpp::test::error_of;
using authpp::test::from_hex;
using test::authenticator_data_for;
using test::test_key;

constexpr std::string_view rp_id = "example.com";

TEST(AuthenticatorDataTest, ParsesFlagsCounterAndAttestedCredential) {
  const test_key key(cose_algorithm::es256);
  const bytes cose = key.cose();
  std::array<std::byte, 16> aaguid{};
  aaguid[0] = std::byte{0xad};
  const bytes id(64, std::byte{0x17});
  const bytes data =
      authenticator_data_for(rp_id, test::flag_up | test::flag_uv | test::flag_be | test::flag_bs,
                             0x01020304, &cose, id, aaguid);
  auto parsed = parse_authenticator_data(data);
  ASSERT_TRUE(parsed) << parsed.error().message();
  const jose::sha256_digest hash = jose::sha256(rp_id);
  EXPECT_TRUE(std::equal(hash.begin(), hash.end(), parsed->rp_id_hash.begin()));
  EXPECT_TRUE(parsed->flags.user_present);
  EXPECT_TRUE(parsed->flags.user_verified);
  EXPECT_TRUE(parsed->flags.backup_eligible);
  EXPECT_TRUE(parsed->flags.backed_up);
  EXPECT_TRUE(parsed->flags.attested_credential);
  EXPECT_FALSE(parsed->flags.extension_data);
  EXPECT_EQ(parsed->sign_count, 0x01020304U);
  ASSERT_TRUE(parsed->attested);
  EXPECT_EQ(parsed->attested->aaguid, aaguid);
  EXPECT_EQ(parsed->attested->credential_id, id);
  EXPECT_EQ(parsed->attested->public_key, cose);
  EXPECT_FALSE(parsed->extensions);
}

TEST(AuthenticatorDataTest, ParsesAnAssertionsAuthenticatorData) {
  auto parsed = parse_authenticator_data(authenticator_data_for(rp_id, test::flag_up, 7));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->flags.user_present);
  EXPECT_FALSE(parsed->flags.user_verified);
  EXPECT_EQ(parsed->sign_count, 7U);
  EXPECT_FALSE(parsed->attested);
}

// The key's length is not in the data: only the CBOR decoder knows where the extensions begin.
TEST(AuthenticatorDataTest, ParsesExtensionsAfterTheCredentialKey) {
  const test_key key(cose_algorithm::eddsa);
  const bytes cose = key.cose();
  bytes data = authenticator_data_for(rp_id, test::flag_up | test::flag_ed, 1, &cose);
  const bytes extensions = from_hex("a16b6372656450726f7465637402");  // {"credProtect": 2}
  data.insert(data.end(), extensions.begin(), extensions.end());
  auto parsed = parse_authenticator_data(data);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->attested->public_key, cose);
  ASSERT_TRUE(parsed->extensions);
  EXPECT_EQ(parsed->extensions->find("credProtect")->as_int64(), 2);
}

TEST(AuthenticatorDataTest, RefusesTruncatedAuthenticatorData) {
  const test_key key(cose_algorithm::es256);
  const bytes cose = key.cose();
  const bytes data = authenticator_data_for(rp_id, test::flag_up, 1, &cose);
  for (std::size_t n = 0; n < data.size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_EQ(error_of(parse_authenticator_data(byte_view(data).first(n))), errc::malformed_input);
  }
}

// Bytes that no flag announces would be signed but never looked at.
TEST(AuthenticatorDataTest, RefusesTrailingBytes) {
  bytes assertion = authenticator_data_for(rp_id, test::flag_up, 1);
  assertion.push_back(std::byte{0xa0});
  EXPECT_EQ(error_of(parse_authenticator_data(assertion)), errc::malformed_input);

  const test_key key(cose_algorithm::es256);
  const bytes cose = key.cose();
  bytes registration = authenticator_data_for(rp_id, test::flag_up, 1, &cose);
  registration.push_back(std::byte{0x00});
  EXPECT_EQ(error_of(parse_authenticator_data(registration)), errc::malformed_input);

  bytes extensions = authenticator_data_for(rp_id, test::flag_up | test::flag_ed, 1);
  for (std::byte b : from_hex("a0"
                              "00"))
    extensions.push_back(b);
  EXPECT_EQ(error_of(parse_authenticator_data(extensions)), errc::malformed_input);
}

TEST(AuthenticatorDataTest, RefusesFlagsAnnouncingAbsentData) {
  EXPECT_EQ(error_of(parse_authenticator_data(
                authenticator_data_for(rp_id, test::flag_up | test::flag_at, 1))),
            errc::malformed_input);
  EXPECT_EQ(error_of(parse_authenticator_data(
                authenticator_data_for(rp_id, test::flag_up | test::flag_ed, 1))),
            errc::malformed_input);
  bytes not_a_map = authenticator_data_for(rp_id, test::flag_up | test::flag_ed, 1);
  not_a_map.push_back(std::byte{0x01});
  EXPECT_EQ(error_of(parse_authenticator_data(not_a_map)), errc::malformed_input);
}

TEST(AuthenticatorDataTest, RefusesCredentialIdsOutsideOneTo1023Bytes) {
  const test_key key(cose_algorithm::es256);
  const bytes cose = key.cose();
  EXPECT_TRUE(parse_authenticator_data(
      authenticator_data_for(rp_id, test::flag_up, 1, &cose, bytes(1023, std::byte{1}))));
  EXPECT_EQ(error_of(parse_authenticator_data(
                authenticator_data_for(rp_id, test::flag_up, 1, &cose, bytes(1024, std::byte{1})))),
            errc::malformed_input);
  EXPECT_EQ(error_of(parse_authenticator_data(
                authenticator_data_for(rp_id, test::flag_up, 1, &cose, bytes()))),
            errc::malformed_input);
  // A declared length far beyond the data.
  bytes huge = authenticator_data_for(rp_id, test::flag_up, 1, &cose, bytes(16, std::byte{1}));
  huge[37 + 16] = std::byte{0x03};
  huge[37 + 17] = std::byte{0xff};
  EXPECT_EQ(error_of(parse_authenticator_data(huge)), errc::malformed_input);
}

// §6.1.3: BS without BE is a contradiction, and a stored "backed up" flag would be a lie.
TEST(AuthenticatorDataTest, RefusesBackupStateWithoutBackupEligibility) {
  EXPECT_EQ(error_of(parse_authenticator_data(
                authenticator_data_for(rp_id, test::flag_up | test::flag_bs, 1))),
            errc::malformed_input);
}

TEST(AuthenticatorDataTest, RefusesOversizedInputBeforeParsing) {
  EXPECT_EQ(error_of(parse_authenticator_data(bytes(max_authenticator_data_size + 1))),
            errc::limit_exceeded);
}

TEST(AuthenticatorDataTest, RefusesCredentialKeyThatIsNotCborMap) {
  const bytes not_a_map = from_hex("8101");
  EXPECT_EQ(error_of(parse_authenticator_data(
                authenticator_data_for(rp_id, test::flag_up, 1, &not_a_map))),
            errc::malformed_input);
  const bytes bomb(100, std::byte{0x81});
  EXPECT_EQ(
      error_of(parse_authenticator_data(authenticator_data_for(rp_id, test::flag_up, 1, &bomb))),
      errc::limit_exceeded);
}

}  // namespace
}  // namespace authpp::webauthn
