#include <authpp/providers/presets.hpp>

namespace authpp::providers {

oauth_provider oidc(client_credentials client) {
  oauth_provider p;
  p.id = "oidc";
  p.name = "OpenID Connect";
  p.type = oauth_kind::oidc;
  p.issuer = std::move(client.issuer);
  p.client_id = std::move(client.client_id);
  p.client_secret = std::move(client.client_secret);
  return p;
}

oauth_provider google(client_credentials client) {
  if (client.issuer.empty()) client.issuer = "https://accounts.google.com";
  oauth_provider p = oidc(std::move(client));
  p.id = "google";
  p.name = "Google";
  p.style = {.logo = "google.svg", .bg = "#fff", .text = "#000", .brand_color = "#1a73e8"};
  return p;
}

}  // namespace authpp::providers
