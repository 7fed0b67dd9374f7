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

}  // namespace

std::optional<std::string> default_redirect(std::string_view url, std::string_view base_url) {
  // Stricter than Auth.js: browsers strip tabs and newlines and read `\` as `/`, so "/\evil.com"
  // and "/\tevil.com" would leave the origin; "//evil.com" is protocol-relative wherever it is
  // used as a path. All of them fall back to the origin, as a foreign URL does.
  if (has_control_or_backslash(url) || url.starts_with("//")) return std::string(base_url);
  if (url.starts_with("/")) return std::string(base_url) + std::string(url);
  auto parsed = http::parse_absolute_url(url);
  if (!parsed) return std::nullopt;  // not a URL at all: Auth.js's Configuration error
  if (parsed->origin() == base_url) return std::string(url);
  return std::string(base_url);
}

std::optional<std::string> resolve_redirect(const request_context& ctx, std::string_view url) {
  const auto& redirect = ctx.config().callbacks.redirect;
  if (!redirect) return default_redirect(url, ctx.origin);
  return redirect(url, ctx.origin);
}

bool acceptable_callback_url(std::string_view url) {
  if (has_control_or_backslash(url)) return false;
  if (url.starts_with("/")) return true;
  return http::parse_absolute_url(url).has_value();
}

}  // namespace authpp::detail
