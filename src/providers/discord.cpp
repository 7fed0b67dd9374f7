// Discord (https://discord.com/developers/docs/topics/oauth2): an OAuth 2 server, as Auth.js
// configures it (type "oauth", scope "identify email").
#include <authpp/providers/presets.hpp>

#include <charconv>
#include <cstdint>

#include "profile_internal.hpp"

namespace authpp::providers {
namespace {

using detail::profile_text;

constexpr std::string_view cdn = "https://cdn.discordapp.com";

// decimal reads a whole string of decimal digits, as Discord writes snowflakes and
// discriminators.
std::optional<std::uint64_t> decimal(const std::optional<std::string>& s) {
  std::uint64_t n = 0;
  if (!s || s->empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
  if (ec != std::errc{} || end != s->data() + s->size()) return std::nullopt;
  return n;
}

// discord_image is the user's avatar URL on Discord's CDN
// (https://discord.com/developers/docs/reference#image-formatting): an animated hash ("a_…") as
// GIF, another as PNG; without an avatar, the default one: index (id >> 22) % 6 for users of the
// new username system (discriminator "0"), discriminator % 5 for the others. An id or
// discriminator that is not a number gives no image (Auth.js would throw or print "NaN").
std::optional<std::string> discord_image(const json& profile,
                                         const std::optional<std::string>& id) {
  const auto avatar = profile.find("avatar");
  if (avatar != profile.end() && avatar->is_string() && id) {
    const auto& hash = avatar->get_ref<const std::string&>();
    return std::string(cdn) + "/avatars/" + *id + "/" + hash +
           (hash.starts_with("a_") ? ".gif" : ".png");
  }
  const auto discriminator = profile_text(profile, "discriminator");
  std::optional<std::uint64_t> index;
  if (!discriminator || *discriminator == "0") {
    if (const auto snowflake = decimal(id)) index = (*snowflake >> 22) % 6;
  } else if (const auto tag = decimal(discriminator)) {
    index = *tag % 5;
  }
  if (!index) return std::nullopt;
  return std::string(cdn) + "/embed/avatars/" + std::to_string(*index) + ".png";
}

// discord_profile maps GET /api/users/@me: the snowflake `id`, `global_name` (the display name)
// or else `username`, the e-mail (null without the "email" scope), the avatar URL.
user discord_profile(const profile_input& in) {
  user u;
  if (!in.profile.is_object()) return u;
  u.id = profile_text(in.profile, "id");
  u.name = profile_text(in.profile, "global_name");
  if (!u.name) u.name = profile_text(in.profile, "username");
  u.email = profile_text(in.profile, "email");
  u.image = discord_image(in.profile, u.id);
  return u;
}

}  // namespace

oauth_provider discord(client_credentials client) {
  oauth_provider p;
  p.id = "discord";
  p.name = "Discord";
  p.type = oauth_kind::oauth;
  p.client_id = std::move(client.client_id);
  p.client_secret = std::move(client.client_secret);
  p.authorization_endpoint = "https://discord.com/api/oauth2/authorize";
  p.token_endpoint = "https://discord.com/api/oauth2/token";
  p.userinfo_endpoint = "https://discord.com/api/users/@me";
  p.scope = "identify email";
  p.profile = discord_profile;
  p.style = {.logo = "discord.svg", .bg = "#5865F2", .text = "#fff"};
  return p;
}

}  // namespace authpp::providers
