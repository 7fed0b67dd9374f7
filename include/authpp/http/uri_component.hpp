#pragma once

#include <authpp/core/result.hpp>

#include <string>
#include <string_view>

// The two percent-encodings of ECMAScript (ECMA-262 §19.2.6) on UTF-8 text. Auth.js encodes every
// Set-Cookie value with encodeURIComponent and decodes Cookie values with decodeURIComponent
// (client-wire.md §5.2, §3.2), so these must agree with JavaScript byte for byte.
namespace authpp::http {

// encode_uri_component returns `text` percent-encoded like JavaScript's encodeURIComponent: the
// unreserved characters A–Z a–z 0–9 - _ . ! ~ * ' ( ) are kept, every other byte becomes %XX with
// uppercase hex. `text` is taken as UTF-8; each byte is encoded on its own, so valid UTF-8 gives
// exactly JavaScript's output. It cannot fail.
std::string encode_uri_component(std::string_view text);

// decode_uri_component reverses encode_uri_component like JavaScript's decodeURIComponent. It
// fails with
//   errc::invalid_percent_encoding if a `%` is not followed by two hex digits, or if `text` or
//                                  the decoded result is not valid UTF-8 (overlong forms,
//                                  surrogates and code points above U+10FFFF included).
[[nodiscard]] result<std::string> decode_uri_component(std::string_view text);

}  // namespace authpp::http
