#pragma once

#include <authpp/core/json.hpp>

#include <optional>
#include <string>

// Helpers shared by the presets' profile mappings.
namespace authpp::providers::detail {

// profile_text reads member `name` of a provider's profile as Auth.js's mappings show it: a string
// as it is, an integer as its decimal text (`String(profile.id)`); absent, null or any other type
// as nullopt. `profile` must be an object.
inline std::optional<std::string> profile_text(const json& profile, const char* name) {
  const auto it = profile.find(name);
  if (it == profile.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return std::nullopt;
}

}  // namespace authpp::providers::detail
