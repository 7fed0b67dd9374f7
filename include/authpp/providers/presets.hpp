#pragma once

#include <authpp/providers/oauth.hpp>

#include <string>

// Presets: the providers people use, each a few lines of data (and a profile mapping where the
// provider's profile is not OIDC's). Every field stays writable: a preset is a starting point.
namespace authpp::providers {

// client_credentials is what an operator registers at a provider. `issuer` is needed by the
// generic `oidc` preset and by providers with one issuer per tenant or deployment (Keycloak,
// Okta, Auth0, Entra ID); the others know theirs.
struct client_credentials {
  std::string client_id{};
  std::string client_secret{};
  std::string issuer{};
};

// oidc is any OpenID Provider, found by discovery from its issuer: id "oidc".
oauth_provider oidc(client_credentials client);

// github is GitHub's OAuth app flow (not OIDC): the profile from api.github.com/user, and the
// primary e-mail from /user/emails when the profile hides it. `issuer` may name a GitHub
// Enterprise server ("https://github.example.com"); empty means github.com.
oauth_provider github(client_credentials client);

// google is Google's OpenID Provider (https://accounts.google.com).
oauth_provider google(client_credentials client);

}  // namespace authpp::providers
