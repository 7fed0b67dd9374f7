#include <authpp/adapters/sqlite_store.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account_lock_internal.hpp"
#include "sqlite_store_internal.hpp"
#include "validate_internal.hpp"

// Concurrency: one connection guarded by one mutex. SQLite allows one writer per database at a
// time whatever the number of connections, user lookups take microseconds, and a single connection
// means our own threads never meet SQLITE_BUSY, the prepared statements are shared, and recovery
// (close, reopen) has one thing to replace. When database sessions make reads hot, a small pool of
// read-only connections can be added behind the same interface (WAL lets readers run beside the
// writer).
//
// Every value reaches SQL through bound parameters of prepared statements; the only SQL text is
// constant (the statements below and the migrations).
namespace authpp::adapters {
namespace {

using std::chrono::system_clock;

struct db_closer {
  // sqlite3_close_v2 defers the close until the last statement is finalised, so the order in
  // which a connection's members are destroyed does not matter.
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct stmt_finalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using db_ptr = std::unique_ptr<sqlite3, db_closer>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_finalizer>;

// ---------------------------------------------------------------------------------------------
// Errors

// is_unavailable: the database cannot be reached or trusted right now. These are operational
// conditions an operator fixes (disk, permissions, a restored file), not bugs.
bool is_unavailable(int rc) {
  switch (rc & 0xff) {
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return true;
    default:
      return false;
  }
}

// needs_reopen: the connection itself may be stale (the file changed under it), so it is closed
// and the path opened afresh on the next call. A busy lock is not such a case.
bool needs_reopen(int rc) {
  const int primary = rc & 0xff;
  return is_unavailable(rc) && primary != SQLITE_BUSY && primary != SQLITE_LOCKED;
}

// sqlite_error turns a SQLite result code into an auth_error whose detail names the operation, the
// database path and SQLite's own message.
auth_error sqlite_error(sqlite3* db, int rc, std::string_view what, std::string_view path) {
  std::string detail(what);
  detail += " (";
  detail += path;
  detail += "): ";
  // errmsg describes the connection's latest error; use it only if that is this one.
  detail +=
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  detail += " [SQLite code " + std::to_string(rc) + "]";
  if ((rc & 0xff) == SQLITE_TOOBIG) return auth_error{errc::limit_exceeded, std::move(detail)};
  return auth_error{is_unavailable(rc) ? errc::storage_unavailable : errc::storage_failure,
                    std::move(detail)};
}

// ---------------------------------------------------------------------------------------------
// Statements

using detail::epoch_ms;
using detail::from_epoch_ms;

// binding resets and unbinds a cached statement when the operation using it ends, so the next
// caller finds it ready and no bound text outlives its call.
class binding {
 public:
  explicit binding(sqlite3_stmt* s) : s_(s) {}
  binding(const binding&) = delete;
  binding& operator=(const binding&) = delete;
  ~binding() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  int text(int index, std::string_view v) {
    // An empty view may have a null data(): SQLite would bind NULL instead of "".
    return sqlite3_bind_text64(s_, index, v.empty() ? "" : v.data(), v.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  }
  int optional_text(int index, const std::optional<std::string>& v) {
    return v ? text(index, *v) : sqlite3_bind_null(s_, index);
  }
  int integer(int index, long long v) { return sqlite3_bind_int64(s_, index, v); }
  int optional_integer(int index, const std::optional<long long>& v) {
    return v ? integer(index, *v) : sqlite3_bind_null(s_, index);
  }
  int step() { return sqlite3_step(s_); }
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_;
};

std::optional<std::string> column_text(sqlite3_stmt* s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL) return std::nullopt;
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));  // NOLINT
  const int n = sqlite3_column_bytes(s, col);
  return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(n));
}

// The user columns every user query selects (the table aliased `u`), in read_user's order;
// a query that selects more puts them after these (user_columns of them).
#define AUTHPP_USER_COLUMNS                                                                     \
  "u.id, u.email, u.name, u.username, u.image, u.\"emailVerified\", u.disabled, u.created_at, " \
  "u.session_version "
constexpr int user_columns = 9;

// The columns every account query selects, in the order read_account expects.
#define AUTHPP_ACCOUNT_FIELDS                                                               \
  "\"userId\", type, provider, \"providerAccountId\", access_token, token_type, id_token, " \
  "refresh_token, scope, session_state, expires_at "
#define AUTHPP_ACCOUNT_COLUMNS AUTHPP_ACCOUNT_FIELDS "FROM accounts "

account_record read_account(sqlite3_stmt* s) {
  account_record a;
  a.user_id = column_text(s, 0).value_or("");
  a.type = column_text(s, 1).value_or("");
  a.provider = column_text(s, 2).value_or("");
  a.provider_account_id = column_text(s, 3).value_or("");
  a.access_token = column_text(s, 4);
  a.token_type = column_text(s, 5);
  a.id_token = column_text(s, 6);
  a.refresh_token = column_text(s, 7);
  a.scope = column_text(s, 8);
  a.session_state = column_text(s, 9);
  if (sqlite3_column_type(s, 10) != SQLITE_NULL) a.expires_at = sqlite3_column_int64(s, 10);
  return a;
}

session_record read_session(sqlite3_stmt* s) {
  return {column_text(s, 0).value_or(""), column_text(s, 1).value_or(""),
          from_epoch_ms(sqlite3_column_int64(s, 2))};
}

// The columns every TOTP query selects, in the order read_totp expects.
#define AUTHPP_TOTP_COLUMNS "user_id, sealed_secret, confirmed, last_used_step, created_at "

totp_record read_totp(sqlite3_stmt* s) {
  totp_record t;
  t.user_id = column_text(s, 0).value_or("");
  t.sealed_secret = column_text(s, 1).value_or("");
  t.confirmed = sqlite3_column_int64(s, 2) != 0;
  if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
    t.last_used_step = static_cast<std::uint64_t>(sqlite3_column_int64(s, 3));
  }
  t.created_at = from_epoch_ms(sqlite3_column_int64(s, 4));
  return t;
}

// The columns every authenticator query selects, in the order read_authenticator expects.
#define AUTHPP_AUTHENTICATOR_COLUMNS                                                        \
  "\"credentialID\", \"userId\", \"providerAccountId\", \"credentialPublicKey\", counter, " \
  "\"credentialDeviceType\", \"credentialBackedUp\", transports, created_at, last_used_at "

authenticator_record read_authenticator(sqlite3_stmt* s) {
  authenticator_record a;
  a.credential_id = column_text(s, 0).value_or("");
  a.user_id = column_text(s, 1).value_or("");
  a.provider_account_id = column_text(s, 2).value_or("");
  a.credential_public_key = column_text(s, 3).value_or("");
  // The column's CHECK keeps it within 32 bits.
  a.counter = static_cast<std::uint32_t>(sqlite3_column_int64(s, 4));
  a.credential_device_type = column_text(s, 5).value_or("");
  a.credential_backed_up = sqlite3_column_int64(s, 6) != 0;
  a.transports = column_text(s, 7);
  // Rows that Auth.js wrote have neither time.
  if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
    a.created_at = from_epoch_ms(sqlite3_column_int64(s, 8));
  }
  if (sqlite3_column_type(s, 9) != SQLITE_NULL) {
    a.last_used_at = from_epoch_ms(sqlite3_column_int64(s, 9));
  }
  return a;
}

user_record read_user(sqlite3_stmt* s) {
  user_record u;
  u.id = column_text(s, 0).value_or("");
  u.email = column_text(s, 1).value_or("");
  u.name = column_text(s, 2);
  u.username = column_text(s, 3);
  u.image = column_text(s, 4);
  if (sqlite3_column_type(s, 5) != SQLITE_NULL)
    u.email_verified = from_epoch_ms(sqlite3_column_int64(s, 5));
  u.disabled = sqlite3_column_int64(s, 6) != 0;
  u.created_at = from_epoch_ms(sqlite3_column_int64(s, 7));
  u.session_version = sqlite3_column_int64(s, 8);
  return u;
}

// connection is an open database with its prepared statements.
struct connection {
  db_ptr db;
  stmt_ptr begin, commit, rollback;
  stmt_ptr insert_user, insert_credentials, upsert_password;
  stmt_ptr find_by_email, find_by_username, find_by_id, list_users;
  stmt_ptr set_disabled, get_password, bump_session_version, set_email_verified, delete_user;
  stmt_ptr insert_account, user_by_account, find_account, accounts_of, unlink_account;
  stmt_ptr refresh_account;
  stmt_ptr insert_session, session_and_user, update_session, delete_session, delete_user_sessions,
      delete_expired_sessions;
  stmt_ptr insert_token, use_token, delete_expired_tokens;
  stmt_ptr upsert_totp, find_totp, use_totp_step, confirm_totp_step, delete_totp;
  stmt_ptr insert_recovery_code, recovery_codes_of, use_recovery_code, delete_recovery_codes;
  stmt_ptr insert_authenticator, find_authenticator, list_authenticators, use_authenticator,
      delete_authenticator;
  stmt_ptr health_read, health_write;
};

// ---------------------------------------------------------------------------------------------
// Migrations: append only, never edit one that shipped. Each runs once, inside the transaction
// that records it in schema_migrations. Column names and types follow the Auth.js canonical schema
// (spec §13.1: quoted "emailVerified") with the Prisma/Drizzle constraints; times are integer
// milliseconds since the epoch, as Drizzle's SQLite schema stores `emailVerified`.
struct migration {
  int version;
  const char* sql;
};

constexpr migration migrations[] = {
    {1, R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  email TEXT NOT NULL UNIQUE,
  "emailVerified" INTEGER,
  image TEXT,
  username TEXT COLLATE NOCASE UNIQUE,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at INTEGER NOT NULL
);
CREATE TABLE credentials (
  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql"},
    // Linked accounts, database sessions and magic-link tokens, under the Auth.js pg schema's
    // names, with the Prisma/Drizzle keys.
    {2, R"sql(
CREATE TABLE accounts (
  "userId" TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  provider TEXT NOT NULL,
  "providerAccountId" TEXT NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at INTEGER,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT,
  PRIMARY KEY (provider, "providerAccountId")
);
CREATE INDEX accounts_user ON accounts ("userId");
CREATE TABLE sessions (
  "sessionToken" TEXT PRIMARY KEY NOT NULL,
  "userId" TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions ("userId");
CREATE TABLE verification_token (
  identifier TEXT NOT NULL,
  token TEXT NOT NULL,
  expires INTEGER NOT NULL,
  PRIMARY KEY (identifier, token)
);
)sql"},
    // The session version of revocation (user_record::session_version).
    {3, R"sql(
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
)sql"},
    // Second factors (second_factor_store): a user's TOTP, and the recovery codes that belong to
    // it, which go with it when it is deleted (and with it, when the user is).
    {4, R"sql(
CREATE TABLE totp (
  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
  last_used_step INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES totp(user_id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);
)sql"},
    // WebAuthn authenticators (authenticator_store), under the names of Auth.js's Authenticator
    // model, with its keys; the counter is unsigned 32-bit (WebAuthn L2 §6.1). created_at and
    // last_used_at are authpp's own, NULL in rows that Auth.js writes.
    {5, R"sql(
CREATE TABLE authenticators (
  "credentialID" TEXT NOT NULL UNIQUE,
  "userId" TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  "providerAccountId" TEXT NOT NULL,
  "credentialPublicKey" TEXT NOT NULL,
  counter INTEGER NOT NULL CHECK (counter BETWEEN 0 AND 4294967295),
  "credentialDeviceType" TEXT NOT NULL,
  "credentialBackedUp" INTEGER NOT NULL CHECK ("credentialBackedUp" IN (0, 1)),
  transports TEXT,
  created_at INTEGER,
  last_used_at INTEGER,
  PRIMARY KEY ("userId", "credentialID")
);
)sql"},
};
static_assert(std::size(migrations) == sqlite_schema_version);

// query_text runs `sql` and returns the first column of its first row ("" for no row).
result<std::string> query_text(sqlite3* db, const char* sql, std::string_view path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  const stmt_ptr s(raw);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, sql, path);
  rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return sqlite_error(db, rc, sql, path);
  return column_text(s.get(), 0).value_or("");
}

constexpr const char* applied_version_sql =
    "SELECT coalesce(max(version), 0) FROM schema_migrations";

// ---------------------------------------------------------------------------------------------
// Opening

class opener {
 public:
  opener(const sqlite_options& options, const clock& clock) : options_(options), clock_(clock) {}

  // create_path makes the missing parent directories (0700) and an empty database file (0600).
  // SQLite itself is never asked to create the file (no SQLITE_OPEN_CREATE), so that a reopen
  // after the file vanished fails instead of starting an empty database.
  result<void> create_path() const {
    const std::filesystem::path file(options_.path);
    std::filesystem::path dir;
    for (const auto& part : file.parent_path()) {
      dir /= part;
      if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return os_error("cannot create directory " + dir.string());
      }
    }
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      return os_error("cannot create database file");
    }
    return {};
  }

  result<std::unique_ptr<connection>> open() const {
    auto c = std::make_unique<connection>();
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    int rc = sqlite3_open_v2(options_.path.c_str(), &raw, flags, nullptr);
    c->db.reset(raw);  // even on failure SQLite returns a handle that must be closed
    if (rc != SQLITE_OK) return fail(rc, "open database");
    sqlite3* db = c->db.get();
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(options_.busy_timeout.count()));
    // Defensive mode refuses writes to sqlite_master and other ways of corrupting the file on
    // purpose; an untrusted schema cannot run functions with side effects.
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);

    // WAL: readers do not block the writer, and a commit is durable once written to the WAL
    // (see sqlite_store.hpp on what synchronous=NORMAL does and does not survive).
    auto mode = query_text(db, "PRAGMA journal_mode=WAL", options_.path);
    if (!mode) return mode.error();
    if (*mode != "wal") {
      return auth_error{errc::storage_unavailable,
                        "cannot switch " + options_.path + " to WAL mode (got " + *mode + ")"};
    }
    if (rc = sqlite3_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", nullptr, nullptr,
                          nullptr);
        rc != SQLITE_OK) {
      return fail(rc, "set pragmas", db);
    }
    if (auto r = migrate(db); !r) return r.error();
    if (auto r = prepare(*c); !r) return r.error();
    return c;
  }

 private:
  auth_error fail(int rc, std::string_view what, sqlite3* db = nullptr) const {
    return sqlite_error(db, rc, what, options_.path);
  }

  auth_error os_error(const std::string& what) const {
    return auth_error{errc::storage_unavailable,
                      what + " (" + options_.path + "): " + std::generic_category().message(errno)};
  }

  result<void> exec(sqlite3* db, const char* sql, std::string_view what) const {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(rc, what, db);
    return {};
  }

  // migrate applies the missing migrations in one IMMEDIATE transaction, which also serialises
  // two processes opening a new database at once: the second waits, then sees the schema done.
  result<void> migrate(sqlite3* db) const {
    if (auto r = exec(db, "BEGIN IMMEDIATE", "begin migration"); !r) return r;
    auto r = migrate_in_transaction(db);
    if (r) r = exec(db, "COMMIT", "commit migration");
    if (!r && sqlite3_get_autocommit(db) == 0) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return r;
  }

  result<void> migrate_in_transaction(sqlite3* db) const {
    if (auto r = exec(db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)",
                      "create schema_migrations");
        !r) {
      return r;
    }
    auto current = query_text(db, applied_version_sql, options_.path);
    if (!current) return current.error();
    int version = 0;
    std::from_chars(current->data(), current->data() + current->size(), version);
    if (version > sqlite_schema_version) {
      return auth_error{errc::unsupported_schema_version,
                        options_.path + " has schema version " + std::to_string(version) +
                            " but this authpp knows only up to " +
                            std::to_string(sqlite_schema_version) +
                            "; it was migrated by a newer authpp, upgrade this one"};
    }
    for (const migration& m : migrations) {
      if (m.version <= version) continue;
      if (auto r = exec(db, m.sql, "apply migration " + std::to_string(m.version)); !r) return r;
      sqlite3_stmt* raw = nullptr;
      int rc = sqlite3_prepare_v2(
          db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", -1, &raw,
          nullptr);
      const stmt_ptr s(raw);
      if (rc != SQLITE_OK) return fail(rc, "record migration", db);
      binding b(s.get());
      b.integer(1, m.version);
      b.integer(2, epoch_ms(clock_.now()));
      if (rc = b.step(); rc != SQLITE_DONE) return fail(rc, "record migration", db);
    }
    return {};
  }

  result<void> prepare(connection& c) const {
    const std::pair<stmt_ptr*, const char*> statements[] = {
        {&c.begin, "BEGIN IMMEDIATE"},
        {&c.commit, "COMMIT"},
        {&c.rollback, "ROLLBACK"},
        {&c.insert_user,
         "INSERT INTO users (id, email, name, username, image, created_at, \"emailVerified\") "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&c.insert_credentials,
         "INSERT INTO credentials (user_id, password_hash, updated_at) VALUES (?1, ?2, ?3)"},
        {&c.upsert_password,
         "INSERT INTO credentials (user_id, password_hash, updated_at) VALUES (?1, ?2, ?3) "
         "ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, "
         "updated_at = excluded.updated_at"},
        {&c.find_by_email, "SELECT " AUTHPP_USER_COLUMNS "FROM users u WHERE email = ?1"},
        {&c.find_by_username, "SELECT " AUTHPP_USER_COLUMNS "FROM users u WHERE username = ?1"},
        {&c.find_by_id, "SELECT " AUTHPP_USER_COLUMNS "FROM users u WHERE id = ?1"},
        {&c.list_users, "SELECT " AUTHPP_USER_COLUMNS "FROM users u ORDER BY email"},
        {&c.set_disabled, "UPDATE users SET disabled = ?2 WHERE email = ?1"},
        // Credentials, accounts, sessions, second factors and authenticators go with it (ON
        // DELETE CASCADE).
        {&c.delete_user, "DELETE FROM users WHERE id = ?1 RETURNING id"},
        {&c.bump_session_version,
         "UPDATE users SET session_version = session_version + 1 WHERE id = ?1 "
         "RETURNING session_version"},
        {&c.set_email_verified,
         "UPDATE users SET \"emailVerified\" = ?2 WHERE id = ?1 RETURNING id"},
        {&c.get_password, "SELECT password_hash FROM credentials WHERE user_id = ?1"},
        {&c.insert_account,
         "INSERT INTO accounts (\"userId\", type, provider, \"providerAccountId\", access_token, "
         "token_type, id_token, refresh_token, scope, session_state, expires_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
        {&c.user_by_account,
         "SELECT " AUTHPP_USER_COLUMNS "FROM accounts a JOIN users u ON u.id = a.\"userId\" "
         "WHERE a.provider = ?1 AND a.\"providerAccountId\" = ?2"},
        {&c.find_account,
         "SELECT " AUTHPP_ACCOUNT_COLUMNS "WHERE provider = ?1 AND \"providerAccountId\" = ?2"},
        {&c.accounts_of, "SELECT " AUTHPP_ACCOUNT_COLUMNS
                         "WHERE \"userId\" = ?1 ORDER BY provider, \"providerAccountId\""},
        {&c.unlink_account,
         "DELETE FROM accounts WHERE provider = ?1 AND \"providerAccountId\" = ?2"},
        {&c.refresh_account,
         "UPDATE accounts SET access_token = ?3, token_type = ?4, id_token = ?5, "
         "refresh_token = ?6, scope = ?7, expires_at = ?8 "
         "WHERE provider = ?1 AND \"providerAccountId\" = ?2 RETURNING " AUTHPP_ACCOUNT_FIELDS},
        {&c.insert_session,
         "INSERT INTO sessions (\"sessionToken\", \"userId\", expires) VALUES (?1, ?2, ?3)"},
        // The user's columns first, in read_user's order; then the session's token and expiry.
        {&c.session_and_user,
         "SELECT " AUTHPP_USER_COLUMNS ", s.\"sessionToken\", s.expires "
         "FROM sessions s JOIN users u ON u.id = s.\"userId\" WHERE s.\"sessionToken\" = ?1"},
        {&c.update_session,
         "UPDATE sessions SET expires = ?2 WHERE \"sessionToken\" = ?1 "
         "RETURNING \"sessionToken\", \"userId\", expires"},
        {&c.delete_session,
         "DELETE FROM sessions WHERE \"sessionToken\" = ?1 "
         "RETURNING \"sessionToken\", \"userId\", expires"},
        {&c.delete_user_sessions, "DELETE FROM sessions WHERE \"userId\" = ?1"},
        {&c.delete_expired_sessions, "DELETE FROM sessions WHERE expires <= ?1"},
        {&c.delete_expired_tokens, "DELETE FROM verification_token WHERE expires <= ?1"},
        {&c.insert_token,
         "INSERT INTO verification_token (identifier, token, expires) VALUES (?1, ?2, ?3)"},
        // One statement: of two connections using one token, the second finds no row.
        {&c.use_token,
         "DELETE FROM verification_token WHERE identifier = ?1 AND token = ?2 "
         "RETURNING identifier, token, expires"},
        // begin_totp's: a new enrolment, replacing any other of the user (the user's recovery
        // codes are deleted in the same transaction).
        {&c.upsert_totp,
         "INSERT INTO totp (user_id, sealed_secret, confirmed, last_used_step, created_at) "
         "VALUES (?1, ?2, 0, NULL, ?3) ON CONFLICT (user_id) DO UPDATE SET "
         "sealed_secret = excluded.sealed_secret, confirmed = 0, last_used_step = NULL, "
         "created_at = excluded.created_at"},
        {&c.find_totp, "SELECT " AUTHPP_TOTP_COLUMNS "FROM totp WHERE user_id = ?1"},
        // One conditional statement: of two connections presenting one step, the second finds
        // the row's step moved on and changes nothing.
        {&c.use_totp_step,
         "UPDATE totp SET last_used_step = ?2 WHERE user_id = ?1 "
         "AND (last_used_step IS NULL OR last_used_step < ?2) RETURNING user_id"},
        {&c.confirm_totp_step,
         "UPDATE totp SET last_used_step = ?2, confirmed = 1 WHERE user_id = ?1 "
         "AND (last_used_step IS NULL OR last_used_step < ?2) RETURNING user_id"},
        // The recovery codes go with it (ON DELETE CASCADE).
        {&c.delete_totp, "DELETE FROM totp WHERE user_id = ?1 RETURNING user_id"},
        {&c.insert_recovery_code,
         "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)"},
        {&c.recovery_codes_of, "SELECT code_hash FROM recovery_codes WHERE user_id = ?1"},
        // One statement: of two connections using one code, the second finds no row.
        {&c.use_recovery_code,
         "DELETE FROM recovery_codes WHERE user_id = ?1 AND code_hash = ?2 RETURNING user_id"},
        {&c.delete_recovery_codes, "DELETE FROM recovery_codes WHERE user_id = ?1"},
        {&c.insert_authenticator,
         "INSERT INTO authenticators (\"credentialID\", \"userId\", \"providerAccountId\", "
         "\"credentialPublicKey\", counter, \"credentialDeviceType\", \"credentialBackedUp\", "
         "transports, created_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)"},
        {&c.find_authenticator,
         "SELECT " AUTHPP_AUTHENTICATOR_COLUMNS "FROM authenticators WHERE \"credentialID\" = ?1"},
        // NULLs sort first: Auth.js's rows, which have no created_at, come before authpp's.
        {&c.list_authenticators,
         "SELECT " AUTHPP_AUTHENTICATOR_COLUMNS "FROM authenticators WHERE \"userId\" = ?1 "
         "ORDER BY created_at, \"credentialID\""},
        // One conditional statement: of two connections recording an assertion verified against
        // one counter, the second finds the counter moved on and changes nothing.
        {&c.use_authenticator,
         "UPDATE authenticators SET counter = ?3, \"credentialBackedUp\" = ?4, last_used_at = ?5 "
         "WHERE \"credentialID\" = ?1 AND counter = ?2"},
        {&c.delete_authenticator,
         "DELETE FROM authenticators WHERE \"userId\" = ?1 AND \"credentialID\" = ?2"},
        {&c.health_read, "SELECT count(*) FROM schema_migrations"},
        // Deletes nothing, but needs the write lock and a writable connection and file.
        {&c.health_write, "DELETE FROM schema_migrations WHERE version < 0"},
    };
    for (const auto& [slot, sql] : statements) {
      sqlite3_stmt* raw = nullptr;
      const int rc =
          sqlite3_prepare_v3(c.db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      slot->reset(raw);
      if (rc != SQLITE_OK) return fail(rc, "prepare statement", c.db.get());
    }
    return {};
  }

  const sqlite_options& options_;
  const clock& clock_;
};

#undef AUTHPP_USER_COLUMNS
#undef AUTHPP_ACCOUNT_FIELDS
#undef AUTHPP_ACCOUNT_COLUMNS
#undef AUTHPP_TOTP_COLUMNS
#undef AUTHPP_AUTHENTICATOR_COLUMNS

// ---------------------------------------------------------------------------------------------
// The store

class sqlite_store final : public adapter {
 public:
  sqlite_store(sqlite_options options, const random_source& random, const clock& clock,
               std::unique_ptr<connection> conn)
      : options_(std::move(options)), random_(random), clock_(clock), conn_(std::move(conn)) {}

  result<user_record> add_user(const new_user& user, std::string_view password_hash) override {
    auto rec = new_record(user, password_hash);
    if (!rec) return rec.error();
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    write_transaction tx(**c);
    if (const int rc = tx.begin(); rc != SQLITE_DONE) return fail_locked(rc, "begin add user");
    if (auto r = insert_user_locked(**c, *rec, password_hash); !r) return r.error();
    if (const int rc = tx.commit(); rc != SQLITE_DONE) return fail_locked(rc, "commit add user");
    return std::move(*rec);
  }

  result<std::pair<user_record, account_record>> add_user_with_account(
      const new_user& user, const account_record& account) override {
    if (auto r = detail::check_account(account, false); !r) return r.error();
    auto rec = new_record(user, "");
    if (!rec) return rec.error();
    account_record linked = account;
    linked.user_id = rec->id;
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    write_transaction tx(**c);
    if (const int rc = tx.begin(); rc != SQLITE_DONE) return fail_locked(rc, "begin sign-up");
    if (auto r = insert_user_locked(**c, *rec, ""); !r) return r.error();
    if (auto r = insert_account_locked(**c, linked); !r) return r.error();
    if (const int rc = tx.commit(); rc != SQLITE_DONE) return fail_locked(rc, "commit sign-up");
    return std::pair(std::move(*rec), std::move(linked));
  }

  result<std::optional<user_record>> find_by_email(std::string_view email) const override {
    return one_row(&connection::find_by_email, {normalize_email(email)}, std::nullopt, read_user,
                   "find user by email");
  }

  result<std::optional<user_record>> find_by_username(std::string_view username) const override {
    return one_row(&connection::find_by_username, {username}, std::nullopt, read_user,
                   "find user by username");
  }

  result<std::optional<user_record>> find_by_id(std::string_view id) const override {
    return one_row(&connection::find_by_id, {id}, std::nullopt, read_user, "find user by id");
  }

  result<std::vector<user_record>> list_users() const override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->list_users.get());
    std::vector<user_record> out;
    int rc = SQLITE_OK;
    while ((rc = b.step()) == SQLITE_ROW) out.push_back(read_user(b.get()));
    if (rc != SQLITE_DONE) return fail_locked(rc, "list users");
    return out;
  }

  result<void> set_disabled(std::string_view email, bool disabled) override {
    const std::string key = normalize_email(email);
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->set_disabled.get());
    b.text(1, key);
    b.integer(2, disabled ? 1 : 0);
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "set disabled");
    // changes() counts matched rows, also when the flag already had this value.
    if (sqlite3_changes((*c)->db.get()) == 0) {
      return auth_error{errc::not_found, "no user with this email"};
    }
    return {};
  }

  result<bool> delete_user(std::string_view user_id) override {
    auto deleted = one_row(
        &connection::delete_user, {user_id}, std::nullopt,
        [](sqlite3_stmt* row) { return column_text(row, 0).value_or(""); }, "delete user");
    if (!deleted) return deleted.error();
    return deleted->has_value();
  }

  result<long long> bump_session_version(std::string_view user_id) override {
    auto v = one_row(
        &connection::bump_session_version, {user_id}, std::nullopt,
        [](sqlite3_stmt* row) { return sqlite3_column_int64(row, 0); }, "bump session version");
    if (!v) return v.error();
    if (!*v) return auth_error{errc::not_found, "no user with this id"};
    return **v;
  }

  result<void> set_email_verified(std::string_view user_id,
                                  std::chrono::system_clock::time_point when) override {
    auto updated = one_row(
        &connection::set_email_verified, {user_id}, epoch_ms(when),
        [](sqlite3_stmt* row) { return column_text(row, 0).value_or(""); }, "set email verified");
    if (!updated) return updated.error();
    if (!*updated) return auth_error{errc::not_found, "no user with this id"};
    return {};
  }

  result<void> set_password(std::string_view user_id, std::string_view password_hash) override {
    if (auto r = detail::check_password_hash(password_hash, false); !r) return r.error();
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->upsert_password.get());
    b.text(1, user_id);
    b.text(2, password_hash);
    b.integer(3, epoch_ms(clock_.now()));
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      // The foreign key to users(id) is the existence check: one statement, no race.
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return auth_error{errc::not_found, "no user with this id"};
      }
      return fail_locked(rc, "set password");
    }
    return {};
  }

  result<std::optional<std::string>> password_hash(std::string_view user_id) const override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->get_password.get());
    b.text(1, user_id);
    const int rc = b.step();
    if (rc == SQLITE_ROW) return column_text(b.get(), 0);
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return fail_locked(rc, "read password hash");
  }

  result<void> check_health() const override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    {
      binding b((*c)->health_read.get());
      if (const int rc = b.step(); rc != SQLITE_ROW) return fail_locked(rc, "health read");
    }
    // The write probe runs in a transaction that is rolled back: it proves the write lock and a
    // writable connection (query_only, read-only file) without growing the WAL.
    write_transaction tx(**c);
    if (const int rc = tx.begin(); rc != SQLITE_DONE) return fail_locked(rc, "health begin");
    binding b((*c)->health_write.get());
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "health write");
    return {};
  }

  result<account_record> link_account(const account_record& account) override {
    if (auto r = detail::check_account(account); !r) return r.error();
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    if (auto r = insert_account_locked(**c, account); !r) return r.error();
    return account;
  }

  result<std::optional<user_record>> user_by_account(
      std::string_view provider, std::string_view provider_account_id) const override {
    return one_row(&connection::user_by_account, {provider, provider_account_id}, std::nullopt,
                   read_user, "find user by account");
  }

  result<std::optional<account_record>> find_account(
      std::string_view provider, std::string_view provider_account_id) const override {
    return one_row(&connection::find_account, {provider, provider_account_id}, std::nullopt,
                   read_account, "find account");
  }

  result<std::vector<account_record>> accounts_of(std::string_view user_id) const override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->accounts_of.get());
    b.text(1, user_id);
    std::vector<account_record> out;
    int rc = SQLITE_OK;
    while ((rc = b.step()) == SQLITE_ROW) out.push_back(read_account(b.get()));
    if (rc != SQLITE_DONE) return fail_locked(rc, "list accounts");
    return out;
  }

  result<bool> unlink_account(std::string_view provider,
                              std::string_view provider_account_id) override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->unlink_account.get());
    b.text(1, provider);
    b.text(2, provider_account_id);
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "unlink account");
    return sqlite3_changes((*c)->db.get()) != 0;
  }

  result<account_record> refresh_account(std::string_view provider,
                                         std::string_view provider_account_id,
                                         const refresh_step& step) override {
    // Across the step (a network round trip) the account's own lock is held, not mutex_ (every
    // call of the store would wait) and not a write transaction (SQLite's write lock would stop
    // every writer of the file, in every process). So the read, the step and the UPDATE are not
    // one transaction: this lock is what keeps two refreshes apart, within this process.
    const auto held = account_locks_.acquire(provider, provider_account_id, options_.busy_timeout);
    if (!held) {
      return auth_error{errc::storage_unavailable,
                        "refresh account (" + options_.path +
                            "): another refresh of this account held it for over " +
                            std::to_string(options_.busy_timeout.count()) + " ms"};
    }
    auto current = find_account(provider, provider_account_id);
    if (!current) return current.error();
    if (!*current) return auth_error{errc::not_found, "no such account"};
    auto tokens = step(**current);
    if (!tokens) return tokens.error();
    if (!*tokens) return std::move(**current);
    const account_tokens& t = **tokens;
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->refresh_account.get());
    b.text(1, provider);
    b.text(2, provider_account_id);
    b.optional_text(3, t.access_token);
    b.optional_text(4, t.token_type);
    b.optional_text(5, t.id_token);
    b.optional_text(6, t.refresh_token);
    b.optional_text(7, t.scope);
    b.optional_integer(8, t.expires_at);
    int rc = b.step();
    if (rc == SQLITE_DONE) return auth_error{errc::not_found, "the account was unlinked"};
    if (rc != SQLITE_ROW) return fail_locked(rc, "refresh account");
    account_record stored = read_account(b.get());
    if (rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "refresh account");
    return stored;
  }

  result<session_record> create_session(const session_record& session) override {
    if (auto r = detail::check_session(session); !r) return r.error();
    session_record stored = session;
    stored.expires = detail::to_millis(session.expires);
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->insert_session.get());
    b.text(1, stored.session_token);
    b.text(2, stored.user_id);
    b.integer(3, epoch_ms(stored.expires));
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return auth_error{errc::not_found, "no user with this id"};
      }
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return auth_error{errc::already_exists, "a session with this token exists"};
      }
      return fail_locked(rc, "create session");
    }
    return stored;
  }

  result<std::optional<std::pair<session_record, user_record>>> session_and_user(
      std::string_view session_token) const override {
    return one_row(
        &connection::session_and_user, {session_token}, std::nullopt,
        [](sqlite3_stmt* row) {
          user_record u = read_user(row);
          session_record s{column_text(row, user_columns).value_or(""), u.id,
                           from_epoch_ms(sqlite3_column_int64(row, user_columns + 1))};
          return std::pair(std::move(s), std::move(u));
        },
        "read session");
  }

  result<std::optional<session_record>> update_session_expiry(
      std::string_view session_token, std::chrono::system_clock::time_point expires) override {
    return one_row(&connection::update_session, {session_token}, epoch_ms(expires), read_session,
                   "update session");
  }

  result<std::optional<session_record>> delete_session(std::string_view session_token) override {
    return one_row(&connection::delete_session, {session_token}, std::nullopt, read_session,
                   "delete session");
  }

  result<std::size_t> delete_user_sessions(std::string_view user_id) override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->delete_user_sessions.get());
    b.text(1, user_id);
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "delete sessions");
    return static_cast<std::size_t>(sqlite3_changes((*c)->db.get()));
  }

  result<std::size_t> delete_expired_sessions(system_clock::time_point now) override {
    return delete_expired(&connection::delete_expired_sessions, now, "delete expired sessions");
  }

  result<std::size_t> delete_expired_verification_tokens(system_clock::time_point now) override {
    return delete_expired(&connection::delete_expired_tokens, now, "delete expired tokens");
  }

  result<void> create_verification_token(const verification_token& token) override {
    if (auto r = detail::check_verification_token(token); !r) return r.error();
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->insert_token.get());
    b.text(1, token.identifier);
    b.text(2, token.token);
    b.integer(3, epoch_ms(token.expires));
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return auth_error{errc::already_exists, "this identifier already has this token"};
      }
      return fail_locked(rc, "create verification token");
    }
    return {};
  }

  result<std::optional<verification_token>> use_verification_token(
      std::string_view identifier, std::string_view token) override {
    return one_row(
        &connection::use_token, {identifier, token}, std::nullopt,
        [](sqlite3_stmt* row) {
          return verification_token{column_text(row, 0).value_or(""),
                                    column_text(row, 1).value_or(""),
                                    from_epoch_ms(sqlite3_column_int64(row, 2))};
        },
        "use verification token");
  }

  result<totp_record> begin_totp(std::string_view user_id,
                                 std::string_view sealed_secret) override {
    if (auto r = detail::check_sealed_secret(sealed_secret); !r) return r.error();
    const totp_record fresh{.user_id = std::string(user_id),
                            .sealed_secret = std::string(sealed_secret),
                            .created_at = detail::to_millis(clock_.now())};
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    write_transaction tx(**c);
    if (const int rc = tx.begin(); rc != SQLITE_DONE) return fail_locked(rc, "begin enrolment");
    if (auto r = upsert_totp_locked(**c, fresh); !r) return r.error();
    if (auto r = delete_recovery_codes_locked(**c, user_id); !r) return r.error();
    if (const int rc = tx.commit(); rc != SQLITE_DONE) return fail_locked(rc, "commit enrolment");
    return fresh;
  }

  result<std::optional<totp_record>> find_totp(std::string_view user_id) const override {
    return one_row(&connection::find_totp, {user_id}, std::nullopt, read_totp, "find TOTP");
  }

  result<bool> use_totp_step(std::string_view user_id, std::uint64_t step, bool confirm) override {
    if (auto r = detail::check_totp_step(step); !r) return r.error();
    auto used = one_row(confirm ? &connection::confirm_totp_step : &connection::use_totp_step,
                        {user_id}, static_cast<long long>(step), read_user_id, "use TOTP step");
    if (!used) return used.error();
    return used->has_value();
  }

  result<bool> delete_totp(std::string_view user_id) override {
    auto deleted =
        one_row(&connection::delete_totp, {user_id}, std::nullopt, read_user_id, "delete TOTP");
    if (!deleted) return deleted.error();
    return deleted->has_value();
  }

  result<void> set_recovery_codes(std::string_view user_id,
                                  const std::vector<std::string>& code_hashes) override {
    if (auto r = detail::check_recovery_code_hashes(code_hashes); !r) return r.error();
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    write_transaction tx(**c);
    if (const int rc = tx.begin(); rc != SQLITE_DONE) {
      return fail_locked(rc, "begin setting recovery codes");
    }
    auto enrolled = has_totp_locked(**c, user_id);
    if (!enrolled) return enrolled.error();
    if (!*enrolled) return auth_error{errc::not_found, "this user has no TOTP"};
    if (auto r = delete_recovery_codes_locked(**c, user_id); !r) return r.error();
    for (const std::string& hash : code_hashes) {
      if (auto r = insert_recovery_code_locked(**c, user_id, hash); !r) return r.error();
    }
    if (const int rc = tx.commit(); rc != SQLITE_DONE) {
      return fail_locked(rc, "commit recovery codes");
    }
    return {};
  }

  result<std::vector<std::string>> recovery_code_hashes(std::string_view user_id) const override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->recovery_codes_of.get());
    b.text(1, user_id);
    std::vector<std::string> out;
    int rc = SQLITE_OK;
    while ((rc = b.step()) == SQLITE_ROW) out.push_back(column_text(b.get(), 0).value_or(""));
    if (rc != SQLITE_DONE) return fail_locked(rc, "list recovery codes");
    return out;
  }

  result<bool> use_recovery_code(std::string_view user_id, std::string_view code_hash) override {
    auto used = one_row(&connection::use_recovery_code, {user_id, code_hash}, std::nullopt,
                        read_user_id, "use recovery code");
    if (!used) return used.error();
    return used->has_value();
  }

  result<authenticator_record> create_authenticator(
      const authenticator_record& authenticator) override {
    if (auto r = detail::check_authenticator(authenticator); !r) return r.error();
    authenticator_record stored = authenticator;
    stored.created_at = detail::to_millis(clock_.now());
    stored.last_used_at = std::nullopt;
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->insert_authenticator.get());
    b.text(1, stored.credential_id);
    b.text(2, stored.user_id);
    b.text(3, stored.provider_account_id);
    b.text(4, stored.credential_public_key);
    b.integer(5, stored.counter);
    b.text(6, stored.credential_device_type);
    b.integer(7, stored.credential_backed_up ? 1 : 0);
    b.optional_text(8, stored.transports);
    b.integer(9, epoch_ms(*stored.created_at));
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      // The foreign key to users(id) is the existence check: one statement, no race.
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return auth_error{errc::not_found, "no user with this id"};
      }
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return auth_error{errc::already_exists, "this credential is stored already"};
      }
      return fail_locked(rc, "create authenticator");
    }
    return stored;
  }

  result<std::optional<authenticator_record>> find_authenticator(
      std::string_view credential_id) const override {
    return one_row(&connection::find_authenticator, {credential_id}, std::nullopt,
                   read_authenticator, "find authenticator");
  }

  result<std::vector<authenticator_record>> list_authenticators(
      std::string_view user_id) const override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->list_authenticators.get());
    b.text(1, user_id);
    std::vector<authenticator_record> out;
    int rc = SQLITE_OK;
    while ((rc = b.step()) == SQLITE_ROW) out.push_back(read_authenticator(b.get()));
    if (rc != SQLITE_DONE) return fail_locked(rc, "list authenticators");
    return out;
  }

  result<bool> use_authenticator(std::string_view credential_id, std::uint32_t expected_counter,
                                 std::uint32_t new_counter, bool backed_up,
                                 std::chrono::system_clock::time_point now) override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->use_authenticator.get());
    b.text(1, credential_id);
    b.integer(2, expected_counter);
    b.integer(3, new_counter);
    b.integer(4, backed_up ? 1 : 0);
    b.integer(5, epoch_ms(now));
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "use authenticator");
    return sqlite3_changes((*c)->db.get()) != 0;
  }

  result<bool> delete_authenticator(std::string_view user_id,
                                    std::string_view credential_id) override {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b((*c)->delete_authenticator.get());
    b.text(1, user_id);
    b.text(2, credential_id);
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "delete authenticator");
    return sqlite3_changes((*c)->db.get()) != 0;
  }

  result<std::string> query_for_testing(const char* sql) const {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    return query_text((*c)->db.get(), sql, options_.path);
  }

 private:
  // new_record checks `user` and `password_hash` and makes the record add_user stores: a fresh
  // id, the normalised email, the creation time.
  result<user_record> new_record(const new_user& user, std::string_view password_hash) const {
    user_record rec;
    rec.email = normalize_email(user.email);
    if (auto r = detail::check_new_user(user, rec.email); !r) return r.error();
    if (auto r = detail::check_password_hash(password_hash, true); !r) return r.error();
    rec.name = user.name;
    rec.username = user.username;
    rec.image = user.image;
    if (user.email_verified) rec.email_verified = detail::to_millis(*user.email_verified);
    auto id = random_uuid(random_);
    if (!id) return id.error();
    rec.id = std::move(*id);
    rec.created_at = detail::to_millis(clock_.now());
    return rec;
  }

  // insert_user_locked inserts `rec` and its password hash (if any). Requires mutex_ and an open
  // write transaction.
  result<void> insert_user_locked(connection& c, const user_record& rec,
                                  std::string_view password_hash) const {
    {
      binding b(c.insert_user.get());
      b.text(1, rec.id);
      b.text(2, rec.email);
      b.optional_text(3, rec.name);
      b.optional_text(4, rec.username);
      b.optional_text(5, rec.image);
      b.integer(6, epoch_ms(rec.created_at));
      b.optional_integer(
          7, rec.email_verified ? std::optional(epoch_ms(*rec.email_verified)) : std::nullopt);
      if (const int rc = b.step(); rc != SQLITE_DONE) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE) {
          const std::string_view msg = sqlite3_errmsg(c.db.get());
          return auth_error{errc::already_exists,
                            msg.find("users.username") != std::string_view::npos
                                ? "a user with this username already exists"
                                : "a user with this email already exists"};
        }
        return fail_locked(rc, "insert user");
      }
    }
    if (!password_hash.empty()) {
      binding b(c.insert_credentials.get());
      b.text(1, rec.id);
      b.text(2, password_hash);
      b.integer(3, epoch_ms(rec.created_at));
      if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "insert credentials");
    }
    return {};
  }

  // insert_account_locked links `account`. Requires mutex_.
  result<void> insert_account_locked(connection& c, const account_record& account) const {
    binding b(c.insert_account.get());
    b.text(1, account.user_id);
    b.text(2, account.type);
    b.text(3, account.provider);
    b.text(4, account.provider_account_id);
    b.optional_text(5, account.access_token);
    b.optional_text(6, account.token_type);
    b.optional_text(7, account.id_token);
    b.optional_text(8, account.refresh_token);
    b.optional_text(9, account.scope);
    b.optional_text(10, account.session_state);
    b.optional_integer(11, account.expires_at);
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return auth_error{errc::not_found, "no user with this id"};
      }
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return auth_error{errc::already_exists, "this provider account is linked already"};
      }
      return fail_locked(rc, "link account");
    }
    return {};
  }

  // upsert_totp_locked stores `fresh` as the user's TOTP, replacing any. Requires mutex_.
  result<void> upsert_totp_locked(connection& c, const totp_record& fresh) const {
    binding b(c.upsert_totp.get());
    b.text(1, fresh.user_id);
    b.text(2, fresh.sealed_secret);
    b.integer(3, epoch_ms(fresh.created_at));
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      // The foreign key to users(id) is the existence check: one statement, no race.
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return auth_error{errc::not_found, "no user with this id"};
      }
      return fail_locked(rc, "store TOTP");
    }
    return {};
  }

  // has_totp_locked tells whether the user has a TOTP. Requires mutex_.
  result<bool> has_totp_locked(connection& c, std::string_view user_id) const {
    binding b(c.find_totp.get());
    b.text(1, user_id);
    const int rc = b.step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail_locked(rc, "find TOTP");
  }

  // delete_recovery_codes_locked deletes all the user's recovery codes. Requires mutex_.
  result<void> delete_recovery_codes_locked(connection& c, std::string_view user_id) const {
    binding b(c.delete_recovery_codes.get());
    b.text(1, user_id);
    if (const int rc = b.step(); rc != SQLITE_DONE) {
      return fail_locked(rc, "delete recovery codes");
    }
    return {};
  }

  // insert_recovery_code_locked adds one code hash of the user. Requires mutex_.
  result<void> insert_recovery_code_locked(connection& c, std::string_view user_id,
                                           std::string_view code_hash) const {
    binding b(c.insert_recovery_code.get());
    b.text(1, user_id);
    b.text(2, code_hash);
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, "store recovery code");
    return {};
  }

  // read_user_id reads the `RETURNING user_id` of a conditional write: that a row was changed.
  static std::string read_user_id(sqlite3_stmt* row) { return column_text(row, 0).value_or(""); }

  // write_transaction is BEGIN IMMEDIATE (take the write lock first, so a conflicting writer
  // waits up to busy_timeout at BEGIN rather than failing midway) with ROLLBACK unless committed.
  class write_transaction {
   public:
    explicit write_transaction(connection& c) : c_(c) {}
    write_transaction(const write_transaction&) = delete;
    write_transaction& operator=(const write_transaction&) = delete;
    ~write_transaction() {
      // After some errors SQLite has already rolled back; autocommit tells.
      if (sqlite3_get_autocommit(c_.db.get()) == 0) step_once(c_.rollback.get());
    }
    int begin() { return step_once(c_.begin.get()); }
    int commit() { return step_once(c_.commit.get()); }

   private:
    static int step_once(sqlite3_stmt* s) {
      const int rc = sqlite3_step(s);
      sqlite3_reset(s);
      return rc;
    }
    connection& c_;
  };

  // delete_expired runs a `DELETE … WHERE expires <= ?1` with `now` and counts the rows.
  result<std::size_t> delete_expired(stmt_ptr connection::*stmt, system_clock::time_point now,
                                     std::string_view what) {
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b(((**c).*stmt).get());
    b.integer(1, epoch_ms(now));
    if (const int rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, what);
    return static_cast<std::size_t>(sqlite3_changes((*c)->db.get()));
  }

  // one_row runs a statement that yields at most one row: a lookup by a unique key, or an UPDATE
  // or DELETE … RETURNING (which takes effect only once stepped to its end). `keys` are bound as
  // ?1, ?2, …, then `number`, when given; `read` makes the row's value.
  template <class Read>
  auto one_row(stmt_ptr connection::*stmt, std::initializer_list<std::string_view> keys,
               std::optional<long long> number, Read read, std::string_view what) const
      -> result<std::optional<std::invoke_result_t<Read&, sqlite3_stmt*>>> {
    using value = std::invoke_result_t<Read&, sqlite3_stmt*>;
    std::lock_guard lock(mutex_);
    auto c = connection_locked();
    if (!c) return c.error();
    binding b(((**c).*stmt).get());
    int index = 0;
    for (const std::string_view key : keys) b.text(++index, key);
    if (number) b.integer(++index, *number);
    int rc = b.step();
    if (rc == SQLITE_DONE) return std::optional<value>();
    if (rc != SQLITE_ROW) return fail_locked(rc, what);
    value row = read(b.get());
    if (rc = b.step(); rc != SQLITE_DONE) return fail_locked(rc, what);
    return std::optional<value>(std::move(row));
  }

  // connection_locked returns the connection, first replacing it when the previous call failed
  // in a way that may have left it stale, or when the file at the path is no longer the one it
  // opened (SQLITE_FCNTL_HAS_MOVED: renamed or deleted; on POSIX the old descriptor would keep
  // writing to the unlinked inode and every write would silently be lost). Requires mutex_.
  result<connection*> connection_locked() const {
    std::string why;
    if (conn_ && !broken_) {
      int moved = 0;
      const int rc = sqlite3_file_control(conn_->db.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved);
      if (rc == SQLITE_OK && moved == 0) return conn_.get();
      why = "database file was moved or deleted while open; ";
    }
    conn_.reset();
    broken_ = false;
    auto c = opener(options_, clock_).open();
    if (!c) {
      auth_error e = c.error();
      e.detail = why + "reopening failed: " + e.detail;
      return e;
    }
    conn_ = std::move(*c);
    return conn_.get();
  }

  // fail_locked builds the error for `rc` and, if the connection may be stale, marks it for
  // replacement at the next call (not now: statements of this call are still in use).
  auth_error fail_locked(int rc, std::string_view what) const {
    if (needs_reopen(rc)) broken_ = true;
    return sqlite_error(conn_ ? conn_->db.get() : nullptr, rc, what, options_.path);
  }

  const sqlite_options options_;
  const random_source& random_;
  const clock& clock_;
  mutable std::mutex mutex_;
  detail::account_locks account_locks_;       // refresh_account's, taken before mutex_
  mutable std::unique_ptr<connection> conn_;  // null after a failed reopen
  mutable bool broken_ = false;
};

}  // namespace

result<std::unique_ptr<adapter>> open_sqlite_store(const sqlite_options& options,
                                                   const random_source& random,
                                                   const clock& clock) {
  if (options.path.empty()) return auth_error{errc::invalid_config, "SQLite path is empty"};
  const opener o(options, clock);
  if (auto r = o.create_path(); !r) return r.error();
  auto c = o.open();
  if (!c) return c.error();
  return std::unique_ptr<adapter>(
      std::make_unique<sqlite_store>(options, random, clock, std::move(*c)));
}

result<int> sqlite_applied_version(const std::string& path) {
  sqlite3* raw = nullptr;
  // Read-only, and without SQLITE_OPEN_CREATE: a mistyped path is an error, not a new file.
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const db_ptr db(raw);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), rc, "open read-only", path);
  auto has_table = query_text(db.get(),
                              "SELECT count(*) FROM sqlite_schema "
                              "WHERE type = 'table' AND name = 'schema_migrations'",
                              path);
  if (!has_table) return has_table.error();
  if (*has_table == "0") return 0;
  auto version = query_text(db.get(), applied_version_sql, path);
  if (!version) return version.error();
  int out = 0;
  std::from_chars(version->data(), version->data() + version->size(), out);
  return out;
}

namespace detail {

result<std::string> sqlite_query_for_testing(const user_store& store, const char* sql) {
  const auto* s = dynamic_cast<const sqlite_store*>(&store);
  if (s == nullptr) return auth_error{errc::invalid_config, "not a SQLite store"};
  return s->query_for_testing(sql);
}

}  // namespace detail
}  // namespace authpp::adapters
