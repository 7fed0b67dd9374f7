#include <authpp/http/form.hpp>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::http {
namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs parse_pairs(std::string_view input) {
  return url_search_params::parse(input).value().pairs();
}

const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

// The body next-auth/react's signIn("credentials", …) posts (client-wire.md §2.4, TV-6).
TEST(FormTest, SerialisesLikeNextAuthReact) {
  const std::string csrf(64, 'a');
  url_search_params form;
  form.append("username", "bob");
  form.append("extra", "undefined");
  form.append("flag", "true");
  form.append("csrfToken", csrf);
  form.append("callbackUrl", "http://localhost:3000/login?x=1");
  EXPECT_EQ(form.to_string(), "username=bob&extra=undefined&flag=true&csrfToken=" + csrf +
                                  "&callbackUrl=http%3A%2F%2Flocalhost%3A3000%2Flogin%3Fx%3D1");
}

// URL Standard §5.2 with the application/x-www-form-urlencoded percent-encode set: only ASCII
// alphanumerics and `*-._` stay literal, space is `+`. Table derived from the spec, not the code.
TEST(FormTest, SerialisesEveryAsciiByteLikeUrlSearchParams) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  for (unsigned b = 0; b < 128; ++b) {
    SCOPED_TRACE(testing::Message() << "byte " << b);
    const char c = static_cast<char>(b);
    std::string expected;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' ||
        c == '-' || c == '.' || c == '_') {
      expected = std::string(1, c);
    } else if (c == ' ') {
      expected = "+";
    } else {
      expected = {'%', hex[b >> 4], hex[b & 15]};
    }
    url_search_params form;
    form.append(std::string(1, c), std::string(1, c));
    EXPECT_EQ(form.to_string(), expected + "=" + expected);
    // And it parses back to the same byte.
    EXPECT_EQ(parse_pairs(form.to_string()), (pairs{{std::string(1, c), std::string(1, c)}}));
  }
}

// RFC 6749 §2.3.1's example of client credentials before Basic: what Auth.js sends for
// `cid` / `c sec` (server-flows.md §7.4) and any byte a secret may hold.
TEST(FormTest, FormEncodeIsOneComponentOfToString) {
  EXPECT_EQ(http::form_encode("c sec"), "c+sec");
  EXPECT_EQ(http::form_encode("a+b/c:d%e~"), "a%2Bb%2Fc%3Ad%25e%7E");
  EXPECT_EQ(http::form_encode("*-._AZaz09"), "*-._AZaz09");
  http::url_search_params p;
  p.append("k", "x y&z=\xC3\xA9");
  EXPECT_EQ("k=" + http::form_encode("x y&z=\xC3\xA9"), p.to_string());
}

TEST(FormTest, SerialisesUnicodeAsUtf8Escapes) {
  url_search_params form;
  form.append("name", "Jos\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(form.to_string(), "name=Jos%C3%A9+%E2%82%AC");
}

TEST(FormTest, ParsesUnicodeEscapes) {
  EXPECT_EQ(parse_pairs("%C3%A9=%C3%A9"), (pairs{{"\xC3\xA9", "\xC3\xA9"}}));
}

// Auth.js builds an object from the form, so a later duplicate overwrites an earlier one
// (client-wire.md §3.2); both readings must be available and explicit.
TEST(FormTest, DuplicateFieldsKeepOrderFirstAndLastAreBothReachable) {
  const auto form = url_search_params::parse("a=1&b=x&a=2").value();
  EXPECT_EQ(form.size(), 3u);
  EXPECT_EQ(form.get("a"), "1");
  EXPECT_EQ(form.last("a"), "2");
  EXPECT_EQ(form.get_all("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(form.get("zz"), std::nullopt);
  EXPECT_EQ(form.last("zz"), std::nullopt);
}

TEST(FormTest, BadEscapesStayLiteralInsteadOfFailing) {
  EXPECT_EQ(parse_pairs("a=%zz&b=%&c=%4&d=100%"),
            (pairs{{"a", "%zz"}, {"b", "%"}, {"c", "%4"}, {"d", "100%"}}));
}

TEST(FormTest, PlusIsSpaceButEscapedPlusIsPlus) {
  EXPECT_EQ(parse_pairs("a=+&+=b&c=%2B&d=a+b"),
            (pairs{{"a", " "}, {" ", "b"}, {"c", "+"}, {"d", "a b"}}));
  EXPECT_EQ(parse_pairs("+"), (pairs{{" ", ""}}));
}

// Invalid UTF-8 must not reach the application as raw bytes (WHATWG "UTF-8 decode without BOM"
// replaces each maximal ill-formed subsequence with U+FFFD). Expected values checked in Node.
TEST(FormTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(parse_pairs("a=%FF"), (pairs{{"a", replacement}}));
  EXPECT_EQ(parse_pairs("a=%E0%80"), (pairs{{"a", replacement + replacement}}));
  EXPECT_EQ(parse_pairs("b=%F0%90%80x"), (pairs{{"b", replacement + "x"}}));
  EXPECT_EQ(parse_pairs("c=%C0%AF"), (pairs{{"c", replacement + replacement}}));  // overlong '/'
  EXPECT_EQ(parse_pairs("d=%ED%A0%80"), (pairs{{"d", replacement + replacement + replacement}}));
  EXPECT_EQ(parse_pairs("e=\xFF"), (pairs{{"e", replacement}}));  // raw byte, not escaped
  EXPECT_EQ(parse_pairs("f=%C3"), (pairs{{"f", replacement}}));
  const std::string four = replacement + replacement + replacement + replacement;
  EXPECT_EQ(parse_pairs("x=%F4%90%80%80"), (pairs{{"x", four}}));  // above U+10FFFF
  EXPECT_EQ(parse_pairs("y=%F0%80%80"), (pairs{{"y", replacement + replacement + replacement}}));
  EXPECT_EQ(parse_pairs("z=%E1%80%41"), (pairs{{"z", replacement + "A"}}));
}

TEST(FormTest, NulBytesAreData) {
  EXPECT_EQ(parse_pairs("a=%00b"), (pairs{{"a", std::string("\0b", 2)}}));
}

TEST(FormTest, EmptyPiecesAreSkippedEmptyNamesKept) {
  EXPECT_EQ(parse_pairs("=1&&=2&"), (pairs{{"", "1"}, {"", "2"}}));
  EXPECT_EQ(parse_pairs("&&&"), pairs{});
  EXPECT_EQ(parse_pairs(""), pairs{});
  EXPECT_EQ(parse_pairs("="), (pairs{{"", ""}}));
  EXPECT_EQ(parse_pairs("a"), (pairs{{"a", ""}}));
}

TEST(FormTest, FirstEqualsSignSplits) {
  EXPECT_EQ(parse_pairs("a=b=c&d=="), (pairs{{"a", "b=c"}, {"d", "="}}));
}

TEST(FormTest, OneLeadingQuestionMarkIsDropped) {
  EXPECT_EQ(parse_pairs("?a=1"), (pairs{{"a", "1"}}));
  EXPECT_EQ(parse_pairs("??a=1"), (pairs{{"?a", "1"}}));
  EXPECT_EQ(parse_pairs("a=?"), (pairs{{"a", "?"}}));
}

// A body of 10,000 fields must be refused before any decoding or allocation per field
// (hash-flooding / CPU exhaustion on form parsing).
TEST(FormTest, TenThousandFieldsAreRefusedBeforeParsing) {
  std::string body;
  for (int i = 0; i < 10'000; ++i) body += "a=1&";
  ASSERT_LE(body.size(), form_limits{}.max_bytes);
  EXPECT_EQ(test::error_of(url_search_params::parse(body)), errc::limit_exceeded);
}

TEST(FormTest, PairLimitIsExact) {
  std::string body;
  for (int i = 0; i < 256; ++i) body += "&a=1";
  EXPECT_TRUE(url_search_params::parse(body));
  EXPECT_EQ(test::error_of(url_search_params::parse(body + "&b")), errc::limit_exceeded);
  // Empty pieces are not fields, so they do not count.
  EXPECT_TRUE(url_search_params::parse(body + std::string(1000, '&')));
  EXPECT_EQ(test::error_of(url_search_params::parse("a&b&c", {.max_pairs = 2})),
            errc::limit_exceeded);
}

TEST(FormTest, OversizedBodyIsRefused) {
  const std::string body = "a=" + std::string(64 * 1024, 'x');
  EXPECT_EQ(test::error_of(url_search_params::parse(body)), errc::limit_exceeded);
  EXPECT_TRUE(url_search_params::parse(body.substr(0, 64 * 1024)));
  EXPECT_EQ(test::error_of(url_search_params::parse("abcd", {.max_bytes = 3})),
            errc::limit_exceeded);
}

TEST(FormTest, SetReplacesFirstAndDropsTheRestInPlace) {
  auto form = url_search_params::parse("a=1&b=2&a=3&c=4").value();
  form.set("a", "x");
  EXPECT_EQ(form.to_string(), "a=x&b=2&c=4");
  form.set("d", "5");
  EXPECT_EQ(form.to_string(), "a=x&b=2&c=4&d=5");
}

TEST(FormTest, RemoveAndHas) {
  auto form = url_search_params::parse("a=1&b=2&a=3").value();
  EXPECT_TRUE(form.has("a"));
  form.remove("a");
  EXPECT_FALSE(form.has("a"));
  EXPECT_EQ(form.to_string(), "b=2");
  EXPECT_FALSE(form.empty());
  form.remove("b");
  EXPECT_TRUE(form.empty());
  EXPECT_EQ(form.to_string(), "");
}

TEST(FormTest, IteratesInOrder) {
  const auto form = url_search_params::parse("x=1&y=2").value();
  pairs seen;
  for (const auto& [name, value] : form) seen.emplace_back(name, value);
  EXPECT_EQ(seen, (pairs{{"x", "1"}, {"y", "2"}}));
}

TEST(FormTest, ParseOfToStringGivesTheSamePairs) {
  for (std::string_view input :
       {"a=%zz&b=%&+=+", "%C3%A9=%FF%C3&x", "a=b=c&&=&%00=%0D%0A", "?q=%3Fx%26y%3Dz#frag"}) {
    SCOPED_TRACE(input);
    const auto once = url_search_params::parse(input).value();
    const auto twice = url_search_params::parse(once.to_string()).value();
    EXPECT_EQ(once.pairs(), twice.pairs());
  }
}

}  // namespace
}  // namespace authpp::http
