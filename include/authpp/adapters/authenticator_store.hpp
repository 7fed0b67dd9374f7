#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// WebAuthn credentials (passkeys), shaped like the `Authenticator` model of the Auth.js adapter
// model (getAuthenticator, createAuthenticator, listAuthenticatorsByUserId,
// updateAuthenticatorCounter), under its column names, plus two times of authpp's own in columns
// that may be NULL, so rows written by Auth.js read as they are. The store keeps what it is
// given: the engine verifies attestations and assertions (authpp::webauthn) before it gets here.
namespace authpp::adapters {

// authenticator_record is one stored passkey. Binary values are standard padded base64 (RFC 4648
// §4), as Auth.js stores them. Times have millisecond precision in every backend.
struct authenticator_record {
  std::string credential_id{};  // Auth.js credentialID: the raw credential id
  std::string user_id{};
  // provider_account_id is the providerAccountId of the account linked for this passkey (Auth.js
  // sets it to credential_id).
  std::string provider_account_id{};
  std::string credential_public_key{};  // the COSE_Key bytes
  // counter is the signature counter last seen (WebAuthn L2 §6.1.1); 0 for authenticators that
  // keep none.
  std::uint32_t counter = 0;
  std::string credential_device_type{};  // "singleDevice" or "multiDevice"
  bool credential_backed_up = false;
  std::optional<std::string> transports{};  // comma-separated, e.g. "internal,hybrid"
  // authpp's own, NULL in rows written by Auth.js: when the store created the row, and when
  // use_authenticator last recorded an assertion.
  std::optional<std::chrono::system_clock::time_point> created_at{};
  std::optional<std::chrono::system_clock::time_point> last_used_at{};

  friend bool operator==(const authenticator_record&, const authenticator_record&) = default;
};

// The bounds of what an authenticator_store accepts, so that a client cannot store an unbounded
// value under a passkey. A credential id is at most 1023 bytes (WebAuthn L2 §5.8.3), 1364 in
// base64; an RSA-8192 COSE key is about 1400.
inline constexpr std::size_t max_credential_id_text_size = 1400;
inline constexpr std::size_t max_credential_public_key_text_size = 4096;
inline constexpr std::size_t max_transports_size = 256;

// authenticator_store is thread-safe; in PostgreSQL, its guarantees hold across a fleet of
// instances sharing the database. Every method may also fail with errc::storage_unavailable or
// errc::storage_failure, as user_store's do.
class authenticator_store {
 public:
  virtual ~authenticator_store() = default;

  // create_authenticator stores a new passkey of an existing user, with created_at now and no
  // last_used_at (the record's own are ignored), and returns it as stored. It fails with
  //   errc::malformed_input if the credential id or public key is not padded base64 (empty
  //                         included), the provider account id is empty or not printable ASCII
  //                         without spaces, the device type is neither "singleDevice" nor
  //                         "multiDevice", or the transports are not printable ASCII without
  //                         spaces,
  //   errc::limit_exceeded  if the credential id or provider account id is longer than
  //                         max_credential_id_text_size, the public key than
  //                         max_credential_public_key_text_size, the transports than
  //                         max_transports_size,
  //   errc::already_exists  if this credential id is stored already, for any user: one
  //                         credential signs in as one user,
  //   errc::not_found       if there is no user with this id.
  [[nodiscard]] virtual result<authenticator_record> create_authenticator(
      const authenticator_record& authenticator) = 0;

  // find_authenticator returns the passkey with this credential id, or nullopt.
  [[nodiscard]] virtual result<std::optional<authenticator_record>> find_authenticator(
      std::string_view credential_id) const = 0;

  // list_authenticators returns the user's passkeys ordered by created_at (rows without one
  // first), then credential id.
  [[nodiscard]] virtual result<std::vector<authenticator_record>> list_authenticators(
      std::string_view user_id) const = 0;

  // use_authenticator records a verified assertion of the passkey: `new_counter`, `backed_up` and
  // last_used_at = `now`. Beyond Auth.js's updateAuthenticatorCounter it is a compare-and-set, in
  // one conditional write: it writes only while the stored counter still equals
  // `expected_counter` (the value the assertion was verified against) and returns true, and
  // returns false otherwise (no such passkey, or another assertion was recorded since), changing
  // nothing. So of two assertions racing from a cloned authenticator with the same counter, even
  // on two instances, one wins. Authenticators that keep no counter (0 every time) cannot be told
  // apart from their clones: with `new_counter` equal to `expected_counter` every caller wins.
  [[nodiscard]] virtual result<bool> use_authenticator(
      std::string_view credential_id, std::uint32_t expected_counter, std::uint32_t new_counter,
      bool backed_up, std::chrono::system_clock::time_point now) = 0;

  // delete_authenticator removes the user's passkey with this credential id and tells whether
  // there was one; another user's passkey is never removed.
  [[nodiscard]] virtual result<bool> delete_authenticator(std::string_view user_id,
                                                          std::string_view credential_id) = 0;
};

}  // namespace authpp::adapters
