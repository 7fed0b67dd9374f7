#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>
#include <authpp/webauthn/cbor.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

// Authenticator data (WebAuthn L2 §6.1): what the authenticator signs, and, at registration, the
// new credential's id and public key.
namespace authpp::webauthn {

// max_credential_id_size is the longest credential id WebAuthn L2 §5.8.3 / L3 allows.
inline constexpr std::size_t max_credential_id_size = 1023;

// max_authenticator_data_size bounds authenticator data before parsing: 37 bytes, an attested
// credential (an RSA-8192 key, a 1023-byte id) and extensions fit well within it.
inline constexpr std::size_t max_authenticator_data_size = 16 * 1024;

// authenticator_flags are the flag bits of §6.1 (bits 1 and 5 are reserved and ignored).
struct authenticator_flags {
  bool user_present = false;         // UP, bit 0
  bool user_verified = false;        // UV, bit 2
  bool backup_eligible = false;      // BE, bit 3: the credential may be synced (a passkey)
  bool backed_up = false;            // BS, bit 4: it is backed up now
  bool attested_credential = false;  // AT, bit 6
  bool extension_data = false;       // ED, bit 7
};

// attested_credential_data is §6.5.1: the credential a registration creates.
struct attested_credential_data {
  std::array<std::byte, 16> aaguid{};  // the authenticator model, zero when not disclosed
  bytes credential_id;                 // 1 to max_credential_id_size bytes
  bytes public_key;  // the COSE_Key exactly as encoded: what a server stores and later parses
};

// authenticator_data is parsed authenticator data. It borrows nothing from its input.
struct authenticator_data {
  std::array<std::byte, 32> rp_id_hash{};  // SHA-256 of the RP ID the authenticator used
  authenticator_flags flags;
  std::uint32_t sign_count = 0;
  std::optional<attested_credential_data> attested;  // present if and only if flags.AT
  std::optional<cbor_value> extensions;              // a map, present if and only if flags.ED
};

// parse_authenticator_data reads `data`. The attested credential's key must be one CBOR map (it
// is not checked as a key here: cose_key::parse does that); the extensions a CBOR map; nothing may
// follow them. It fails with
//   errc::limit_exceeded   if `data` is longer than max_authenticator_data_size, or its CBOR
//                          exceeds cbor_limits' defaults,
//   errc::malformed_input  if it is shorter than 37 bytes, a flag announces data that is absent
//                          (or bytes follow that no flag announces), BS is set without BE, the
//                          credential id is empty or longer than max_credential_id_size, or the
//                          CBOR is malformed or not a map (the detail says which).
[[nodiscard]] result<authenticator_data> parse_authenticator_data(byte_view data);

}  // namespace authpp::webauthn
