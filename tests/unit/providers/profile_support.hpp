#pragma once

#include <authpp/core/json.hpp>
#include <authpp/providers/oauth.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <gtest/gtest.h>

// Helpers for the providers tests: run a provider's profile mapping on a JSON text, and compare
// the resulting user as one printable tuple (id, name, email, image).
namespace authpp::test {

using text = std::optional<std::string>;
using user_fields = std::tuple<text, text, text, text>;

inline user_fields fields(const user& u) { return {u.id, u.name, u.email, u.image}; }

// map_profile parses `profile_json` (which must be valid JSON) and applies `p`'s mapping, or
// default_profile when it has none, as the engine does.
inline user map_profile(
    const oauth_provider& p, std::string_view profile_json,
    std::string_view tokens_json = R"({"access_token":"at","token_type":"bearer"})") {
  const json profile = parse_json(profile_json).value();
  const json tokens = parse_json(tokens_json).value();
  const profile_input in{profile, tokens};
  return p.profile ? p.profile(in) : default_profile(in);
}

}  // namespace authpp::test
