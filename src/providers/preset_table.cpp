// The presets by name: what a `[[providers]]` table's `type` chooses.
#include <authpp/providers/presets.hpp>

#include <array>
#include <utility>

namespace authpp::providers {
namespace {

// generic_oauth is the `oauth` type: explicit endpoints (or discovery from an issuer), the
// profile from the userinfo endpoint.
oauth_provider generic_oauth(client_credentials client) {
  oauth_provider p = oidc(std::move(client));
  p.id = "oauth";
  p.name = "OAuth";
  p.type = oauth_kind::oauth;
  return p;
}

using factory = oauth_provider (*)(client_credentials);
constexpr std::array<std::pair<std::string_view, factory>, 11> presets{{
    {"oidc", oidc},
    {"oauth", generic_oauth},
    {"github", github},
    {"google", google},
    {"gitlab", gitlab},
    {"discord", discord},
    {"keycloak", keycloak},
    {"auth0", auth0},
    {"okta", okta},
    {"microsoft-entra-id", microsoft_entra_id},
    {"apple", apple_with_secret},
}};

}  // namespace

std::optional<oauth_provider> preset(std::string_view type, client_credentials client) {
  for (const auto& [name, make] : presets) {
    if (name == type) return make(std::move(client));
  }
  return std::nullopt;
}

bool is_preset(std::string_view type) noexcept {
  for (const auto& [name, make] : presets) {
    if (name == type) return true;
  }
  return false;
}

std::string preset_names() {
  std::string out;
  for (std::size_t i = 0; i < presets.size(); ++i) {
    if (i != 0) out += i + 1 == presets.size() ? " or " : ", ";
    out += presets[i].first;
  }
  return out;
}

}  // namespace authpp::providers
