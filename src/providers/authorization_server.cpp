#include <authpp/http/url.hpp>
#include <authpp/providers/authorization_server.hpp>

namespace authpp::providers {
namespace {

// same_issuer compares issuer identifiers as URLs: `https://idp` and `https://idp/` name the
// same issuer (WHATWG serialises the first as the second), anything else must match exactly.
bool same_issuer(std::string_view a, std::string_view b) {
  const auto trim = [](std::string_view s) {
    if (s.ends_with('/')) s.remove_suffix(1);
    return s;
  };
  return trim(a) == trim(b);
}

auth_error bad(std::string detail) {
  return auth_error{errc::invalid_response, "discovery: " + std::move(detail)};
}

}  // namespace

std::string discovery_url(std::string_view issuer) {
  std::string url(issuer);
  if (url.ends_with('/')) url.pop_back();
  return url + "/.well-known/openid-configuration";
}

bool needs_discovery(const oauth_provider& p) {
  if (p.authorization_endpoint.empty() || p.token_endpoint.empty()) return true;
  const bool profile_from_userinfo = p.type == oauth_kind::oauth || p.use_userinfo;
  if (profile_from_userinfo && !p.userinfo && p.userinfo_endpoint.empty()) return true;
  return p.type == oauth_kind::oidc && p.jwks_uri.empty();
}

authorization_server configured_server(const oauth_provider& p) {
  authorization_server s;
  s.issuer = p.issuer;
  s.authorization_endpoint = p.authorization_endpoint;
  s.token_endpoint = p.token_endpoint;
  s.userinfo_endpoint = p.userinfo_endpoint;
  s.jwks_uri = p.jwks_uri;
  return s;
}

result<authorization_server> parse_discovery(std::string_view body, const oauth_provider& p) {
  if (body.size() > max_discovery_bytes) {
    return auth_error{errc::limit_exceeded, "discovery: document larger than 64 KiB"};
  }
  auto doc = parse_json(body, 16);
  if (!doc || !doc->is_object()) return bad("not a JSON object");

  authorization_server s = configured_server(p);
  const auto* issuer = doc->contains("issuer") ? &(*doc)["issuer"] : nullptr;
  if (!issuer || !issuer->is_string()) return bad("no issuer");
  if (!same_issuer(issuer->get_ref<const std::string&>(), p.issuer)) {
    return bad("the document's issuer differs from the configured issuer");
  }
  s.issuer = issuer->get<std::string>();

  // Configured endpoints win; discovered ones must be http(s) URLs.
  const auto endpoint = [&](const char* name, std::string& into) -> std::optional<auth_error> {
    const auto it = doc->find(name);
    if (it == doc->end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return bad(std::string(name) + " is not a string");
    const auto& url = it->get_ref<const std::string&>();
    if (!http::parse_absolute_url(url)) return bad(std::string(name) + " is not an http(s) URL");
    if (into.empty()) into = url;
    return std::nullopt;
  };
  for (const auto& [name, into] :
       {std::pair<const char*, std::string*>{"authorization_endpoint", &s.authorization_endpoint},
        {"token_endpoint", &s.token_endpoint},
        {"userinfo_endpoint", &s.userinfo_endpoint},
        {"jwks_uri", &s.jwks_uri}}) {
    if (auto error = endpoint(name, *into)) return *error;
  }
  if (const auto it = doc->find("id_token_signing_alg_values_supported");
      it != doc->end() && it->is_array()) {
    for (const json& alg : *it) {
      if (alg.is_string())
        s.id_token_signing_alg_values_supported.push_back(alg.get<std::string>());
    }
  }
  if (const auto it = doc->find("authorization_response_iss_parameter_supported");
      it != doc->end() && it->is_boolean()) {
    s.authorization_response_iss_parameter_supported = it->get<bool>();
  }
  return s;
}

}  // namespace authpp::providers
