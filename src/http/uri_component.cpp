#include <authpp/http/uri_component.hpp>

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

}  // namespace

std::string encode_uri_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_uri_unreserved(c)) {
      out += c;
    } else {
      detail::append_percent_byte(out, c);
    }
  }
  return out;
}

result<std::string> decode_uri_component(std::string_view text) {
  // JavaScript strings are UTF-16, so its input is always well-formed text; ours is UTF-8 bytes
  // and must be checked. With a valid input, "every escape well formed and the output valid UTF-8"
  // is exactly ECMA-262's Decode (§19.2.6.1.2): an escaped lead byte followed by a raw character
  // can never form a valid sequence.
  if (!detail::is_valid_utf8(text)) {
    return auth_error{errc::invalid_percent_encoding, "input is not UTF-8"};
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || detail::hex_value(text[i + 1]) < 0 ||
        detail::hex_value(text[i + 2]) < 0) {
      return auth_error{errc::invalid_percent_encoding, "'%' not followed by two hex digits"};
    }
    out += static_cast<char>(detail::hex_value(text[i + 1]) * 16 + detail::hex_value(text[i + 2]));
    i += 2;
  }
  if (!detail::is_valid_utf8(out)) {
    return auth_error{errc::invalid_percent_encoding, "decoded bytes are not UTF-8"};
  }
  return out;
}

}  // namespace authpp::http
