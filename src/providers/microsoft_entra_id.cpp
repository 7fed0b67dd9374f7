// Microsoft Entra ID (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc):
// a tenant's v2.0 endpoints are an OpenID Provider found by discovery.
#include <authpp/providers/presets.hpp>

#include "profile_internal.hpp"

namespace authpp::providers {
namespace {

using detail::profile_text;

// entra_profile maps the ID token's claims as Auth.js does: `sub`, `name` and `email` alone (no
// fallback to `preferred_username`, which is often a UPN rather than a mailbox). Auth.js also
// fetches the photo from Microsoft Graph (/me/photos/48x48/$value, hence the User.Read scope) and
// makes it a data: URL; that request is out of scope here, so the user has no image.
user entra_profile(const profile_input& in) {
  user u;
  if (!in.profile.is_object()) return u;
  u.id = profile_text(in.profile, "sub");
  u.name = profile_text(in.profile, "name");
  u.email = profile_text(in.profile, "email");
  return u;
}

}  // namespace

std::string entra_id_issuer(std::string_view tenant) {
  return "https://login.microsoftonline.com/" + std::string(tenant) + "/v2.0";
}

oauth_provider microsoft_entra_id(client_credentials client) {
  if (!client.issuer.empty() && client.issuer.find("://") == std::string::npos) {
    client.issuer = entra_id_issuer(client.issuer);
  }
  oauth_provider p = oidc(std::move(client));
  p.id = "microsoft-entra-id";
  p.name = "Microsoft Entra ID";
  // Auth.js's scope, User.Read included, so that both servers send the same authorization URL.
  p.scope = "openid profile email User.Read";
  p.profile = entra_profile;
  p.style = {.logo = "microsoft-entra-id.svg", .bg = "#0072c6", .text = "#fff"};
  return p;
}

}  // namespace authpp::providers
