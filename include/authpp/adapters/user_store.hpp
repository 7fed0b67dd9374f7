#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// User storage, shaped like the `users` table of the Auth.js adapter model
// (spec/server-flows.md §13, §13.1) plus what the credentials provider and the operator CLI need:
// a username, a disabled flag, a creation time and one password hash per user. Accounts, sessions
// and verification tokens have their own interfaces, which refer to users by `user_record::id`
// (adapter.hpp combines them).
namespace authpp::adapters {

// user_record is one stored user. `email` is normalised (see `normalize_email`); `id` is chosen
// by the store: a random UUID, or in PostgreSQL the `SERIAL` number of Auth.js's schema. Times
// have millisecond precision in every backend.
struct user_record {
  std::string id{};
  std::string email{};
  std::optional<std::string> name{}, username{}, image{};
  std::optional<std::chrono::system_clock::time_point> email_verified{};  // Auth.js `emailVerified`
  bool disabled = false;
  std::chrono::system_clock::time_point created_at{};
  // session_version counts the times this user's sessions were ended all at once (revocation):
  // a JWT session carries the version it was started under, and is refused once they differ.
  long long session_version = 0;

  friend bool operator==(const user_record&, const user_record&) = default;
};

// new_user is what a caller provides to create a user; the store fills in the rest.
// The `{}` initialisers let callers name only some fields (`{.email = e}`) without GCC's
// -Wmissing-field-initializers.
struct new_user {
  std::string email{};
  std::optional<std::string> name{}, username{}, image{};
  // email_verified is set when the user is created by an e-mail sign-in (Auth.js's
  // createUser({...user, emailVerified: now})); stored with millisecond precision.
  std::optional<std::chrono::system_clock::time_point> email_verified{};
};

// normalize_email trims ASCII whitespace and lower-cases ASCII letters, as Auth.js does before it
// stores or looks up an email. Bytes outside ASCII are kept as they are.
std::string normalize_email(std::string_view email);

// user_store is the storage interface for users and their password hashes. Implementations are
// thread-safe: the server calls one instance from several I/O threads at once.
//
// Every method may also fail with
//   errc::storage_unavailable if the backend cannot be read or written right now (file removed or
//                             read-only, I/O error, lock timeout); the store retries on the next
//                             call, so a caller just reports the failure,
//   errc::storage_failure     for any other backend error (a bug; the detail says which).
class user_store {
 public:
  virtual ~user_store() = default;

  // add_user stores a new user and, when `password_hash` is not empty, its password hash (an
  // encoded string such as `hash_password` returns); an empty hash means a user who cannot sign
  // in with a password (OAuth, email). The email is stored normalised. It fails with
  //   errc::malformed_input       if the normalised email is empty, or `username` is empty,
  //   errc::invalid_password_hash unless `password_hash` is empty or looks like `$alg$...`,
  //   errc::already_exists        if the email, or the username compared ignoring ASCII case, is
  //                               taken,
  //   errc::random_failure        if no id could be drawn.
  [[nodiscard]] virtual result<user_record> add_user(const new_user& user,
                                                     std::string_view password_hash) = 0;

  // find_by_email returns the user whose email equals `normalize_email(email)`, or nullopt.
  [[nodiscard]] virtual result<std::optional<user_record>> find_by_email(
      std::string_view email) const = 0;

  // find_by_username returns the user whose username equals `username` ignoring ASCII case, or
  // nullopt.
  [[nodiscard]] virtual result<std::optional<user_record>> find_by_username(
      std::string_view username) const = 0;

  // find_by_id returns the user with this id, or nullopt (also for ids that cannot be one).
  [[nodiscard]] virtual result<std::optional<user_record>> find_by_id(
      std::string_view id) const = 0;

  // list_users returns every user, ordered by email.
  [[nodiscard]] virtual result<std::vector<user_record>> list_users() const = 0;

  // set_disabled sets the disabled flag of the user with this email (normalised first). It fails
  // with errc::not_found if there is none.
  [[nodiscard]] virtual result<void> set_disabled(std::string_view email, bool disabled) = 0;

  // set_password stores `password_hash` for the user `user_id`, replacing any previous one. It
  // fails with
  //   errc::invalid_password_hash unless `password_hash` looks like `$alg$...`,
  //   errc::not_found             if there is no user with this id.
  [[nodiscard]] virtual result<void> set_password(std::string_view user_id,
                                                  std::string_view password_hash) = 0;

  // bump_session_version adds one to the user's session_version and returns the new value, so
  // that every JWT session started before ends at its next check. It fails with errc::not_found
  // if there is no user with this id.
  [[nodiscard]] virtual result<long long> bump_session_version(std::string_view user_id) = 0;

  // set_email_verified records when the user proved they own their address (an e-mail
  // sign-in): Auth.js's updateUser({id, emailVerified}). It fails with
  //   errc::not_found if no user has this id.
  [[nodiscard]] virtual result<void> set_email_verified(
      std::string_view user_id, std::chrono::system_clock::time_point when) = 0;

  // delete_user deletes the user with its password, linked accounts and database sessions
  // (Auth.js's deleteUser), and tells whether there was one. Its JWT sessions end at their next
  // check (see auth's session.jwt_revocation_bound); its e-mail and username become free.
  [[nodiscard]] virtual result<bool> delete_user(std::string_view user_id) = 0;

  // password_hash returns the stored hash of `user_id`, or nullopt when the user has none or
  // does not exist (a caller then verifies against `dummy_password_hash()` to keep timing even).
  [[nodiscard]] virtual result<std::optional<std::string>> password_hash(
      std::string_view user_id) const = 0;

  // check_health runs a cheap probe for readiness endpoints: it fails with
  // errc::storage_unavailable when the backend cannot be read or written.
  [[nodiscard]] virtual result<void> check_health() const = 0;
};

}  // namespace authpp::adapters
