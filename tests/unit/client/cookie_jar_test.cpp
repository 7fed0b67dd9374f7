// The jar against RFC 6265 §5.3/§5.4 and RFC 6265bis prefixes, with a fixed clock, and the
// Netscape file against libcurl itself.
#include <authpp/client/cookie_jar.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"
#include "unit/client/raw_server.hpp"

namespace authpp::client {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using ::testing::HasSubstr;

class CookieJarTest : public ::testing::Test {
 protected:
  test::fixed_clock clock_{1795750743};
  cookie_jar jar_{clock_};

  void store(std::string_view header, std::string_view url = "http://example.com/") {
    auto r = jar_.store(header, url);
    ASSERT_TRUE(r) << header << ": " << r.error().message();
  }
  std::optional<errc> refused(std::string_view header, std::string_view url) {
    return error_of(jar_.store(header, url));
  }
};

TEST_F(CookieJarTest, HostOnlyCookiesStayOnTheirHostDomainCookiesReachSubdomains) {
  store("host=1");
  store("dom=2; Domain=.Example.COM");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "host=1; dom=2");
  EXPECT_EQ(jar_.cookie_header_for("http://www.example.com/x"), "dom=2");
  EXPECT_EQ(jar_.cookie_header_for("http://notexample.com/"), "");
  EXPECT_EQ(jar_.cookie_header_for("not a url"), "");
}

TEST_F(CookieJarTest, DomainMustMatchTheRequestHostAndNotBeATopLevelDomain) {
  EXPECT_EQ(refused("a=1; Domain=other.com", "http://example.com/"), errc::cookie_rejected);
  EXPECT_EQ(refused("a=1; Domain=www.example.com", "http://example.com/"), errc::cookie_rejected);
  EXPECT_EQ(refused("a=1; Domain=com", "http://example.com/"), errc::cookie_rejected);
  // IP addresses only match themselves.
  EXPECT_EQ(refused("a=1; Domain=0.0.1", "http://127.0.0.1/"), errc::cookie_rejected);
  EXPECT_TRUE(jar_.store("a=1; Domain=127.0.0.1", "http://127.0.0.1/"));
  EXPECT_EQ(refused("a=1", "ftp://example.com/"), errc::invalid_url);
  EXPECT_EQ(refused("novalue", "http://example.com/"), errc::malformed_input);
}

TEST_F(CookieJarTest, DefaultPathIsTheDirectoryOfTheRequestAndPathsMatchOnSegments) {
  store("d=1", "http://example.com/a/b/page?q=1");
  store("root=2; Path=/");
  store("rel=3; Path=relative", "http://example.com/x/y");  // not starting with '/': default
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/a/b"), "d=1; root=2");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/a/b/c"), "d=1; root=2");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/a/bc"), "root=2");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/x/z"), "rel=3; root=2");
}

TEST_F(CookieJarTest, LongerPathsFirstThenOlderFirst) {
  store("old=1; Path=/");
  clock_.advance(1s);
  store("deep=2; Path=/api/auth");
  store("new=3; Path=/");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/api/auth/session"), "deep=2; old=1; new=3");
  // A replacement keeps its creation time, hence its place.
  clock_.advance(1s);
  store("old=9; Path=/");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "old=9; new=3");
}

TEST_F(CookieJarTest, SecureCookiesNeedASecureOriginExceptOnLoopback) {
  EXPECT_EQ(refused("s=1; Secure", "http://example.com/"), errc::cookie_rejected);
  store("s=1; Secure", "https://example.com/");
  EXPECT_EQ(jar_.cookie_header_for("https://example.com/"), "s=1");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "");
  // Browsers treat localhost as a trustworthy origin: `authpp serve` in dev mode works over http.
  store("l=1; Secure", "http://localhost:3000/");
  store("i=1; Secure", "http://127.0.0.1:3000/");
  EXPECT_EQ(jar_.cookie_header_for("http://localhost:3000/x"), "l=1");
  EXPECT_EQ(jar_.cookie_header_for("http://127.0.0.1:3000/"), "i=1");
  // An insecure origin cannot shadow a Secure cookie (RFC 6265bis §5.7 step 16).
  EXPECT_EQ(refused("s=evil", "http://example.com/"), errc::cookie_rejected);
}

TEST_F(CookieJarTest, CookiePrefixesAreEnforced) {
  const std::string https = "https://example.com/";
  EXPECT_EQ(refused("__Secure-a=1", https), errc::cookie_rejected);
  EXPECT_EQ(refused("__secure-a=1", https), errc::cookie_rejected);
  EXPECT_EQ(refused("__Secure-a=1; Secure", "http://example.com/"), errc::cookie_rejected);
  EXPECT_TRUE(jar_.store("__Secure-a=1; Secure; Domain=example.com", https));
  EXPECT_EQ(refused("__Host-b=1; Secure", https), errc::cookie_rejected);  // no Path
  EXPECT_EQ(refused("__Host-b=1; Secure; Path=/x", https), errc::cookie_rejected);
  EXPECT_EQ(refused("__Host-b=1; Secure; Path=/; Domain=example.com", https),
            errc::cookie_rejected);
  EXPECT_EQ(refused("__Host-b=1; Path=/", https), errc::cookie_rejected);
  EXPECT_TRUE(jar_.store("__Host-b=1; Secure; Path=/", https));
  EXPECT_EQ(jar_.cookie_header_for(https), "__Secure-a=1; __Host-b=1");
}

TEST_F(CookieJarTest, ExpiryFollowsMaxAgeThenExpiresAndDeletesInThePast) {
  store("m=1; Max-Age=10; Expires=Thu, 01 Jan 1970 00:00:00 GMT");  // Max-Age wins
  store("e=2; Expires=Thu, 01 Jan 2099 00:00:00 GMT");
  store("s=3");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "m=1; e=2; s=3");
  clock_.advance(10s);
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "e=2; s=3");
  // Auth.js deletes with Max-Age=0 (sign-out) or a past Expires.
  store("e=; Max-Age=0");
  store("s=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "");
  jar_.clear();
  EXPECT_EQ(jar_.size(), 0u);
}

TEST_F(CookieJarTest, ValuesAreReplayedRawAndHttpOnlyIsKept) {
  store("authjs.csrf-token=abc%7Cdef; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "authjs.csrf-token=abc%7Cdef");
  ASSERT_EQ(jar_.cookies().size(), 1u);
  EXPECT_TRUE(jar_.cookies()[0].http_only);
}

TEST_F(CookieJarTest, OversizedCookiesAndTooManyCookiesAreBounded) {
  EXPECT_EQ(refused("big=" + std::string(4096, 'x'), "http://example.com/"), errc::cookie_rejected);
  cookie_jar small(clock_, {.max_cookies = 5, .max_cookies_per_domain = 3, .max_cookie_bytes = 64});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(small.store("c" + std::to_string(i) + "=1", "http://a.example/"));
  }
  EXPECT_EQ(small.cookie_header_for("http://a.example/"), "c2=1; c3=1; c4=1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(small.store("d" + std::to_string(i) + "=1", "http://b.example/"));
  }
  EXPECT_EQ(small.size(), 5u);
}

TEST_F(CookieJarTest, ConcurrentUseIsSafe) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        (void)jar_.store("c" + std::to_string(t) + "_" + std::to_string(i % 20) + "=v",
                         "http://example.com/");
        (void)jar_.cookie_header_for("http://example.com/");
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(jar_.size(), 80u);
}

TEST_F(CookieJarTest, NetscapeFormatRoundTripsAndReadsCurlLines) {
  store("host=1; HttpOnly");
  store("dom=2; Domain=example.com; Path=/api; Max-Age=3600");
  store("sec=3; Secure; Path=/", "https://example.com/");
  const std::string text = jar_.to_netscape();
  const long long exp = 1795750743 + 3600;
  EXPECT_THAT(text, HasSubstr("#HttpOnly_example.com\tFALSE\t/\tFALSE\t0\thost\t1\n"));
  EXPECT_THAT(text,
              HasSubstr(".example.com\tTRUE\t/api\tFALSE\t" + std::to_string(exp) + "\tdom\t2\n"));
  EXPECT_THAT(text, HasSubstr("example.com\tFALSE\t/\tTRUE\t0\tsec\t3\n"));

  cookie_jar copy(clock_);
  ASSERT_TRUE(copy.load_netscape(text));
  auto a = jar_.cookies();
  auto b = copy.cookies();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    b[i].created = a[i].created;
    EXPECT_EQ(a[i], b[i]) << a[i].name;
  }

  // Lines as curl writes them (an empty value leaves the 7th field empty), comments, CRLF.
  cookie_jar curl_jar(clock_);
  ASSERT_TRUE(curl_jar.load_netscape(
      "# Netscape HTTP Cookie File\r\n# https://curl.se/docs/http-cookies.html\n\n"
      "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tauthjs.csrf-token\tabc%7Cdef\n"
      "127.0.0.1\tFALSE\t/\tFALSE\t0\tempty\t\n"
      "127.0.0.1\tFALSE\t/\tFALSE\t1\texpired\tx\n"));
  EXPECT_EQ(curl_jar.cookie_header_for("http://127.0.0.1:3000/"),
            "authjs.csrf-token=abc%7Cdef; empty=");
}

// A damaged line is skipped and reported by number and reason, never by content; a file with no
// cookie line and no cookie-file header is refused as a whole.
TEST_F(CookieJarTest, MalformedNetscapeLinesAreSkippedAndListed) {
  const auto r = jar_.load_netscape(
      "# Netscape HTTP Cookie File\n"
      "example.com\tMAYBE\t/\tFALSE\t0\ta\tsecret1\n"
      "example.com\tFALSE\t/\tFALSE\tsoon\ta\tsecret2\n"
      "example.com\tFALSE\t/\tFALSE\t0\ta\tsecret\t3\n"
      "example.com\tFALSE\t/\tFALSE\t0\ta\tsecret\x01"
      "4\n"
      "\tFALSE\t/\tFALSE\t0\ta\tb\n"
      "example.com\tFALSE\t/\tFALSE\t0\tgood\t1\n");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 5u);
  const std::vector<std::pair<std::size_t, std::string>> want = {
      {2, "flags must be TRUE or FALSE"},
      {3, "expiry is not a number of seconds"},
      {4, "expected 7 tab-separated fields"},
      {5, "control character"},
      {6, "empty domain or name"}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*r)[i].line, want[i].first);
    EXPECT_EQ((*r)[i].reason, want[i].second);
    EXPECT_EQ((*r)[i].reason.find("secret"), std::string::npos);
  }
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "good=1");

  // Without the header one good line is enough to take the file for a jar ...
  cookie_jar other(clock_);
  const auto headerless = other.load_netscape("garbage\nexample.com\tFALSE\t/\tFALSE\t0\tc\t1\n");
  ASSERT_TRUE(headerless);
  EXPECT_EQ(headerless->size(), 1u);
  EXPECT_EQ(other.cookie_header_for("http://example.com/"), "c=1");
  // ... and without either it is refused, adding nothing.
  const auto garbage = other.load_netscape("just garbage\n");
  EXPECT_EQ(error_of(garbage), errc::malformed_input);
  EXPECT_EQ(garbage.error().detail, "not a cookie file: line 1: expected 7 tab-separated fields");
  EXPECT_TRUE(other.load_netscape("# Netscape HTTP Cookie File\njust garbage\n"));
  EXPECT_TRUE(other.load_netscape(""));
}

TEST_F(CookieJarTest, SaveIsPrivateAndLoadOfAMissingFileIsEmpty) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("authpp-jar-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "jar.txt";
  store("a=1; Max-Age=60");
  ASSERT_TRUE(jar_.save(file));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  cookie_jar other(clock_);
  ASSERT_TRUE(other.load(file));
  EXPECT_EQ(other.cookie_header_for("http://example.com/"), "a=1");
  ASSERT_TRUE(other.load(dir / "missing.txt"));
  EXPECT_EQ(error_of(jar_.save(dir / "no-such-dir" / "jar.txt")), errc::storage_unavailable);
  std::filesystem::remove_all(dir);
}

// Interop with curl itself: a file libcurl wrote is read by the jar, and a file the jar wrote is
// sent back by libcurl.
TEST(CookieJarCurlTest, FilesRoundTripThroughLibcurl) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("authpp-curl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string curl_file = (dir / "curl.txt").string();
  const std::string our_file = (dir / "ours.txt").string();
  test::raw_server server([](const std::string&, test::raw_server::connection& c) {
    c.write(test::raw_server::response(
        200, "{}",
        "Set-Cookie: authjs.csrf-token=abc%7Cdef; Path=/; HttpOnly; SameSite=Lax\r\n"
        "Set-Cookie: keep=1; Path=/api; Max-Age=3600\r\n"));
  });
  const auto curl_get = [&](const char* cookie_file, const char* cookie_jar_file) {
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, server.url("/api/auth/csrf").c_str());
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, cookie_file);
    if (cookie_jar_file != nullptr) curl_easy_setopt(h, CURLOPT_COOKIEJAR, cookie_jar_file);
    curl_easy_setopt(
        h, CURLOPT_WRITEFUNCTION,
        +[](char*, std::size_t s, std::size_t n, void*) { return s * n; });
    const CURLcode rc = curl_easy_perform(h);
    curl_easy_cleanup(h);  // writes the jar
    return rc;
  };
  ASSERT_EQ(curl_get("", curl_file.c_str()), CURLE_OK);

  test::fixed_clock clock(std::chrono::system_clock::now());
  cookie_jar jar(clock);
  ASSERT_TRUE(jar.load(curl_file));
  EXPECT_EQ(jar.cookie_header_for(server.url("/api/auth/session")),
            "keep=1; authjs.csrf-token=abc%7Cdef");
  ASSERT_TRUE(jar.save(our_file));
  ASSERT_EQ(curl_get(our_file.c_str(), nullptr), CURLE_OK);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[1], HasSubstr("Cookie: keep=1; authjs.csrf-token=abc%7Cdef\r\n"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace authpp::client
