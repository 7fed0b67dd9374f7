#include "mime.hpp"

#include <authpp/core/base64url.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/core/utf8.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

#include "address.hpp"

namespace authpp::mail {
namespace {

using namespace std::string_view_literals;

// RFC 5322 §2.1.1: a line is at most 998 characters before its CRLF.
constexpr std::size_t max_line = 998;

bool is_printable_ascii(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= ' ' && c <= '~') || c == '\t'; });
}

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

// An ASCII text that contains "=?" could be read as an encoded-word by a mail client, so it is
// encoded itself (RFC 2047 §5).
bool can_stay_raw(std::string_view s, std::size_t room) noexcept {
  return is_printable_ascii(s) && s.find("=?") == std::string_view::npos && s.size() <= room;
}

// phrase returns a display name as RFC 5322 §3.2.5 allows it: atoms as they are, anything else
// ASCII as a quoted-string, non-ASCII as encoded-words.
std::string phrase(std::string_view name, std::size_t room) {
  if (!can_stay_raw(name, room - 2)) return encoded_words(name);
  const bool atoms_only = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
           "!#$%&'*+-/=?^_`{|}~"sv.find(c) != std::string_view::npos;
  });
  if (atoms_only) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  if (out.size() > room) return encoded_words(name);
  return out;
}

void add_text_part_headers(std::string& out, std::string_view subtype) {
  out += "Content-Type: text/";
  out += subtype;
  out += "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n";
}

}  // namespace

std::string quoted_printable(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 16);
  std::size_t column = 0;
  const auto put = [&](std::string_view piece) {
    // Soft break (RFC 2045 §6.7 rule 5): 75 characters and '=' make the 76 allowed.
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  const auto line_break_at = [&](std::size_t i) {
    return i == text.size() || text[i] == '\n' ||
           (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      out += "\r\n";
      column = 0;
      continue;
    }
    bool literal = c > ' ' && c <= '~' && c != '=';
    // Trailing white space may be stripped in transit, so it is encoded (rule 3).
    if (c == ' ' || c == '\t') literal = !line_break_at(i + 1);
    // A character lands at the start of a line after a hard break or when put() soft-breaks.
    const bool line_start = column == 0 || column >= 75;
    if (line_start && (c == '.' || (c == 'F' && text.substr(i).starts_with("From ")))) {
      literal = false;
    }
    if (literal) {
      put(std::string_view(&c, 1));
    } else {
      const auto u = static_cast<unsigned char>(c);
      const char triplet[3] = {'=', digits[u >> 4], digits[u & 0xf]};
      put(std::string_view(triplet, 3));
    }
  }
  return out;
}

std::string encoded_words(std::string_view utf8) {
  // "=?UTF-8?B?" + base64 + "?=" within 75 characters leaves 63 for base64: 45 bytes.
  constexpr std::size_t max_bytes = 45;
  std::string out;
  while (!utf8.empty()) {
    std::size_t n = 0;
    while (n < utf8.size()) {
      const std::size_t len = std::max<std::size_t>(1, utf8_sequence_length(utf8.substr(n)));
      if (n + len > max_bytes) break;
      n += len;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += base64::encode(as_bytes(utf8.substr(0, n)));
    out += "?=";
    utf8.remove_prefix(n);
  }
  return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  static constexpr std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(t - day));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                days[std::chrono::weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

result<std::string> render(const message& m, std::chrono::system_clock::time_point date,
                           const random_source& random) {
  // The checks that make header injection impossible: nothing with CR or LF reaches a header.
  auto from = parse_mailbox(m.from);
  if (!from) return auth_error{errc::malformed_input, "from: " + from.error().detail};
  if (!is_addr_spec(m.to)) {
    return auth_error{errc::malformed_input, "to: not a single address of the form local@domain"};
  }
  if (has_control(m.subject)) {
    return auth_error{errc::malformed_input,
                      "subject: control character (CR or LF would inject "
                      "headers)"};
  }
  if (!is_utf8(m.subject) || !is_utf8(m.text) || !is_utf8(m.html)) {
    return auth_error{errc::malformed_input, "subject or body is not UTF-8"};
  }
  auto id = random_bytes(random, 16);
  if (!id) return id.error();
  auto boundary_id = random_bytes(random, 12);
  if (!boundary_id) return boundary_id.error();

  std::string out;
  out += "Date: " + rfc5322_date(date) + "\r\n";
  out += "From: ";
  if (!from->display_name.empty()) {
    // Room for "From: ", " <address>" and CRLF within one line.
    out += phrase(from->display_name, max_line - 9 - from->address.size());
    out += " <" + from->address + ">\r\n";
  } else {
    out += from->address + "\r\n";
  }
  out += "To: " + m.to + "\r\n";
  out += "Subject: ";
  out += can_stay_raw(m.subject, max_line - 9) ? m.subject : encoded_words(m.subject);
  out += "\r\n";
  out += "Message-ID: <" + hex::encode(*id) + "@" + std::string(domain_of(from->address)) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (m.html.empty()) {
    add_text_part_headers(out, "plain");
    out += "\r\n" + quoted_printable(m.text) + "\r\n";
    return out;
  }
  // '=' in quoted-printable is always followed by hex digits or CRLF, so a boundary starting
  // "=_" can never occur in a body (RFC 2045 §6.7 relies on the same trick).
  const std::string boundary = "=_authpp_" + hex::encode(*boundary_id);
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  add_text_part_headers(out, "plain");
  out += "\r\n" + quoted_printable(m.text) + "\r\n";
  out += "--" + boundary + "\r\n";
  add_text_part_headers(out, "html");
  out += "\r\n" + quoted_printable(m.html) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace authpp::mail
