#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <string>
#include <string_view>
#include <vector>

// A TOTP secret must be readable by the server (it computes the codes), so it cannot be hashed
// like a password. It is stored sealed instead: AES-256-GCM under a key derived from AUTH_SECRET,
// bound to its user. A copy of the database alone yields no secret, and a sealed secret moved to
// another user's row does not open.
namespace authpp::mfa {

// seal_secret returns "v1.<iv>.<ciphertext and tag>" (base64url) of `secret` for `user_id`,
// under the first of `auth_secrets` (the engine's secrets, newest first). It fails with
// errc::invalid_config when `auth_secrets` is empty and errc::random_failure without an IV.
result<std::string> seal_secret(byte_view secret, std::string_view user_id,
                                const std::vector<std::string>& auth_secrets,
                                const random_source& random = default_random());

// open_secret returns the secret sealed for `user_id` under any of `auth_secrets`, so that a
// rotated AUTH_SECRET still opens what its predecessor sealed. It fails with
//   errc::malformed_input    unless `sealed` has seal_secret's form (bounded: 1 KiB),
//   errc::decryption_failed  if no secret opens it, or it was sealed for another user.
result<bytes> open_secret(std::string_view sealed, std::string_view user_id,
                          const std::vector<std::string>& auth_secrets);

}  // namespace authpp::mfa
