#include <authpp/core/base64url.hpp>

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp {
namespace {

using test::error_of;

// RFC 4648 §10 vectors, in the unpadded URL-safe alphabet of §5.
TEST(Base64urlTest, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64url::encode(""), "");
  EXPECT_EQ(base64url::encode("f"), "Zg");
  EXPECT_EQ(base64url::encode("fo"), "Zm8");
  EXPECT_EQ(base64url::encode("foo"), "Zm9v");
  EXPECT_EQ(base64url::encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url::encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url::encode("foobar"), "Zm9vYmFy");
}

TEST(Base64urlTest, DecodesRfc4648Vectors) {
  for (std::string_view plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    SCOPED_TRACE(plain);
    auto decoded = base64url::decode(base64url::encode(plain));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(to_string(*decoded), plain);
  }
}

TEST(Base64urlTest, UsesUrlSafeAlphabet) {
  const bytes data = test::from_hex("fbff");
  EXPECT_EQ(base64url::encode(data), "-_8");
  EXPECT_EQ(base64url::decode("-_8").value(), data);
}

TEST(Base64urlTest, RoundTripsEveryByteValueAtEveryLength) {
  bytes data;
  for (int i = 0; i < 256; ++i) {
    data.push_back(static_cast<std::byte>(i));
    auto decoded = base64url::decode(base64url::encode(data));
    ASSERT_TRUE(decoded) << i;
    EXPECT_EQ(*decoded, data);
  }
}

// A padded segment is a second spelling of the same bytes: refuse it (JWS/JWE forbid padding).
TEST(Base64urlTest, RejectsPadding) {
  EXPECT_EQ(error_of(base64url::decode("Zg==")), errc::invalid_base64url);
  EXPECT_EQ(error_of(base64url::decode("Zm8=")), errc::invalid_base64url);
}

// Standard base64's `+` and `/` (and anything else) are outside the URL-safe alphabet.
TEST(Base64urlTest, RejectsCharactersOutsideTheAlphabet) {
  using namespace std::string_view_literals;
  for (std::string_view bad :
       {"+_8A"sv, "-/8A"sv, "Zm9v Yg"sv, "Zm9v\nYg"sv, "Zm9v."sv, "Zm\0v"sv}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_of(base64url::decode(bad)), errc::invalid_base64url);
  }
}

// RFC 4648 §3.5: "Zh" carries the same byte as "Zg" with a non-zero unused bit. Accepting it
// would let a tampered token character go unnoticed.
TEST(Base64urlTest, RejectsNonZeroTrailingBits) {
  EXPECT_TRUE(base64url::decode("Zg"));
  EXPECT_EQ(error_of(base64url::decode("Zh")), errc::invalid_base64url);
  EXPECT_TRUE(base64url::decode("Zm8"));
  EXPECT_EQ(error_of(base64url::decode("Zm9")), errc::invalid_base64url);
}

TEST(Base64urlTest, RejectsImpossibleLength) {
  EXPECT_EQ(error_of(base64url::decode("Z")), errc::invalid_base64url);
  EXPECT_EQ(error_of(base64url::decode("Zm9vY")), errc::invalid_base64url);
}

// RFC 4648 §10 vectors in the standard, padded alphabet (used for CSP hashes).
TEST(Base64Test, EncodesPaddedStandardAlphabet) {
  EXPECT_EQ(base64::encode(as_bytes("")), "");
  EXPECT_EQ(base64::encode(as_bytes("f")), "Zg==");
  EXPECT_EQ(base64::encode(as_bytes("fo")), "Zm8=");
  EXPECT_EQ(base64::encode(as_bytes("foo")), "Zm9v");
  EXPECT_EQ(base64::encode(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64::encode(test::from_hex("fbff")), "+/8=");
}

}  // namespace
}  // namespace authpp
