#include <authpp/core/hex.hpp>
#include <authpp/jose/hkdf.hpp>

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using test::error_of;
using test::from_hex;

bytes range(int first, int last) {
  bytes out;
  for (int i = first; i <= last; ++i) out.push_back(static_cast<std::byte>(i));
  return out;
}

// RFC 5869 Appendix A.1: basic test case with SHA-256.
TEST(HkdfTest, Rfc5869Case1) {
  const bytes ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const bytes salt = from_hex("000102030405060708090a0b0c");
  const bytes info = from_hex("f0f1f2f3f4f5f6f7f8f9");
  EXPECT_EQ(hex::encode(hkdf_sha256(ikm, salt, info, 42).value()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 Appendix A.2: longer inputs and outputs (80-byte IKM, salt and info; L = 82).
TEST(HkdfTest, Rfc5869Case2) {
  EXPECT_EQ(
      hex::encode(hkdf_sha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82).value()),
      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
      "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
      "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

// RFC 5869 Appendix A.3: zero-length salt and info (the salt defaults to HashLen zeros, §2.2).
TEST(HkdfTest, Rfc5869Case3EmptySaltAndInfo) {
  const bytes ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  EXPECT_EQ(hex::encode(hkdf_sha256(ikm, {}, {}, 42).value()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  const bytes zeros(32);
  EXPECT_EQ(hkdf_sha256(ikm, zeros, {}, 42).value(), hkdf_sha256(ikm, {}, {}, 42).value());
}

TEST(HkdfTest, ShorterOutputIsAPrefix) {
  const bytes ikm = from_hex("0b0b0b0b");
  const bytes long_key = hkdf_sha256(ikm, {}, {}, 64).value();
  const bytes short_key = hkdf_sha256(ikm, {}, {}, 32).value();
  EXPECT_EQ(short_key, bytes(long_key.begin(), long_key.begin() + 32));
}

// RFC 5869 §2.3: L <= 255 * HashLen. A zero-length key is never what a caller meant.
TEST(HkdfTest, RefusesLengthsOutsideOneTo8160) {
  const bytes ikm = from_hex("0b");
  EXPECT_EQ(error_of(hkdf_sha256(ikm, {}, {}, 0)), errc::invalid_key);
  EXPECT_EQ(error_of(hkdf_sha256(ikm, {}, {}, hkdf_sha256_max_length + 1)), errc::invalid_key);
  auto longest = hkdf_sha256(ikm, {}, {}, hkdf_sha256_max_length);
  ASSERT_TRUE(longest);
  EXPECT_EQ(longest->size(), 8160u);
}

TEST(HkdfTest, InfoLongerThan1024BytesIsALimit) {
  const bytes ikm = from_hex("0b");
  EXPECT_TRUE(hkdf_sha256(ikm, {}, bytes(1024), 32));
  EXPECT_EQ(error_of(hkdf_sha256(ikm, {}, bytes(1025), 32)), errc::limit_exceeded);
}

}  // namespace
}  // namespace authpp::jose
