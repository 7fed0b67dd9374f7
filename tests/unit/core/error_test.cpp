#include <authpp/core/error.hpp>

#include <set>
#include <utility>

#include <gtest/gtest.h>

namespace authpp {
namespace {

// Every code has a message of its own. The test names each block's first and last code: a code
// without a phrase fails (the category answers "unknown error"), and a code appended to a block
// without widening the range here fails too, so the check cannot silently stop short.
TEST(ErrorTest, EveryCodeHasAMessage) {
  const std::error_category& cat = error_category();
  EXPECT_STREQ(cat.name(), "authpp");
  const std::pair<errc, errc> blocks[] = {
      {errc::malformed_input, errc::not_built},
      {errc::malformed_token, errc::invalid_signature},
      {errc::missing_csrf, errc::missing_chunk},
      {errc::storage_failure, errc::unsupported_schema_version},
      {errc::invalid_config, errc::engine_failure},
      {errc::transport_failure, errc::cookie_rejected},
      {errc::dns_failure, errc::bad_http},
      {errc::mail_rejected, errc::mail_auth_failed},
  };
  std::set<std::string> seen;
  for (const auto& [first, last] : blocks) {
    for (int v = static_cast<int>(first); v <= static_cast<int>(last); ++v) {
      const std::string m = cat.message(v);
      EXPECT_NE(m, "unknown error") << v;
      EXPECT_FALSE(m.empty()) << v;
      EXPECT_TRUE(seen.insert(m).second) << v << " repeats the message " << m;
    }
    EXPECT_EQ(cat.message(static_cast<int>(last) + 1), "unknown error")
        << "a code follows " << static_cast<int>(last) << ": widen its block here";
  }
  EXPECT_EQ(make_error_code(errc::token_expired).message(), "token expired");
  EXPECT_EQ(make_error_code(errc::missing_chunk).message(), "missing cookie chunk");
  EXPECT_EQ(make_error_code(errc::invalid_signature).message(), "invalid signature");
}

TEST(ErrorTest, MessageJoinsPhraseAndDetail) {
  EXPECT_EQ((auth_error{errc::invalid_hex, "odd length"}.message()), "invalid hex: odd length");
  EXPECT_EQ((auth_error{errc::invalid_hex, ""}.message()), "invalid hex");
}

TEST(ErrorTest, ErrcConvertsToErrorCode) {
  const std::error_code ec = errc::decryption_failed;
  EXPECT_EQ(ec.category(), error_category());
  EXPECT_EQ(ec.value(), 202);
  // Appended to the jose block, so the codes before them keep their numbers.
  EXPECT_EQ(static_cast<int>(errc::no_matching_key), 209);
  EXPECT_EQ(static_cast<int>(errc::invalid_signature), 210);
  EXPECT_EQ(static_cast<int>(errc::mail_rejected), 900);
}

}  // namespace
}  // namespace authpp
