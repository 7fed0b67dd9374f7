#include <authpp/core/hex.hpp>
#include <authpp/core/random.hpp>

#include <array>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support/test_support.hpp"

namespace authpp {
namespace {

// The outputs seen so far are kept as hex: GCC 12 at -O3 reports a false -Wstringop-overread
// inside std::vector<std::byte>'s operator<=>, which a std::set<bytes> calls.
TEST(RandomTest, SystemRandomProducesDistinctOutputs) {
  std::set<std::string> seen;
  for (int i = 0; i < 32; ++i) {
    auto b = random_bytes(default_random(), 32);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->size(), 32u);
    EXPECT_TRUE(seen.insert(hex::encode(*b)).second) << "repeated 32-byte output";
  }
}

// Nonce reuse across fork: a child must not hand out the bytes its parent's pool still holds.
TEST(RandomTest, ForkedChildDrawsOtherBytesThanItsParent) {
  ASSERT_TRUE(random_bytes(default_random(), 16));  // this thread's pool now holds bytes
  std::array<int, 2> fds{};
  ASSERT_EQ(pipe(fds.data()), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto drawn = random_bytes(default_random(), 16);
    const bool sent = drawn && write(fds[1], drawn->data(), drawn->size()) == 16;
    _exit(sent ? 0 : 1);
  }
  const auto parent = random_bytes(default_random(), 16);
  bytes child(16);
  const ssize_t got = read(fds[0], child.data(), child.size());
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  close(fds[1]);
  ASSERT_TRUE(parent);
  ASSERT_EQ(got, 16);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(*parent, child);
}

// Requests of every size, pooled (up to 64 bytes) or not, are filled and never repeat.
TEST(RandomTest, PooledAndDirectDrawsDoNotRepeat) {
  std::set<std::string> seen;
  for (std::size_t n : {1, 15, 16, 17, 63, 64, 65, 512, 600}) {
    for (int i = 0; i < 40; ++i) {
      auto b = random_bytes(default_random(), n);
      ASSERT_TRUE(b);
      ASSERT_EQ(b->size(), n);
      if (n >= 16) {
        EXPECT_TRUE(seen.insert(hex::encode(*b)).second) << n;
      }
    }
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
