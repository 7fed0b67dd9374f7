#include <authpp/core/random.hpp>

#include <set>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp {
namespace {

TEST(RandomTest, SystemRandomProducesDistinctOutputs) {
  std::set<bytes> seen;
  for (int i = 0; i < 32; ++i) {
    auto b = random_bytes(default_random(), 32);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->size(), 32u);
    EXPECT_TRUE(seen.insert(*b).second) << "repeated 32-byte output";
  }
}

TEST(RandomTest, UuidHasVersion4Shape) {
  test::counting_random source;
  auto id = random_uuid(source);
  ASSERT_TRUE(id);
  // bytes 00..0f with the version and variant bits forced.
  EXPECT_EQ(*id, "00010203-0405-4607-8809-0a0b0c0d0e0f");
  auto real = random_uuid(default_random());
  ASSERT_TRUE(real);
  ASSERT_EQ(real->size(), 36u);
  EXPECT_EQ((*real)[14], '4');
  EXPECT_NE(std::string("89ab").find((*real)[19]), std::string::npos);
}

TEST(RandomTest, FailureOfTheSourcePropagates) {
  test::failing_random source;
  EXPECT_EQ(test::error_of(random_bytes(source, 4)), errc::random_failure);
  EXPECT_EQ(test::error_of(random_uuid(source)), errc::random_failure);
}

}  // namespace
}  // namespace authpp
