#pragma once

#include <authpp/core/result.hpp>
#include <authpp/providers/oauth.hpp>

#include <string>
#include <string_view>
#include <vector>

// An authorization server's metadata (OpenID Connect Discovery 1.0, RFC 8414): what the engine
// needs to run a provider's flows, from its configuration or its discovery document.
namespace authpp::providers {

struct authorization_server {
  std::string issuer{};
  std::string authorization_endpoint{};
  std::string token_endpoint{};
  std::string userinfo_endpoint{};
  std::string jwks_uri{};
  std::vector<std::string> id_token_signing_alg_values_supported{};
  // RFC 9207: the server says it adds `iss` to every authorization response, so the callback
  // must carry it (a mix-up attack otherwise goes unnoticed).
  bool authorization_response_iss_parameter_supported = false;
};

// max_discovery_bytes bounds a discovery document before it is parsed.
inline constexpr std::size_t max_discovery_bytes = 64 * 1024;

// discovery_url is `{issuer}/.well-known/openid-configuration`, appended to the issuer's path
// (OIDC Discovery §4.1): an issuer with a trailing slash does not get a double one.
std::string discovery_url(std::string_view issuer);

// needs_discovery tells whether `provider` leaves an endpoint the flows need to discovery: the
// authorization or token endpoint, the userinfo endpoint where the profile comes from it, the
// JWKS of an OIDC provider.
bool needs_discovery(const oauth_provider& provider);

// configured_server is the metadata the provider's configuration alone gives.
authorization_server configured_server(const oauth_provider& provider);

// parse_discovery reads a discovery document and completes it with the provider's configured
// endpoints, which take precedence. It fails with
//   errc::limit_exceeded   if `body` exceeds max_discovery_bytes,
//   errc::invalid_response unless `body` is a JSON object whose `issuer` equals the configured
//                          issuer exactly (a mix-up otherwise: another server's metadata), and
//                          whose endpoint members, where present, are http(s) URLs and strings.
result<authorization_server> parse_discovery(std::string_view body, const oauth_provider& provider);

}  // namespace authpp::providers
