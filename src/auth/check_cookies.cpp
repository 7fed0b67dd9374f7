// The sealed check cookies of a sign-in's round trip: OAuth's PKCE verifier, state and nonce,
// and the WebAuthn challenge (and, in the same format, the account page's recent-sign-in proof
// and TOTP enrolment). Each is the session-token JWE of {"value", "provider"} under a key
// salted with the cookie's own name, so that a cookie opens only as what it was made for, and
// only for the provider that made it.
#include "engine.hpp"

namespace authpp::detail {

result<std::string> seal_check(const request_context& ctx, const jose::session_keyring& ring,
                               std::string_view provider_id, std::string value) {
  jose::session_token_options options;
  options.max_age = check_cookie_max_age;
  json payload = json::object();
  payload["value"] = std::move(value);
  payload["provider"] = provider_id;
  return ring.encode(std::move(payload), *ctx.engine.clock, *ctx.engine.random, options);
}

result<std::string> open_check(const request_context& ctx, const jose::session_keyring& ring,
                               std::string_view provider_id, std::string_view sealed) {
  auto payload = ring.decode(sealed, *ctx.engine.clock);
  if (!payload) return payload.error();
  const auto value = payload->find("value");
  const auto bound = payload->find("provider");
  if (value == payload->end() || !value->is_string() ||
      value->get_ref<const std::string&>().empty()) {
    return auth_error{errc::invalid_claims, "check cookie without a value"};
  }
  // A check minted for another provider must not finish this one's flow.
  if (bound == payload->end() || !bound->is_string() || *bound != provider_id) {
    return auth_error{errc::invalid_claims, "check cookie bound to another provider"};
  }
  return value->get<std::string>();
}

http::set_cookie check_cookie(const request_context& ctx, std::string name, std::string value,
                              bool with_max_age, bool form_post) {
  http::set_cookie c = ctx.cookies_policy->attributes;
  c.name = std::move(name);
  c.value = std::move(value);
  c.expires = ctx.engine.clock->now() + check_cookie_max_age;
  if (with_max_age) c.max_age = check_cookie_max_age.count();
  // A form_post callback comes back as a cross-site POST, which carries only SameSite=None cookies.
  if (form_post) {
    c.same_site = http::same_site::none;
    c.secure = true;
  }
  return c;
}

http::set_cookie cleared_cookie(const request_context& ctx, const std::string& name) {
  http::set_cookie c = ctx.cookies_policy->attributes;
  c.name = name;
  c.max_age = 0;
  return c;
}

}  // namespace authpp::detail
