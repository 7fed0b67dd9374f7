#pragma once

#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

// The CSRF double-submit cookie of Auth.js (client-wire.md §5.3, server-flows.md §4.3 and §5,
// TV-3): the cookie holds `token|sha256hex(token + secret)` and a state-changing POST must carry
// the same token in its `csrfToken` body field.
namespace authpp::cookies {

// csrf_secret_string converts the configured secret(s) the way JavaScript's String() does, which
// is what Auth.js hashes: one secret as is, several joined with "," (["s1","s2"] → "s1,s2").
std::string csrf_secret_string(std::span<const std::string> secrets);

// csrf_token is a fresh CSRF token and the cookie value that vouches for it.
struct csrf_token {
  std::string token;         // 64 lowercase hex characters; sent to the client in JSON
  std::string cookie_value;  // token + "|" + 64 hex hash; percent-encoded only on the wire
};

// csrf_hash returns the lowercase hex SHA-256 of `token + secret_string` (not an HMAC: this is
// Auth.js's construction and must stay so for interoperability).
std::string csrf_hash(std::string_view token, std::string_view secret_string);

// create_csrf_token draws 32 random bytes from `random` for the token. It fails with
//   errc::random_failure if `random` does.
[[nodiscard]] result<csrf_token> create_csrf_token(std::string_view secret_string,
                                                   const random_source& random);

// verified_csrf_cookie returns the token of `cookie_value` (already percent-decoded) if its hash
// matches `secret_string`, compared in constant time; nullopt when it is forged or malformed
// (no `|`, or token or hash not 64 characters). Auth.js then mints a new token.
std::optional<std::string> verified_csrf_cookie(std::string_view cookie_value,
                                                std::string_view secret_string);

// check_csrf verifies a double submit: the CSRF cookie must be genuine and the body's
// `csrfToken` equal to its token (constant time). It fails with
//   errc::missing_csrf  if `cookie_value` or `body_token` is absent,
//   errc::csrf_mismatch if the cookie is forged or malformed, or the body token differs.
[[nodiscard]] result<void> check_csrf(std::optional<std::string_view> cookie_value,
                                      std::optional<std::string_view> body_token,
                                      std::string_view secret_string);

}  // namespace authpp::cookies
