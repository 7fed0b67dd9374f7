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
  const std::size_t whole = data.size() / 3;
  const std::size_t rest = data.size() % 3;
  std::string out(whole * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1), '=');
  char* o = out.data();
  const auto byte = [&](std::size_t i) { return std::to_integer<std::uint32_t>(data[i]); };
  for (std::size_t i = 0; i < whole * 3; i += 3) {
    const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    *o++ = digits[n >> 18 & 63];
    *o++ = digits[n >> 12 & 63];
    *o++ = digits[n >> 6 & 63];
    *o++ = digits[n & 63];
  }
  if (rest > 0) {
    const std::size_t i = whole * 3;
    std::uint32_t n = byte(i) << 16;
    if (rest == 2) n |= byte(i + 1) << 8;
    *o++ = digits[n >> 18 & 63];
    *o++ = digits[n >> 12 & 63];
    if (rest == 2) *o = digits[n >> 6 & 63];  // any padding is already in place
  }
  return out;
}

}  // namespace detail

std::string encode(byte_view data) { return detail::encode(data, alphabet, false); }

result<bytes> decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return auth_error{errc::invalid_base64url, "impossible length"};
  }
  bytes out(text.size() / 4 * 3 + (text.size() % 4 == 0 ? 0 : text.size() % 4 - 1));
  std::byte* o = out.data();
  // Any character outside the alphabet maps to -1; OR-ing every value together finds one at the
  // end instead of a branch per character.
  std::int32_t bad = 0;
  const auto value = [&](std::size_t i) {
    const std::int32_t v = reverse[static_cast<unsigned char>(text[i])];
    bad |= v;
    return static_cast<std::uint32_t>(v) & 63;
  };
  const std::size_t whole = text.size() / 4 * 4;
  for (std::size_t i = 0; i < whole; i += 4) {
    const std::uint32_t n = value(i) << 18 | value(i + 1) << 12 | value(i + 2) << 6 | value(i + 3);
    *o++ = static_cast<std::byte>(n >> 16);
    *o++ = static_cast<std::byte>(n >> 8 & 0xff);
    *o++ = static_cast<std::byte>(n & 0xff);
  }
  const std::size_t rest = text.size() - whole;
  std::uint32_t unused_bits = 0;  // RFC 4648 §3.5: must be zero in the last character
  if (rest >= 2) {
    std::uint32_t n = value(whole) << 18 | value(whole + 1) << 12;
    if (rest == 3) n |= value(whole + 2) << 6;
    *o++ = static_cast<std::byte>(n >> 16);
    if (rest == 3) *o = static_cast<std::byte>(n >> 8 & 0xff);
    unused_bits = rest == 2 ? n & 0xffff : n & 0xff;
  }
  if (bad < 0) {
    return auth_error{errc::invalid_base64url, text.find('=') != std::string_view::npos
                                                   ? "padding is not allowed"
                                                   : "character outside the alphabet"};
  }
  // Non-zero unused bits would give two spellings of the same bytes (and a tampered token could
  // pass as untouched).
  if (unused_bits != 0) return auth_error{errc::invalid_base64url, "non-zero trailing bits"};
  return out;
}

}  // namespace authpp::base64url

namespace authpp::base64 {

std::string encode(byte_view data) {
  return base64url::detail::encode(
      data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

}  // namespace authpp::base64
