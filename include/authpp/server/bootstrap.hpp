#pragma once

#include <authpp/adapters/password.hpp>
#include <authpp/adapters/user_store.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <optional>
#include <string>

// Dev mode's first start: a secret and a demo user appear by themselves so that `authpp serve
// --dev` works with no configuration at all. Production never calls these.
namespace authpp::server {

// ensure_dev_secret returns the secret kept in `<data_dir>/secret`, creating it first when it does
// not exist: `data_dir` (and missing parents) with mode 0700, then the file with mode 0600 holding
// 32 random bytes in base64url and a newline, written and fsynced under a temporary name and then
// linked into place, so that a crash never leaves an empty or partial secret and two processes
// starting at once agree on one. It fails with
//   errc::invalid_config      if the file is readable or writable by group or others, is not a
//                             regular file, or is empty (the message says how to fix it),
//   errc::storage_unavailable if the directory or file cannot be created, read or written,
//   errc::random_failure      if the random source fails.
[[nodiscard]] result<std::string> ensure_dev_secret(const std::string& data_dir,
                                                    const random_source& random = default_random());

// demo_user is the account dev mode creates; print `password` once, it is not stored anywhere.
struct demo_user {
  std::string email;
  std::string password;
};

// demo_email is the address of the dev-mode demo account.
inline constexpr const char* demo_email = "demo@example.com";

// ensure_demo_user creates `demo@example.com`, named "Demo User", with a random 16-character
// alphanumeric password hashed with `params`, when `store` holds no user at all, and returns it;
// otherwise (or when another process created a user meanwhile) it returns nullopt. It fails with
// the store's errors and those of hash_password, and with errc::random_failure.
[[nodiscard]] result<std::optional<demo_user>> ensure_demo_user(
    adapters::user_store& store, const adapters::argon2_params& params = {},
    const random_source& random = default_random());

}  // namespace authpp::server
