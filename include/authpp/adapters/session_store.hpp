#pragma once

#include <authpp/adapters/user_store.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

// Database sessions, shaped like the `sessions` table of the Auth.js adapter model
// (spec/server-flows.md §13): the session cookie holds `session_token`, the row says whose
// session it is and until when. Backends that offer it also offer user_store (see adapter.hpp).
namespace authpp::adapters {

// session_record is one stored session. `expires` has millisecond precision in every backend.
struct session_record {
  std::string session_token{};
  std::string user_id{};
  std::chrono::system_clock::time_point expires{};

  friend bool operator==(const session_record&, const session_record&) = default;
};

// session_store is the storage interface for database sessions. Implementations are thread-safe.
// Every method may also fail with errc::storage_unavailable or errc::storage_failure, as
// user_store's methods do.
class session_store {
 public:
  virtual ~session_store() = default;

  // create_session stores `session` and returns it as stored. It fails with
  //   errc::malformed_input if the token or the user id is empty,
  //   errc::already_exists  if a session with this token exists,
  //   errc::not_found       if there is no user with this id.
  [[nodiscard]] virtual result<session_record> create_session(const session_record& session) = 0;

  // session_and_user returns the session with this token and its user, or nullopt. An expired
  // session is returned too: the caller decides, and deletes it (as Auth.js does).
  [[nodiscard]] virtual result<std::optional<std::pair<session_record, user_record>>>
  session_and_user(std::string_view session_token) const = 0;

  // update_session_expiry moves the session's expiry (Auth.js's sliding `updateAge`) and returns
  // the updated session, or nullopt when there is none.
  [[nodiscard]] virtual result<std::optional<session_record>> update_session_expiry(
      std::string_view session_token, std::chrono::system_clock::time_point expires) = 0;

  // delete_session deletes the session and returns it (for the signOut event), or nullopt when
  // there was none.
  [[nodiscard]] virtual result<std::optional<session_record>> delete_session(
      std::string_view session_token) = 0;

  // delete_user_sessions deletes every session of the user (revocation: a disabled user, a new
  // password) and returns how many there were.
  [[nodiscard]] virtual result<std::size_t> delete_user_sessions(std::string_view user_id) = 0;

  // delete_expired_sessions deletes every session whose expiry is at or before `now` and returns
  // how many there were: a session nobody reads again would otherwise stay for ever.
  [[nodiscard]] virtual result<std::size_t> delete_expired_sessions(
      std::chrono::system_clock::time_point now) = 0;
};

}  // namespace authpp::adapters
