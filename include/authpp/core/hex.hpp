#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>

#include <string>
#include <string_view>

namespace authpp::hex {

// encode returns lowercase hexadecimal, two characters per byte.
std::string encode(byte_view data);

// decode accepts upper- or lowercase digits. It fails with errc::invalid_hex on an odd length or
// any other character.
result<bytes> decode(std::string_view text);

}  // namespace authpp::hex
