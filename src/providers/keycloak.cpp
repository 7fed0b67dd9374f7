// Keycloak (https://www.keycloak.org/docs/latest/securing_apps/#_oidc): each realm is an OpenID
// Provider; Auth.js's preset is the generic OIDC flow with Keycloak's colour.
#include <authpp/providers/presets.hpp>

namespace authpp::providers {

oauth_provider keycloak(client_credentials client) {
  oauth_provider p = oidc(std::move(client));
  p.id = "keycloak";
  p.name = "Keycloak";
  // Auth.js gives Keycloak a brand colour only: the button keeps the page's own colours.
  p.style = {.logo = "keycloak.svg", .brand_color = "#428bca"};
  return p;
}

}  // namespace authpp::providers
