#include <authpp/http/cookie.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::http {
namespace {

using cookies = std::vector<cookie>;
using namespace std::chrono;
using namespace std::string_literals;
using ::testing::HasSubstr;

// ---- Cookie request header ----------------------------------------------------------------

TEST(CookieHeaderTest, ParsesBrowserFormInOrder) {
  EXPECT_EQ(parse_cookie_header("a=b; c=d"), (cookies{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(parse_cookie_header("a=b;c=d"), (cookies{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(parse_cookie_header("  a = b ;\tc=d  "), (cookies{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(parse_cookie_header(""), cookies{});
}

TEST(CookieHeaderTest, JunkHeadersYieldNothingAndNeverFail) {
  for (std::string_view junk : {";;;", "=", "a", " ; ; ", "=;=;=", "==", ";", "a;b;c", "\"\""}) {
    SCOPED_TRACE(junk);
    EXPECT_EQ(parse_cookie_header(junk), cookies{});
  }
}

TEST(CookieHeaderTest, PiecesWithoutEqualsAreSkipped) {
  EXPECT_EQ(parse_cookie_header("a; b=c; d"), (cookies{{"b", "c"}}));
  EXPECT_EQ(parse_cookie_header(";;;b=c;;;"), (cookies{{"b", "c"}}));
}

TEST(CookieHeaderTest, NamelessCookiesAreSkipped) {
  EXPECT_EQ(parse_cookie_header("=x; =; b=c"), (cookies{{"b", "c"}}));
}

TEST(CookieHeaderTest, FirstEqualsSplitsAndTheRestIsValue) {
  EXPECT_EQ(parse_cookie_header("a==b"), (cookies{{"a", "=b"}}));
  EXPECT_EQ(parse_cookie_header("a=b=c"), (cookies{{"a", "b=c"}}));
  EXPECT_EQ(parse_cookie_header("a="), (cookies{{"a", ""}}));
}

TEST(CookieHeaderTest, OnePairOfSurroundingQuotesIsStripped) {
  EXPECT_EQ(parse_cookie_header("a=\"quoted\""), (cookies{{"a", "quoted"}}));
  EXPECT_EQ(parse_cookie_header("a=\"\"x\"\""), (cookies{{"a", "\"x\""}}));
  EXPECT_EQ(parse_cookie_header("a=\"half"), (cookies{{"a", "\"half"}}));
  EXPECT_EQ(parse_cookie_header("a=\""), (cookies{{"a", "\""}}));
  EXPECT_EQ(parse_cookie_header("\"quoted\""), cookies{});
}

// client-wire.md §3.2: decode only when there is a `%`, and keep the raw value when decoding
// fails, so a foreign cookie with a stray `%` cannot make the whole header unreadable.
TEST(CookieHeaderTest, DecodesPercentOnlyWhenValid) {
  EXPECT_EQ(
      parse_cookie_header("t=abc%7Cdef; u=http%3A%2F%2Fx; v=100%; w=%E0%A4%A; x=%FF"),
      (cookies{
          {"t", "abc|def"}, {"u", "http://x"}, {"v", "100%"}, {"w", "%E0%A4%A"}, {"x", "%FF"}}));
  EXPECT_EQ(parse_cookie_header("a=b+c"), (cookies{{"a", "b+c"}}));  // no `+` → space
}

TEST(CookieHeaderTest, NamesAreNotDecoded) {
  EXPECT_EQ(parse_cookie_header("a%20b=1"), (cookies{{"a%20b", "1"}}));
}

TEST(CookieHeaderTest, NulAndNonAsciiBytesPassThroughUnharmed) {
  const std::string header = "a=x\0y; \xC3\xA9=\xFF\xFE; b=2"s;
  const cookies parsed = parse_cookie_header(header);
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0], (cookie{"a", std::string("x\0y", 3)}));
  EXPECT_EQ(parsed[1], (cookie{"\xC3\xA9", "\xFF\xFE"}));
  EXPECT_EQ(parsed[2], (cookie{"b", "2"}));
}

TEST(CookieHeaderTest, DuplicatesAreKeptAndFindReturnsTheFirst) {
  const cookies parsed = parse_cookie_header("s=first; t=1; s=second");
  ASSERT_EQ(parsed.size(), 3u);
  ASSERT_NE(find_cookie(parsed, "s"), nullptr);
  EXPECT_EQ(find_cookie(parsed, "s")->value, "first");
  EXPECT_EQ(find_cookie(parsed, "missing"), nullptr);
}

// A 100 KB header must cost bounded work and not fail the request: the excess is ignored.
TEST(CookieHeaderTest, HundredKilobyteHeaderIsReadOnlyUpToTheLimit) {
  std::string header = "first=1; ";
  while (header.size() < 100 * 1024) header += "junk=" + std::string(100, 'x') + "; ";
  header += "last=1";
  const cookies parsed = parse_cookie_header(header);
  ASSERT_FALSE(parsed.empty());
  EXPECT_EQ(parsed.front(), (cookie{"first", "1"}));
  EXPECT_EQ(find_cookie(parsed, "last"), nullptr);
  std::size_t bytes = 0;
  for (const cookie& c : parsed) bytes += c.name.size() + c.value.size() + 3;
  EXPECT_LE(bytes, cookie_limits{}.max_bytes + 2);
}

// A cookie crossing the byte limit is dropped whole, never cut (a cut session chunk would be a
// different value).
TEST(CookieHeaderTest, CookieCrossingTheByteLimitIsDroppedNotTruncated) {
  const cookie_limits limits{.max_bytes = 10, .max_cookies = 128};
  EXPECT_EQ(parse_cookie_header("a=1; b=123456", limits), (cookies{{"a", "1"}}));
  // `;` exactly at index max_bytes still closes a piece that fits.
  EXPECT_EQ(parse_cookie_header("a=1; b=123;c", limits), (cookies{{"a", "1"}, {"b", "123"}}));
  EXPECT_EQ(parse_cookie_header("abcdefghijk=1", limits), cookies{});
}

TEST(CookieHeaderTest, CookieCountIsBounded) {
  std::string header;
  for (int i = 0; i < 1000; ++i) header += "c" + std::to_string(i) + "=v;";
  const cookies parsed = parse_cookie_header(header);
  EXPECT_EQ(parsed.size(), cookie_limits{}.max_cookies);
  EXPECT_EQ(parsed.back().name, "c127");
  EXPECT_EQ(parse_cookie_header("a=1;b=2;c=3", {.max_bytes = 100, .max_cookies = 2}).size(), 2u);
}

// ---- Set-Cookie serialisation ---------------------------------------------------------------

const std::string tv3_token = "5344ede14da746d36d672c12db843dc8317e0dc62845c0f2f0fbb0594368efc3";
const std::string tv3_hash = "01baba254d7840ed315c0cf91eaa7e524f6bb2417eb31702c8f8199e24abd14e";

TEST(SetCookieTest, SerialisesTheTv3CsrfCookieByteExactly) {
  set_cookie c;
  c.name = "authjs.csrf-token";
  c.value = tv3_token + "|" + tv3_hash;
  EXPECT_EQ(serialize(c), "authjs.csrf-token=" + tv3_token + "%7C" + tv3_hash +
                              "; Path=/; HttpOnly; SameSite=Lax");
}

TEST(SetCookieTest, SerialisesTheCallbackUrlCookieOfClientWire52) {
  set_cookie c{.name = "authjs.callback-url", .value = "http://localhost:3000/dashboard"};
  EXPECT_EQ(serialize(c),
            "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000%2Fdashboard; Path=/; HttpOnly; "
            "SameSite=Lax");
}

TEST(SetCookieTest, SerialisesTheTv5Deletion) {
  set_cookie c{.name = "authjs.session-token", .value = "", .max_age = 0};
  EXPECT_EQ(serialize(c), "authjs.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
}

TEST(SetCookieTest, EmitsEveryAttributeInAuthJsOrder) {
  set_cookie c;
  c.name = "n";
  c.value = "v w";
  c.max_age = 900;
  c.domain = "example.com";
  c.path = "/p";
  c.expires = sys_days{2026y / December / 27} + 3h + 39min + 3s;
  c.http_only = true;
  c.secure = true;
  c.partitioned = true;
  c.same_site = same_site::none;
  EXPECT_EQ(serialize(c),
            "n=v%20w; Max-Age=900; Domain=example.com; Path=/p; Expires=Sun, 27 Dec 2026 "
            "03:39:03 GMT; HttpOnly; Secure; Partitioned; SameSite=None");
}

TEST(SetCookieTest, OmitsUnsetAttributes) {
  set_cookie c{.name = "n", .value = "v"};
  c.path.reset();
  c.http_only = false;
  c.same_site.reset();
  EXPECT_EQ(serialize(c), "n=v");
  c.same_site = same_site::strict;
  EXPECT_EQ(serialize(c), "n=v; SameSite=Strict");
}

// The value is always encoded, so a hostile value cannot add attributes or split the header.
TEST(SetCookieTest, ValueCannotInjectAttributesOrHeaders) {
  set_cookie c{.name = "n", .value = "x; Domain=evil.com\r\nSet-Cookie: a=b"};
  const std::string out = serialize(c);
  EXPECT_EQ(out.find(';'), out.find("; Path"));
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

TEST(SetCookieTest, CheckRejectsNamesAndAttributesThatCouldInject) {
  EXPECT_TRUE(check_set_cookie(set_cookie{.name = "__Host-authjs.csrf-token"}));
  for (std::string_view name : {"", "a b", "a;b", "a=b", "a\r\nb", "a,b", "\"a\"", "a\x7F"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(test::error_of(check_set_cookie(set_cookie{.name = std::string(name)})),
              errc::malformed_input);
  }
  EXPECT_EQ(test::error_of(check_set_cookie(set_cookie{.name = "a", .domain = "x; Secure"})),
            errc::malformed_input);
  EXPECT_EQ(test::error_of(check_set_cookie(set_cookie{.name = "a", .path = "/\r\nX: y"})),
            errc::malformed_input);
}

// ---- Set-Cookie parsing (client side) ------------------------------------------------------

TEST(ParseSetCookieTest, RoundTripsWhatSerializeWrites) {
  set_cookie c;
  c.name = "__Secure-authjs.session-token.1";
  c.value = "eyJ|x y";
  c.max_age = 0;
  c.domain = "example.com";
  c.path = "/";
  c.expires = sys_days{2026y / December / 27} + 3h + 39min + 3s;
  c.secure = true;
  c.partitioned = true;
  c.same_site = same_site::strict;
  EXPECT_EQ(parse_set_cookie(serialize(c)).value(), c);
}

TEST(ParseSetCookieTest, OnlyPresentAttributesAreSet) {
  const set_cookie c = parse_set_cookie("a=b").value();
  EXPECT_EQ(c.name, "a");
  EXPECT_EQ(c.value, "b");
  EXPECT_FALSE(c.path);
  EXPECT_FALSE(c.http_only);
  EXPECT_FALSE(c.same_site);
  EXPECT_FALSE(c.secure);
  EXPECT_FALSE(c.max_age);
  EXPECT_FALSE(c.expires);
}

TEST(ParseSetCookieTest, AttributesAreCaseInsensitiveAndLaterOnesWin) {
  const set_cookie c =
      parse_set_cookie(
          " sid = v%7Cw ;path=/a; PATH=/b; max-age=10; MAX-AGE=-5; httponly; SECURE; "
          "samesite=strict; Domain=.Example.COM; expires=Thu, 01 Jan 1970 00:00:00 GMT")
          .value();
  EXPECT_EQ(c.name, "sid");
  EXPECT_EQ(c.value, "v|w");
  EXPECT_EQ(c.path, "/b");
  EXPECT_EQ(c.max_age, -5);
  EXPECT_TRUE(c.http_only);
  EXPECT_TRUE(c.secure);
  EXPECT_EQ(c.same_site, same_site::strict);
  EXPECT_EQ(c.domain, "example.com");
  EXPECT_EQ(c.expires, system_clock::time_point{});
}

TEST(ParseSetCookieTest, BadAttributeValuesAreIgnored) {
  const set_cookie c =
      parse_set_cookie("a=b; Max-Age=1e3; Expires=tomorrow; SameSite=Bogus; Path=rel; Foo=bar; ;")
          .value();
  EXPECT_FALSE(c.max_age);
  EXPECT_FALSE(c.expires);
  EXPECT_FALSE(c.same_site);
  EXPECT_FALSE(c.path);
}

TEST(ParseSetCookieTest, HugeMaxAgeSaturatesInsteadOfOverflowing) {
  const set_cookie c = parse_set_cookie("a=b; Max-Age=99999999999999999999999999").value();
  ASSERT_TRUE(c.max_age);
  EXPECT_GT(*c.max_age, 0);
}

TEST(ParseSetCookieTest, UndecodableValueIsKeptRaw) {
  EXPECT_EQ(parse_set_cookie("a=%ZZ").value().value, "%ZZ");
}

TEST(ParseSetCookieTest, RejectsMissingNameOrPair) {
  for (std::string_view bad : {"", "novalue", "=v", " =v; Path=/", "; a=b"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(parse_set_cookie(bad)), errc::malformed_input);
  }
}

// RFC 6265bis §5.6: a control character makes a user agent ignore the whole cookie; a NUL or
// CR/LF could otherwise smuggle a second header through a proxy.
TEST(ParseSetCookieTest, RejectsControlCharacters) {
  EXPECT_EQ(test::error_of(parse_set_cookie("a=b\0c"s)), errc::malformed_input);
  EXPECT_EQ(test::error_of(parse_set_cookie("a=b\r\nSet-Cookie: c=d")), errc::malformed_input);
  EXPECT_TRUE(parse_set_cookie("a=b;\tPath=/"));
}

TEST(ParseSetCookieTest, RejectsOversizedInput) {
  EXPECT_EQ(test::error_of(parse_set_cookie("a=" + std::string(max_set_cookie_bytes, 'x'))),
            errc::limit_exceeded);
}

TEST(DomainMatchTest, AHostMatchesItsDomainAndTheDomainsAboveIt) {
  EXPECT_TRUE(domain_match("example.com", "example.com"));
  EXPECT_TRUE(domain_match("app.example.com", "example.com"));
  EXPECT_TRUE(domain_match("a.b.example.com", "example.com"));
  // A suffix that is not a whole label ("badexample.com") is another site.
  EXPECT_FALSE(domain_match("badexample.com", "example.com"));
  EXPECT_FALSE(domain_match("example.com", "app.example.com"));
  // An IP address is under nothing.
  EXPECT_FALSE(domain_match("10.0.0.1", "0.0.1"));
  EXPECT_FALSE(domain_match("[::1]", "1]"));
}

TEST(CookieDomainProblemTest, OnlyAMultiLabelDnsNameCanBeACookieDomain) {
  EXPECT_EQ(cookie_domain_problem("example.com"), std::nullopt);
  EXPECT_EQ(cookie_domain_problem("auth-1.eu.example.com"), std::nullopt);
  // A top-level domain would put the cookie on every site under it; browsers refuse it.
  EXPECT_THAT(cookie_domain_problem("com").value_or(""), HasSubstr("top-level"));
  EXPECT_THAT(cookie_domain_problem("192.168.0.1").value_or(""), HasSubstr("IP address"));
  for (const char* bad :
       {"", ".example.com", "example.com.", "example..com", "Example.com", "example.com:3000",
        "https://example.com", "-x.example.com", "ex ample.com", "example.com;x=y"}) {
    EXPECT_NE(cookie_domain_problem(bad), std::nullopt) << bad;
  }
  EXPECT_NE(cookie_domain_problem(std::string(64, 'a') + ".com"), std::nullopt);
}

}  // namespace
}  // namespace authpp::http
