#include <authpp/http/cookie.hpp>
#include <authpp/http/http_date.hpp>
#include <authpp/http/uri_component.hpp>

#include <algorithm>

#include "text_internal.hpp"

namespace authpp::http {
namespace {

// Auth.js decodes a cookie value only when it contains `%`, and keeps the raw value when
// decodeURIComponent throws (vendored `cookie` tryDecode; client-wire.md §3.2).
std::string decode_cookie_value(std::string_view raw) {
  if (raw.find('%') != std::string_view::npos) {
    if (auto decoded = decode_uri_component(raw)) return std::move(*decoded);
  }
  return std::string(raw);
}

// RFC 9110 §5.6.2 tchar: the characters a cookie name (a token, RFC 6265 §4.1.1) may use.
bool is_tchar(char c) noexcept {
  if (detail::is_ascii_alnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_ctl(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

bool is_safe_attribute_value(std::string_view s) noexcept {
  for (const char c : s) {
    if (is_ctl(c) || c == ';') return false;
  }
  return true;
}

std::string_view same_site_name(same_site s) noexcept {
  switch (s) {
    case same_site::strict:
      return "Strict";
    case same_site::lax:
      return "Lax";
    case same_site::none:
      return "None";
  }
  return "Lax";
}

// RFC 6265 §5.2.2: an optional `-` then digits; anything else means the attribute is ignored.
std::optional<long long> parse_max_age(std::string_view v) {
  if (v.empty()) return std::nullopt;
  const bool negative = v.front() == '-';
  if (negative) v.remove_prefix(1);
  if (v.empty()) return std::nullopt;
  long long n = 0;
  constexpr long long cap = 1'000'000'000'000LL;  // ~31,700 years: saturate, never overflow
  for (const char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    if (n < cap) n = n * 10 + (c - '0');
  }
  if (n > cap) n = cap;
  return negative ? -n : n;
}

}  // namespace

std::vector<cookie> parse_cookie_header(std::string_view header, const cookie_limits& limits) {
  if (header.size() > limits.max_bytes) {
    // Keep only the pieces that end within the limit: a `;` at index max_bytes still closes the
    // last kept piece. A piece cut in the middle would be a wrong value, not a missing one.
    const std::size_t cut = header.substr(0, limits.max_bytes + 1).rfind(';');
    header = cut == std::string_view::npos ? std::string_view{} : header.substr(0, cut);
  }
  std::vector<cookie> out;
  while (!header.empty() && out.size() < limits.max_cookies) {
    const std::size_t semi = header.find(';');
    const std::string_view piece = header.substr(0, semi);
    header.remove_prefix(semi == std::string_view::npos ? header.size() : semi + 1);

    const std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) continue;  // `a;`: not a pair (the `cookie` package too)
    const std::string_view name = detail::trim_ascii_whitespace(piece.substr(0, eq));
    if (name.empty()) continue;  // a nameless cookie cannot be looked up, so it cannot matter
    std::string_view value = detail::trim_ascii_whitespace(piece.substr(eq + 1));
    // RFC 6265 §4.1.1 cookie-value may be DQUOTE *cookie-octet DQUOTE.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out.push_back(cookie{std::string(name), decode_cookie_value(value)});
  }
  return out;
}

const cookie* find_cookie(const std::vector<cookie>& cookies, std::string_view name) {
  for (const cookie& c : cookies) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string serialize(const set_cookie& cookie) {
  // Attribute order of the vendored `cookie` serialize (client-wire.md §5.2).
  std::string out = cookie.name;
  out += '=';
  out += encode_uri_component(cookie.value);
  if (cookie.max_age) {
    out += "; Max-Age=";
    out += std::to_string(*cookie.max_age);
  }
  if (cookie.domain) {
    out += "; Domain=";
    out += *cookie.domain;
  }
  if (cookie.path) {
    out += "; Path=";
    out += *cookie.path;
  }
  if (cookie.expires) {
    out += "; Expires=";
    out += format_http_date(*cookie.expires);
  }
  if (cookie.http_only) out += "; HttpOnly";
  if (cookie.secure) out += "; Secure";
  if (cookie.partitioned) out += "; Partitioned";
  if (cookie.same_site) {
    out += "; SameSite=";
    out += same_site_name(*cookie.same_site);
  }
  return out;
}

result<void> check_set_cookie(const set_cookie& cookie) {
  if (cookie.name.empty()) return auth_error{errc::malformed_input, "empty cookie name"};
  for (const char c : cookie.name) {
    if (!is_tchar(c)) return auth_error{errc::malformed_input, "cookie name is not a token"};
  }
  if (cookie.domain && !is_safe_attribute_value(*cookie.domain)) {
    return auth_error{errc::malformed_input, "cookie domain has ';' or a control character"};
  }
  if (cookie.path && !is_safe_attribute_value(*cookie.path)) {
    return auth_error{errc::malformed_input, "cookie path has ';' or a control character"};
  }
  return {};
}

result<set_cookie> parse_set_cookie(std::string_view text) {
  if (text.size() > max_set_cookie_bytes) {
    return auth_error{errc::limit_exceeded, "Set-Cookie too long"};
  }
  // RFC 6265bis §5.6 step 1: a cookie with a control character other than HTAB is ignored.
  for (const char c : text) {
    if (is_ctl(c) && c != '\t') {
      return auth_error{errc::malformed_input, "control character in Set-Cookie"};
    }
  }
  const std::size_t semi = text.find(';');
  const std::string_view pair = text.substr(0, semi);
  std::string_view attributes =
      semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) {
    return auth_error{errc::malformed_input, "Set-Cookie has no name=value"};
  }
  const std::string_view name = detail::trim_ascii_whitespace(pair.substr(0, eq));
  if (name.empty()) return auth_error{errc::malformed_input, "empty cookie name"};

  set_cookie out;
  out.name = std::string(name);
  out.value = decode_cookie_value(detail::trim_ascii_whitespace(pair.substr(eq + 1)));
  out.path.reset();
  out.http_only = false;
  out.same_site.reset();

  // RFC 6265 §5.2: attributes are matched case-insensitively and a later one overrides.
  while (!attributes.empty()) {
    const std::size_t next = attributes.find(';');
    const std::string_view attr = attributes.substr(0, next);
    attributes.remove_prefix(next == std::string_view::npos ? attributes.size() : next + 1);
    const std::size_t attr_eq = attr.find('=');
    const std::string_view key = detail::trim_ascii_whitespace(attr.substr(0, attr_eq));
    const std::string_view value = attr_eq == std::string_view::npos
                                       ? std::string_view{}
                                       : detail::trim_ascii_whitespace(attr.substr(attr_eq + 1));
    if (detail::iequals(key, "Max-Age")) {
      if (auto n = parse_max_age(value)) out.max_age = *n;
    } else if (detail::iequals(key, "Expires")) {
      if (auto t = parse_http_date(value)) out.expires = *t;
    } else if (detail::iequals(key, "Domain")) {
      // §5.2.3: a leading dot is ignored and the domain is lowercased; empty means absent.
      std::string_view d = value;
      if (!d.empty() && d.front() == '.') d.remove_prefix(1);
      if (d.empty()) {
        out.domain.reset();
      } else {
        std::string lower(d);
        for (char& c : lower) c = detail::ascii_lower(c);
        out.domain = std::move(lower);
      }
    } else if (detail::iequals(key, "Path")) {
      // §5.2.4: a path not starting with `/` means the default path, which only the request
      // URL can tell; leave it unset.
      if (!value.empty() && value.front() == '/') {
        out.path = std::string(value);
      } else {
        out.path.reset();
      }
    } else if (detail::iequals(key, "Secure")) {
      out.secure = true;
    } else if (detail::iequals(key, "HttpOnly")) {
      out.http_only = true;
    } else if (detail::iequals(key, "Partitioned")) {
      out.partitioned = true;
    } else if (detail::iequals(key, "SameSite")) {
      if (detail::iequals(value, "Strict")) {
        out.same_site = same_site::strict;
      } else if (detail::iequals(value, "Lax")) {
        out.same_site = same_site::lax;
      } else if (detail::iequals(value, "None")) {
        out.same_site = same_site::none;
      }
    }
  }
  return out;
}

bool domain_match(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  const bool ip =
      !host.empty() && (host.front() == '[' || std::all_of(host.begin(), host.end(), [](char c) {
                          return (c >= '0' && c <= '9') || c == '.';
                        }));
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.' && !ip;
}

std::optional<std::string> cookie_domain_problem(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return "expected a DNS name of 1 to 253 characters";
  std::size_t labels = 0;
  bool all_digits = true;
  std::size_t start = 0;
  while (start <= domain.size()) {
    const std::size_t dot = std::min(domain.find('.', start), domain.size());
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63)
      return "expected dot-separated labels of 1 to 63 characters";
    for (const char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return "expected lower-case letters, digits, hyphens and dots (no port, no scheme)";
      if (c < '0' || c > '9') all_digits = false;
    }
    if (label.front() == '-' || label.back() == '-')
      return "a label must not begin or end with a hyphen";
    ++labels;
    start = dot + 1;
  }
  if (all_digits) return "an IP address cannot be a cookie domain";
  if (labels < 2) return "a one-label domain is a top-level domain, which browsers refuse";
  return std::nullopt;
}

}  // namespace authpp::http
