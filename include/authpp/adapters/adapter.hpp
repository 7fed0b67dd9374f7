#pragma once

#include <authpp/adapters/account_store.hpp>
#include <authpp/adapters/authenticator_store.hpp>
#include <authpp/adapters/second_factor_store.hpp>
#include <authpp/adapters/session_store.hpp>
#include <authpp/adapters/user_store.hpp>
#include <authpp/adapters/verification_token_store.hpp>

// adapter is a backend of the whole Auth.js adapter model (spec/server-flows.md §13) in one
// object: users, linked accounts, database sessions, verification tokens and WebAuthn
// authenticators (passkeys), plus authpp's own second factors (TOTP and recovery codes), in one
// store, so that an account, a session, a passkey or a second factor can only name a user that
// exists, and goes when the user goes. A caller that needs one part depends on that part's
// interface alone.
namespace authpp::adapters {

class adapter : public user_store,
                public account_store,
                public session_store,
                public verification_token_store,
                public second_factor_store,
                public authenticator_store {};

// purged counts what purge_expired deleted.
struct purged {
  std::size_t sessions = 0;
  std::size_t verification_tokens = 0;
};

// purge_expired deletes the database sessions and verification tokens that expired at or before
// `now`: rows nobody reads again (a session never revisited, a link never followed, a used
// passkey challenge) would otherwise stay for ever. It fails as the first failing delete does.
[[nodiscard]] result<purged> purge_expired(adapter& store,
                                           std::chrono::system_clock::time_point now);

}  // namespace authpp::adapters
