#include <authpp/core/utf8.hpp>
#include <authpp/http/uri_component.hpp>

#include <array>

#include "text_internal.hpp"

namespace authpp::http {
namespace {

// ECMA-262 §19.2.6.5: encodeURIComponent keeps uriAlpha, DecimalDigit and uriMark.
constexpr bool is_uri_unreserved(char c) noexcept {
  if (detail::is_ascii_alnum(c)) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

constexpr std::array<bool, 256> make_unreserved_table() {
  std::array<bool, 256> table{};
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = is_uri_unreserved(static_cast<char>(i));
  return table;
}
constexpr auto unreserved = make_unreserved_table();

bool keeps(char c) noexcept { return unreserved[static_cast<unsigned char>(c)]; }

}  // namespace

std::string encode_uri_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Copy each run of unreserved characters whole: a token or plain value is a single run.
  while (!text.empty()) {
    std::size_t run = 0;
    while (run < text.size() && keeps(text[run])) ++run;
    out.append(text.substr(0, run));
    if (run == text.size()) break;
    detail::append_percent_byte(out, text[run]);
    text.remove_prefix(run + 1);
  }
  return out;
}

result<std::string> decode_uri_component(std::string_view text) {
  // JavaScript strings are UTF-16, so its input is always well-formed text; ours is UTF-8 bytes
  // and must be checked. With a valid input, "every escape well formed and the output valid UTF-8"
  // is exactly ECMA-262's Decode (§19.2.6.1.2): an escaped lead byte followed by a raw character
  // can never form a valid sequence.
  if (!is_utf8(text)) {
    return auth_error{errc::invalid_percent_encoding, "input is not UTF-8"};
  }
  if (text.find('%') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t percent = text.find('%'); percent != std::string_view::npos;
       percent = text.find('%')) {
    out.append(text.substr(0, percent));
    if (percent + 2 >= text.size() || detail::hex_value(text[percent + 1]) < 0 ||
        detail::hex_value(text[percent + 2]) < 0) {
      return auth_error{errc::invalid_percent_encoding, "'%' not followed by two hex digits"};
    }
    out += static_cast<char>(detail::hex_value(text[percent + 1]) * 16 +
                             detail::hex_value(text[percent + 2]));
    text.remove_prefix(percent + 3);
  }
  out.append(text);
  if (!is_utf8(out)) {
    return auth_error{errc::invalid_percent_encoding, "decoded bytes are not UTF-8"};
  }
  return out;
}

}  // namespace authpp::http
