#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Binary data travels as std::byte so that it never passes for text by accident.
namespace authpp {

using bytes = std::vector<std::byte>;
using byte_view = std::span<const std::byte>;

// as_bytes views the characters of `s` as bytes (no copy; `s` must outlive the view).
inline byte_view as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};  // NOLINT
}

// as_chars views `b` as characters (no copy).
inline std::string_view as_chars(byte_view b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT
}

inline bytes to_bytes(std::string_view s) {
  const byte_view v = as_bytes(s);
  return {v.begin(), v.end()};
}

inline std::string to_string(byte_view b) { return std::string(as_chars(b)); }

}  // namespace authpp
