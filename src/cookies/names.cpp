#include <authpp/cookies/names.hpp>

namespace authpp::cookies {

cookie_names default_cookie_names(bool secure) {
  // client-wire.md §5.1: `__Secure-` on every name over https, but `__Host-` for the CSRF cookie.
  const std::string prefix = secure ? "__Secure-" : "";
  return cookie_names{
      .session_token = prefix + "authjs.session-token",
      .callback_url = prefix + "authjs.callback-url",
      .csrf_token = secure ? "__Host-authjs.csrf-token" : "authjs.csrf-token",
      .pkce_code_verifier = prefix + "authjs.pkce.code_verifier",
      .state = prefix + "authjs.state",
      .nonce = prefix + "authjs.nonce",
      .webauthn_challenge = prefix + "authjs.challenge",
  };
}

http::set_cookie default_cookie_attributes(bool secure) {
  http::set_cookie c;
  c.path = "/";
  c.http_only = true;
  c.same_site = http::same_site::lax;
  c.secure = secure;
  return c;
}

}  // namespace authpp::cookies
