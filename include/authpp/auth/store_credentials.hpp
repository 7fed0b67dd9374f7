#pragma once

#include <authpp/adapters/password.hpp>
#include <authpp/adapters/user_store.hpp>
#include <authpp/auth/provider.hpp>

#include <memory>

// The credentials provider of `authpp serve`, for any engine whose users live in a user_store:
// email (or username) and password checked against the stored Argon2id hash.
namespace authpp {

// store_credentials_provider returns the provider with id "credentials" and name "Credentials"
// whose form has the fields `email` (label "Email or username") and `password`. Its `authorize`
// takes `email`, or `username` when `email` is absent, finds the user by normalised email and
// then by username, and verifies `password` against the stored Argon2id hash. It decides
//   accept(user{id, name, email, image})  for the right password of an enabled account,
//   reject()                              for an unknown user, a user without a password, a wrong
//                                         or missing password (all alike, also in time: a missing
//                                         user costs one verification against a dummy hash),
//   reject("account_disabled")            for the right password of a disabled account (only the
//                                         password's owner learns that the account exists),
//   unavailable(detail)                   when the store fails with errc::storage_unavailable,
//   fail(detail)                          for any other store failure.
// After a successful verification, a hash made with parameters other than `params` is replaced
// by a new one made with `params`; a failure to do so is ignored (the login still succeeds). No
// detail ever holds the password or a hash. `store` is shared with the caller and must be
// thread-safe (every user_store is); the provider may be called from several threads at once.
// With `run_blocking`, the provider also has authorize_async: the same check run through it (e.g.
// on a worker pool), so that auth::handle_async awaits it instead of blocking an I/O thread for
// the tens of milliseconds an Argon2id verification takes. When run_blocking refuses the work (a
// full queue), the answer is unavailable: 503 with Retry-After.
credentials_provider store_credentials_provider(std::shared_ptr<adapters::user_store> store,
                                                adapters::argon2_params params = {},
                                                blocking_runner run_blocking = nullptr);

}  // namespace authpp
