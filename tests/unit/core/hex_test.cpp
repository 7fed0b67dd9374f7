#include <authpp/core/hex.hpp>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp {
namespace {

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(hex::encode(test::from_hex("00ff10AB")), "00ff10ab");
  EXPECT_EQ(hex::encode(bytes{}), "");
}

TEST(HexTest, DecodesEitherCase) {
  EXPECT_EQ(hex::decode("00FF10ab").value(), test::from_hex("00ff10ab"));
}

TEST(HexTest, RejectsOddLengthAndNonDigits) {
  EXPECT_EQ(test::error_of(hex::decode("abc")), errc::invalid_hex);
  EXPECT_EQ(test::error_of(hex::decode("zz")), errc::invalid_hex);
  EXPECT_EQ(test::error_of(hex::decode("0x")), errc::invalid_hex);
}

}  // namespace
}  // namespace authpp
