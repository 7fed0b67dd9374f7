#pragma once

#include <authpp/http/cookie.hpp>

#include <string>

// Auth.js's default cookie names and options (client-wire.md §5.1, server-flows.md §3.1).
namespace authpp::cookies {

// cookie_names holds the name of every cookie Auth.js sets, one member per key of its
// `cookies` option.
struct cookie_names {
  std::string session_token;
  std::string callback_url;
  std::string csrf_token;
  std::string pkce_code_verifier;
  std::string state;
  std::string nonce;
  std::string webauthn_challenge;

  friend bool operator==(const cookie_names&, const cookie_names&) = default;
};

// default_cookie_names returns Auth.js's names: `authjs.<key>` over http; over https (`secure`)
// the `__Secure-` prefix, except the CSRF cookie which takes `__Host-` (RFC 6265bis §4.1.3: the
// browser then refuses it unless Secure, Path=/ and without Domain, so a sibling subdomain cannot
// plant one).
cookie_names default_cookie_names(bool secure);

// default_cookie_attributes returns the options every Auth.js cookie starts from: Path=/,
// HttpOnly, SameSite=Lax, no Domain, no lifetime, and Secure iff `secure`. The name and value
// are left empty.
http::set_cookie default_cookie_attributes(bool secure);

}  // namespace authpp::cookies
