#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>
#include <authpp/jose/jwe.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Session tokens are the value of the `authjs.session-token` cookie (and of the sealed check
// cookies): a compact JWE (RFC 7516) with `alg` "dir" and `enc` "A256CBC-HS512", keyed with
// HKDF-SHA256(secret, salt = cookie name) as in Auth.js v5 (client-wire.md §6). This module knows
// nothing of HTTP or cookies. Every function is pure and thread-safe; nothing is cached.
namespace authpp::jose {

// session_token_options tunes both directions. Defaults match Auth.js.
struct session_token_options {
  std::chrono::seconds max_age{2592000};  // 30 days: `exp` = now + max_age
  std::chrono::seconds leeway{15};        // clock tolerance for `exp` and `nbf`
  // Longer tokens are refused before any base64url or JSON parsing.
  std::size_t max_token_size = 32 * 1024;
};

// derive_session_key returns HKDF-SHA256(ikm = secret, salt = salt, info = "Auth.js Generated
// Encryption Key (" + salt + ")", length) (client-wire.md §6.1): 64 bytes for A256CBC-HS512, 32
// for A256GCM (the first half of the 64-byte key). It fails with
//   errc::invalid_key     if `secret` is empty or `length` is 0 or above 8160,
//   errc::limit_exceeded  if `salt` is longer than 989 bytes (the HKDF `info` bound),
//   errc::crypto_failure  if OpenSSL fails.
[[nodiscard]] result<bytes> derive_session_key(std::string_view secret, std::string_view salt,
                                               std::size_t length);

// encrypt_session_plaintext encrypts exactly `plaintext` as Auth.js's `encode` would once it has
// serialised the claims: A256CBC-HS512 under derive_session_key(secret, salt, 64), `kid` = its
// JWK thumbprint, IV = the first 16 bytes drawn from `random`. Prefer encode_session; this is the
// byte-exact layer beneath it. It fails like derive_session_key, and with errc::random_failure if
// `random` fails.
[[nodiscard]] result<std::string> encrypt_session_plaintext(std::string_view plaintext,
                                                            std::string_view secret,
                                                            std::string_view salt,
                                                            const random_source& random);

// encode_session encrypts `payload` under `secrets[0]` for the cookie named `salt`. It sets `iat`
// = now (whole seconds), `exp` = now + `options.max_age` and `jti` = a random UUID v4, replacing
// any values already present (an existing member keeps its position). Randomness is drawn in
// Auth.js's order: 16 bytes for `jti`, then 16 for the IV. It fails with
//   errc::invalid_claims  if `payload` is not a JSON object or holds a string that is not UTF-8,
//   errc::invalid_key     if `secrets` is empty or `secrets[0]` is empty,
//   errc::random_failure  if `random` fails,
//   errc::limit_exceeded  if the token would exceed `options.max_token_size` (it could not be
//                         decoded), or `salt` is longer than 989 bytes,
//   errc::crypto_failure  if OpenSSL fails.
[[nodiscard]] result<std::string> encode_session(const json& payload,
                                                 std::span<const std::string> secrets,
                                                 std::string_view salt, const clock& clock,
                                                 const random_source& random,
                                                 const session_token_options& options = {});

// decode_session decrypts and checks `token` (client-wire.md §6.5). `alg` must be "dir" and `enc`
// A256CBC-HS512 or A256GCM. Without a `kid` it uses `secrets[0]` only; with one, the first secret
// whose derived key's JWK thumbprint equals it. It fails with
//   errc::limit_exceeded         if `token` exceeds `options.max_token_size` (checked first),
//   errc::invalid_key            if `secrets` is empty or a secret it tries is empty,
//   errc::malformed_token        unless it is 5 canonical base64url segments with a JSON object
//                                header and an empty encrypted key (see parse_compact),
//   errc::unsupported_algorithm  unless `alg` is "dir" and `enc` is A256CBC-HS512 or A256GCM,
//   errc::no_matching_secret     if no secret's thumbprint equals the `kid`,
//   errc::decryption_failed      if the chosen secret does not authenticate it,
//   errc::invalid_claims         unless the payload is a JSON object whose `exp`, `nbf` and `iat`
//                                are numbers when present,
//   errc::token_expired          if `exp` + `options.leeway` <= now,
//   errc::token_not_yet_valid    if `nbf` - `options.leeway` > now,
//   errc::crypto_failure         if OpenSSL fails.
[[nodiscard]] result<json> decode_session(std::string_view token,
                                          std::span<const std::string> secrets,
                                          std::string_view salt, const clock& clock,
                                          const session_token_options& options = {});

// session_keyring holds, for every secret, the keys Auth.js derives for one cookie name (64 bytes
// for A256CBC-HS512, 32 for A256GCM) and their `kid` thumbprints, so that a server derives them
// once instead of on every request. encode_session and decode_session are one-shot wrappers.
// Immutable once derived: safe to share between threads.
class session_keyring {
 public:
  // derive computes the keys for `secrets` (the first encrypts) and cookie name `salt`. It fails
  // with errc::invalid_key when `secrets` is empty or holds an empty secret.
  static result<session_keyring> derive(std::span<const std::string> secrets,
                                        std::string_view salt);
  // encode is encode_session with the keyring's first secret.
  result<std::string> encode(json payload, const clock& clock, const random_source& random,
                             const session_token_options& options = {}) const;
  // decode is decode_session with the keyring's secrets, and fails the same ways.
  result<json> decode(std::string_view token, const clock& clock,
                      const session_token_options& options = {}) const;

 private:
  struct entry {
    content_key key64, key32;
    std::string kid64, kid32;
  };
  result<const content_key*> select(content_encryption enc,
                                    const std::optional<std::string>& kid) const;
  std::vector<entry> keys_;
};

}  // namespace authpp::jose
