#include <array>
#include <utility>

#include "engine.hpp"

namespace authpp::detail {
namespace {

struct action_name {
  std::string_view name;
  detail::action action;
  bool takes_provider;
};

// The actions Auth.js routes, and authpp's account page.
constexpr std::array<action_name, 10> actions{{
    {"csrf", action::csrf, false},
    {"providers", action::providers, false},
    {"session", action::session, false},
    {"signin", action::signin, true},
    {"signout", action::signout, false},
    {"callback", action::callback, true},
    {"verify-request", action::verify_request, false},
    {"error", action::error, false},
    {"webauthn-options", action::webauthn_options, true},
    {"account", action::account, false},
}};

}  // namespace

std::optional<route> parse_route(std::string_view base_path, std::string_view path) {
  if (!path.starts_with(base_path)) return std::nullopt;
  std::string_view rest = path.substr(base_path.size());
  // "/api/authx" is not below "/api/auth".
  if (!rest.empty() && rest.front() != '/') return std::nullopt;

  std::vector<std::string_view> segments;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (!segment.empty()) {
      if (segments.size() == 2) return std::nullopt;
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (segments.empty()) return std::nullopt;

  for (const auto& a : actions) {
    if (a.name != segments[0]) continue;
    route r{a.action, std::nullopt};
    if (segments.size() == 2) {
      if (!a.takes_provider) return std::nullopt;
      if (segments[1] != "undefined") r.provider_id = std::string(segments[1]);
    }
    return r;
  }
  return std::nullopt;
}

}  // namespace authpp::detail
