#include <authpp/core/hex.hpp>

namespace authpp::hex {
namespace {

int digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string encode(byte_view data) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  char* o = out.data();
  for (const std::byte b : data) {
    const auto v = std::to_integer<unsigned>(b);
    *o++ = digits[v >> 4];
    *o++ = digits[v & 15];
  }
  return out;
}

result<bytes> decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return auth_error{errc::invalid_hex, "odd length"};
  }
  bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = digit(text[i]);
    const int lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return auth_error{errc::invalid_hex, "character outside [0-9a-fA-F]"};
    }
    out.push_back(static_cast<std::byte>(hi << 4 | lo));
  }
  return out;
}

}  // namespace authpp::hex
