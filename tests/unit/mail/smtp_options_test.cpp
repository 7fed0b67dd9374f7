// smtp_sender's checks of its options, made before any connection.
#include <authpp/mail/mail.hpp>

#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::mail {
namespace {

using namespace std::chrono_literals;
using authpp::test::error_of;

smtp_options valid() {
  return {.url = "smtps://smtp.example.com", .from = "Example <auth@example.com>"};
}

void expect_config_error(const smtp_options& options, std::string_view field) {
  auto r = smtp_sender(options);
  ASSERT_EQ(error_of(r), errc::invalid_config) << field;
  EXPECT_TRUE(r.error().detail.starts_with(field)) << r.error().detail;
}

TEST(MailSmtpOptionsTest, ValidOptionsMakeASender) {
  EXPECT_TRUE(smtp_sender(valid()));
  smtp_options remote_starttls = valid();
  remote_starttls.url = "smtp://smtp.example.com:587";  // STARTTLS, required
  remote_starttls.username = "apikey";
  remote_starttls.password = "secret";
  EXPECT_TRUE(smtp_sender(remote_starttls));
}

TEST(MailSmtpOptionsTest, EachBadFieldIsNamed) {
  smtp_options o = valid();
  o.url = "http://smtp.example.com";
  expect_config_error(o, "email.smtp_url: ");
  o = valid();
  o.url = "";
  expect_config_error(o, "email.smtp_url: ");
  o = valid();
  o.from = "";
  expect_config_error(o, "email.from: ");
  o = valid();
  o.from = "not an address";
  expect_config_error(o, "email.from: ");
  o = valid();
  o.password = "secret";
  expect_config_error(o, "email.password: ");
  o = valid();
  o.username = "user\r\nMAIL FROM:<x@y.z>";
  expect_config_error(o, "email.username: ");
  o = valid();
  o.ca_file = "/nonexistent/ca.pem";
  expect_config_error(o, "email.ca_file: ");
  o = valid();
  o.connect_timeout = 0ms;
  expect_config_error(o, "email.connect_timeout: ");
  o = valid();
  o.total_timeout = -1ms;
  expect_config_error(o, "email.total_timeout: ");
}

TEST(MailSmtpOptionsTest, HeaderInjectionThroughConfiguredFromIsRefused) {
  smtp_options o = valid();
  o.from = "Example <auth@example.com>\r\nBcc: eve@evil.example";
  expect_config_error(o, "email.from: ");
}

// A recipient with CR or LF could inject headers, or SMTP commands through RCPT TO; it is
// refused before any connection is made (nothing listens on the port).
TEST(MailSmtpOptionsTest, HeaderInjectionThroughRecipientIsRefusedBeforeConnecting) {
  smtp_options o = valid();
  o.url = "smtp://127.0.0.1:9";
  auto s = smtp_sender(o).value();
  for (const char* to :
       {"ada@example.org\r\nBcc: eve@evil.example", "ada@example.org>\r\nRCPT TO:<eve@evil.example",
        "ada@example.org, eve@evil.example", "Ada <ada@example.org>"}) {
    EXPECT_EQ(error_of(s->send({.to = to, .url = "https://example.com/cb?token=t"})),
              errc::malformed_input)
        << to;
  }
}

}  // namespace
}  // namespace authpp::mail
