#include <authpp/providers/oauth.hpp>

namespace authpp {
namespace {

// text reads a profile member as Auth.js's templates would show it: strings as they are,
// numbers as their decimal text (GitHub's numeric `id`), anything else as absent.
std::optional<std::string> text(const json& profile, const char* name) {
  const auto it = profile.find(name);
  if (it == profile.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return std::nullopt;
}

}  // namespace

user default_profile(const profile_input& in) {
  user u;
  if (!in.profile.is_object()) return u;
  u.id = text(in.profile, "sub");
  if (!u.id) u.id = text(in.profile, "id");
  u.name = text(in.profile, "name");
  if (!u.name) u.name = text(in.profile, "nickname");
  if (!u.name) u.name = text(in.profile, "preferred_username");
  u.email = text(in.profile, "email");
  u.image = text(in.profile, "picture");
  return u;
}

}  // namespace authpp
