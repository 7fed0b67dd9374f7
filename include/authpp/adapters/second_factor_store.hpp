#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Storage of a user's second factor: a TOTP enrolment and its recovery codes. The store keeps
// what it is given: the engine seals the TOTP secret before it gets here and hashes the recovery
// codes, so a copy of the database holds neither.
namespace authpp::adapters {

// totp_record is a user's TOTP enrolment.
struct totp_record {
  std::string user_id{};
  std::string sealed_secret{};  // opaque to the store
  // confirmed is set once the user has typed a first valid code: only then do sign-ins ask for
  // one, so that a half-finished enrolment cannot lock anyone out.
  bool confirmed = false;
  // last_used_step is the newest time step a code was accepted for: codes of that step and
  // earlier are refused from then on (a replayed code).
  std::optional<std::uint64_t> last_used_step{};
  std::chrono::system_clock::time_point created_at{};  // millisecond precision

  friend bool operator==(const totp_record&, const totp_record&) = default;
};

// The bounds of what a second_factor_store accepts. Sealed secrets and code hashes are encoded
// text (base64url, a PHC string): printable ASCII without spaces, so that every backend stores
// the same bytes.
inline constexpr std::size_t max_sealed_secret_size = 4096;
inline constexpr std::size_t max_recovery_codes = 100;
inline constexpr std::size_t max_recovery_code_hash_size = 200;
// max_totp_step is the newest step the SQL backends can store (a signed 64-bit integer); the
// clock's is far below it.
inline constexpr std::uint64_t max_totp_step = 0x7fff'ffff'ffff'ffff;

// second_factor_store is thread-safe; in PostgreSQL, its guarantees hold across a fleet of
// instances sharing the database. Every method may also fail with errc::storage_unavailable or
// errc::storage_failure, as user_store's do.
class second_factor_store {
 public:
  virtual ~second_factor_store() = default;

  // begin_totp starts an enrolment of `user_id`: any TOTP of the user is replaced by an
  // unconfirmed one with `sealed_secret`, no used step and created_at now, and the user's recovery
  // codes are removed (they belonged to the replaced factor). It fails with
  //   errc::not_found       when no such user exists,
  //   errc::malformed_input when `sealed_secret` is empty or not printable ASCII without spaces,
  //   errc::limit_exceeded  when `sealed_secret` is longer than max_sealed_secret_size.
  [[nodiscard]] virtual result<totp_record> begin_totp(std::string_view user_id,
                                                       std::string_view sealed_secret) = 0;

  // find_totp returns the user's TOTP enrolment, or nullopt.
  [[nodiscard]] virtual result<std::optional<totp_record>> find_totp(
      std::string_view user_id) const = 0;

  // use_totp_step records that a code of time step `step` was accepted, and with `confirm` marks
  // the enrolment confirmed. In one atomic step it succeeds (true) only when the user has a TOTP
  // whose last_used_step is absent or lower than `step`: of two requests presenting the same code
  // at once, even on two instances, exactly one gets true. It returns false otherwise (no TOTP, or
  // the step used already), changing nothing. A `step` above max_totp_step fails with
  // errc::limit_exceeded.
  [[nodiscard]] virtual result<bool> use_totp_step(std::string_view user_id, std::uint64_t step,
                                                   bool confirm) = 0;

  // delete_totp removes the user's TOTP and recovery codes; false when there was no TOTP.
  [[nodiscard]] virtual result<bool> delete_totp(std::string_view user_id) = 0;

  // set_recovery_codes replaces the user's recovery codes by `code_hashes`. It fails with
  //   errc::malformed_input when a hash is empty, not printable ASCII without spaces, or repeated,
  //   errc::limit_exceeded  for more than max_recovery_codes hashes, or a hash longer than
  //                         max_recovery_code_hash_size,
  //   errc::not_found       unless the user has a TOTP.
  [[nodiscard]] virtual result<void> set_recovery_codes(
      std::string_view user_id, const std::vector<std::string>& code_hashes) = 0;

  // recovery_code_hashes returns the user's unused recovery code hashes, in no particular order.
  [[nodiscard]] virtual result<std::vector<std::string>> recovery_code_hashes(
      std::string_view user_id) const = 0;

  // use_recovery_code removes `code_hash` from the user's codes, atomically: true for the one
  // caller that removed it, false when it was not there (never issued, or used already).
  [[nodiscard]] virtual result<bool> use_recovery_code(std::string_view user_id,
                                                       std::string_view code_hash) = 0;
};

}  // namespace authpp::adapters
