#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>
#include <authpp/webauthn/authenticator_data.hpp>
#include <authpp/webauthn/cbor.hpp>

#include <cstddef>
#include <string>
#include <vector>

// Attestation objects (WebAuthn L2 §6.5.4) and the statement formats `none` (§8.7) and `packed`
// (§8.2). Other formats (tpm, android-key, apple, fido-u2f, …) are refused, not trusted blindly.
namespace authpp::webauthn {

// max_attestation_object_size bounds an attestation object before it is decoded: packed
// statements with a few certificates take 2-4 KB.
inline constexpr std::size_t max_attestation_object_size = 32 * 1024;

// attestation_object is a decoded attestation object.
struct attestation_object {
  std::string fmt;                   // the statement format, e.g. "none", "packed"
  cbor_value statement;              // attStmt, a map
  bytes raw_authenticator_data;      // authData as signed
  authenticator_data authenticator;  // authData parsed
};

// parse_attestation_object decodes `encoded`: a CBOR map of exactly "fmt" (text), "attStmt" (a
// map) and "authData" (bytes, parsed with parse_authenticator_data). It fails with
//   errc::limit_exceeded   if `encoded` is longer than max_attestation_object_size, or the CBOR or
//                          authenticator data is over its bounds,
//   errc::malformed_input  if the CBOR is malformed, a member is missing, of the wrong type or
//                          unknown, or the authenticator data is malformed.
[[nodiscard]] result<attestation_object> parse_attestation_object(byte_view encoded);

// attestation_type says what vouches for a new credential.
enum class attestation_type {
  none,   // nothing (fmt "none")
  self,   // the credential's own key signed (packed without x5c): proves possession only
  basic,  // a certificate from x5c signed; its chain is NOT checked against any trust anchor here
};

// verified_attestation is the outcome of verify_attestation.
struct verified_attestation {
  attestation_type type = attestation_type::none;
  std::vector<bytes> certificates;  // x5c, leaf first (basic only), for a trust-anchor check
};

// verify_attestation checks the statement of `object` over its authenticator data and
// `client_data_hash` (SHA-256 of clientDataJSON, 32 bytes). `none` needs an empty statement.
// `packed` (§8.2.2) needs `alg` and `sig`: without `x5c` (self attestation) `alg` must be the
// credential key's and `sig` verify under that key; with `x5c` `sig` must verify under the leaf
// certificate's key, and the leaf meet §8.2.1: version 3; subject with C, O, CN and OU
// "Authenticator Attestation"; not a CA; an id-fido-gen-ce-aaguid extension, when present, not
// critical and equal to the authenticator data's AAGUID. It fails with
//   errc::malformed_input        if the hash is not 32 bytes, the authenticator data has no
//                                attested credential, or the statement is not of its format's
//                                form (`ecdaaKeyId` included: ECDAA was withdrawn),
//   errc::unsupported_algorithm  if the format is neither `none` nor `packed`, `alg` is not a
//                                cose_algorithm, or it differs from the credential key's (self),
//   errc::invalid_key            if the credential key fails cose_key::parse, or the leaf
//                                certificate does not parse, its key does not fit `alg`, or it
//                                fails a §8.2.1 requirement (the detail names it),
//   errc::invalid_signature      if `sig` does not verify,
//   errc::crypto_failure         if OpenSSL fails.
[[nodiscard]] result<verified_attestation> verify_attestation(const attestation_object& object,
                                                              byte_view client_data_hash);

}  // namespace authpp::webauthn
