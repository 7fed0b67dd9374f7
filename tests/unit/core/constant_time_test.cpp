#include <authpp/core/constant_time.hpp>

#include <gtest/gtest.h>

namespace authpp {
namespace {

TEST(ConstantTimeTest, EqualOnlyForIdenticalContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  // A difference in the first byte is found as surely as one in the last.
  EXPECT_FALSE(constant_time_equal("xbc", "abc"));
}

}  // namespace
}  // namespace authpp
