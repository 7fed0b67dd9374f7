#include <authpp/core/base64url.hpp>

#include <array>
#include <cstdint>

namespace authpp::base64url {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr auto reverse = make_reverse();

}  // namespace

namespace detail {

std::string encode(byte_view data, std::string_view digits, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const auto n = std::to_integer<std::uint32_t>(data[i]) << 16 |
                   std::to_integer<std::uint32_t>(data[i + 1]) << 8 |
                   std::to_integer<std::uint32_t>(data[i + 2]);
    out += digits[n >> 18 & 63];
    out += digits[n >> 12 & 63];
    out += digits[n >> 6 & 63];
    out += digits[n & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::to_integer<std::uint32_t>(data[i]) << 16;
    if (rest == 2) n |= std::to_integer<std::uint32_t>(data[i + 1]) << 8;
    out += digits[n >> 18 & 63];
    out += digits[n >> 12 & 63];
    if (rest == 2) out += digits[n >> 6 & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

}  // namespace detail

std::string encode(byte_view data) { return detail::encode(data, alphabet, false); }

result<bytes> decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return auth_error{errc::invalid_base64url, "impossible length"};
  }
  bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const std::int8_t v = reverse[static_cast<unsigned char>(c)];
    if (v < 0) {
      return auth_error{errc::invalid_base64url,
                        c == '=' ? "padding is not allowed" : "character outside the alphabet"};
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::byte>(acc >> bits & 0xff));
    }
  }
  // RFC 4648 §3.5: the unused low bits of the last character must be zero, else two spellings
  // would decode to the same bytes (and a tampered token could pass as untouched).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return auth_error{errc::invalid_base64url, "non-zero trailing bits"};
  }
  return out;
}

}  // namespace authpp::base64url

namespace authpp::base64 {

std::string encode(byte_view data) {
  return base64url::detail::encode(
      data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

}  // namespace authpp::base64
