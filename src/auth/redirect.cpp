#include <authpp/http/url.hpp>

#include <algorithm>

#include "engine.hpp"

namespace authpp::detail {
namespace {

bool has_control_or_backslash(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '\\';
  });
}

// scheme_of returns the lower-cased scheme of `url` when it starts with one (RFC 3986 §3.1).
std::optional<std::string> scheme_of(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  std::string scheme;
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = url[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool ok =
        alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return std::nullopt;
    scheme += static_cast<char>(alpha ? (c | 0x20) : c);
  }
  return scheme;
}

}  // namespace

std::optional<std::string> default_redirect(std::string_view url, std::string_view base_url,
                                            const std::vector<std::string>& redirect_hosts) {
  // Stricter than Auth.js: browsers strip tabs and newlines and read `\` as `/`, so "/\evil.com"
  // and "/\tevil.com" would leave the origin; "//evil.com" is protocol-relative wherever it is
  // used as a path. All of them fall back to the origin, as a foreign URL does.
  if (has_control_or_backslash(url) || url.starts_with("//")) return std::string(base_url);
  if (url.starts_with("/")) return std::string(base_url) + std::string(url);
  if (url == base_url) return std::string(url);  // what the parse below gives, without parsing
  auto parsed = http::parse_absolute_url(url);
  if (parsed) {
    if (parsed->origin() == base_url) return std::string(url);
    // A sibling host the configuration names, on the origin's scheme (never https -> http).
    const bool sibling =
        base_url.starts_with(parsed->scheme + "://") &&
        std::any_of(redirect_hosts.begin(), redirect_hosts.end(), [&](const std::string& pattern) {
          return http::host_matches(parsed->host, pattern);
        });
    return sibling ? std::string(url) : std::string(base_url);
  }
  // Any other scheme ("mailto:", "javascript:", "data:") is a URL with an opaque origin for
  // JavaScript's `new URL`, so Auth.js falls back to the origin; only text that is no URL at all
  // (or a broken http(s) URL) is its Configuration error.
  if (const auto scheme = scheme_of(url); scheme && *scheme != "http" && *scheme != "https") {
    return std::string(base_url);
  }
  return std::nullopt;
}

std::optional<std::string> resolve_redirect(const request_context& ctx, std::string_view url) {
  const auto& redirect = ctx.config().callbacks.redirect;
  if (!redirect) return default_redirect(url, ctx.origin, ctx.config().redirect_hosts);
  return redirect(url, ctx.origin);
}

bool acceptable_callback_url(std::string_view url) {
  if (has_control_or_backslash(url)) return false;
  if (url.starts_with("/")) return true;
  return http::parse_absolute_url(url).has_value();
}

std::string request_context::callback_origin() const {
  const auto url = http::parse_absolute_url(callback_url);
  if (!url || url->origin() == origin) return {};
  return url->origin();
}

}  // namespace authpp::detail
