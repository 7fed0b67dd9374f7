#include <authpp/http/url.hpp>

#include <cctype>

#include "client_internal.hpp"

namespace authpp::client::detail {

bool has_scheme(std::string_view url) {
  // URL Standard §4.4 scheme state: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
  if (url.empty() || !std::isalpha(static_cast<unsigned char>(url.front()))) return false;
  for (std::size_t i = 1; i < url.size(); ++i) {
    const char c = url[i];
    if (c == ':') return true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return false;
}

result<http::url_search_params> url_query(std::string_view url) {
  url = url.substr(0, url.find('#'));
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return http::url_search_params{};
  auto params = http::url_search_params::parse(url.substr(q + 1));
  if (!params) {
    return auth_error{errc::invalid_response, "url query: " + params.error().message()};
  }
  return std::move(*params);
}

result<std::string> resolve_url(std::string_view base, std::string_view ref) {
  auto parts = http::parse_absolute_url(base);
  if (!parts) return parts.error();
  std::string out;
  if (has_scheme(ref)) {
    out = std::string(ref);
  } else if (ref.starts_with("//")) {
    out = parts->scheme + ":" + std::string(ref);
  } else if (ref.starts_with('/')) {
    out = parts->origin() + std::string(ref);
  } else {
    // Relative to the base: drop its fragment (and query, unless only a fragment is added).
    std::string_view b = base.substr(0, base.find('#'));
    if (ref.empty() || ref.starts_with('#')) {
      out = std::string(b) + std::string(ref);
    } else if (ref.starts_with('?')) {
      out = std::string(b.substr(0, b.find('?'))) + std::string(ref);
    } else {
      const std::string& path = parts->path;
      out = parts->origin() + path.substr(0, path.rfind('/') + 1) + std::string(ref);
    }
  }
  // Only http(s) can be loaded by the default navigator and stored against in the jar.
  if (auto check = http::parse_absolute_url(out.substr(0, out.find('#'))); !check) {
    return auth_error{errc::invalid_url, "cannot navigate to " + out.substr(0, 200)};
  }
  return out;
}

}  // namespace authpp::client::detail
