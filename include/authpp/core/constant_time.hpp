#pragma once

#include <authpp/core/bytes.hpp>

#include <string_view>

namespace authpp {

// constant_time_equal compares two secrets in time that depends only on their lengths (which are
// not secret: tokens and hashes have fixed sizes). Use it for every MAC, hash or token comparison.
bool constant_time_equal(byte_view a, byte_view b) noexcept;
inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  return constant_time_equal(as_bytes(a), as_bytes(b));
}

}  // namespace authpp
