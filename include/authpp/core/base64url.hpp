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

}  // namespace authpp::base64url
