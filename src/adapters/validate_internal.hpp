#pragma once

#include <authpp/adapters/account_store.hpp>
#include <authpp/adapters/authenticator_store.hpp>
#include <authpp/adapters/second_factor_store.hpp>
#include <authpp/adapters/session_store.hpp>
#include <authpp/adapters/user_store.hpp>
#include <authpp/adapters/verification_token_store.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Checks and normalisation shared by every user_store backend, so that they refuse and accept
// exactly the same inputs (the conformance suite relies on it).
namespace authpp::adapters::detail {

// ascii_lower lower-cases ASCII letters only: SQLite's NOCASE collation folds exactly these, so
// the memory backend folds the same.
std::string ascii_lower(std::string_view s);

// check_new_user validates `user` after its email was normalised into `email`. It fails with
// errc::malformed_input for an empty email or an empty username.
result<void> check_new_user(const new_user& user, std::string_view email);

// check_password_hash accepts an encoded hash: `$`, then printable ASCII without spaces, at most
// 1024 bytes. It fails with errc::invalid_password_hash. When `allow_empty`, "" is accepted too.
result<void> check_password_hash(std::string_view hash, bool allow_empty);

// check_account fails with errc::malformed_input when the account's user id, type, provider or
// provider account id is empty. With `has_user` false (an account stored together with its new
// user, who has no id yet) the user id is not checked.
result<void> check_account(const account_record& account, bool has_user = true);
// check_session fails with errc::malformed_input for an empty token or user id.
result<void> check_session(const session_record& session);
// check_verification_token fails with errc::malformed_input for an empty identifier or token.
result<void> check_verification_token(const verification_token& token);

// check_sealed_secret, check_recovery_code_hashes and check_totp_step refuse what
// second_factor_store's comments say each method refuses, with the same errc.
result<void> check_sealed_secret(std::string_view sealed_secret);
result<void> check_recovery_code_hashes(const std::vector<std::string>& code_hashes);
result<void> check_totp_step(std::uint64_t step);

// check_authenticator refuses what authenticator_store::create_authenticator's comment says it
// refuses before looking at the store, with the same errc. The details never quote a value.
result<void> check_authenticator(const authenticator_record& authenticator);

// to_millis truncates to the millisecond, the precision every backend stores.
std::chrono::system_clock::time_point to_millis(std::chrono::system_clock::time_point t);
// epoch_ms and from_epoch_ms convert to and from the integer milliseconds the SQL backends bind.
long long epoch_ms(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point from_epoch_ms(long long ms);

}  // namespace authpp::adapters::detail
