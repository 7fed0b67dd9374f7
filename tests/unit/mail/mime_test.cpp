// The wire form of a message: header order and encoding, quoted-printable bodies, line limits,
// and the refusals that make header injection impossible. The real-SMTP tests check the same
// messages again with Python's email package, an independent reader.
#include "mime.hpp"

#include <authpp/core/base64url.hpp>
#include <authpp/core/utf8.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::mail {
namespace {

using namespace std::chrono_literals;
using authpp::test::counting_random;
using authpp::test::error_of;

const auto jan_1_2025 = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1};

// crlf_lines splits `wire` into lines, failing the test on a bare CR or LF.
std::vector<std::string> crlf_lines(std::string_view wire) {
  std::vector<std::string> out;
  while (!wire.empty()) {
    const std::size_t end = wire.find("\r\n");
    EXPECT_NE(end, std::string_view::npos) << "the message does not end with CRLF";
    if (end == std::string_view::npos) break;
    const std::string_view line = wire.substr(0, end);
    EXPECT_EQ(line.find_first_of("\r\n"), std::string_view::npos) << "bare CR or LF: " << line;
    out.emplace_back(line);
    wire.remove_prefix(end + 2);
  }
  return out;
}

// qp_decode undoes quoted-printable: soft breaks go, =XX become bytes, CRLF stays.
std::string qp_decode(std::string_view qp) {
  std::string out;
  for (std::size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] != '=') {
      out += qp[i];
    } else if (qp.substr(i + 1, 2) == "\r\n") {
      i += 2;
    } else {
      out += static_cast<char>(std::stoi(std::string(qp.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

// b64_decode reads padded standard base64 through the strict base64url decoder.
std::string b64_decode(std::string text) {
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return to_string(base64url::decode(text).value());
}

message sample() {
  return {.from = "Example <auth@example.com>",
          .to = "ada@example.org",
          .subject = "Sign in to example.com",
          .text = "Sign in to example.com\nhttps://example.com/x\n\n",
          .html = "<p>Sign in</p>\n"};
}

TEST(MailMimeTest, RendersHeadersInOrder) {
  counting_random random;
  const std::string wire = render(sample(), jan_1_2025 + 13h + 4min + 5s, random).value();
  const std::string boundary = "=_authpp_101112131415161718191a1b";
  const std::string expected =
      "Date: Wed, 01 Jan 2025 13:04:05 +0000\r\n"
      "From: Example <auth@example.com>\r\n"
      "To: ada@example.org\r\n"
      "Subject: Sign in to example.com\r\n"
      "Message-ID: <000102030405060708090a0b0c0d0e0f@example.com>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative;\r\n boundary=\"" +
      boundary +
      "\"\r\n"
      "\r\n"
      "--" +
      boundary +
      "\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Sign in to example.com\r\n"
      "https://example.com/x\r\n"
      "\r\n"
      "\r\n"
      "--" +
      boundary +
      "\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "<p>Sign in</p>\r\n"
      "\r\n"
      "--" +
      boundary + "--\r\n";
  EXPECT_EQ(wire, expected);
}

TEST(MailMimeTest, TextOnlyWithoutHtml) {
  message m = sample();
  m.html.clear();
  counting_random random;
  const std::string wire = render(m, jan_1_2025, random).value();
  EXPECT_EQ(wire.find("multipart"), std::string::npos);
  EXPECT_NE(wire.find("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: quoted-printable\r\n\r\nSign in to example.com"),
            std::string::npos);
}

TEST(MailMimeTest, EveryLineEndsInCrlfAndStaysShort) {
  message m = sample();
  m.subject = std::string(2000, 's');
  m.from = std::string(900, 'n') + " <auth@example.com>";
  m.text = std::string(3000, 'x') + "\n" + std::string(500, ' ') + "\n" + "é€😀 \t\n" +
           std::string(400, '=') + "\r\nlast line without newline";
  m.html = "<p>" + std::string(5000, 'h') + "</p>";
  counting_random random;
  const std::string wire = render(m, jan_1_2025, random).value();
  bool in_headers = true;
  for (const std::string& line : crlf_lines(wire)) {
    if (line.empty()) in_headers = false;
    // RFC 5322 §2.1.1: 998 at most; bodies and the other headers keep to 78 (QP: 76).
    const bool long_allowed = line.starts_with("From:") || line.starts_with("Subject:");
    EXPECT_LE(line.size(), in_headers && long_allowed ? 998u : 78u) << line;
    for (char c : line) {
      EXPECT_TRUE((c >= ' ' && c <= '~') || c == '\t') << "non-ASCII byte in " << line;
    }
  }
}

TEST(MailMimeTest, QuotedPrintableRules) {
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable("é"), "=C3=A9");
  EXPECT_EQ(quoted_printable("end \nnext\t"), "end=20\r\nnext=09");  // trailing white space
  EXPECT_EQ(quoted_printable("a b"), "a b");
  EXPECT_EQ(quoted_printable("one\r\ntwo\nthree\r"), "one\r\ntwo\r\nthree=0D");
  // A lone "." would end the SMTP data; "From " is mangled by mbox writers.
  EXPECT_EQ(quoted_printable(".\n..x\nFrom me\nFromage"), "=2E\r\n=2E.x\r\n=46rom me\r\nFromage");
  const std::string soft = quoted_printable(std::string(80, 'x'));
  EXPECT_EQ(soft, std::string(75, 'x') + "=\r\n" + std::string(5, 'x'));
  // A triplet is never split by a soft break, and a dot after a soft break is encoded too.
  EXPECT_EQ(quoted_printable(std::string(74, 'x') + "é"), std::string(74, 'x') + "=\r\n=C3=A9");
  EXPECT_EQ(quoted_printable(std::string(75, 'x') + "."), std::string(75, 'x') + "=\r\n=2E");
}

TEST(MailMimeTest, QuotedPrintableRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (const std::string& text :
       {all, std::string(1000, '.'), std::string("line\r\n") + std::string(200, ' ') + "x"}) {
    const std::string qp = quoted_printable(text);
    std::string expected;  // LF becomes CRLF; nothing else changes
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) expected += '\r';
      expected += text[i];
    }
    EXPECT_EQ(qp_decode(qp), expected);
  }
}

TEST(MailMimeTest, NonAsciiSubjectBecomesEncodedWords) {
  message m = sample();
  m.subject = "Anmeldung bei Zürich ✓ ";
  for (int i = 0; i < 5; ++i) m.subject += m.subject;  // long enough for several words
  counting_random random;
  const std::string wire = render(m, jan_1_2025, random).value();
  const std::size_t start = wire.find("Subject: ") + 9;
  const std::string header = wire.substr(start, wire.find("\r\nMessage-ID:") - start);
  std::string decoded;
  std::size_t words = 0;
  for (std::size_t at = 0; at < header.size();) {
    ASSERT_EQ(header.compare(at, 10, "=?UTF-8?B?"), 0) << header.substr(at);
    const std::size_t end = header.find("?=", at + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - at, 75u);  // RFC 2047 §2
    const std::string piece = b64_decode(header.substr(at + 10, end - at - 10));
    EXPECT_TRUE(is_utf8(piece)) << "a word splits a UTF-8 sequence";
    decoded += piece;
    ++words;
    at = end + 2;
    if (at < header.size()) {
      ASSERT_EQ(header.compare(at, 3, "\r\n "), 0);  // folded
      at += 3;
    }
  }
  EXPECT_GT(words, 1u);
  EXPECT_EQ(decoded, m.subject);
}

TEST(MailMimeTest, AsciiThatLooksEncodedIsEncoded) {
  message m = sample();
  m.subject = "=?UTF-8?B?SGk=?=";
  counting_random random;
  const std::string wire = render(m, jan_1_2025, random).value();
  EXPECT_NE(wire.find("Subject: =?UTF-8?B?PT9VVEYtOD9CP1NHaz0/PQ==?=\r\n"), std::string::npos);
}

TEST(MailMimeTest, DisplayNamesAreAtomsQuotedOrEncoded) {
  const auto from_header = [](std::string from) {
    message m = sample();
    m.from = std::move(from);
    counting_random random;
    const std::string wire = render(m, jan_1_2025, random).value();
    const std::size_t start = wire.find("From: ");
    return wire.substr(start, wire.find("\r\nTo:") - start);
  };
  EXPECT_EQ(from_header("auth@example.com"), "From: auth@example.com");
  EXPECT_EQ(from_header("Example Sign-in <auth@example.com>"),
            "From: Example Sign-in <auth@example.com>");
  EXPECT_EQ(from_header("Example, Inc. <auth@example.com>"),
            "From: \"Example, Inc.\" <auth@example.com>");
  EXPECT_EQ(from_header("Say \"hi\" \\ <auth@example.com>"),
            "From: \"Say \\\"hi\\\" \\\\\" <auth@example.com>");
  EXPECT_EQ(from_header("Zoë <auth@example.com>"), "From: =?UTF-8?B?Wm/Dqw==?= <auth@example.com>");
}

// The boundary starts "=_", which quoted-printable can never produce, so a body cannot end its
// part early or smuggle in a part of its own.
TEST(MailMimeTest, BodyCannotForgeTheBoundary) {
  message m = sample();
  m.text = "--=_authpp_101112131415161718191a1b\r\nContent-Type: text/html\r\n\r\n<b>forged</b>";
  counting_random random;
  const std::string wire = render(m, jan_1_2025, random).value();
  std::size_t delimiters = 0;
  for (const std::string& line : crlf_lines(wire)) {
    if (line.starts_with("--=_authpp_")) ++delimiters;
  }
  EXPECT_EQ(delimiters, 3u);
}

// Header injection: a subject, recipient or sender with CR or LF could add headers (Bcc: to send
// the link elsewhere) or a body of the attacker's choosing. Such values are refused, whole.
TEST(MailMimeTest, HeaderInjectionThroughSubjectIsRefused) {
  for (const char* subject : {"Hi\r\nBcc: eve@evil.example", "Hi\nBcc: eve@evil.example",
                              "Hi\rBcc: eve@evil.example", "Hi\r\n\r\n<b>body</b>", "Hi\x7f"}) {
    message m = sample();
    m.subject = subject;
    counting_random random;
    EXPECT_EQ(error_of(render(m, jan_1_2025, random)), errc::malformed_input) << subject;
  }
}

TEST(MailMimeTest, HeaderInjectionThroughToIsRefused) {
  for (const char* to : {"ada@example.org\r\nBcc: eve@evil.example", "ada@example.org\n",
                         "ada@example.org, eve@evil.example", "Ada <ada@example.org>",
                         "<ada@example.org>", "ada@example.org>\r\nRCPT TO:<eve@evil.example"}) {
    message m = sample();
    m.to = to;
    counting_random random;
    EXPECT_EQ(error_of(render(m, jan_1_2025, random)), errc::malformed_input) << to;
  }
}

TEST(MailMimeTest, HeaderInjectionThroughFromIsRefused) {
  message m = sample();
  m.from = "Example\r\nBcc: eve@evil.example <auth@example.com>";
  counting_random random;
  EXPECT_EQ(error_of(render(m, jan_1_2025, random)), errc::malformed_input);
}

TEST(MailMimeTest, RefusesInvalidUtf8AndReportsRandomFailure) {
  message m = sample();
  m.text = "\xc3";
  counting_random random;
  EXPECT_EQ(error_of(render(m, jan_1_2025, random)), errc::malformed_input);
  authpp::test::failing_random failing;
  EXPECT_EQ(error_of(render(sample(), jan_1_2025, failing)), errc::random_failure);
}

TEST(MailMimeTest, FormatsDates) {
  EXPECT_EQ(rfc5322_date(jan_1_2025), "Wed, 01 Jan 2025 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + 23h + 59min +
                         59s + 999ms),
            "Thu, 29 Feb 2024 23:59:59 +0000");
  EXPECT_EQ(rfc5322_date(std::chrono::system_clock::time_point{}),
            "Thu, 01 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace authpp::mail
