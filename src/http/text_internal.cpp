#include "text_internal.hpp"

#include <authpp/core/utf8.hpp>

namespace authpp::http::detail {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ascii_whitespace(std::string_view s) noexcept {
  while (!s.empty() && is_ascii_whitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_whitespace(s.back())) s.remove_suffix(1);
  return s;
}

void append_utf8_with_replacement(std::string& out, std::string_view s) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";
  while (!s.empty()) {
    const std::size_t n = utf8_sequence_length(s);
    if (n != 0) {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
      continue;
    }
    // A maximal ill-formed subsequence is the lead byte plus every continuation byte that was
    // still acceptable; the WHATWG decoder emits one U+FFFD for it and then reprocesses the byte
    // that broke the sequence. Its length is the longest prefix that a valid sequence could
    // start with, at least one byte.
    std::size_t bad = 1;
    for (std::size_t k = 2; k <= 3 && k <= s.size(); ++k) {
      // The k-byte prefix still belongs to the subsequence if some continuation could complete
      // it. 80 is acceptable in every position after the second byte, and the second byte is
      // always a real one here (k >= 2), so completing with 80s is a sufficient test.
      std::string probe(s.substr(0, k));
      probe.append("\x80\x80\x80", 4 - k);
      if (utf8_sequence_length(probe) == 0) break;
      bad = k;
    }
    out.append(replacement);
    s.remove_prefix(bad);
  }
}

std::string percent_decode_lenient(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace authpp::http::detail
