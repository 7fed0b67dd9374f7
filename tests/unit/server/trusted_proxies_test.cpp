// Who the client is behind reverse proxies. Each test names the spoofing it stops.
#include <authpp/server/trusted_proxies.hpp>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::server {
namespace {

trusted_proxies proxies(std::vector<std::string> blocks) {
  return trusted_proxies::parse(blocks).value();
}

http::request with(std::initializer_list<http::header> fields) {
  http::request r;
  r.headers = http::headers(fields);
  return r;
}

TEST(TrustedProxiesTest, ParsesAddressesAndBlocksAndNamesTheBadOne) {
  EXPECT_TRUE(
      trusted_proxies::parse({"10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8", "0.0.0.0/0"}));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x",
                          "localhost", "", "10.0.0.0/8/1"}) {
    SCOPED_TRACE(bad);
    const auto r = trusted_proxies::parse({"127.0.0.1", bad});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::malformed_input);
    EXPECT_NE(r.error().detail.find(std::string("'") + bad + "'"), std::string::npos);
  }
}

TEST(TrustedProxiesTest, ContainsRespectsPrefixesAndFamilies) {
  const auto p = proxies({"10.1.0.0/16", "192.168.0.0/23", "2001:db8::/32", "127.0.0.1"});
  EXPECT_TRUE(p.contains("10.1.255.255"));
  EXPECT_FALSE(p.contains("10.2.0.0"));
  EXPECT_TRUE(p.contains("192.168.1.200"));
  EXPECT_FALSE(p.contains("192.168.2.1"));
  EXPECT_TRUE(p.contains("2001:db8:ffff::1"));
  EXPECT_TRUE(p.contains("[2001:db8::1]"));
  EXPECT_FALSE(p.contains("2001:db9::1"));
  EXPECT_TRUE(p.contains("::ffff:10.1.2.3"));  // IPv4-mapped is IPv4
  EXPECT_FALSE(p.contains("127.0.0.2"));
  EXPECT_FALSE(p.contains("not-an-address"));
  EXPECT_FALSE(p.contains(""));
}

// Without trusted proxies the peer is the client and the headers stay as they came (the engine
// refuses forwarded lists, and honours single values only with trust_host).
TEST(TrustedProxiesTest, NoneConfiguredMeansThePeerIsTheClient) {
  auto r = with({{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-Host", "a, b"}});
  proxies({}).apply(r, "203.0.113.5");
  EXPECT_EQ(r.client_address, "203.0.113.5");
  EXPECT_EQ(r.headers.get("X-Forwarded-Host"), "a, b");
}

// Address spoofing: a client connecting directly cannot name itself someone else, nor claim a
// host or scheme: with trusted proxies configured, its X-Forwarded-* fields are dropped.
TEST(TrustedProxiesTest, AClientOutsideTheProxiesCannotForwardAnything) {
  auto r = with({{"X-Forwarded-For", "10.0.0.9"},
                 {"X-Forwarded-Host", "evil.example"},
                 {"X-Forwarded-Proto", "https"}});
  proxies({"10.0.0.0/8"}).apply(r, "203.0.113.5");
  EXPECT_EQ(r.client_address, "203.0.113.5");
  EXPECT_FALSE(r.headers.contains("X-Forwarded-For"));
  EXPECT_FALSE(r.headers.contains("X-Forwarded-Host"));
  EXPECT_FALSE(r.headers.contains("X-Forwarded-Proto"));
}

// Attack: a client naming the URL forward-auth is asked about (to be judged for another host, or
// sent back to a page of its choosing) by talking to authpp directly, around the proxy.
TEST(TrustedProxiesTest, AClientOutsideTheProxiesCannotNameAnOriginalUrl) {
  auto r = with({{"X-Original-URL", "https://evil.example/"},
                 {"X-Forwarded-Uri", "/admin"},
                 {"X-Forwarded-Method", "DELETE"}});
  proxies({"10.0.0.0/8"}).apply(r, "203.0.113.5");
  EXPECT_FALSE(r.headers.contains("X-Original-URL"));
  EXPECT_FALSE(r.headers.contains("X-Forwarded-Uri"));
  EXPECT_FALSE(r.headers.contains("X-Forwarded-Method"));
  auto from_proxy = with({{"X-Original-URL", "https://app.example/"}});
  proxies({"10.0.0.0/8"}).apply(from_proxy, "10.1.2.3");
  EXPECT_EQ(from_proxy.headers.get("X-Original-URL"), "https://app.example/");
}

// Address spoofing through the proxy: the client's own X-Forwarded-For entries sit left of what
// the trusted proxies appended; the right-most untrusted entry is the client, not the left-most.
TEST(TrustedProxiesTest, TheRightMostUntrustedEntryIsTheClient) {
  const auto p = proxies({"10.0.0.0/8"});
  auto one_hop = with({{"X-Forwarded-For", "1.1.1.1, 198.51.100.7"}});
  p.apply(one_hop, "10.0.0.2");
  EXPECT_EQ(one_hop.client_address, "198.51.100.7");
  // Two trusted hops, and the list split over two fields.
  auto two_hops =
      with({{"X-Forwarded-For", "6.6.6.6, 198.51.100.7"}, {"X-Forwarded-For", "10.0.0.3"}});
  p.apply(two_hops, "10.0.0.2");
  EXPECT_EQ(two_hops.client_address, "198.51.100.7");
  // Every entry trusted: the left-most of them.
  auto internal = with({{"X-Forwarded-For", "10.9.9.9, 10.0.0.3"}});
  p.apply(internal, "10.0.0.2");
  EXPECT_EQ(internal.client_address, "10.9.9.9");
  // Garbage left of the trusted hops is not believed past the last good entry.
  auto garbage = with({{"X-Forwarded-For", "<script>, 10.0.0.3"}});
  p.apply(garbage, "10.0.0.2");
  EXPECT_EQ(garbage.client_address, "10.0.0.3");
  // No field at all: the proxy itself.
  auto bare = with({});
  p.apply(bare, "10.0.0.2");
  EXPECT_EQ(bare.client_address, "10.0.0.2");
  // IPv6 in brackets, as some proxies write it.
  auto v6 = with({{"X-Forwarded-For", "[2001:db8::5]"}});
  p.apply(v6, "10.0.0.2");
  EXPECT_EQ(v6.client_address, "[2001:db8::5]");
}

// Host spoofing through the proxy: the nearest trusted proxy's value is the right-most one.
TEST(TrustedProxiesTest, ForwardedHostAndProtoTakeTheNearestProxysValue) {
  auto r = with({{"X-Forwarded-Host", "evil.example, app.example.com"},
                 {"X-Forwarded-Proto", "http"},
                 {"X-Forwarded-Proto", "https"}});
  proxies({"127.0.0.1"}).apply(r, "127.0.0.1");
  EXPECT_EQ(r.headers.get_all("X-Forwarded-Host"),
            std::vector<std::string_view>{"app.example.com"});
  EXPECT_EQ(r.headers.get_all("X-Forwarded-Proto"), std::vector<std::string_view>{"https"});
}

}  // namespace
}  // namespace authpp::server
