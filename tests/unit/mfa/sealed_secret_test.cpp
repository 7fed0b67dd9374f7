#include <authpp/core/base64url.hpp>
#include <authpp/mfa/sealed_secret.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::mfa {
namespace {

const std::vector<std::string> secrets = {"a-long-random-auth-secret-0123456789abcdef"};
const std::string totp_secret = "12345678901234567890";

TEST(SealedSecretTest, OpensForItsUser) {
  const auto sealed = seal_secret(as_bytes(totp_secret), "user-1", secrets);
  ASSERT_TRUE(sealed) << sealed.error().message();
  EXPECT_TRUE(sealed->starts_with("v1."));
  EXPECT_EQ(sealed->find(base64url::encode(totp_secret)), std::string::npos);
  const auto opened = open_secret(*sealed, "user-1", secrets);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(to_string(*opened), totp_secret);
}

TEST(SealedSecretTest, EachSealIsFresh) {
  EXPECT_NE(seal_secret(as_bytes(totp_secret), "user-1", secrets).value(),
            seal_secret(as_bytes(totp_secret), "user-1", secrets).value());
}

// Attack: with write access to the database, an attacker copies their own sealed secret (whose
// codes they know) into the victim's row. It is bound to the attacker's user id and fails.
TEST(SealedSecretTest, SecretMovedToAnotherUserDoesNotOpen) {
  const auto sealed = seal_secret(as_bytes(totp_secret), "attacker", secrets);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(test::error_of(open_secret(*sealed, "victim", secrets)), errc::decryption_failed);
}

// Attack: a stolen database without AUTH_SECRET yields no secret; a flipped byte is detected.
TEST(SealedSecretTest, WrongAuthSecretOrTamperingFails) {
  const auto sealed = seal_secret(as_bytes(totp_secret), "user-1", secrets);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(test::error_of(open_secret(*sealed, "user-1", {"another-secret-of-enough-length"})),
            errc::decryption_failed);
  std::string tampered = *sealed;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(test::error_of(open_secret(tampered, "user-1", secrets)), errc::decryption_failed);
}

TEST(SealedSecretTest, ARotatedSecretStillOpensWhatItsPredecessorSealed) {
  const auto sealed = seal_secret(as_bytes(totp_secret), "user-1", secrets);
  ASSERT_TRUE(sealed);
  const std::vector<std::string> rotated = {"the-new-auth-secret-0123456789abcdef", secrets[0]};
  EXPECT_EQ(to_string(open_secret(*sealed, "user-1", rotated).value()), totp_secret);
}

TEST(SealedSecretTest, MalformedInputIsRefusedBeforeAnyCrypto) {
  const std::vector<std::string> malformed = {"",
                                              "v1.",
                                              "v2.AAAA.AAAA",
                                              "v1.AAAA",
                                              "v1.!!!.AAAA",
                                              "v1.AAAAAAAAAAAAAAAA.AAAA",
                                              "v1." + std::string(2000, 'A')};
  for (const std::string& bad : malformed) {
    EXPECT_EQ(test::error_of(open_secret(bad, "user-1", secrets)), errc::malformed_input) << bad;
  }
  EXPECT_EQ(test::error_of(seal_secret(as_bytes(totp_secret), "user-1", {})), errc::invalid_config);
}

}  // namespace
}  // namespace authpp::mfa
