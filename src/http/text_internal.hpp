#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// Byte-level helpers shared by the http module's parsers. Private to src/http.
namespace authpp::http::detail {

// hex_value returns 0–15 for a hex digit of either case, -1 otherwise.
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char upper_hex_digit(unsigned v) noexcept { return "0123456789ABCDEF"[v & 15U]; }

// append_percent_byte appends `%XX` (uppercase) for `c`.
inline void append_percent_byte(std::string& out, char c) {
  const auto v = static_cast<unsigned char>(c);
  out += '%';
  out += upper_hex_digit(v >> 4U);
  out += upper_hex_digit(v);
}

constexpr bool is_ascii_alnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

constexpr bool is_ascii_whitespace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept;
std::string_view trim_ascii_whitespace(std::string_view s) noexcept;

// append_utf8_with_replacement appends `s` to `out`, replacing each maximal ill-formed
// subsequence with U+FFFD as the WHATWG Encoding Standard's UTF-8 decoder does (§8.1.1), which is
// what "UTF-8 decode without BOM" in the urlencoded parser means.
void append_utf8_with_replacement(std::string& out, std::string_view s);

// percent_decode_lenient is the URL Standard's percent-decode (§1.3): `%` followed by two hex
// digits becomes that byte, anything else is copied as is. The result may be any bytes.
std::string percent_decode_lenient(std::string_view s);

}  // namespace authpp::http::detail
