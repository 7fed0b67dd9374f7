#pragma once

// Internal to the engine: the immutable state behind `authpp::auth`, built once by auth::create
// and shared by every request (OAuth providers' caches and the revocation cache aside, each
// behind its own lock).
#include <authpp/auth/auth.hpp>
#include <authpp/cookies/names.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/jose/session_token.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace authpp::detail {

// cookie_policy is everything about cookies that depends only on secure mode: names (after the
// configured overrides), default attributes, and the session keys (the cookie name is their
// salt). The engine builds both policies once; a request picks one.
struct cookie_policy {
  cookies::cookie_names names;
  http::set_cookie attributes;
  jose::session_keyring sessions;
  // The OAuth check cookies and the WebAuthn challenge cookie are sealed like session tokens,
  // each salted with its own name.
  jose::session_keyring pkce, state, nonce, webauthn_challenge;
  // authpp's own cookies (the account page's), prefixed like Auth.js's: the proof of a recent
  // sign-in, and a TOTP enrolment in progress.
  std::string recent_sign_in_name, totp_enrolment_name;
  jose::session_keyring recent_sign_in, totp_enrolment;
};

class provider_flow;     // how the engine drives one provider (provider_flow.hpp)
class user_state_cache;  // what the store said about users, for revocation (revocation.cpp)

struct engine_state {
  auth_config config;
  std::string csrf_secret;  // the secrets as JavaScript's String(array): "s1,s2"
  const authpp::clock* clock;
  const random_source* random;
  std::string fixed_origin;  // the origin of config.url, parsed once; empty without one

  std::vector<cookie_policy> policies;  // [0]: plain http, [1]: secure cookies
  jose::session_keyring encoded_state;  // the OAuth `state` parameter's own seal
  // The WebAuthn challenge's inner seal, inside its cookie's (as Auth.js nests them).
  jose::session_keyring encoded_webauthn_challenge;

  // One per configured provider, in configuration order. OAuth flows hold the engine's only
  // mutable state (their metadata and keys), each behind its own lock.
  std::vector<std::unique_ptr<provider_flow>> flows;
  // Built when JWT sessions are checked for revocation; behind its own lock.
  std::unique_ptr<user_state_cache> user_states;

  engine_state();
  ~engine_state();
  void log(log_level level, std::string_view code, std::string_view message) const;
  const provider_flow* find_provider(std::string_view id) const;
  const cookie_policy& policy(bool secure) const { return policies[secure ? 1 : 0]; }
  // database_sessions: sessions live in config.adapter (session.strategy = database).
  bool database_sessions() const { return config.session.strategy == session_strategy::database; }
};

}  // namespace authpp::detail
