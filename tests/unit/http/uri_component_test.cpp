#include <authpp/http/uri_component.hpp>

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::http {
namespace {

// The unreserved set of ECMA-262 §19.2.6.5, derived by hand: A–Z a–z 0–9 and - _ . ! ~ * ' ( ).
bool js_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("-_.!~*'()").find(static_cast<char>(c)) != std::string_view::npos;
}

TEST(UriComponentTest, EncodesEveryByteLikeEncodeUriComponent) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  for (unsigned b = 0; b < 256; ++b) {
    SCOPED_TRACE(testing::Message() << "byte " << b);
    const std::string in(1, static_cast<char>(b));
    std::string expected;
    if (js_unreserved(static_cast<unsigned char>(b))) {
      expected = in;
    } else {
      expected = {'%', hex[b >> 4], hex[b & 15]};
    }
    EXPECT_EQ(encode_uri_component(in), expected);
  }
}

TEST(UriComponentTest, EncodesCookieValuesAsAuthJsDoes) {
  // client-wire.md §5.2.
  EXPECT_EQ(encode_uri_component("http://localhost:3000/dashboard"),
            "http%3A%2F%2Flocalhost%3A3000%2Fdashboard");
  EXPECT_EQ(encode_uri_component("a|b"), "a%7Cb");
  EXPECT_EQ(encode_uri_component("#?=&"), "%23%3F%3D%26");
  EXPECT_EQ(encode_uri_component("eyJ.a-b_c"), "eyJ.a-b_c");
  EXPECT_EQ(encode_uri_component("\xC3\xA9"), "%C3%A9");  // é
  EXPECT_EQ(encode_uri_component(""), "");
}

TEST(UriComponentTest, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(decode_uri_component("http%3a%2F%2Fx").value(), "http://x");
  EXPECT_EQ(decode_uri_component("%C3%A9t%C3%A9").value(), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(decode_uri_component("a+b").value(), "a+b");  // `+` is not a space here
  EXPECT_EQ(decode_uri_component("%00").value(), std::string(1, '\0'));
  EXPECT_EQ(decode_uri_component("\xC3\xA9").value(), "\xC3\xA9");  // raw UTF-8 passes
}

TEST(UriComponentTest, RejectsTruncatedOrNonHexEscapes) {
  for (std::string_view bad : {"%", "%4", "a%zz", "%%41", "%G0", "100%"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(decode_uri_component(bad)), errc::invalid_percent_encoding);
  }
}

// decodeURIComponent throws URIError on these; accepting them would let two different byte
// strings decode to look-alike text.
TEST(UriComponentTest, RejectsEscapesThatAreNotUtf8) {
  for (std::string_view bad :
       {"%C3", "%C3%28", "%C0%AF" /* overlong '/' */, "%ED%A0%80" /* U+D800 */,
        "%F4%90%80%80" /* > U+10FFFF */, "%FF", "%80", "%C3\xC3\xA9"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(decode_uri_component(bad)), errc::invalid_percent_encoding);
  }
}

TEST(UriComponentTest, RejectsRawInvalidUtf8) {
  EXPECT_EQ(test::error_of(decode_uri_component("\xFF%41")), errc::invalid_percent_encoding);
  EXPECT_EQ(test::error_of(decode_uri_component("\xC3%A9")), errc::invalid_percent_encoding);
}

TEST(UriComponentTest, RoundTripsEveryByteSequenceThatIsUtf8) {
  const std::string text = "a b/c?d=e&f|g\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80~*'()!";
  EXPECT_EQ(decode_uri_component(encode_uri_component(text)).value(), text);
}

}  // namespace
}  // namespace authpp::http
