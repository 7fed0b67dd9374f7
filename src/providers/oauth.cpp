#include <authpp/providers/oauth.hpp>

#include "profile_internal.hpp"

namespace authpp {

using providers::detail::profile_text;

user default_profile(const profile_input& in) {
  user u;
  if (!in.profile.is_object()) return u;
  u.id = profile_text(in.profile, "sub");
  if (!u.id) u.id = profile_text(in.profile, "id");
  u.name = profile_text(in.profile, "name");
  if (!u.name) u.name = profile_text(in.profile, "nickname");
  if (!u.name) u.name = profile_text(in.profile, "preferred_username");
  u.email = profile_text(in.profile, "email");
  u.image = profile_text(in.profile, "picture");
  return u;
}

}  // namespace authpp
