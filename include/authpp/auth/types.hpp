#pragma once

#include <authpp/core/json.hpp>

#include <optional>
#include <string>
#include <string_view>

// The values the engine hands to callbacks and events, named as in Auth.js.
namespace authpp {

// user is the identity a provider produced. `id` defaults to a random UUID when a credentials
// `authorize` leaves it empty. `extra` carries any other fields the application wants to keep.
struct user {
  std::optional<std::string> id{};
  std::optional<std::string> name{};
  std::optional<std::string> email{};
  std::optional<std::string> image{};
  json extra = json::object();
  // session_version: the stored user's adapters::user_record::session_version, set by the
  // providers that sign stored users in; a JWT session carries it for revocation.
  std::optional<long long> session_version{};
};

// account links a user to the provider that authenticated them.
struct account {
  std::string provider;             // provider id, e.g. "credentials"
  std::string type;                 // "credentials", "oauth", "oidc", "email"
  std::string provider_account_id;  // the user's id at that provider
  // tokens is an OAuth provider's token response (access_token, id_token, refresh_token,
  // expires_in, and `expires_at` = now + expires_in), as Auth.js passes it on; empty otherwise.
  json tokens = json::object();
};

// jwt_trigger says why the `jwt` callback runs.
enum class jwt_trigger {
  none,     // GET /session: token read back
  sign_in,  // a sign-in just succeeded
  sign_up,  // a sign-in created a new user
  update,   // POST /session: the client sent new session data
};

// log_level orders the engine's log messages.
enum class log_level { debug, info, warn, error };

// to_string names a level as log lines spell it: "debug", "info", "warn", "error".
constexpr std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "error";
}

}  // namespace authpp
