// Auth0 (https://auth0.com/docs/authenticate/protocols/openid-connect-protocol): each tenant (or
// custom domain) is an OpenID Provider; its issuer ends with a slash, which discovery keeps.
#include <authpp/providers/presets.hpp>

namespace authpp::providers {

oauth_provider auth0(client_credentials client) {
  oauth_provider p = oidc(std::move(client));
  p.id = "auth0";
  p.name = "Auth0";
  p.style = {.logo = "auth0.svg", .bg = "#EB5424", .text = "#fff"};
  return p;
}

}  // namespace authpp::providers
