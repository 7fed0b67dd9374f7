#include <authpp/core/error.hpp>

#include <gtest/gtest.h>

namespace authpp {
namespace {

// Every code has a message of its own: a new enumerator without one fails here.
TEST(ErrorTest, EveryCodeHasAMessage) {
  const std::error_category& cat = error_category();
  EXPECT_STREQ(cat.name(), "authpp");
  for (int block : {100, 200, 300, 500, 600, 700}) {
    for (int v = block; v < block + 100; ++v) {
      const std::string m = cat.message(v);
      if (m == "unknown error") break;
      EXPECT_FALSE(m.empty()) << v;
    }
  }
  EXPECT_EQ(make_error_code(errc::token_expired).message(), "token expired");
  EXPECT_EQ(make_error_code(errc::missing_chunk).message(), "missing cookie chunk");
}

TEST(ErrorTest, MessageJoinsPhraseAndDetail) {
  EXPECT_EQ((auth_error{errc::invalid_hex, "odd length"}.message()), "invalid hex: odd length");
  EXPECT_EQ((auth_error{errc::invalid_hex, ""}.message()), "invalid hex");
}

TEST(ErrorTest, ErrcConvertsToErrorCode) {
  const std::error_code ec = errc::decryption_failed;
  EXPECT_EQ(ec.category(), error_category());
  EXPECT_EQ(ec.value(), 202);
}

}  // namespace
}  // namespace authpp
