#pragma once

#include <authpp/auth/types.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

// OAuth 2 and OpenID Connect providers as data (server-flows.md §7.1): endpoints, client
// credentials, the checks to run, and small hooks where a provider departs from the standard
// (GitHub's e-mail lookup, a profile mapping). The engine runs every flow; presets (github.hpp,
// oidc.hpp, …) fill this struct in.
namespace authpp {

// oauth_kind: `oidc` takes the profile from the verified ID token; `oauth` from the userinfo
// endpoint (and an ID token, if one comes, is still checked).
enum class oauth_kind { oauth, oidc };

// oauth_checks are the values bound to the browser by sealed cookies between the sign-in and the
// callback. Auth.js's default is PKCE alone.
struct oauth_checks {
  bool pkce = true;
  bool state = false;
  bool nonce = false;
  friend bool operator==(const oauth_checks&, const oauth_checks&) = default;
};

// token_auth_method is how the client authenticates at the token endpoint (RFC 6749 §2.3).
enum class token_auth_method { client_secret_basic, client_secret_post, none };

// provider_style colours the provider's button on the built-in sign-in page.
struct provider_style {
  std::string logo{};         // an https or data: URL
  std::string bg{};           // button background, e.g. "#24292f"
  std::string text{};         // button text colour
  std::string brand_color{};  // accent colour
};

// profile_input is what a profile mapping receives: the provider's profile (ID-token claims or
// the userinfo response) and the token response.
struct profile_input {
  const json& profile;
  const json& tokens;
};

struct oauth_provider;

// userinfo_input is what a custom userinfo fetch receives. `get` performs a GET with the access
// token as Bearer credentials and returns the parsed JSON body of a 2xx answer; an error ends the
// sign-in with OAuthCallbackError. Both references outlive the fetch.
struct userinfo_input {
  const oauth_provider& provider;
  const json& tokens;
  std::function<boost::asio::awaitable<result<json>>(std::string url)> get;
};

// oauth_provider configures one OAuth 2 / OIDC provider. Endpoints left empty come from the
// issuer's discovery document (`{issuer}/.well-known/openid-configuration`), fetched once and
// cached.
struct oauth_provider {
  std::string id{};
  std::string name{};
  oauth_kind type = oauth_kind::oidc;
  // issuer is required for `oidc`; for `oauth` it enables discovery and the RFC 9207 `iss` check.
  std::string issuer{};
  std::string client_id{};
  std::string client_secret{};
  std::string authorization_endpoint{};
  std::string token_endpoint{};
  std::string userinfo_endpoint{};
  std::string jwks_uri{};
  // scope is sent as the `scope` parameter; empty means "openid profile email".
  std::string scope{};
  // authorization_params are added to the authorization URL (before the client's own params,
  // which may override them).
  std::vector<std::pair<std::string, std::string>> authorization_params{};
  oauth_checks checks{};
  token_auth_method token_auth = token_auth_method::client_secret_basic;
  // id_token_algorithms allows ID-token signature algorithms ("RS256", "ES256", …). Empty: those
  // discovery lists in id_token_signing_alg_values_supported, else RS256 alone.
  std::vector<std::string> id_token_algorithms{};
  // use_userinfo (oidc only) takes the profile from the userinfo endpoint instead of the ID
  // token's claims (Auth.js's `idToken: false`); its `sub` must equal the ID token's.
  bool use_userinfo = false;
  // userinfo replaces the userinfo request (GitHub reads a second endpoint for the e-mail). It
  // must not capture state that dies before the provider: the engine awaits it.
  std::function<boost::asio::awaitable<result<json>>(const userinfo_input&)> userinfo{};
  // profile maps the profile to a user; `id` becomes the account's providerAccountId. Empty:
  // default_profile.
  std::function<user(const profile_input&)> profile{};
  // allow_dangerous_email_account_linking lets a sign-in link to an existing user with the same
  // e-mail (only safe with providers that verify e-mail addresses).
  bool allow_dangerous_email_account_linking = false;
  provider_style style{};
};

// default_profile is Auth.js's: id = sub ?? id, name = name ?? nickname ?? preferred_username,
// email, image = picture. Integers become their decimal text; members of other types (fractions
// included) are ignored.
user default_profile(const profile_input& in);

}  // namespace authpp
