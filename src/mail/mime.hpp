#pragma once

#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>
#include <authpp/mail/mail.hpp>

#include <chrono>
#include <string>
#include <string_view>

// The wire form of a message: RFC 5322 headers and MIME bodies (RFC 2045–2047), all ASCII, CRLF
// line endings, no line over 78 characters but the From and Subject headers (at most 998).
namespace authpp::mail {

// render writes `m` as a complete message dated `date`: Date, From, To, Subject, Message-ID (16
// random bytes in hex @ the from domain), MIME-Version, then the text as quoted-printable UTF-8,
// or multipart/alternative text and HTML when `m.html` is not empty. It fails with
//   errc::malformed_input if `m.to` is not an addr-spec, `m.from` is not a mailbox
//                         (parse_mailbox), the subject has a control character other than TAB
//                         (CR or LF would inject headers), or any text is not UTF-8,
//   errc::random_failure  if `random` fails.
[[nodiscard]] result<std::string> render(const message& m,
                                         std::chrono::system_clock::time_point date,
                                         const random_source& random);

// quoted_printable encodes `text` (RFC 2045 §6.7) with CRLF for each LF or CRLF in it and soft
// breaks keeping lines at 76 characters. A '.' or "From " starting a line is encoded too, so no
// line can end the SMTP data or be mangled by an mbox writer.
std::string quoted_printable(std::string_view text);

// encoded_words returns `utf8` as RFC 2047 "B" encoded-words of at most 75 characters, joined by
// folding whitespace (CRLF SP); no word splits a UTF-8 sequence. Precondition: is_utf8(utf8).
std::string encoded_words(std::string_view utf8);

// rfc5322_date formats `t` as "Thu, 01 Jan 2025 00:00:00 +0000" (RFC 5322 §3.3, UTC).
std::string rfc5322_date(std::chrono::system_clock::time_point t);

}  // namespace authpp::mail
