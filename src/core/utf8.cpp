#include <authpp/core/utf8.hpp>

#include <cstdint>
#include <cstring>

namespace authpp {

std::size_t utf8_sequence_length(std::string_view s) noexcept {
  if (s.empty()) return 0;
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 <= 0x7F) return 1;
  std::size_t needed = 0;
  // The bounds of the second byte rule out overlong forms (E0, F0), surrogates (ED) and code
  // points above U+10FFFF (F4); later bytes are always 80–BF (Unicode Table 3-7).
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    needed = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    needed = 2;
    if (b0 == 0xE0) lower = 0xA0;
    if (b0 == 0xED) upper = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    needed = 3;
    if (b0 == 0xF0) lower = 0x90;
    if (b0 == 0xF4) upper = 0x8F;
  } else {
    return 0;
  }
  for (std::size_t i = 1; i <= needed; ++i) {
    if (i >= s.size()) return 0;
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < lower || b > upper) return 0;
    lower = 0x80;
    upper = 0xBF;
  }
  return needed + 1;
}

bool is_utf8(std::string_view s) noexcept {
  // Cookies, tokens and form fields are nearly always ASCII: skip that run eight bytes at a time
  // without decoding sequences.
  std::size_t ascii = 0;
  for (std::uint64_t word = 0; ascii + 8 <= s.size(); ascii += 8) {
    std::memcpy(&word, s.data() + ascii, 8);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) <= 0x7F) ++ascii;
  s.remove_prefix(ascii);
  while (!s.empty()) {
    const std::size_t n = utf8_sequence_length(s);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

}  // namespace authpp
