#include <authpp/cookies/chunking.hpp>
#include <authpp/cookies/names.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::cookies {
namespace {

using namespace std::chrono;
using request = std::vector<http::cookie>;

constexpr std::string_view base = "authjs.session-token";
constexpr std::string_view secure_base = "__Secure-authjs.session-token";

// A JWE-like value: base64url characters, so encodeURIComponent leaves it unchanged.
std::string jwe_like(std::size_t n) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += alphabet[(i * 7 + 3) % alphabet.size()];
  return s;
}

class ChunkingTest : public ::testing::Test {
 protected:
  http::set_cookie attributes_ = [] {
    http::set_cookie a = default_cookie_attributes(false);
    a.expires = sys_days{2026y / December / 27} + 3h + 39min + 3s;
    return a;
  }();

  std::vector<std::string> names(const std::vector<http::set_cookie>& out) {
    std::vector<std::string> n;
    for (const auto& c : out) n.push_back(c.name);
    return n;
  }
};

TEST_F(ChunkingTest, ShortValueIsOneCookieUnderTheBaseName) {
  const auto out = write_session_cookie(base, "jwe", {}, attributes_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(http::serialize(out[0]),
            "authjs.session-token=jwe; Path=/; Expires=Sun, 27 Dec 2026 03:39:03 GMT; HttpOnly; "
            "SameSite=Lax");
}

TEST_F(ChunkingTest, ChunkBoundaryIsExactly3936Characters) {
  EXPECT_EQ(names(write_session_cookie(base, jwe_like(3936), {}, attributes_)),
            (std::vector<std::string>{"authjs.session-token"}));
  const auto out = write_session_cookie(base, jwe_like(3937), {}, attributes_);
  ASSERT_EQ(names(out),
            (std::vector<std::string>{"authjs.session-token.0", "authjs.session-token.1"}));
  EXPECT_EQ(out[0].value.size(), 3936u);
  EXPECT_EQ(out[1].value, jwe_like(3937).substr(3936));
}

// TV-14: an 8,414-character JWE over https.
TEST_F(ChunkingTest, Tv14EightThousandFourHundredFourteenCharacters) {
  const std::string value = jwe_like(8414);
  http::set_cookie attributes = default_cookie_attributes(true);
  const auto out = write_session_cookie(secure_base, value, {}, attributes);
  ASSERT_EQ(names(out), (std::vector<std::string>{"__Secure-authjs.session-token.0",
                                                  "__Secure-authjs.session-token.1",
                                                  "__Secure-authjs.session-token.2"}));
  EXPECT_EQ(out[0].value.size(), 3936u);
  EXPECT_EQ(out[1].value.size(), 3936u);
  EXPECT_EQ(out[2].value.size(), 542u);
  EXPECT_EQ(out[0].value + out[1].value + out[2].value, value);
  EXPECT_EQ(out[0].name.size() + 1 + out[0].value.size(), 3968u);
  for (const auto& c : out) EXPECT_TRUE(c.secure);
}

// TV-14: a chunked session refreshed into one cookie deletes the chunks, in request order,
// then writes the base cookie. Leftover chunks would otherwise be reassembled later.
TEST_F(ChunkingTest, Tv14ChunkedToSingleDeletesChunksInRequestOrder) {
  const request req = {
      {"authjs.session-token.1", "b"}, {"other", "x"}, {"authjs.session-token.0", "a"}};
  const auto out = write_session_cookie(base, "jwe", req, attributes_);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(http::serialize(out[0]),
            "authjs.session-token.1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(http::serialize(out[1]),
            "authjs.session-token.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(out[2].name, "authjs.session-token");
  EXPECT_EQ(out[2].value, "jwe");
  EXPECT_EQ(out[2].expires, attributes_.expires);
}

// Header injection through cookie names: behind a front end that passes NUL, control characters
// or bytes above 0x7F in a Cookie header, the clean-up of "every cookie named like the session"
// would echo them into Set-Cookie. Found by the engine_request fuzz target (its seed
// fuzz/corpus/engine_request/nul-in-session-cookie-name); such a name is left alone.
TEST_F(ChunkingTest, ASessionCookieNameThatIsNoTokenIsNeverEchoed) {
  const request req = {{std::string("authjs.session-token\0x", 22), "a"},
                       {"authjs.session-token\xba", "b"},
                       {"authjs.session-token\r", "c"},
                       {"authjs.session-token.1", "d"}};
  const auto out = clear_session_cookie(base, req, attributes_);
  ASSERT_EQ(names(out), std::vector<std::string>{"authjs.session-token.1"});
  const auto written = write_session_cookie(base, "jwe", req, attributes_);
  for (const auto& c : written) EXPECT_TRUE(http::check_set_cookie(c)) << c.name;
}

TEST_F(ChunkingTest, SingleToChunkedDeletesTheBaseCookieFirst) {
  const request req = {{"authjs.session-token", "old"}};
  const auto out = write_session_cookie(base, jwe_like(5000), req, attributes_);
  EXPECT_EQ(names(out), (std::vector<std::string>{"authjs.session-token", "authjs.session-token.0",
                                                  "authjs.session-token.1"}));
  EXPECT_EQ(out[0].max_age, 0);
  EXPECT_EQ(out[0].value, "");
}

// A new chunk replaces the deletion of the same name in place; only surplus old chunks are
// deleted.
TEST_F(ChunkingTest, FewerChunksReplaceDeletionsInPlace) {
  const request req = {{"authjs.session-token.0", "a"},
                       {"authjs.session-token.1", "b"},
                       {"authjs.session-token.2", "c"}};
  const auto out = write_session_cookie(base, jwe_like(5000), req, attributes_);
  ASSERT_EQ(names(out),
            (std::vector<std::string>{"authjs.session-token.0", "authjs.session-token.1",
                                      "authjs.session-token.2"}));
  EXPECT_EQ(out[0].value.size(), 3936u);
  EXPECT_FALSE(out[0].max_age);
  EXPECT_EQ(out[1].value.size(), 5000u - 3936u);
  EXPECT_EQ(out[2].value, "");
  EXPECT_EQ(out[2].max_age, 0);
  EXPECT_FALSE(out[2].expires);
}

TEST_F(ChunkingTest, EmptyOrForeignOrRepeatedCookiesAreNotDeletedTwice) {
  const request req = {{"authjs.session-token", ""},
                       {"authjs.csrf-token", "x"},
                       {"authjs.session-token.0", "a"},
                       {"authjs.session-token.0", "again"}};
  const auto out = clear_session_cookie(base, req, attributes_);
  EXPECT_EQ(names(out), (std::vector<std::string>{"authjs.session-token.0"}));
  EXPECT_TRUE(clear_session_cookie(base, {}, attributes_).empty());
}

TEST_F(ChunkingTest, EmptyValueOnlyDeletes) {
  const request req = {{"authjs.session-token", "old"}};
  const auto out = write_session_cookie(base, "", req, attributes_);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].max_age, 0);
}

TEST_F(ChunkingTest, ReadsTheUnsuffixedCookie) {
  EXPECT_EQ(read_session_cookie(base, {{"x", "1"}, {"authjs.session-token", "jwe"}}).value(),
            "jwe");
}

TEST_F(ChunkingTest, NothingPresentIsNullopt) {
  EXPECT_EQ(read_session_cookie(base, {}).value(), std::nullopt);
  EXPECT_EQ(read_session_cookie(base, {{"authjs.session-token", ""}}).value(), std::nullopt);
  EXPECT_EQ(read_session_cookie(base, {{"authjs.session-token-legacy", "x"}}).value(),
            std::nullopt);
}

// TV-14: reassembly orders by number, not by position in the Cookie header.
TEST_F(ChunkingTest, Tv14ReassemblesChunksListedOutOfOrder) {
  const request req = {{"authjs.session-token.1", "BBB"},
                       {"authjs.session-token.2", "C"},
                       {"authjs.session-token.0", "AAA"}};
  EXPECT_EQ(read_session_cookie(base, req).value(), "AAABBBC");
  // Beyond nine chunks the order is numeric, not lexicographic ("10" after "9").
  request many;
  std::string expected;
  for (int i = 11; i >= 0; --i) many.push_back({std::string(base) + "." + std::to_string(i), ""});
  for (int i = 0; i < 12; ++i) {
    many[static_cast<std::size_t>(11 - i)].value = std::to_string(i) + ",";
    expected += std::to_string(i) + ",";
  }
  EXPECT_EQ(read_session_cookie(base, many).value(), expected);
}

TEST_F(ChunkingTest, WriteThenReadRoundTrips) {
  for (const std::size_t n : {1u, 3936u, 3937u, 8414u, 20000u}) {
    SCOPED_TRACE(n);
    const std::string value = jwe_like(n);
    request req;
    for (const auto& c : write_session_cookie(base, value, {}, attributes_)) {
      req.push_back({c.name, c.value});
    }
    EXPECT_EQ(read_session_cookie(base, req).value(), value);
  }
}

// A dropped chunk must not yield a shorter (different) token silently.
TEST_F(ChunkingTest, GapInChunksIsMissingChunk) {
  EXPECT_EQ(test::error_of(read_session_cookie(
                base, {{"authjs.session-token.0", "a"}, {"authjs.session-token.2", "c"}})),
            errc::missing_chunk);
  EXPECT_EQ(test::error_of(read_session_cookie(base, {{"authjs.session-token.1", "b"}})),
            errc::missing_chunk);
  // An emptied chunk counts as absent.
  EXPECT_EQ(test::error_of(read_session_cookie(
                base, {{"authjs.session-token.0", ""}, {"authjs.session-token.1", "b"}})),
            errc::missing_chunk);
}

TEST_F(ChunkingTest, NonNumericSuffixIsMissingChunk) {
  for (std::string_view suffix : {".x", ".", ".01", ".-1", ".+1", ".0.1", ". 0", ".1e1"}) {
    SCOPED_TRACE(suffix);
    const request req = {{"authjs.session-token.0", "a"},
                         {std::string(base) + std::string(suffix), "b"}};
    EXPECT_EQ(test::error_of(read_session_cookie(base, req)), errc::missing_chunk);
  }
  EXPECT_EQ(test::error_of(read_session_cookie(base, {{"authjs.session-token.0", "a"},
                                                      {"authjs.session-token.99999999999", "b"}})),
            errc::missing_chunk);
}

TEST_F(ChunkingTest, UnsuffixedCookieIsIgnoredWhenChunksArePresent) {
  const request req = {{"authjs.session-token", "stale"}, {"authjs.session-token.0", "new"}};
  EXPECT_EQ(read_session_cookie(base, req).value(), "new");
}

TEST_F(ChunkingTest, RepeatedChunkNameUsesTheFirstOccurrence) {
  const request req = {{"authjs.session-token.0", "a"},
                       {"authjs.session-token.0", "evil"},
                       {"authjs.session-token.1", "b"}};
  EXPECT_EQ(read_session_cookie(base, req).value(), "ab");
}

// Reassembly work is bounded whatever the number of chunk cookies sent.
TEST_F(ChunkingTest, TooManyChunksIsLimitExceeded) {
  request req;
  for (std::size_t i = 0; i <= max_chunks; ++i) {
    req.push_back({std::string(base) + "." + std::to_string(i), "x"});
  }
  EXPECT_EQ(test::error_of(read_session_cookie(base, req)), errc::limit_exceeded);
  req.pop_back();
  EXPECT_EQ(read_session_cookie(base, req).value(), std::string(max_chunks, 'x'));
}

}  // namespace
}  // namespace authpp::cookies
