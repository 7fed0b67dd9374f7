#include "address.hpp"

#include <authpp/core/utf8.hpp>

#include <algorithm>

namespace authpp::mail {
namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 §3.2.3 atext.
bool is_atext(char c) noexcept {
  return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) noexcept {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;  // safe: s.back() is not '.'
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_label(std::string_view s) noexcept {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_domain(std::string_view s) noexcept {
  if (s.empty() || s.size() > 253) return false;
  for (;;) {
    const std::size_t dot = s.find('.');
    if (!is_label(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_addr_spec(std::string_view address) noexcept {
  if (address.size() > max_address_bytes) return false;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at > 64) return false;
  return is_dot_atom(address.substr(0, at)) && is_domain(address.substr(at + 1));
}

std::string_view domain_of(std::string_view address) noexcept {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

result<mailbox> parse_mailbox(std::string_view text) {
  // Checked first and reported without the value: CR or LF here is a header injection attempt.
  if (has_control(text)) return auth_error{errc::malformed_input, "control character in address"};
  if (!is_utf8(text)) return auth_error{errc::malformed_input, "address is not UTF-8"};
  text = trim(text);
  mailbox out;
  if (!text.empty() && text.back() == '>') {
    const std::size_t open = text.rfind('<');
    if (open == std::string_view::npos) {
      return auth_error{errc::malformed_input, "'>' without '<' in address"};
    }
    out.display_name = std::string(trim(text.substr(0, open)));
    out.address = std::string(text.substr(open + 1, text.size() - open - 2));
  } else {
    out.address = std::string(text);
  }
  if (!is_addr_spec(out.address)) {
    return auth_error{errc::malformed_input, "not an address of the form local@domain"};
  }
  return out;
}

}  // namespace authpp::mail
