#include "smtp_url.hpp"

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::mail {
namespace {

using authpp::test::error_of;

TEST(MailSmtpUrlTest, ParsesSchemeHostAndPort) {
  auto a = parse_smtp_url("smtp://Mail.Example.com:587").value();
  EXPECT_FALSE(a.implicit_tls);
  EXPECT_EQ(a.host, "mail.example.com");
  EXPECT_EQ(a.port, 587);
  EXPECT_FALSE(a.loopback);
  EXPECT_EQ(a.curl_url(), "smtp://mail.example.com:587/");
  EXPECT_EQ(a.where(), "mail.example.com:587");

  auto b = parse_smtp_url("SMTPS://mail.example.com/").value();
  EXPECT_TRUE(b.implicit_tls);
  EXPECT_EQ(b.port, 465);
  EXPECT_EQ(parse_smtp_url("smtp://127.0.0.1").value().port, 25);

  auto c = parse_smtp_url("smtp://[::1]:2525").value();
  EXPECT_EQ(c.host, "[::1]");
  EXPECT_TRUE(c.loopback);
  EXPECT_EQ(c.curl_url(), "smtp://[::1]:2525/");
}

TEST(MailSmtpUrlTest, RefusesWhatIsNotSmtpHostPort) {
  for (const char* url : {"",
                          "mail.example.com",
                          "http://mail.example.com",
                          "smtp:/mail.example.com",
                          "smtp://",
                          "smtp://:25",
                          "smtp://mail.example.com:0",
                          "smtp://mail.example.com:65536",
                          "smtp://mail.example.com:25x",
                          "smtp://mail.example.com:",
                          "smtp://mail.example.com/ehlo",
                          "smtp://mail.example.com?x",
                          "smtp://mail.example.com#x",
                          "smtp://mail example.com",
                          "smtp://mail.example.com\r\n",
                          "smtp://[::1",
                          "smtp://[nope]",
                          "smtp://[::1]x",
                          "smtp://mail_example.com",
                          "smtp://mäil.example.com"}) {
    auto r = parse_smtp_url(url);
    EXPECT_EQ(error_of(r), errc::invalid_config) << url;
    if (!r) {
      EXPECT_TRUE(r.error().detail.starts_with("email.smtp_url: ")) << r.error().detail;
    }
  }
}

// Credentials belong in username and password; in the URL they would reach logs.
TEST(MailSmtpUrlTest, UserinfoIsRefusedWithoutRepeatingIt) {
  auto r = parse_smtp_url("smtps://apikey:s3cr3t-pa55@smtp.example.com");
  ASSERT_EQ(error_of(r), errc::invalid_config);
  EXPECT_EQ(r.error().detail.find("s3cr3t"), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("userinfo"), std::string::npos);
}

// Loopback is decided on the host as written: a name is not resolved, since DNS can change its
// answer, and odd spellings that resolvers accept for 127.0.0.1 count as names (so need TLS).
TEST(MailSmtpUrlTest, LoopbackIsJudgedAsWritten) {
  for (const char* host : {"localhost", "127.0.0.1", "127.255.3.4", "[::1]", "[0:0::1]"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"localhost.", "localhost.example.com", "127.0.0.1.example.com", "127.1",
                           "0x7f.0.0.1", "2130706433", "128.0.0.1", "10.0.0.1",
                           "[::ffff:127.0.0.1]", "[::2]", "mail.example.com", ""}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

}  // namespace
}  // namespace authpp::mail
