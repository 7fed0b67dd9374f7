#include <authpp/http/form.hpp>

#include <algorithm>

#include "text_internal.hpp"

namespace authpp::http {
namespace {

// URL Standard §5.1 step 3.3–3.4: `+` becomes a space, then percent-decode, then "UTF-8 decode
// without BOM" (invalid bytes become U+FFFD).
std::string decode_form_component(std::string_view raw) {
  std::string plus_replaced(raw);
  std::replace(plus_replaced.begin(), plus_replaced.end(), '+', ' ');
  const std::string bytes = detail::percent_decode_lenient(plus_replaced);
  std::string out;
  out.reserve(bytes.size());
  detail::append_utf8_with_replacement(out, bytes);
  return out;
}

// URL Standard §5.2 with the application/x-www-form-urlencoded percent-encode set: everything
// but ASCII alphanumerics and `*-._` is escaped, and space is written as `+`.
void append_form_component(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (detail::is_ascii_alnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      detail::append_percent_byte(out, c);
    }
  }
}

}  // namespace

result<url_search_params> url_search_params::parse(std::string_view input,
                                                   const form_limits& limits) {
  if (input.size() > limits.max_bytes) {
    return auth_error{errc::limit_exceeded, "form body too large"};
  }
  // URLSearchParams' constructor drops one leading `?` (URL Standard §6.2 step 1.1).
  if (!input.empty() && input.front() == '?') input.remove_prefix(1);

  // Count the non-empty pieces first so that an oversized form allocates nothing.
  std::size_t pieces = 0;
  bool in_piece = false;
  for (const char c : input) {
    if (c == '&') {
      in_piece = false;
    } else if (!in_piece) {
      in_piece = true;
      ++pieces;
    }
  }
  if (pieces > limits.max_pairs) {
    return auth_error{errc::limit_exceeded, "too many form fields"};
  }

  url_search_params params;
  params.pairs_.reserve(pieces);
  while (!input.empty()) {
    const std::size_t amp = input.find('&');
    const std::string_view piece = input.substr(0, amp);
    input.remove_prefix(amp == std::string_view::npos ? input.size() : amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    params.pairs_.emplace_back(decode_form_component(name), decode_form_component(value));
  }
  return params;
}

std::string url_search_params::to_string() const {
  std::string out;
  bool first = true;
  for (const auto& [name, value] : pairs_) {
    if (!first) out += '&';
    first = false;
    append_form_component(out, name);
    out += '=';
    append_form_component(out, value);
  }
  return out;
}

void url_search_params::append(std::string name, std::string value) {
  pairs_.emplace_back(std::move(name), std::move(value));
}

void url_search_params::set(std::string_view name, std::string value) {
  // URL Standard §6.2 set(): the first match takes the value, later matches are removed.
  auto first = std::find_if(pairs_.begin(), pairs_.end(),
                            [&](const value_type& p) { return p.first == name; });
  if (first == pairs_.end()) {
    pairs_.emplace_back(std::string(name), std::move(value));
    return;
  }
  first->second = std::move(value);
  pairs_.erase(std::remove_if(std::next(first), pairs_.end(),
                              [&](const value_type& p) { return p.first == name; }),
               pairs_.end());
}

std::optional<std::string> url_search_params::get(std::string_view name) const {
  for (const auto& [n, v] : pairs_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> url_search_params::last(std::string_view name) const {
  for (auto it = pairs_.rbegin(); it != pairs_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string> url_search_params::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : pairs_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

bool url_search_params::has(std::string_view name) const {
  return std::any_of(pairs_.begin(), pairs_.end(),
                     [&](const value_type& p) { return p.first == name; });
}

void url_search_params::remove(std::string_view name) {
  pairs_.erase(std::remove_if(pairs_.begin(), pairs_.end(),
                              [&](const value_type& p) { return p.first == name; }),
               pairs_.end());
}

std::string form_encode(std::string_view text) {
  std::string out;
  append_form_component(out, text);
  return out;
}

}  // namespace authpp::http
