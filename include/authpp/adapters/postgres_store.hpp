#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

// The PostgreSQL backend, for a fleet of authpp instances on one database.
//
// Schema: the tables of Auth.js's `@auth/pg-adapter` (users, accounts, sessions,
// verification_token) under their names, types and constraints, so an existing Auth.js database
// works unchanged and both can use it at once. User ids are therefore that schema's `SERIAL`
// integers, as text. authpp's own data (usernames, the disabled flag, password hashes, the
// migration record) lives in separate `authpp_*` tables that Auth.js never reads. Passkeys are in
// `authenticators`, Auth.js's Authenticator model named the way that schema names its tables
// (@auth/pg-adapter has none), with two times of authpp's own as columns Auth.js may leave NULL.
//
// Every call runs on a pooled connection, on the caller's thread: the engine calls stores from
// its worker pool, never from an I/O thread.
//
// account_store::refresh_account locks the account's row (SELECT … FOR UPDATE), so its steps run
// one at a time across every instance on the database. The step runs inside that transaction,
// holding a pooled connection and the row lock: a caller waits for another instance's step for up
// to statement_timeout, then fails with errc::storage_unavailable (in one instance the callers
// queue without a connection, up to statement_timeout too). A step must therefore take less
// than statement_timeout, and less than the server's idle_in_transaction_session_timeout if one
// is set: past it the server ends the connection, and the new tokens the step got are lost.
namespace authpp::adapters {

// postgres_options configure open_postgres_store.
struct postgres_options {
  // url is a libpq connection string: `postgresql://user:password@host:port/db?sslmode=require`
  // or `host=… dbname=…`. It may hold a password, so no error message repeats it.
  std::string url;
  // pool_size bounds the open connections of this instance.
  std::size_t pool_size = 8;
  // pool_wait is how long a call waits for a free connection when all are busy, before it fails
  // with errc::storage_unavailable.
  std::chrono::milliseconds pool_wait{2000};
  // statement_timeout bounds every statement on the server (PostgreSQL cancels it), and, plus one
  // second, the wait for its answer here (so a server that stops answering cannot hang a caller).
  std::chrono::milliseconds statement_timeout{5000};
  // connect_timeout bounds opening a connection (libpq rounds it up to whole seconds, at least 2).
  std::chrono::milliseconds connect_timeout{5000};
};

// postgres_schema_version is the newest migration this build knows. `authpp_schema_migrations`
// records the applied ones.
inline constexpr int postgres_schema_version = 4;

// open_postgres_store connects, applies the missing migrations (in one transaction, under an
// advisory lock, so instances starting together migrate once), and returns a thread-safe adapter.
// Times come from `clock`, which must outlive the store.
//
// A migration creates the Auth.js tables that are missing, adds the constraints of Auth.js's
// pg schema that an older database lacks (unique e-mail, session token and provider account;
// foreign keys, checked for new rows only), and authpp's own tables. It fails, changing nothing,
// when existing rows break a unique constraint (two users with one e-mail): the message names it.
//
// A connection that breaks (server restart, network) is dropped and replaced on a later call, so
// the store recovers by itself. Reads that find their connection broken are retried once on a
// fresh one; writes are not, since it cannot be known whether they took effect. It fails with
//   errc::invalid_config             if the url is empty or not a valid connection string,
//   errc::storage_unavailable        if the server cannot be reached or refuses the connection,
//   errc::unsupported_schema_version if the database was migrated by a newer authpp,
//   errc::storage_failure            for any other error (the message says which).
[[nodiscard]] result<std::unique_ptr<adapter>> open_postgres_store(
    const postgres_options& options, const clock& clock = default_clock());

// postgres_applied_version reads the newest migration applied to the database, without applying
// any or writing anything (0 for a database without authpp's tables): what `authpp db status`
// reports. It fails as open_postgres_store does.
[[nodiscard]] result<int> postgres_applied_version(const postgres_options& options);

// postgres_server_name describes the server the url points at, `host:port/database`, without
// the user name or password: what messages and logs may show.
[[nodiscard]] std::string postgres_server_name(const std::string& url);

}  // namespace authpp::adapters
