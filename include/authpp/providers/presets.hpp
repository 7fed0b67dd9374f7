#pragma once

#include <authpp/core/clock.hpp>
#include <authpp/core/result.hpp>
#include <authpp/providers/oauth.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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

// gitlab is GitLab's OAuth 2 flow, id "gitlab": the profile from /api/v4/user (scope
// "read_user"). `issuer` may name a self-managed GitLab's base URL ("https://git.example.com");
// empty means gitlab.com.
oauth_provider gitlab(client_credentials client);

// discord is Discord's OAuth 2 flow, id "discord": the profile from /api/users/@me (scope
// "identify email"), the image built from the avatar hash as Discord's CDN serves it.
oauth_provider discord(client_credentials client);

// keycloak is a Keycloak realm, id "keycloak": OIDC by discovery from `issuer`, the realm's URL
// ("https://sso.example.com/realms/acme"), which is required.
oauth_provider keycloak(client_credentials client);

// auth0 is an Auth0 tenant, id "auth0": OIDC by discovery from `issuer`
// ("https://acme.eu.auth0.com/"), which is required.
oauth_provider auth0(client_credentials client);

// okta is an Okta org or authorization server, id "okta": OIDC by discovery from `issuer`
// ("https://acme.okta.com/oauth2/default"), which is required; checks PKCE and state.
oauth_provider okta(client_credentials client);

// entra_id_issuer returns the issuer of the Microsoft Entra ID tenant `tenant` (its Directory ID):
// "https://login.microsoftonline.com/<tenant>/v2.0".
std::string entra_id_issuer(std::string_view tenant);

// microsoft_entra_id is Microsoft Entra ID (formerly Azure AD), v2.0 endpoints, id
// "microsoft-entra-id": OIDC by discovery. `issuer` is the tenant's issuer URL, or just the
// tenant's Directory ID, from which entra_id_issuer builds it; empty is refused by the engine
// ("issuer: required for oidc"). Only single-tenant apps work: Auth.js's default, the "common"
// multi-tenant issuer, publishes "{tenantid}" as its issuer and each ID token names the user's own
// tenant, while the engine checks both against one configured issuer. Name the tenant by its
// Directory ID (a GUID), not its domain: discovery answers with the GUID issuer either way.
oauth_provider microsoft_entra_id(client_credentials client);

// apple_credentials is what Sign in with Apple needs, from Certificates, Identifiers & Profiles.
struct apple_credentials {
  std::string client_id{};        // the Services ID ("com.example.web"): the secret's `sub`
  std::string team_id{};          // the Team ID: the secret's `iss`
  std::string key_id{};           // the Sign in with Apple key's ID: the secret's `kid`
  std::string private_key_pem{};  // that key's .p8 file (PKCS #8 PEM, P-256)
  // secret_lifetime is how long the client secret made from the key stays valid.
  std::chrono::seconds secret_lifetime = std::chrono::days{180};
};

// apple_max_secret_lifetime is the longest client secret Apple accepts: 15 777 000 s, six months.
inline constexpr std::chrono::seconds apple_max_secret_lifetime{15777000};

// apple_client_secret makes the client secret Apple's token endpoint takes: a JWT signed ES256
// with the .p8 key, header {"alg":"ES256","kid":key_id}, claims iss = team_id, iat = now,
// exp = now + secret_lifetime, aud = "https://appleid.apple.com", sub = client_id. It fails with
//   errc::invalid_config  if client_id, team_id or key_id is empty or holds a character outside
//                         printable ASCII, or secret_lifetime is not in (0, six months],
//   errc::limit_exceeded  if the PEM text is longer than jose::default_max_jwk_size,
//   errc::invalid_key     unless the PEM holds one unencrypted P-256 private key,
//   errc::crypto_failure  if OpenSSL fails.
result<std::string> apple_client_secret(const apple_credentials& credentials, const clock& clock);

// apple is Sign in with Apple, id "apple": OIDC by discovery from https://appleid.apple.com,
// scope "name email" answered by form_post, checks state and nonce (no PKCE), the client
// authenticated in the token request's body. The client secret is made here, once, by
// apple_client_secret: the provider stops working `secret_lifetime` after `clock.now()` (Apple
// answers invalid_client), so a server must build it again, by restarting, before then. It fails
// as apple_client_secret does.
result<oauth_provider> apple(const apple_credentials& credentials,
                             const clock& clock = default_clock());

// apple_with_secret is the same provider with a client secret made ahead: what `type = "apple"`
// in a [[providers]] table builds, its client_secret being the JWT `authpp apple-secret` prints
// (Auth.js's AUTH_APPLE_SECRET is the same kind of value).
oauth_provider apple_with_secret(client_credentials client);

// apple_secret_problem says why `secret` cannot be Apple's client secret at `clock.now()`: not
// a JWT, no numeric `exp`, or an `exp` already passed (Apple then answers invalid_client to
// every sign-in). nullopt when it can; the signature is Apple's to check.
std::optional<std::string> apple_secret_problem(std::string_view secret, const clock& clock);

// preset returns the provider that `type` names ("oidc", "oauth", "github", "google", "gitlab",
// "discord", "keycloak", "auth0", "okta", "microsoft-entra-id", "apple") made for `client`;
// nullopt for any other name. "apple" is apple_with_secret.
std::optional<oauth_provider> preset(std::string_view type, client_credentials client);
// is_preset tells whether preset() knows `type`.
bool is_preset(std::string_view type) noexcept;
// preset_names lists the types preset() knows, for messages: "oidc, oauth, …, okta or
// microsoft-entra-id".
std::string preset_names();

}  // namespace authpp::providers
