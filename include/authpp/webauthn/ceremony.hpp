#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>
#include <authpp/webauthn/attestation.hpp>
#include <authpp/webauthn/cose.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// The relying party's checks of a registration (WebAuthn L2 §7.1) and an authentication (§7.2),
// as pure functions: bytes and expectations in, a verdict out; no HTTP, no storage, no clock.
// What they leave to the caller: issuing each challenge once and forgetting it after one use
// (replay), finding the stored credential by id and checking it belongs to the user, and storing
// what they return.
namespace authpp::webauthn {

// ceremony_failure names why a ceremony was refused, one value per check, so that the HTTP layer
// can map each to its answer and its log line. Stable: append, never renumber.
enum class ceremony_failure {
  malformed_client_data = 1,     // clientDataJSON over its bound, not a JSON object, a member
                                 // missing or not a string
  wrong_type,                    // `type` is not webauthn.create (registration) / webauthn.get
  challenge_mismatch,            // `challenge` is not the expected challenge, in base64url
  origin_mismatch,               // `origin` is none of the expected origins
  malformed_attestation,         // the attestation object does not decode or is not of its form
  malformed_authenticator_data,  // authenticator data does not parse (truncated, bad flags, CBOR)
  rp_id_mismatch,                // rpIdHash is not SHA-256 of the expected RP ID
  user_not_present,              // UP is not set
  user_not_verified,             // UV is not set and user verification is required
  missing_credential,            // a registration without attested credential data (AT)
  unsupported_algorithm,         // the credential's or the statement's alg is not supported
  invalid_public_key,            // the credential public key is malformed, weak or off its curve
  unsupported_attestation,       // an attestation format other than none and packed
  invalid_attestation,           // the attestation statement does not verify (signature,
                                 // certificate requirements, alg mismatch)
  invalid_signature,             // the assertion signature does not verify under the stored key
  counter_regression,            // signCount did not grow: a cloned authenticator is likely
};

// to_string returns the failure's name, e.g. "challenge_mismatch".
std::string_view to_string(ceremony_failure failure) noexcept;

// ceremony_failure_of returns the failure a ceremony's auth_error carries, nullopt for any other
// error (errc::crypto_failure, or an error from elsewhere). A ceremony error's detail starts with
// "webauthn <name>: ".
std::optional<ceremony_failure> ceremony_failure_of(const auth_error& error) noexcept;

// max_client_data_size bounds clientDataJSON before it is parsed (browsers send 100-400 bytes).
inline constexpr std::size_t max_client_data_size = 8 * 1024;

// ceremony_expectations is what the relying party asked for.
struct ceremony_expectations {
  byte_view challenge;                     // the challenge bytes it issued for this ceremony
  std::span<const std::string> origins;    // accepted `origin` values, e.g. "https://example.com"
  std::string_view rp_id;                  // the RP ID, e.g. "example.com"
  bool require_user_verification = false;  // Auth.js: userVerification "required"
};

// registered_credential is what a successful registration returns for storage.
struct registered_credential {
  bytes credential_id;
  bytes public_key;  // the COSE_Key as encoded: pass it to verify_authentication later
  cose_algorithm algorithm = cose_algorithm::es256;
  std::uint32_t sign_count = 0;
  std::array<std::byte, 16> aaguid{};
  bool user_verified = false;
  bool backup_eligible = false;  // BE: a multi-device credential (stored as credentialDeviceType)
  bool backed_up = false;        // BS (stored as credentialBackedUp)
  std::string fmt;
  verified_attestation attestation;
};

// verify_registration checks a navigator.credentials.create() response (§7.1 steps 5-24 as far
// as they need no storage): clientDataJSON's type webauthn.create, challenge, origin; the
// attestation object; rpIdHash; UP; UV when required; attested credential data with a supported,
// valid key; and the attestation statement (none or packed). Every failure carries a
// ceremony_failure (ceremony_failure_of) with the errc of the check: malformed_input,
// limit_exceeded, invalid_claims (type, challenge, origin, RP ID, UP, UV), unsupported_algorithm,
// invalid_key, invalid_signature; errc::crypto_failure when OpenSSL fails.
[[nodiscard]] result<registered_credential> verify_registration(
    byte_view client_data_json, byte_view attestation_object,
    const ceremony_expectations& expected);

// stored_credential is what the relying party stored at registration.
struct stored_credential {
  byte_view public_key;          // registered_credential::public_key
  std::uint32_t sign_count = 0;  // the last sign count seen
};

// authentication_result is what a successful authentication returns for storage.
struct authentication_result {
  std::uint32_t new_sign_count = 0;  // store it as the credential's sign count
  bool user_verified = false;
  bool backup_eligible = false;
  bool backed_up = false;  // BS may change over a credential's life: store it again
};

// verify_authentication checks a navigator.credentials.get() response (§7.2 steps 11-21):
// clientDataJSON's type webauthn.get, challenge, origin; the authenticator data; rpIdHash; UP;
// UV when required; the signature over authenticatorData ‖ SHA-256(clientDataJSON) under the
// stored key; and the sign count: when either it or the stored count is non-zero, it must be
// greater than the stored count (§7.2 step 21, as @simplewebauthn/server does), or the call
// fails with counter_regression. Failures as verify_registration's, and invalid_signature,
// counter_regression (errc::invalid_claims).
[[nodiscard]] result<authentication_result> verify_authentication(
    byte_view client_data_json, byte_view authenticator_data, byte_view signature,
    const stored_credential& credential, const ceremony_expectations& expected);

}  // namespace authpp::webauthn
