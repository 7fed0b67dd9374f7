#include <authpp/core/result.hpp>

#include <string>
#include <type_traits>

#include <gtest/gtest.h>

namespace authpp {
namespace {

result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return auth_error{errc::malformed_input, "not a digit"};
  return c - '0';
}

TEST(ResultTest, HoldsValueOrError) {
  auto ok = parse_digit('7');
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 7);
  EXPECT_EQ(ok.value(), 7);

  auto bad = parse_digit('x');
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::malformed_input);
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(ResultTest, ValueOnErrorThrowsWithTheError) {
  auto bad = parse_digit('x');
  try {
    (void)bad.value();
    FAIL() << "value() did not throw";
  } catch (const bad_result_access& e) {
    EXPECT_EQ(e.error().code, errc::malformed_input);
  }
}

// Like std::expected, a default-constructed result holds a value-initialised T (Asio's co_spawn
// needs one); a T without a default constructor gives a result without one.
TEST(ResultTest, DefaultConstructsAValueInitialisedValueLikeExpected) {
  const result<int> r;
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 0);
  struct no_default {
    explicit no_default(int) {}
  };
  static_assert(!std::is_default_constructible_v<result<no_default>>);
  static_assert(std::is_default_constructible_v<result<std::string>>);
}

TEST(ResultTest, VoidResult) {
  result<void> ok;
  EXPECT_TRUE(ok);
  EXPECT_NO_THROW(ok.value());
  result<void> bad = auth_error{errc::limit_exceeded, "too long"};
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::limit_exceeded);
  EXPECT_THROW(bad.value(), bad_result_access);
}

TEST(ResultTest, MovesOutValue) {
  result<std::string> r = std::string(100, 'a');
  std::string s = std::move(r).value();
  EXPECT_EQ(s.size(), 100u);
}

}  // namespace
}  // namespace authpp
