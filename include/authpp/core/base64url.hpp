#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>

#include <string>
#include <string_view>

// Unpadded base64url (RFC 4648 §5), the alphabet of every JOSE segment.
namespace authpp::base64url {

// encode returns the unpadded base64url text of `data`.
std::string encode(byte_view data);
inline std::string encode(std::string_view text) { return encode(as_bytes(text)); }

// decode accepts canonical input only, so every token has exactly one spelling. It fails with
// errc::invalid_base64url on padding (`=`), a character outside [A-Za-z0-9_-], a length of 1
// modulo 4, or non-zero unused bits in the last character (RFC 4648 §3.5).
result<bytes> decode(std::string_view text);

namespace detail {
// encode maps 6-bit groups to `digits`, padding with '=' when `pad` (shared with base64).
std::string encode(byte_view data, std::string_view digits, bool pad);
}  // namespace detail

}  // namespace authpp::base64url

// Standard padded base64 (RFC 4648 §4), for the few places that need it, such as CSP hashes.
namespace authpp::base64 {

// encode returns the padded standard base64 text of `data`.
std::string encode(byte_view data);

}  // namespace authpp::base64
