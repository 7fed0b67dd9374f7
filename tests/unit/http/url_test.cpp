#include <authpp/http/url.hpp>

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::http {
namespace {

TEST(UrlTest, SplitsAnAbsoluteUrl) {
  const url_parts u = parse_absolute_url("HTTPS://App.Example.com:8443/a/b?x=1&y=%20#frag").value();
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "app.example.com");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/a/b");
  EXPECT_EQ(u.query, "x=1&y=%20");
  EXPECT_EQ(u.origin(), "https://app.example.com:8443");
}

TEST(UrlTest, OriginOmitsTheDefaultPort) {
  EXPECT_EQ(parse_absolute_url("http://localhost:3000/login?x=1")->origin(),
            "http://localhost:3000");
  EXPECT_EQ(parse_absolute_url("http://localhost:80/")->origin(), "http://localhost");
  EXPECT_EQ(parse_absolute_url("https://x.test:443")->origin(), "https://x.test");
  EXPECT_EQ(parse_absolute_url("https://x.test:80")->origin(), "https://x.test:80");
  EXPECT_EQ(parse_absolute_url("http://x.test:0080/")->origin(), "http://x.test");
  EXPECT_EQ(parse_absolute_url("http://x.test:/")->origin(), "http://x.test");
  EXPECT_FALSE(parse_absolute_url("http://x.test:80/")->port);
}

TEST(UrlTest, EmptyPathBecomesSlash) {
  EXPECT_EQ(parse_absolute_url("http://x.test")->path, "/");
  EXPECT_EQ(parse_absolute_url("http://x.test?q")->path, "/");
  EXPECT_EQ(parse_absolute_url("http://x.test?q")->query, "q");
}

TEST(UrlTest, IpLiteralsAreKept) {
  EXPECT_EQ(parse_absolute_url("http://127.0.0.1:3000/")->origin(), "http://127.0.0.1:3000");
  EXPECT_EQ(parse_absolute_url("http://[::1]:3000/")->origin(), "http://[::1]:3000");
  EXPECT_EQ(parse_absolute_url("http://[0:0:0:0:0:0:0:1]/")->host, "[::1]");
}

// Userinfo is the classic open-redirect disguise: the origin is the host after `@`.
TEST(UrlTest, UserinfoDoesNotChangeTheOrigin) {
  EXPECT_EQ(parse_absolute_url("https://trusted.example@evil.test/")->origin(),
            "https://evil.test");
}

TEST(UrlTest, RejectsOtherSchemesAndRelativeReferences) {
  for (std::string_view bad :
       {"javascript:alert(1)", "data:text/html,x", "ftp://x.test/", "file:///etc/passwd",
        "//evil.test/", "/relative", "relative", "", "http:evil.test", "http:///x", "https://",
        "http://?x", "mailto:a@b.test"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(parse_absolute_url(bad)), errc::invalid_url);
  }
}

// Browsers strip tabs and newlines and read `\` as `/`; an RFC 3986 parser does not, so such a
// URL means different hosts to the two: refuse it (redirect-check bypasses).
TEST(UrlTest, RejectsCharactersThatBrowsersWouldRewrite) {
  for (std::string_view bad :
       {"http://x.test/a b", "http://x.test/\r\nSet-Cookie: a=b", "http://x.test\t/",
        "http://evil.test\\@x.test/", "https:\\\\evil.test", "http://x.test/\xC3\xA9",
        " http://x.test/", "http://x.test/\x7F"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(parse_absolute_url(bad)), errc::invalid_url);
  }
  EXPECT_EQ(test::error_of(parse_absolute_url(std::string("http://x.test/\0", 15))),
            errc::invalid_url);
}

TEST(UrlTest, RejectsBadPortsAndHosts) {
  for (std::string_view bad : {"http://x.test:65536/", "http://x.test:99999999999999999999/",
                               "http://x.test:-1/", "http://x.test:8o/", "http://ex%61mple.test/",
                               "http://[v1.x]/", "http://[::1/", "http://a:b:c/"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(parse_absolute_url(bad)), errc::invalid_url);
  }
  EXPECT_EQ(parse_absolute_url("http://x.test:65535/")->port, 65535);
}

TEST(UrlTest, RejectsOverlongInputBeforeParsing) {
  const std::string url = "http://x.test/" + std::string(max_url_bytes, 'a');
  EXPECT_EQ(test::error_of(parse_absolute_url(url)), errc::limit_exceeded);
}

}  // namespace
TEST(HostPatternTest, AHostOrItsSubdomains) {
  EXPECT_TRUE(host_matches("app.example.com", "app.example.com"));
  EXPECT_TRUE(host_matches("app.example.com", "APP.Example.com"));
  EXPECT_TRUE(host_matches("a.b.example.com", "*.example.com"));
  EXPECT_FALSE(host_matches("example.com", "*.example.com"));  // subdomains only
  EXPECT_FALSE(host_matches("evil-example.com", "*.example.com"));
  EXPECT_FALSE(host_matches("example.com.evil.test", "example.com"));
  EXPECT_TRUE(host_matches("[::1]", "[::1]"));
  EXPECT_TRUE(host_matches("127.0.0.1", "127.0.0.1"));
  for (const char* bad : {"", "*", "*.", "https://a.example", "a.example:443", "a.example/x",
                          "a..example", ".example", "*.*.example", "a b", "[::1", "*.[::1]"}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(host_pattern_problem(bad), std::nullopt);
    EXPECT_FALSE(host_matches(bad, bad));  // a refused pattern matches nothing
  }
}

}  // namespace authpp::http
