// smtp_sender against a real SMTP server: tests/test_support/smtp_sink.py (aiosmtpd), started
// per test on a free port. Python's email package parses what the sink receives, so the message
// format is checked by a reader other than ours. Nothing leaves this machine, and no test waits on
// a timer: the sink says when it listens, and writes each message before it answers 250.
#include <authpp/mail/mail.hpp>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_url.hpp"
#include "test_support/test_support.hpp"
#include "unit/mail/sink_certs.hpp"
#include "unit/mail/smtp_sink.hpp"

namespace authpp::mail {
namespace {

using namespace std::chrono_literals;
using authpp::test::error_of;

constexpr const char* link_url =
    "https://app.example.com/api/auth/callback/email?callbackUrl=https%3A%2F%2Fapp.example.com"
    "&token=5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee&email=ada%40example.org";
constexpr const char* token = "5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee";
constexpr const char* password = "correct horse battery staple";

sign_in_link sample_link(std::string to = "ada@example.org") {
  return {.to = std::move(to), .url = link_url, .expires = std::chrono::system_clock::now() + 24h};
}

class MailSmtpSenderTest : public ::testing::Test {
 protected:
  // start runs a sink with `args`, failing (never skipping) the test when it cannot.
  ::testing::AssertionResult start(std::vector<std::string> args = {}) {
    sink_ = std::make_unique<test::smtp_sink>(std::move(args));
    if (sink_->started()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << sink_->failure();
  }

  smtp_options options(std::string_view scheme = "smtp") const {
    return {.url = sink_->url(scheme), .from = "Example App <auth@example.com>"};
  }

  test::temp_dir dir_;
  test::sink_certs certs_ = test::make_sink_certs(dir_.path());
  std::unique_ptr<test::smtp_sink> sink_;
};

// check_delivered checks what the sink received for sample_link(): envelope, headers as Python
// reads them, bodies after decoding, and no MIME defect.
void check_delivered(const json& m) {
  EXPECT_EQ(m["mail_from"], "auth@example.com");
  EXPECT_EQ(m["rcpt_tos"], json::array({"ada@example.org"}));
  const json& h = m["headers"];
  EXPECT_EQ(h["From"], "Example App <auth@example.com>");
  EXPECT_EQ(h["To"], "ada@example.org");
  EXPECT_EQ(h["Subject"], "Sign in to app.example.com");
  EXPECT_EQ(h["MIME-Version"], "1.0");
  EXPECT_TRUE(h["Message-ID"].get<std::string>().ends_with("@example.com>"));
  EXPECT_TRUE(h.contains("Date"));
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  EXPECT_EQ(m["text"], std::string("Sign in to app.example.com\n") + link_url + "\n\n");
  std::string href = link_url;
  for (std::size_t at = href.find('&'); at != std::string::npos; at = href.find('&', at + 1)) {
    href.replace(at, 1, "&amp;");
  }
  EXPECT_NE(m["html"].get<std::string>().find("href=\"" + href + "\""), std::string::npos);
  EXPECT_EQ(m["defects"], json::array());
  // On the wire the URL is quoted-printable ('=' is "=3D", long lines break); decoded it is whole.
  EXPECT_EQ(m["raw"].get<std::string>().find(link_url), std::string::npos);
}

TEST_F(MailSmtpSenderTest, PlainSmtpToLoopbackDelivers) {
  ASSERT_TRUE(start());
  auto s = smtp_sender(options()).value();
  const auto r = s->send(sample_link());
  ASSERT_TRUE(r) << r.error().message();
  const auto messages = sink_->messages();
  ASSERT_EQ(messages.size(), 1u);
  check_delivered(messages[0]);
  EXPECT_FALSE(messages[0]["tls"]);
}

TEST_F(MailSmtpSenderTest, StartTlsWithAuthAndPrivateCaDelivers) {
  ASSERT_TRUE(start({"--starttls", certs_.cert_file, certs_.key_file, "--auth",
                     std::string("mailer:") + password}));
  smtp_options o = options();
  o.username = "mailer";
  o.password = password;
  o.ca_file = certs_.ca_file;
  auto s = smtp_sender(o).value();
  const auto r = s->send(sample_link());
  ASSERT_TRUE(r) << r.error().message();
  const auto messages = sink_->messages();
  ASSERT_EQ(messages.size(), 1u);
  check_delivered(messages[0]);
  EXPECT_TRUE(messages[0]["tls"]);
  EXPECT_TRUE(messages[0]["authenticated"]);
  const auto auths = sink_->auths();
  ASSERT_EQ(auths.size(), 1u);
  EXPECT_TRUE(auths[0]["tls"]);  // credentials only ever went over TLS
}

TEST_F(MailSmtpSenderTest, SmtpsDelivers) {
  ASSERT_TRUE(start({"--smtps", certs_.cert_file, certs_.key_file}));
  smtp_options o = options("smtps");
  o.ca_file = certs_.ca_file;
  auto s = smtp_sender(o).value();
  const auto r = s->send(sample_link());
  ASSERT_TRUE(r) << r.error().message();
  const auto messages = sink_->messages();
  ASSERT_EQ(messages.size(), 1u);
  check_delivered(messages[0]);
  EXPECT_TRUE(messages[0]["tls"]);
}

TEST_F(MailSmtpSenderTest, WrongPasswordFailsWithoutRevealingIt) {
  ASSERT_TRUE(start({"--starttls", certs_.cert_file, certs_.key_file, "--auth",
                     std::string("mailer:") + password}));
  smtp_options o = options();
  o.username = "mailer";
  o.password = "wrong-Pa55word-4711";
  o.ca_file = certs_.ca_file;
  auto s = smtp_sender(o).value();
  const auto r = s->send(sample_link());
  ASSERT_EQ(error_of(r), errc::mail_auth_failed);
  const std::string m = r.error().message();
  EXPECT_NE(m.find(sink_->host() + ":" + std::to_string(sink_->port())), std::string::npos) << m;
  EXPECT_NE(m.find("535"), std::string::npos) << m;  // the server's reply
  EXPECT_EQ(m.find("wrong-Pa55word-4711"), std::string::npos) << m;
  EXPECT_EQ(m.find(token), std::string::npos) << m;
  EXPECT_TRUE(sink_->messages().empty());
}

TEST_F(MailSmtpSenderTest, RefusedRecipientIsMailRejectedWithTheReply) {
  ASSERT_TRUE(start());
  auto s = smtp_sender(options()).value();
  const auto r = s->send(sample_link("reject@example.org"));
  ASSERT_EQ(error_of(r), errc::mail_rejected);
  const std::string& d = r.error().detail;
  EXPECT_NE(d.find("550 5.1.1 <reject@example.org>: Recipient address rejected"), std::string::npos)
      << d;
  EXPECT_NE(d.find(sink_->host() + ":" + std::to_string(sink_->port())), std::string::npos) << d;
  EXPECT_EQ(d.find(token), std::string::npos) << d;
  EXPECT_TRUE(sink_->messages().empty());
}

// A port that is bound but not listening refuses connections, and stays ours for the test.
TEST_F(MailSmtpSenderTest, ServerNotListeningIsAConnectFailureNamingHostAndPort) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string where = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  smtp_options o{.url = "smtp://" + where, .from = "auth@example.com"};
  o.username = "mailer";
  o.password = password;
  auto s = smtp_sender(o).value();
  const auto r = s->send(sample_link());
  ::close(fd);
  ASSERT_EQ(error_of(r), errc::connect_failure);
  EXPECT_NE(r.error().detail.find(where), std::string::npos) << r.error().detail;
  EXPECT_EQ(r.error().detail.find(password), std::string::npos) << r.error().detail;
}

// A server that accepts the connection but never greets: total_timeout ends the wait (an upper
// bound, not a sleep: the test takes as long as the timeout).
TEST_F(MailSmtpSenderTest, SilentServerTimesOut) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(fd, 4), 0);  // the kernel completes the handshake; nobody answers
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string where = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  smtp_options o{.url = "smtp://" + where, .from = "auth@example.com"};
  o.total_timeout = 300ms;
  auto s = smtp_sender(o).value();
  const auto r = s->send(sample_link());
  ::close(fd);
  ASSERT_EQ(error_of(r), errc::timed_out);
  EXPECT_NE(r.error().detail.find(where), std::string::npos) << r.error().detail;
}

TEST_F(MailSmtpSenderTest, UntrustedCertificateIsATlsFailure) {
  ASSERT_TRUE(start({"--starttls", certs_.cert_file, certs_.key_file}));
  auto s = smtp_sender(options()).value();  // no ca_file: the private CA is not trusted
  EXPECT_EQ(error_of(s->send(sample_link())), errc::tls_failure);
  EXPECT_TRUE(sink_->messages().empty());
}

// STARTTLS stripping: a server (or a man in the middle) that does not offer STARTTLS must not get
// credentials or links in clear text. Any host that is not loopback as written requires TLS, so
// this test reaches the sink through the machine's own host name, which is no loopback literal
// even when it resolves to one, and checks that nothing was sent.
TEST_F(MailSmtpSenderTest, StartTlsStrippingDoesNotSendCredentialsOrLinksInClearText) {
  char name[256] = {};
  ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
  const std::string host = name;
  ASSERT_FALSE(is_loopback_host(host)) << "this test needs a host name other than localhost";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  ASSERT_EQ(::getaddrinfo(host.c_str(), nullptr, &hints, &found), 0)
      << "this test needs the host name " << host << " to resolve to an IPv4 address";
  char ip[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, ip, sizeof ip);
  ::freeaddrinfo(found);

  ASSERT_TRUE(start({"--host", ip, "--auth", std::string("mailer:") + password}));
  smtp_options o{.url = "smtp://" + host + ":" + std::to_string(sink_->port()),
                 .from = "auth@example.com"};
  o.username = "mailer";
  o.password = password;
  auto s = smtp_sender(o).value();
  const auto r = s->send(sample_link());
  ASSERT_EQ(error_of(r), errc::tls_failure);
  EXPECT_NE(r.error().detail.find("STARTTLS"), std::string::npos) << r.error().detail;
  EXPECT_TRUE(sink_->auths().empty()) << "credentials were sent in clear text";
  EXPECT_TRUE(sink_->messages().empty()) << "the link was sent in clear text";

  // allow_plaintext is the explicit opt-out for a trusted network.
  o.allow_plaintext = true;
  const auto opted_out = smtp_sender(o).value()->send(sample_link());
  ASSERT_TRUE(opted_out) << opted_out.error().message();
  EXPECT_EQ(sink_->messages().size(), 1u);
}

// One sender, several threads: each send has its own connection.
TEST_F(MailSmtpSenderTest, ConcurrentSendsAllArrive) {
  ASSERT_TRUE(start());
  auto s = smtp_sender(options()).value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const auto r = s->send(sample_link("user" + std::to_string(t * 5 + i) + "@example.org"));
        EXPECT_TRUE(r) << r.error().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto messages = sink_->messages();
  ASSERT_EQ(messages.size(), 20u);
  std::set<std::string> recipients;
  for (const json& m : messages) recipients.insert(m["headers"]["To"].get<std::string>());
  EXPECT_EQ(recipients.size(), 20u);
}

}  // namespace
}  // namespace authpp::mail
