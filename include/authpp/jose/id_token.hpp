#pragma once

#include <authpp/core/clock.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>
#include <authpp/jose/jws.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// OpenID Connect ID token validation (OpenID Connect Core 1.0 §3.1.3.7), with the rules Auth.js
// applies through oauth4webapi. The signature is verify_jws's business; this checks the claims of
// a payload whose signature has verified. Every function is pure and thread-safe.
namespace authpp::jose {

// id_token_expectations is what the client knows before it reads the token.
struct id_token_expectations {
  std::string issuer;     // the provider's `issuer`, compared as an exact string (no trimming)
  std::string client_id;  // this client's id: the audience the token must name
  // nonce is the value sent in the authorization request, nullopt when none was sent: then the
  // token must carry no `nonce` at all.
  std::optional<std::string> nonce;
  std::chrono::seconds leeway{30};  // clock tolerance for `exp` and `nbf`
};

// max_id_token_claims_size bounds check_id_token_claims's input, in bytes (checked first).
inline constexpr std::size_t max_id_token_claims_size = 64 * 1024;

// check_id_token_claims parses `payload_json` and checks it as an ID token's claims for
// `expected` at `clock.now()` (whole seconds), then returns the claims. The rules:
//   - `iss`, `sub`, `aud`, `exp` and `iat` are present, and `nonce` when a nonce is expected;
//   - `iss` is a string equal to `expected.issuer`; `sub` is a string;
//   - `aud` is `expected.client_id`, or an array of strings containing it; an array of several
//     values requires `azp`, and a present `azp` must equal `expected.client_id`;
//   - `exp` is a number greater than now - leeway; `nbf`, when present, a number no greater than
//     now + leeway; `iat`, and `auth_time` when present, are numbers;
//   - `nonce` equals `expected.nonce` (compared in constant time) and is absent when no nonce is
//     expected.
// Error details name the claim and the rule, never a claim's value. It fails with
//   errc::limit_exceeded       if `payload_json` is longer than max_id_token_claims_size,
//   errc::invalid_claims       if the payload is not a JSON object or breaks a rule above other
//                              than the two below,
//   errc::token_expired        if `exp` <= now - leeway,
//   errc::token_not_yet_valid  if `nbf` > now + leeway.
[[nodiscard]] result<json> check_id_token_claims(std::string_view payload_json,
                                                 const id_token_expectations& expected,
                                                 const clock& clock);

// verify_id_token is verify_jws then check_id_token_claims on the payload: the whole check of an
// ID token from a token endpoint response. It fails as either does. `allowed` is the provider's
// signing algorithms, usually {jws_algorithm::rs256} (`id_token_signed_response_alg`'s default).
[[nodiscard]] result<json> verify_id_token(std::string_view compact, const jwk_set& keys,
                                           std::span<const jws_algorithm> allowed,
                                           const id_token_expectations& expected,
                                           const clock& clock,
                                           const jws_verify_options& options = {});

}  // namespace authpp::jose
