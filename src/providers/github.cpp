#include <authpp/providers/presets.hpp>

namespace authpp::providers {
namespace {

// primary_email picks the address GitHub marks primary, else the first one listed.
std::optional<std::string> primary_email(const json& emails) {
  if (!emails.is_array() || emails.empty()) return std::nullopt;
  for (const json& e : emails) {
    // Compared as JSON: json::value would throw on a `primary` that is not a boolean.
    if (e.is_object() && e.contains("primary") && e["primary"] == true && e.contains("email") &&
        e["email"].is_string()) {
      return e["email"].get<std::string>();
    }
  }
  const json& first = emails.front();
  if (first.is_object() && first.contains("email") && first["email"].is_string()) {
    return first["email"].get<std::string>();
  }
  return std::nullopt;
}

// github_userinfo reads the profile, and the e-mail list when the user keeps the address private
// (the profile's `email` is then null).
boost::asio::awaitable<result<json>> github_userinfo(const userinfo_input& in) {
  auto profile = co_await in.get(in.provider.userinfo_endpoint);
  if (!profile) co_return profile;
  if (!profile->is_object())
    co_return auth_error{errc::invalid_response, "GitHub user: not an object"};
  if (!profile->contains("email") || (*profile)["email"].is_null()) {
    auto emails = co_await in.get(in.provider.userinfo_endpoint + "/emails");
    if (!emails) co_return emails.error();
    if (auto email = primary_email(*emails)) (*profile)["email"] = *email;
  }
  co_return profile;
}

user github_profile(const profile_input& in) {
  user u = default_profile(in);
  if (!in.profile.is_object()) return u;
  const auto login = in.profile.find("login");
  if (!u.name && login != in.profile.end() && login->is_string())
    u.name = login->get<std::string>();
  const auto avatar = in.profile.find("avatar_url");
  if (avatar != in.profile.end() && avatar->is_string()) u.image = avatar->get<std::string>();
  return u;
}

}  // namespace

oauth_provider github(client_credentials client) {
  const std::string base = client.issuer.empty() ? "https://github.com" : client.issuer;
  // github.com's API lives on its own host; GitHub Enterprise serves it under /api/v3.
  const std::string api = client.issuer.empty() ? "https://api.github.com" : base + "/api/v3";
  oauth_provider p;
  p.id = "github";
  p.name = "GitHub";
  p.type = oauth_kind::oauth;
  p.issuer = base + "/login/oauth";  // what GitHub sends as RFC 9207 `iss`
  p.client_id = std::move(client.client_id);
  p.client_secret = std::move(client.client_secret);
  p.authorization_endpoint = base + "/login/oauth/authorize";
  p.token_endpoint = base + "/login/oauth/access_token";
  p.userinfo_endpoint = api + "/user";
  p.scope = "read:user user:email";
  p.userinfo = github_userinfo;
  p.profile = github_profile;
  p.style = {.logo = "github.svg", .bg = "#24292f", .text = "#fff", .brand_color = "#24292f"};
  return p;
}

}  // namespace authpp::providers
