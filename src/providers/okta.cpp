// Okta (https://developer.okta.com/docs/reference/api/oidc/): an org or custom authorization
// server is an OpenID Provider. Auth.js runs it with PKCE and state.
#include <authpp/providers/presets.hpp>

namespace authpp::providers {

oauth_provider okta(client_credentials client) {
  oauth_provider p = oidc(std::move(client));
  p.id = "okta";
  p.name = "Okta";
  p.checks = {.pkce = true, .state = true, .nonce = false};
  p.style = {.logo = "okta.svg", .bg = "#000", .text = "#fff"};
  return p;
}

}  // namespace authpp::providers
