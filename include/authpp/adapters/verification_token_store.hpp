#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Verification tokens of e-mail sign-in (magic links), shaped like the `verification_token`
// table of the Auth.js adapter model (spec/server-flows.md §13). The store keeps what it is
// given: the engine hashes a token before storing it, so a leaked table signs nobody in.
namespace authpp::adapters {

// verification_token is one stored token: for whom (`identifier`, an e-mail address), the token
// (hashed by the caller), and until when (millisecond precision in every backend).
struct verification_token {
  std::string identifier{};
  std::string token{};
  std::chrono::system_clock::time_point expires{};

  friend bool operator==(const verification_token&, const verification_token&) = default;
};

// verification_token_store is the storage interface for verification tokens. Implementations are
// thread-safe. Every method may also fail with errc::storage_unavailable or
// errc::storage_failure, as user_store's methods do.
class verification_token_store {
 public:
  virtual ~verification_token_store() = default;

  // create_verification_token stores `token`. It fails with
  //   errc::malformed_input if the identifier or the token is empty,
  //   errc::already_exists  if this identifier already has this token.
  [[nodiscard]] virtual result<void> create_verification_token(const verification_token& token) = 0;

  // use_verification_token deletes the token and returns it: a link works once, so of any number
  // of concurrent calls for one token exactly one gets it. nullopt when there is none (unknown,
  // used, or another identifier's). An expired token is returned (and deleted) too: the caller
  // checks `expires`, and says "expired" rather than "unknown".
  [[nodiscard]] virtual result<std::optional<verification_token>> use_verification_token(
      std::string_view identifier, std::string_view token) = 0;

  // delete_expired_verification_tokens deletes every token whose expiry is at or before `now`
  // (links never followed, used passkey challenges past their lifetime) and returns how many.
  [[nodiscard]] virtual result<std::size_t> delete_expired_verification_tokens(
      std::chrono::system_clock::time_point now) = 0;
};

}  // namespace authpp::adapters
