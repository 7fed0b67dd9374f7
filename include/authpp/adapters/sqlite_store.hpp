#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <memory>
#include <string>

// The embedded SQLite backend: the default storage of `authpp serve`.
//
// Durability: the database runs in WAL mode with `synchronous=NORMAL`. A write returns only after
// its transaction is in the WAL file (in the operating system's cache), so every user whose
// command reported success survives the process being killed (SIGKILL, OOM killer, crash). Only
// an operating-system crash or power loss can lose the last transactions before the next
// checkpoint; the database itself stays consistent even then.
//
// One process per database file: account_store::refresh_account serialises the refreshes of an
// account with a lock of the store's own, in memory, so two processes (or two stores in one
// process) on one file could refresh an account at once. A fleet of servers needs PostgreSQL.
namespace authpp::adapters {

// sqlite_options configure open_sqlite_store.
struct sqlite_options {
  // path of the database file; it and its missing parent directories (mode 0700) are created on
  // first open, the file with mode 0600 since it holds password hashes.
  std::string path;
  // busy_timeout is how long a statement waits for another process's write lock before failing
  // with errc::storage_unavailable; and how long refresh_account waits for another refresh of the
  // same account (its step, an HTTP call, included) before failing so.
  std::chrono::milliseconds busy_timeout{5000};
};

// sqlite_schema_version is the newest migration this build knows. The `schema_migrations` table
// records the applied ones.
inline constexpr int sqlite_schema_version = 5;

// open_sqlite_store opens (creating if needed) the database at `options.path`, applies the missing
// migrations in one transaction, and returns a thread-safe adapter over it (users, accounts,
// sessions, verification tokens, second factors, authenticators). Ids are random UUIDs from
// `random`; times come from `clock`; both must outlive the store.
//
// After a failure that means the file is unreachable (removed, renamed, read-only, I/O error,
// corrupt), the store closes its connection and reopens the path on the next call, so it
// recovers by itself once the file is back. It never re-creates a file that disappeared: that
// would hide the loss behind an empty database. It fails with
//   errc::invalid_config             if `options.path` is empty,
//   errc::storage_unavailable        if the directory or file cannot be created or opened, or is
//                                    not a SQLite database,
//   errc::unsupported_schema_version if the database was migrated by a newer authpp,
//   errc::storage_failure            for any other SQLite error.
[[nodiscard]] result<std::unique_ptr<adapter>> open_sqlite_store(
    const sqlite_options& options, const random_source& random = default_random(),
    const clock& clock = default_clock());

// sqlite_applied_version reads the newest migration applied to the database at `path` without
// applying any, or creating or writing the file (0 for a database without authpp's tables): what
// `authpp db status` reports. It fails with
//   errc::storage_unavailable if there is no database file at `path`, or it cannot be read,
//   errc::storage_failure     for any other SQLite error.
[[nodiscard]] result<int> sqlite_applied_version(const std::string& path);

}  // namespace authpp::adapters
