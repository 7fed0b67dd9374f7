#pragma once

#include <authpp/core/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

// Password hashing with Argon2id (RFC 9106) through libsodium. Hashes are PHC-style encoded
// strings, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, that carry their own parameters and
// salt, so raising the parameters later never invalidates stored hashes (see `needs_rehash`).
namespace authpp::adapters {

// argon2_params are the Argon2id costs. The defaults are OWASP's minimum recommendation for
// Argon2id: m = 19 MiB, t = 2, p = 1 (libsodium always uses one lane). libsodium refuses
// ops < 1 and mem_bytes < 8 KiB (crypto_pwhash_MEMLIMIT_MIN); such values are for tests only.
struct argon2_params {
  unsigned long long ops = 2;
  std::size_t mem_bytes = 19 * 1024 * 1024;
};

// max_password_size bounds the input of hashing and verification: Argon2 accepts any length, but
// hashing megabytes per request is a denial-of-service lever.
inline constexpr std::size_t max_password_size = 4096;

// hash_password hashes `password` with a fresh random salt and returns the encoded string. It
// fails with
//   errc::limit_exceeded  if `password` is longer than `max_password_size`,
//   errc::invalid_config  if `params` are outside libsodium's bounds,
//   errc::crypto_failure  if libsodium fails (out of memory for `params.mem_bytes`).
[[nodiscard]] result<std::string> hash_password(std::string_view password,
                                                const argon2_params& params = {});

// verify_password tells whether `password` matches the Argon2id hash `encoded`. It is false, never
// a crash, for a malformed, truncated or non-Argon2id `encoded`, and for a password longer than
// `max_password_size`. Its time is dominated by the parameters stored in `encoded`.
[[nodiscard]] bool verify_password(std::string_view password, std::string_view encoded);

// needs_rehash tells whether `encoded` was made with parameters other than `params` (or is not an
// Argon2id hash at all): after a successful verify, hash the password again and store it.
[[nodiscard]] bool needs_rehash(std::string_view encoded, const argon2_params& params = {});

// dummy_password_hash returns a hash with the default parameters of a random password nobody
// knows, computed once (thread-safe). When a user does not exist or has no password, verify the
// submitted password against it anyway, so that the response time does not reveal which users
// exist. verify_password against it is false for every input.
const std::string& dummy_password_hash();

}  // namespace authpp::adapters
