// GitLab (https://docs.gitlab.com/api/oauth2/, https://docs.gitlab.com/api/users/): an OAuth 2
// server, as Auth.js configures it (type "oauth", scope "read_user").
#include <authpp/providers/presets.hpp>

#include "profile_internal.hpp"

namespace authpp::providers {
namespace {

using detail::profile_text;

// gitlab_profile maps GET /api/v4/user: the numeric `id` as text, `name` or else `username`, the
// e-mail and `avatar_url`.
user gitlab_profile(const profile_input& in) {
  user u;
  if (!in.profile.is_object()) return u;
  u.id = profile_text(in.profile, "id");
  u.name = profile_text(in.profile, "name");
  if (!u.name) u.name = profile_text(in.profile, "username");
  u.email = profile_text(in.profile, "email");
  u.image = profile_text(in.profile, "avatar_url");
  return u;
}

}  // namespace

oauth_provider gitlab(client_credentials client) {
  std::string base = client.issuer.empty() ? "https://gitlab.com" : std::move(client.issuer);
  while (base.ends_with('/')) base.pop_back();
  oauth_provider p;
  p.id = "gitlab";
  p.name = "GitLab";
  p.type = oauth_kind::oauth;
  // GitLab is also an OpenID Provider whose issuer is its base URL. Auth.js names none; naming it
  // lets an RFC 9207 `iss` in the callback match, and the JWKS lets an ID token (when an operator
  // adds "openid" to the scope) be verified instead of refused.
  p.issuer = base;
  p.client_id = std::move(client.client_id);
  p.client_secret = std::move(client.client_secret);
  p.authorization_endpoint = base + "/oauth/authorize";
  p.token_endpoint = base + "/oauth/token";
  p.userinfo_endpoint = base + "/api/v4/user";
  p.jwks_uri = base + "/oauth/discovery/keys";
  p.scope = "read_user";
  p.profile = gitlab_profile;
  p.style = {.logo = "gitlab.svg", .bg = "#FC6D26", .text = "#fff"};
  return p;
}

}  // namespace authpp::providers
