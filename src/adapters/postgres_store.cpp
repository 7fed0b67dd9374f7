#include <authpp/adapters/postgres_store.hpp>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>
#include <poll.h>

#include "account_lock_internal.hpp"
#include "validate_internal.hpp"

// One pool of libpq connections per store. A call borrows a connection, runs one statement (the
// multi-row writes are one statement each, with data-modifying CTEs, so each is atomic without an
// explicit transaction and costs one round trip) and gives the connection back. The exceptions
// run in a transaction: refresh_account (its step runs under a row lock), and begin_totp and
// set_recovery_codes, whose DELETE must come after the TOTP row is locked, in a statement of its
// own, to see the recovery codes committed meanwhile (all of a statement's CTEs share one
// snapshot).
//
// Statements are sent with libpq's asynchronous API and awaited with poll() against a deadline,
// so a server that stops answering (a network partition, a stopped VM) costs a caller at most
// statement_timeout plus one second, never a hang. Every value is a bound parameter, sent as
// text of type `text` and cast in SQL where a column needs another type; the only SQL text is
// constant.
namespace authpp::adapters {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

struct conn_closer {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct result_clearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_closer>;
using result_ptr = std::unique_ptr<PGresult, result_clearer>;

// The advisory lock that serialises migrations of instances starting together ("authpp" in
// ASCII, so it is recognisable in pg_locks).
constexpr long long migration_lock = 0x61757468707070;

// SQL fragments: times are integer milliseconds in C++ and TIMESTAMPTZ in the database.
#define AUTHPP_PG_FROM_MS(p) "('epoch'::timestamptz + " p "::bigint * interval '1 millisecond')"
#define AUTHPP_PG_TO_MS(c) "floor(extract(epoch from " c ") * 1000)::bigint"

// The user columns every user query selects, in read_user's order: Auth.js's `users` (u) and
// authpp's own `authpp_users` (x), which users made by Auth.js do not have.
#define AUTHPP_PG_USER_COLUMNS \
  "u.id, coalesce(u.email, ''), u.name, x.username, u.image, "                   \
  AUTHPP_PG_TO_MS("u.\"emailVerified\"") ", coalesce(x.disabled, false), "       \
  AUTHPP_PG_TO_MS("x.created_at") ", coalesce(x.session_version, 0) "
#define AUTHPP_PG_USERS "users u LEFT JOIN authpp_users x ON x.user_id = u.id "
constexpr int user_columns = 9;  // a query that selects more puts them after these

// The first part of a statement that inserts a user: `u` (the users row) and `x` (authpp's row),
// bound as $1..$7 (user_row::params); the statement goes on with more CTEs and "SELECT id FROM u".
#define AUTHPP_PG_INSERT_USER \
  "WITH u AS (INSERT INTO users (name, email, image, \"emailVerified\") "         \
  "  VALUES ($1, $2, $3, " AUTHPP_PG_FROM_MS("$7") ") RETURNING id), "            \
  "x AS (INSERT INTO authpp_users (user_id, username, username_key, created_at) " \
  "  SELECT id, $4, $5, " AUTHPP_PG_FROM_MS("$6") " FROM u), "

// The columns of an account insert, "userId" first, then account_row's order.
#define AUTHPP_PG_ACCOUNT_FIELDS                                                            \
  "\"userId\", type, provider, \"providerAccountId\", access_token, token_type, id_token, " \
  "refresh_token, scope, session_state, expires_at"
// An account query's columns, in read_account's order.
#define AUTHPP_PG_ACCOUNT_COLUMNS AUTHPP_PG_ACCOUNT_FIELDS " FROM accounts "

// A session's columns, in read_session's order (qualified: they follow the user's in a join).
#define AUTHPP_PG_SESSION_COLUMNS "s.\"sessionToken\", s.\"userId\", " AUTHPP_PG_TO_MS("s.expires")

// A TOTP query's columns, in read_totp's order.
#define AUTHPP_PG_TOTP_COLUMNS \
  "user_id, sealed_secret, confirmed, last_used_step, " AUTHPP_PG_TO_MS("created_at") " "

// An authenticator query's columns, in read_authenticator's order.
#define AUTHPP_PG_AUTHENTICATOR_COLUMNS                                                     \
  "\"credentialID\", \"userId\", \"providerAccountId\", \"credentialPublicKey\", counter, " \
  "\"credentialDeviceType\", \"credentialBackedUp\", transports, " AUTHPP_PG_TO_MS(         \
      "created_at") ", " AUTHPP_PG_TO_MS("last_used_at") " "

// ---------------------------------------------------------------------------------------------
// Migrations: append only, never edit one that shipped. Each runs once, in the transaction that
// records it in authpp_schema_migrations.
struct migration {
  int version;
  const char* sql;
};

constexpr migration migrations[] = {
    // Auth.js's pg schema: the tables are created only when missing, and an older Auth.js
    // database gets the constraints of today's schema. The unique indexes carry the names that
    // PostgreSQL gives the same constraints in Auth.js's schema.sql, so a database made from it
    // gets no second copy. Foreign keys added to existing tables are NOT VALID: enforced for new
    // rows, while rows written before are left as they are.
    {1, R"sql(
CREATE TABLE IF NOT EXISTS users (
  id SERIAL,
  name VARCHAR(255),
  email VARCHAR(255),
  "emailVerified" TIMESTAMPTZ,
  image TEXT,
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (email);

CREATE TABLE IF NOT EXISTS accounts (
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  type VARCHAR(255) NOT NULL,
  provider VARCHAR(255) NOT NULL,
  "providerAccountId" VARCHAR(255) NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at BIGINT,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT,
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS "accounts_provider_providerAccountId_key"
  ON accounts (provider, "providerAccountId");
CREATE INDEX IF NOT EXISTS authpp_accounts_user ON accounts ("userId");

CREATE TABLE IF NOT EXISTS sessions (
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  expires TIMESTAMPTZ NOT NULL,
  "sessionToken" VARCHAR(255) NOT NULL,
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS "sessions_sessionToken_key" ON sessions ("sessionToken");
CREATE INDEX IF NOT EXISTS authpp_sessions_user ON sessions ("userId");

CREATE TABLE IF NOT EXISTS verification_token (
  identifier TEXT NOT NULL,
  expires TIMESTAMPTZ NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (identifier, token)
);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint
                 WHERE conrelid = 'accounts'::regclass AND contype = 'f') THEN
    ALTER TABLE accounts ADD FOREIGN KEY ("userId") REFERENCES users ON DELETE CASCADE NOT VALID;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint
                 WHERE conrelid = 'sessions'::regclass AND contype = 'f') THEN
    ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users ON DELETE CASCADE NOT VALID;
  END IF;
END
$$;

-- authpp's own: a username (unique ignoring ASCII case: username_key is folded by authpp, as
-- SQLite's NOCASE folds), the disabled flag, and password hashes.
CREATE TABLE authpp_users (
  user_id INTEGER PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  username TEXT,
  username_key TEXT UNIQUE,
  disabled BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE authpp_credentials (
  user_id INTEGER PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
)sql"},
    // The session version of revocation (user_record::session_version).
    {2, R"sql(
ALTER TABLE authpp_users ADD COLUMN session_version BIGINT NOT NULL DEFAULT 0;
)sql"},
    // Second factors (second_factor_store): a user's TOTP, and the recovery codes that belong to
    // it, which go with it when it is deleted (and with it, when the user is).
    {3, R"sql(
CREATE TABLE authpp_totp (
  user_id INTEGER PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  sealed_secret TEXT NOT NULL,
  confirmed BOOLEAN NOT NULL DEFAULT false,
  last_used_step BIGINT,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE authpp_recovery_codes (
  user_id INTEGER NOT NULL REFERENCES authpp_totp ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);
)sql"},
    // WebAuthn authenticators (authenticator_store): Auth.js's Authenticator model, under its
    // column names and keys, named as the pg schema names its tables (@auth/pg-adapter has none).
    // The counter is unsigned 32-bit (WebAuthn L2 §6.1), which an INTEGER cannot hold.
    // created_at and last_used_at are authpp's own, NULL in rows that Auth.js writes.
    {4, R"sql(
CREATE TABLE authenticators (
  "credentialID" TEXT NOT NULL UNIQUE,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  "providerAccountId" TEXT NOT NULL,
  "credentialPublicKey" TEXT NOT NULL,
  counter BIGINT NOT NULL CHECK (counter BETWEEN 0 AND 4294967295),
  "credentialDeviceType" TEXT NOT NULL,
  "credentialBackedUp" BOOLEAN NOT NULL,
  transports TEXT,
  created_at TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ,
  PRIMARY KEY ("userId", "credentialID")
);
)sql"},
};
static_assert(std::size(migrations) == postgres_schema_version);

// ---------------------------------------------------------------------------------------------
// Values

using detail::epoch_ms;
using detail::from_epoch_ms;

// serial_id tells whether `id` can be a row id of the `SERIAL` (int4) columns: anything else
// names no row, and casting it in SQL would be an error rather than "not found".
bool serial_id(std::string_view id) {
  int value = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  return !id.empty() && id.front() != '-' && ec == std::errc() && end == id.data() + id.size() &&
         value > 0;
}

// param is one bound value: text, or SQL NULL.
using param = std::optional<std::string_view>;

param optional(const std::optional<std::string>& v) { return v ? param(*v) : std::nullopt; }

// row reads one row of a text-format result.
class row {
 public:
  row(const PGresult* r, int index) : r_(r), i_(index) {}

  std::optional<std::string> text(int col) const {
    if (PQgetisnull(r_, i_, col) != 0) return std::nullopt;
    return std::string(PQgetvalue(r_, i_, col), static_cast<std::size_t>(PQgetlength(r_, i_, col)));
  }
  std::string str(int col) const { return text(col).value_or(""); }
  std::optional<long long> integer(int col) const {
    if (PQgetisnull(r_, i_, col) != 0) return std::nullopt;
    const char* v = PQgetvalue(r_, i_, col);
    long long out = 0;
    std::from_chars(v, v + PQgetlength(r_, i_, col), out);
    return out;
  }
  std::optional<system_clock::time_point> time(int col) const {
    auto ms = integer(col);
    return ms ? std::optional(from_epoch_ms(*ms)) : std::nullopt;
  }
  bool boolean(int col) const { return std::string_view(PQgetvalue(r_, i_, col)) == "t"; }

 private:
  const PGresult* r_;
  int i_;
};

user_record read_user(const row& r, int first = 0) {
  user_record u;
  u.id = r.str(first);
  u.email = r.str(first + 1);
  u.name = r.text(first + 2);
  u.username = r.text(first + 3);
  u.image = r.text(first + 4);
  u.email_verified = r.time(first + 5);
  u.disabled = r.boolean(first + 6);
  // Users that Auth.js created have no authpp row, and so no creation time: the epoch.
  u.created_at = r.time(first + 7).value_or(system_clock::time_point{});
  u.session_version = r.integer(first + 8).value_or(0);
  return u;
}

account_record read_account(const row& r) {
  account_record a;
  a.user_id = r.str(0);
  a.type = r.str(1);
  a.provider = r.str(2);
  a.provider_account_id = r.str(3);
  a.access_token = r.text(4);
  a.token_type = r.text(5);
  a.id_token = r.text(6);
  a.refresh_token = r.text(7);
  a.scope = r.text(8);
  a.session_state = r.text(9);
  a.expires_at = r.integer(10);
  return a;
}

session_record read_session(const row& r, int first = 0) {
  return {r.str(first), r.str(first + 1), r.time(first + 2).value_or(system_clock::time_point{})};
}

totp_record read_totp(const row& r) {
  totp_record t;
  t.user_id = r.str(0);
  t.sealed_secret = r.str(1);
  t.confirmed = r.boolean(2);
  if (auto step = r.integer(3)) t.last_used_step = static_cast<std::uint64_t>(*step);
  t.created_at = r.time(4).value_or(system_clock::time_point{});
  return t;
}

authenticator_record read_authenticator(const row& r) {
  authenticator_record a;
  a.credential_id = r.str(0);
  a.user_id = r.str(1);
  a.provider_account_id = r.str(2);
  a.credential_public_key = r.str(3);
  // The column's CHECK keeps it within 32 bits.
  a.counter = static_cast<std::uint32_t>(r.integer(4).value_or(0));
  a.credential_device_type = r.str(5);
  a.credential_backed_up = r.boolean(6);
  a.transports = r.text(7);
  // Rows that Auth.js wrote have neither time.
  a.created_at = r.time(8);
  a.last_used_at = r.time(9);
  return a;
}

// text_array writes `values` as a PostgreSQL array literal for a `$n::text[]` parameter, every
// element quoted and escaped, so that each reaches the server as it is: one parameter, and one
// statement, for any number of values.
std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors

// is_unavailable: SQLSTATEs that mean the database cannot serve us right now (an operator or
// time fixes them), rather than a bug: connection failures (08), a server shutting down or
// starting (57P0x), a cancelled statement (57014: the statement timeout), out of resources (53),
// lock and serialisation conflicts, and a read-only standby.
bool is_unavailable(std::string_view state) {
  return state.starts_with("08") || state.starts_with("53") || state.starts_with("57P") ||
         state == "57014" || state == "40001" || state == "40P01" || state == "55P03" ||
         state == "25006";
}

// ---------------------------------------------------------------------------------------------
// Connections

// pg_connection is one libpq connection and whether it can be reused.
struct pg_connection {
  conn_ptr conn;
  bool broken = false;
};

// outcome is a statement's result, or what went wrong.
struct outcome {
  result_ptr res;
  std::string sqlstate;  // "" when the failure was not the server's (connection, timeout)
  std::string message;   // the server's primary message, or ours; never a parameter value
  std::string constraint;
  bool connection_lost = false;

  bool ok() const {
    if (!res) return false;
    const ExecStatusType s = PQresultStatus(res.get());
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  int rows() const { return res ? PQntuples(res.get()) : 0; }
  row at(int i) const { return {res.get(), i}; }
};

class server {
 public:
  explicit server(const postgres_options& options)
      : options_(options), name_(postgres_server_name(options.url)) {}

  const std::string& name() const { return name_; }
  const postgres_options& options() const { return options_; }

  // connect opens a connection with the statement timeout set, or says why it could not.
  result<pg_connection> connect() const {
    const std::string timeout =
        std::to_string(std::max<long long>(2, (options_.connect_timeout.count() + 999) / 1000));
    // Our settings come before the url (which may override the application name) and after it
    // (which it may not: the timeouts are ours).
    const char* keys[] = {"application_name", "keepalives",      "keepalives_idle",
                          "dbname",           "connect_timeout", nullptr};
    const char* values[] = {"authpp", "1", "30", options_.url.c_str(), timeout.c_str(), nullptr};
    conn_ptr c(PQconnectdbParams(keys, values, 1));
    if (!c) return auth_error{errc::storage_unavailable, "PostgreSQL: out of memory"};
    if (PQstatus(c.get()) != CONNECTION_OK) {
      return auth_error{errc::storage_unavailable,
                        "cannot connect to PostgreSQL at " + name_ + ": " + last_line(c.get())};
    }
    // Notices ("relation exists, skipping", a FATAL that arrives while idle) would go to stderr
    // past the logger; the outcomes that matter are in the results.
    PQsetNoticeProcessor(
        c.get(), [](void*, const char*) {}, nullptr);
    pg_connection pc{std::move(c)};
    const std::string set =
        "SET statement_timeout = " + std::to_string(options_.statement_timeout.count()) +
        "; SET TIME ZONE 'UTC'";
    auto r = run(pc, set.c_str(), {}, true);
    if (!r.ok()) return error(r, "configure connection");
    return pc;
  }

  // run sends one statement (with `params`, or as a simple query that may hold several when
  // `simple`) and waits for its result until the deadline.
  outcome run(pg_connection& pc, const char* sql, std::span<const param> params,
              bool simple = false) const {
    PGconn* c = pc.conn.get();
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    std::vector<Oid> types;
    for (const param& p : params) {
      // Binary format: the bytes as they are, with their length (no NUL terminator needed).
      values.push_back(p ? (p->empty() ? "" : p->data()) : nullptr);
      lengths.push_back(p ? static_cast<int>(p->size()) : 0);
      formats.push_back(1);
      types.push_back(25);  // text
    }
    const int sent = simple
                         ? PQsendQuery(c, sql)
                         : PQsendQueryParams(c, sql, static_cast<int>(params.size()), types.data(),
                                             values.data(), lengths.data(), formats.data(), 0);
    if (sent == 0) return lost(pc, "cannot send the statement: " + last_line(c));

    const auto deadline =
        steady_clock::now() + options_.statement_timeout + std::chrono::seconds(1);
    for (;;) {
      const int f = PQflush(c);
      if (f < 0) return lost(pc, "cannot send the statement: " + last_line(c));
      if (f == 0) break;
      if (!wait(c, POLLOUT | POLLIN, deadline)) return timed_out(pc);
      if (PQconsumeInput(c) == 0) return lost(pc, last_line(c));
    }
    outcome out;
    for (;;) {
      while (PQisBusy(c) != 0) {
        if (!wait(c, POLLIN, deadline)) return timed_out(pc);
        if (PQconsumeInput(c) == 0) return lost(pc, last_line(c));
      }
      result_ptr r(PQgetResult(c));
      if (!r) break;
      // Keep the first error, else the last result (a simple query yields one per statement).
      if (out.ok() || !out.res) out.res = std::move(r);
    }
    if (PQstatus(c) != CONNECTION_OK) pc.broken = true;
    if (!out.res) return lost(pc, "no result: " + last_line(c));
    if (!out.ok()) {
      const PGresult* r = out.res.get();
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      const char* constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
      out.sqlstate = state != nullptr ? state : "";
      out.message = primary != nullptr ? primary : last_line(c);
      out.constraint = constraint != nullptr ? constraint : "";
      out.connection_lost = pc.broken || out.sqlstate.starts_with("08");
      if (out.connection_lost || out.sqlstate.starts_with("57P")) pc.broken = true;
    }
    return out;
  }

  // error turns a failed outcome into an auth_error naming the operation and the server.
  auth_error error(const outcome& o, std::string_view what) const {
    std::string detail(what);
    detail += " (PostgreSQL at " + name_ + "): " + o.message;
    if (!o.sqlstate.empty()) detail += " [SQLSTATE " + o.sqlstate + "]";
    errc code = errc::storage_failure;
    if (o.sqlstate.empty() || is_unavailable(o.sqlstate)) {
      code = errc::storage_unavailable;
    } else if (o.sqlstate == "22001") {  // value too long for the column
      code = errc::limit_exceeded;
    } else if (o.sqlstate == "22021") {  // not UTF-8, or a NUL byte
      code = errc::malformed_input;
    }
    return auth_error{code, std::move(detail)};
  }

 private:
  // last_line is libpq's latest message without its line break.
  static std::string last_line(PGconn* c) {
    std::string m = PQerrorMessage(c);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m.empty() ? "connection failed" : m;
  }

  static bool wait(PGconn* c, short events, steady_clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{PQsocket(c), events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
    }
  }

  static outcome lost(pg_connection& pc, std::string message) {
    pc.broken = true;
    outcome o;
    o.message = std::move(message);
    o.connection_lost = true;
    return o;
  }

  outcome timed_out(pg_connection& pc) const {
    // The connection is mid-statement: it cannot be reused.
    pc.broken = true;
    outcome o;
    o.message =
        "no answer within " + std::to_string(options_.statement_timeout.count() + 1000) + " ms";
    return o;
  }

  postgres_options options_;
  std::string name_;
};

// pool lends connections, opening them on demand up to pool_size, and drops broken ones.
class pool {
 public:
  explicit pool(const server& s) : server_(s) {}

  class lease {
   public:
    lease(pool& p, pg_connection c) : pool_(&p), c_(std::move(c)) {}
    lease(lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), c_(std::move(o.c_)) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (pool_ != nullptr) pool_->give_back(std::move(c_));
    }
    pg_connection& operator*() { return c_; }

   private:
    pool* pool_;
    pg_connection c_;
  };

  result<lease> borrow() {
    std::unique_lock lock(mutex_);
    const auto deadline = steady_clock::now() + server_.options().pool_wait;
    for (;;) {
      while (!idle_.empty()) {
        pg_connection c = std::move(idle_.back());
        idle_.pop_back();
        if (alive(c)) return lease(*this, std::move(c));
        --open_;  // closed by the server while idle (a restart): drop it, try the next
      }
      if (open_ < server_.options().pool_size) break;
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= server_.options().pool_size) {
        return auth_error{errc::storage_unavailable,
                          "all " + std::to_string(open_) + " connections to PostgreSQL at " +
                              server_.name() + " stayed busy for " +
                              std::to_string(server_.options().pool_wait.count()) + " ms"};
      }
    }
    ++open_;
    lock.unlock();
    // Connect outside the lock: it takes a round trip or more, and others may give back.
    auto c = server_.connect();
    if (!c) {
      lock.lock();
      --open_;
      available_.notify_one();
      return c.error();
    }
    return lease(*this, std::move(*c));
  }

  // drop_idle closes the idle connections: after one was found broken the others most likely
  // are too (the server restarted), and each would otherwise cost a caller a failure.
  void drop_idle() {
    std::vector<pg_connection> gone;
    {
      std::lock_guard lock(mutex_);
      open_ -= idle_.size();
      gone.swap(idle_);
    }
    available_.notify_all();
  }

 private:
  void give_back(pg_connection c) {
    {
      std::lock_guard lock(mutex_);
      if (c.broken || PQstatus(c.conn.get()) != CONNECTION_OK ||
          PQtransactionStatus(c.conn.get()) != PQTRANS_IDLE) {
        --open_;  // c closes as it goes out of scope
      } else {
        idle_.push_back(std::move(c));
      }
    }
    available_.notify_one();
  }

  // alive checks an idle connection without a round trip: a server that shut down or dropped it
  // has sent a final message or closed the socket, which makes the socket readable.
  static bool alive(pg_connection& c) {
    pollfd p{PQsocket(c.conn.get()), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      if (PQconsumeInput(c.conn.get()) == 0) return false;
      while (PGnotify* n = PQnotifies(c.conn.get())) PQfreemem(n);
    }
    return PQstatus(c.conn.get()) == CONNECTION_OK;
  }

  const server& server_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<pg_connection> idle_;
  std::size_t open_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The store

class postgres_store final : public adapter {
 public:
  postgres_store(const postgres_options& options, const clock& clock)
      : server_(options), pool_(server_), clock_(clock) {}

  result<void> migrate() {
    auto l = pool_.borrow();
    if (!l) return l.error();
    pg_connection& c = **l;
    auto step = [&](const char* sql, std::span<const param> params,
                    std::string_view what) -> result<outcome> {
      outcome o = server_.run(c, sql, params);
      if (!o.ok()) return server_.error(o, what);
      return o;
    };
    if (auto r = step("BEGIN", {}, "begin migration"); !r) return r.error();
    auto done = migrate_in_transaction(c, step);
    const char* end = done ? "COMMIT" : "ROLLBACK";
    if (auto r = step(end, {}, "end migration"); !r && done) return r.error();
    return done;
  }

  result<int> applied_version() {
    auto l = pool_.borrow();
    if (!l) return l.error();
    // Two statements: a query naming a table that does not exist fails as a whole.
    outcome exists =
        server_.run(**l, "SELECT to_regclass('authpp_schema_migrations') IS NOT NULL", {});
    if (!exists.ok()) return server_.error(exists, "read schema version");
    if (!exists.at(0).boolean(0)) return 0;
    outcome o =
        server_.run(**l, "SELECT coalesce(max(version), 0) FROM authpp_schema_migrations", {});
    if (!o.ok()) return server_.error(o, "read schema version");
    return static_cast<int>(o.at(0).integer(0).value_or(0));
  }

  result<user_record> add_user(const new_user& user, std::string_view password_hash) override {
    auto u = new_user_row(user);
    if (!u) return u.error();
    if (auto r = detail::check_password_hash(password_hash, true); !r) return r.error();
    std::vector<param> params = u->params();
    params.emplace_back(password_hash);
    // One statement, so the user, its authpp row and its password are stored together or not.
    auto o = write(AUTHPP_PG_INSERT_USER
                   "c AS (INSERT INTO authpp_credentials (user_id, password_hash, updated_at) "
                   "  SELECT id, $8, now() FROM u WHERE $8 <> '') "
                   "SELECT id FROM u",
                   params);
    if (!o.ok()) return user_insert_error(o, "add user");
    return u->stored(o.at(0).str(0));
  }

  result<std::optional<user_record>> find_by_email(std::string_view email) const override {
    const std::string e = normalize_email(email);
    return one_user("SELECT " AUTHPP_PG_USER_COLUMNS "FROM " AUTHPP_PG_USERS "WHERE u.email = $1",
                    e, "find user by email");
  }

  result<std::optional<user_record>> find_by_username(std::string_view username) const override {
    const std::string key = detail::ascii_lower(username);
    return one_user("SELECT " AUTHPP_PG_USER_COLUMNS "FROM " AUTHPP_PG_USERS
                    "WHERE x.username_key = $1",
                    key, "find user by username");
  }

  result<std::optional<user_record>> find_by_id(std::string_view id) const override {
    if (!serial_id(id)) return std::optional<user_record>();
    return one_user("SELECT " AUTHPP_PG_USER_COLUMNS "FROM " AUTHPP_PG_USERS
                    "WHERE u.id = $1::integer",
                    id, "find user by id");
  }

  result<std::vector<user_record>> list_users() const override {
    // COLLATE "C": byte order, as the other backends sort, whatever the database's locale.
    auto o = read("SELECT " AUTHPP_PG_USER_COLUMNS "FROM " AUTHPP_PG_USERS
                  "ORDER BY u.email COLLATE \"C\"",
                  {});
    if (!o.ok()) return server_.error(o, "list users");
    std::vector<user_record> out;
    for (int i = 0; i < o.rows(); ++i) out.push_back(read_user(o.at(i)));
    return out;
  }

  result<void> set_disabled(std::string_view email, bool disabled) override {
    const std::string e = normalize_email(email);
    const param params[] = {e, disabled ? "true" : "false"};
    auto o = write(
        "INSERT INTO authpp_users (user_id, disabled) "
        "SELECT id, $2::boolean FROM users WHERE email = $1 "
        "ON CONFLICT (user_id) DO UPDATE SET disabled = excluded.disabled RETURNING user_id",
        params);
    if (!o.ok()) return server_.error(o, "set disabled");
    if (o.rows() == 0) return auth_error{errc::not_found, "no user with this email"};
    return {};
  }

  result<void> set_password(std::string_view user_id, std::string_view password_hash) override {
    if (auto r = detail::check_password_hash(password_hash, false); !r) return r.error();
    if (!serial_id(user_id)) return auth_error{errc::not_found, "no user with this id"};
    const param params[] = {user_id, password_hash};
    auto o = write(
        "INSERT INTO authpp_credentials (user_id, password_hash, updated_at) "
        "SELECT id, $2, now() FROM users WHERE id = $1::integer "
        "ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, "
        "updated_at = excluded.updated_at RETURNING user_id",
        params);
    if (!o.ok()) return server_.error(o, "set password");
    if (o.rows() == 0) return auth_error{errc::not_found, "no user with this id"};
    return {};
  }

  result<bool> delete_user(std::string_view user_id) override {
    if (!serial_id(user_id)) return false;
    const param params[] = {user_id};
    // authpp's rows, accounts, sessions and authenticators go with it (ON DELETE CASCADE, also
    // through the keys added NOT VALID to an older Auth.js schema).
    auto o = write("DELETE FROM users WHERE id = $1::integer RETURNING id", params);
    if (!o.ok()) return server_.error(o, "delete user");
    return o.rows() != 0;
  }

  result<long long> bump_session_version(std::string_view user_id) override {
    if (!serial_id(user_id)) return auth_error{errc::not_found, "no user with this id"};
    const param params[] = {user_id};
    auto o = write(
        "INSERT INTO authpp_users (user_id, session_version) "
        "SELECT id, 1 FROM users WHERE id = $1::integer ON CONFLICT (user_id) "
        "DO UPDATE SET session_version = authpp_users.session_version + 1 "
        "RETURNING session_version",
        params);
    if (!o.ok()) return server_.error(o, "bump session version");
    if (o.rows() == 0) return auth_error{errc::not_found, "no user with this id"};
    return o.at(0).integer(0).value_or(0);
  }

  result<void> set_email_verified(std::string_view user_id,
                                  system_clock::time_point when) override {
    if (!serial_id(user_id)) return auth_error{errc::not_found, "no user with this id"};
    const std::string ms = std::to_string(epoch_ms(when));
    const param params[] = {user_id, ms};
    auto o = write("UPDATE users SET \"emailVerified\" = " AUTHPP_PG_FROM_MS(
                       "$2") " WHERE id = $1::integer RETURNING id",
                   params);
    if (!o.ok()) return server_.error(o, "set email verified");
    if (o.rows() == 0) return auth_error{errc::not_found, "no user with this id"};
    return {};
  }

  result<std::optional<std::string>> password_hash(std::string_view user_id) const override {
    if (!serial_id(user_id)) return std::optional<std::string>();
    const param params[] = {user_id};
    auto o =
        read("SELECT password_hash FROM authpp_credentials WHERE user_id = $1::integer", params);
    if (!o.ok()) return server_.error(o, "read password hash");
    if (o.rows() == 0) return std::optional<std::string>();
    return o.at(0).text(0);
  }

  result<void> check_health() const override {
    // A standby answers reads but refuses every write: not ready for us.
    auto o = read("SELECT pg_is_in_recovery()", {});
    if (!o.ok()) return server_.error(o, "health check");
    if (o.at(0).boolean(0)) {
      return auth_error{errc::storage_unavailable,
                        "PostgreSQL at " + server_.name() + " is a read-only standby"};
    }
    return {};
  }

  result<account_record> link_account(const account_record& account) override {
    if (auto r = detail::check_account(account); !r) return r.error();
    if (!serial_id(account.user_id)) return auth_error{errc::not_found, "no user with this id"};
    const account_row row(account);
    std::vector<param> params{account.user_id};
    row.append_to(params);
    auto o = write("INSERT INTO accounts (" AUTHPP_PG_ACCOUNT_FIELDS
                   ") VALUES ($1::integer, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::bigint)",
                   params);
    if (!o.ok()) {
      if (o.sqlstate == "23503") return auth_error{errc::not_found, "no user with this id"};
      if (o.sqlstate == "23505") {
        return auth_error{errc::already_exists, "this provider account is linked already"};
      }
      return server_.error(o, "link account");
    }
    return account;
  }

  result<std::pair<user_record, account_record>> add_user_with_account(
      const new_user& user, const account_record& account) override {
    auto u = new_user_row(user);
    if (!u) return u.error();
    if (auto r = detail::check_account(account, false); !r) return r.error();
    const account_row row(account);
    std::vector<param> params = u->params();
    row.append_to(params);
    // One statement: the user, its authpp row and the account are stored together or not at all.
    auto o = write(AUTHPP_PG_INSERT_USER "a AS (INSERT INTO accounts (" AUTHPP_PG_ACCOUNT_FIELDS
                                         ") SELECT id, $8, $9, $10, $11, $12, $13, $14, $15, "
                                         "$16, $17::bigint FROM u) "
                                         "SELECT id FROM u",
                   params);
    if (!o.ok()) return user_insert_error(o, "add user with account");
    user_record stored = u->stored(o.at(0).str(0));
    account_record linked = account;
    linked.user_id = stored.id;
    return std::pair(std::move(stored), std::move(linked));
  }

  result<std::optional<user_record>> user_by_account(
      std::string_view provider, std::string_view provider_account_id) const override {
    const param params[] = {provider, provider_account_id};
    auto o = read("SELECT " AUTHPP_PG_USER_COLUMNS "FROM accounts a JOIN " AUTHPP_PG_USERS
                  "ON u.id = a.\"userId\" "
                  "WHERE a.provider = $1 AND a.\"providerAccountId\" = $2",
                  params);
    if (!o.ok()) return server_.error(o, "find user by account");
    if (o.rows() == 0) return std::optional<user_record>();
    return std::optional(read_user(o.at(0)));
  }

  result<std::optional<account_record>> find_account(
      std::string_view provider, std::string_view provider_account_id) const override {
    const param params[] = {provider, provider_account_id};
    auto o = read("SELECT " AUTHPP_PG_ACCOUNT_COLUMNS
                  "WHERE provider = $1 AND \"providerAccountId\" = $2",
                  params);
    if (!o.ok()) return server_.error(o, "find account");
    if (o.rows() == 0) return std::optional<account_record>();
    return std::optional(read_account(o.at(0)));
  }

  result<std::vector<account_record>> accounts_of(std::string_view user_id) const override {
    std::vector<account_record> out;
    if (!serial_id(user_id)) return out;
    const param params[] = {user_id};
    auto o = read("SELECT " AUTHPP_PG_ACCOUNT_COLUMNS
                  "WHERE \"userId\" = $1::integer "
                  "ORDER BY provider COLLATE \"C\", \"providerAccountId\" COLLATE \"C\"",
                  params);
    if (!o.ok()) return server_.error(o, "list accounts");
    for (int i = 0; i < o.rows(); ++i) out.push_back(read_account(o.at(i)));
    return out;
  }

  result<bool> unlink_account(std::string_view provider,
                              std::string_view provider_account_id) override {
    const param params[] = {provider, provider_account_id};
    auto o = write(
        "DELETE FROM accounts WHERE provider = $1 AND \"providerAccountId\" = $2 RETURNING id",
        params);
    if (!o.ok()) return server_.error(o, "unlink account");
    return o.rows() != 0;
  }

  result<account_record> refresh_account(std::string_view provider,
                                         std::string_view provider_account_id,
                                         const refresh_step& step) override {
    const auto limit = server_.options().statement_timeout;
    // Callers in this instance queue here first, so that they wait without holding a pooled
    // connection each: a burst of requests for one account would otherwise take the whole pool.
    const auto held = account_locks_.acquire(provider, provider_account_id, limit);
    if (!held) {
      return auth_error{errc::storage_unavailable,
                        "refresh account (PostgreSQL at " + server_.name() +
                            "): another refresh of this account held it for over " +
                            std::to_string(limit.count()) + " ms"};
    }
    auto l = pool_.borrow();
    if (!l) return l.error();
    pg_connection& c = **l;
    auto r = refresh_in_transaction(c, provider, provider_account_id, step);
    if (!r && c.broken) pool_.drop_idle();
    return r;
  }

  result<session_record> create_session(const session_record& session) override {
    if (auto r = detail::check_session(session); !r) return r.error();
    if (!serial_id(session.user_id)) return auth_error{errc::not_found, "no user with this id"};
    session_record stored = session;
    stored.expires = detail::to_millis(session.expires);
    const std::string expires = std::to_string(epoch_ms(stored.expires));
    const param params[] = {stored.session_token, stored.user_id, expires};
    auto o = write(
        "INSERT INTO sessions (\"sessionToken\", \"userId\", expires) "
        "VALUES ($1, $2::integer, " AUTHPP_PG_FROM_MS("$3") ")",
        params);
    if (!o.ok()) {
      if (o.sqlstate == "23503") return auth_error{errc::not_found, "no user with this id"};
      if (o.sqlstate == "23505") {
        return auth_error{errc::already_exists, "a session with this token exists"};
      }
      return server_.error(o, "create session");
    }
    return stored;
  }

  result<std::optional<std::pair<session_record, user_record>>> session_and_user(
      std::string_view session_token) const override {
    using value = std::pair<session_record, user_record>;
    const param params[] = {session_token};
    auto o = read("SELECT " AUTHPP_PG_USER_COLUMNS ", " AUTHPP_PG_SESSION_COLUMNS
                  " FROM sessions s JOIN " AUTHPP_PG_USERS
                  "ON u.id = s.\"userId\" WHERE s.\"sessionToken\" = $1",
                  params);
    if (!o.ok()) return server_.error(o, "read session");
    if (o.rows() == 0) return std::optional<value>();
    const row r = o.at(0);
    return std::optional<value>(std::in_place, read_session(r, user_columns), read_user(r));
  }

  result<std::optional<session_record>> update_session_expiry(
      std::string_view session_token, system_clock::time_point expires) override {
    const std::string ms = std::to_string(epoch_ms(expires));
    const param params[] = {session_token, ms};
    auto o = write("UPDATE sessions s SET expires = " AUTHPP_PG_FROM_MS(
                       "$2") " WHERE \"sessionToken\" = $1 RETURNING " AUTHPP_PG_SESSION_COLUMNS,
                   params);
    if (!o.ok()) return server_.error(o, "update session");
    if (o.rows() == 0) return std::optional<session_record>();
    return std::optional(read_session(o.at(0)));
  }

  result<std::optional<session_record>> delete_session(std::string_view session_token) override {
    const param params[] = {session_token};
    auto o = write(
        "DELETE FROM sessions s WHERE \"sessionToken\" = $1 RETURNING " AUTHPP_PG_SESSION_COLUMNS,
        params);
    if (!o.ok()) return server_.error(o, "delete session");
    if (o.rows() == 0) return std::optional<session_record>();
    return std::optional(read_session(o.at(0)));
  }

  result<std::size_t> delete_user_sessions(std::string_view user_id) override {
    if (!serial_id(user_id)) return std::size_t{0};
    const param params[] = {user_id};
    auto o = write("DELETE FROM sessions WHERE \"userId\" = $1::integer", params);
    if (!o.ok()) return server_.error(o, "delete sessions");
    return rows_affected(o);
  }

  result<std::size_t> delete_expired_sessions(system_clock::time_point now) override {
    return delete_expired("sessions", now);
  }

  result<std::size_t> delete_expired_verification_tokens(system_clock::time_point now) override {
    return delete_expired("verification_token", now);
  }

  result<void> create_verification_token(const verification_token& token) override {
    if (auto r = detail::check_verification_token(token); !r) return r.error();
    const std::string expires = std::to_string(epoch_ms(token.expires));
    const param params[] = {token.identifier, token.token, expires};
    auto o = write(
        "INSERT INTO verification_token (identifier, token, expires) "
        "VALUES ($1, $2, " AUTHPP_PG_FROM_MS("$3") ")",
        params);
    if (!o.ok()) {
      if (o.sqlstate == "23505") {
        return auth_error{errc::already_exists, "this identifier already has this token"};
      }
      return server_.error(o, "create verification token");
    }
    return {};
  }

  result<std::optional<verification_token>> use_verification_token(
      std::string_view identifier, std::string_view token) override {
    const param params[] = {identifier, token};
    // One statement: of two calls for one token, the second finds the row gone.
    auto o = write(
        "DELETE FROM verification_token WHERE identifier = $1 AND token = $2 "
        "RETURNING identifier, token, " AUTHPP_PG_TO_MS("expires"),
        params);
    if (!o.ok()) return server_.error(o, "use verification token");
    if (o.rows() == 0) return std::optional<verification_token>();
    const row r = o.at(0);
    return std::optional<verification_token>(
        verification_token{r.str(0), r.str(1), r.time(2).value_or(system_clock::time_point{})});
  }

  result<totp_record> begin_totp(std::string_view user_id,
                                 std::string_view sealed_secret) override {
    if (auto r = detail::check_sealed_secret(sealed_secret); !r) return r.error();
    if (!serial_id(user_id)) return auth_error{errc::not_found, "no user with this id"};
    totp_record fresh{.user_id = std::string(user_id),
                      .sealed_secret = std::string(sealed_secret),
                      .created_at = detail::to_millis(clock_.now())};
    auto done = in_transaction("enrolment", [&](pg_connection& c) -> result<void> {
      if (auto r = upsert_totp(c, fresh); !r) return r;
      return delete_recovery_codes(c, user_id);
    });
    if (!done) return done.error();
    return fresh;
  }

  result<std::optional<totp_record>> find_totp(std::string_view user_id) const override {
    if (!serial_id(user_id)) return std::optional<totp_record>();
    const param params[] = {user_id};
    auto o = read("SELECT " AUTHPP_PG_TOTP_COLUMNS "FROM authpp_totp WHERE user_id = $1::integer",
                  params);
    if (!o.ok()) return server_.error(o, "find TOTP");
    if (o.rows() == 0) return std::optional<totp_record>();
    return std::optional(read_totp(o.at(0)));
  }

  result<bool> use_totp_step(std::string_view user_id, std::uint64_t step, bool confirm) override {
    if (auto r = detail::check_totp_step(step); !r) return r.error();
    if (!serial_id(user_id)) return false;
    const std::string s = std::to_string(step);
    const param params[] = {user_id, s, confirm ? "true" : "false"};
    // One conditional statement: a second caller presenting the step waits for the first's row
    // lock, then finds the step moved on (READ COMMITTED re-checks the WHERE on the new row).
    auto o = write(
        "UPDATE authpp_totp SET last_used_step = $2::bigint, confirmed = confirmed OR $3::boolean "
        "WHERE user_id = $1::integer AND (last_used_step IS NULL OR last_used_step < $2::bigint) "
        "RETURNING user_id",
        params);
    if (!o.ok()) return server_.error(o, "use TOTP step");
    return o.rows() != 0;
  }

  result<bool> delete_totp(std::string_view user_id) override {
    if (!serial_id(user_id)) return false;
    const param params[] = {user_id};
    // The recovery codes go with it (ON DELETE CASCADE).
    auto o = write("DELETE FROM authpp_totp WHERE user_id = $1::integer RETURNING user_id", params);
    if (!o.ok()) return server_.error(o, "delete TOTP");
    return o.rows() != 0;
  }

  result<void> set_recovery_codes(std::string_view user_id,
                                  const std::vector<std::string>& code_hashes) override {
    if (auto r = detail::check_recovery_code_hashes(code_hashes); !r) return r.error();
    if (!serial_id(user_id)) return auth_error{errc::not_found, "this user has no TOTP"};
    return in_transaction("recovery codes", [&](pg_connection& c) -> result<void> {
      if (auto r = lock_totp(c, user_id); !r) return r;
      if (auto r = delete_recovery_codes(c, user_id); !r) return r;
      return insert_recovery_codes(c, user_id, code_hashes);
    });
  }

  result<std::vector<std::string>> recovery_code_hashes(std::string_view user_id) const override {
    std::vector<std::string> out;
    if (!serial_id(user_id)) return out;
    const param params[] = {user_id};
    auto o =
        read("SELECT code_hash FROM authpp_recovery_codes WHERE user_id = $1::integer", params);
    if (!o.ok()) return server_.error(o, "list recovery codes");
    for (int i = 0; i < o.rows(); ++i) out.push_back(o.at(i).str(0));
    return out;
  }

  result<bool> use_recovery_code(std::string_view user_id, std::string_view code_hash) override {
    if (!serial_id(user_id)) return false;
    const param params[] = {user_id, code_hash};
    // One statement: of two calls for one code, the second finds the row gone.
    auto o = write(
        "DELETE FROM authpp_recovery_codes WHERE user_id = $1::integer AND code_hash = $2 "
        "RETURNING user_id",
        params);
    if (!o.ok()) return server_.error(o, "use recovery code");
    return o.rows() != 0;
  }

  result<authenticator_record> create_authenticator(
      const authenticator_record& authenticator) override {
    if (auto r = detail::check_authenticator(authenticator); !r) return r.error();
    if (!serial_id(authenticator.user_id)) {
      return auth_error{errc::not_found, "no user with this id"};
    }
    authenticator_record stored = authenticator;
    stored.created_at = detail::to_millis(clock_.now());
    stored.last_used_at = std::nullopt;
    const std::string counter = std::to_string(stored.counter);
    const std::string created = std::to_string(epoch_ms(*stored.created_at));
    const param params[] = {stored.credential_id,
                            stored.user_id,
                            stored.provider_account_id,
                            stored.credential_public_key,
                            counter,
                            stored.credential_device_type,
                            stored.credential_backed_up ? "true" : "false",
                            optional(stored.transports),
                            created};
    // The foreign key to users is the existence check: one statement, no race.
    auto o = write(
        "INSERT INTO authenticators (\"credentialID\", \"userId\", \"providerAccountId\", "
        "\"credentialPublicKey\", counter, \"credentialDeviceType\", \"credentialBackedUp\", "
        "transports, created_at, last_used_at) VALUES ($1, $2::integer, $3, $4, $5::bigint, $6, "
        "$7::boolean, $8, " AUTHPP_PG_FROM_MS("$9") ", NULL)",
        params);
    if (!o.ok()) {
      if (o.sqlstate == "23503") return auth_error{errc::not_found, "no user with this id"};
      if (o.sqlstate == "23505") {
        return auth_error{errc::already_exists, "this credential is stored already"};
      }
      return server_.error(o, "create authenticator");
    }
    return stored;
  }

  result<std::optional<authenticator_record>> find_authenticator(
      std::string_view credential_id) const override {
    const param params[] = {credential_id};
    auto o = read("SELECT " AUTHPP_PG_AUTHENTICATOR_COLUMNS
                  "FROM authenticators WHERE \"credentialID\" = $1",
                  params);
    if (!o.ok()) return server_.error(o, "find authenticator");
    if (o.rows() == 0) return std::optional<authenticator_record>();
    return std::optional(read_authenticator(o.at(0)));
  }

  result<std::vector<authenticator_record>> list_authenticators(
      std::string_view user_id) const override {
    std::vector<authenticator_record> out;
    if (!serial_id(user_id)) return out;
    const param params[] = {user_id};
    // NULLS FIRST and COLLATE "C": the order of the other backends (Auth.js's rows, which have no
    // created_at, first; then byte order), whatever the database's defaults.
    auto o = read("SELECT " AUTHPP_PG_AUTHENTICATOR_COLUMNS
                  "FROM authenticators WHERE \"userId\" = $1::integer "
                  "ORDER BY created_at NULLS FIRST, \"credentialID\" COLLATE \"C\"",
                  params);
    if (!o.ok()) return server_.error(o, "list authenticators");
    for (int i = 0; i < o.rows(); ++i) out.push_back(read_authenticator(o.at(i)));
    return out;
  }

  result<bool> use_authenticator(std::string_view credential_id, std::uint32_t expected_counter,
                                 std::uint32_t new_counter, bool backed_up,
                                 system_clock::time_point now) override {
    const std::string expected = std::to_string(expected_counter);
    const std::string next = std::to_string(new_counter);
    const std::string ms = std::to_string(epoch_ms(now));
    const param params[] = {credential_id, expected, next, backed_up ? "true" : "false", ms};
    // One conditional statement: a second caller with the same expected counter waits for the
    // first's row lock, then finds the counter moved on (READ COMMITTED re-checks the WHERE on
    // the new row).
    auto o = write("UPDATE authenticators SET counter = $3::bigint, "
                   "\"credentialBackedUp\" = $4::boolean, last_used_at = " AUTHPP_PG_FROM_MS(
                       "$5") " WHERE \"credentialID\" = $1 AND counter = $2::bigint "
                             "RETURNING \"userId\"",
                   params);
    if (!o.ok()) return server_.error(o, "use authenticator");
    return o.rows() != 0;
  }

  result<bool> delete_authenticator(std::string_view user_id,
                                    std::string_view credential_id) override {
    if (!serial_id(user_id)) return false;
    const param params[] = {user_id, credential_id};
    auto o = write(
        "DELETE FROM authenticators WHERE \"userId\" = $1::integer AND \"credentialID\" = $2 "
        "RETURNING \"userId\"",
        params);
    if (!o.ok()) return server_.error(o, "delete authenticator");
    return o.rows() != 0;
  }

 private:
  // delete_expired deletes the rows of `table` (a constant of this file) whose expiry is at or
  // before `now`, and counts them.
  result<std::size_t> delete_expired(std::string_view table, system_clock::time_point now) {
    const std::string ms = std::to_string(epoch_ms(now));
    const param params[] = {ms};
    const std::string sql =
        "DELETE FROM " + std::string(table) + " WHERE expires <= " AUTHPP_PG_FROM_MS("$1");
    auto o = write(sql.c_str(), params);
    if (!o.ok()) return server_.error(o, "delete expired rows of " + std::string(table));
    return rows_affected(o);
  }

  // rows_affected is the count of rows an INSERT, UPDATE or DELETE changed.
  static std::size_t rows_affected(const outcome& o) {
    std::size_t n = 0;
    const char* count = PQcmdTuples(o.res.get());
    std::from_chars(count, count + std::strlen(count), n);
    return n;
  }

  // user_row is a new user's values, checked, as the statements that insert one bind them.
  struct user_row {
    const new_user& user;
    std::string email;
    std::optional<std::string> username_key;
    system_clock::time_point created;
    std::string created_ms;
    std::optional<system_clock::time_point> verified;
    std::optional<std::string> verified_ms;

    // params are $1..$7 of AUTHPP_PG_INSERT_USER.
    std::vector<param> params() const {
      return {optional(user.name),    email,      optional(user.image), optional(user.username),
              optional(username_key), created_ms, optional(verified_ms)};
    }
    user_record stored(std::string id) const {
      user_record u;
      u.id = std::move(id);
      u.email = email;
      u.name = user.name;
      u.username = user.username;
      u.image = user.image;
      u.email_verified = verified;
      u.created_at = created;
      return u;
    }
  };

  result<user_row> new_user_row(const new_user& user) const {
    user_row row{user, normalize_email(user.email), std::nullopt, {}, {}, {}, {}};
    if (auto r = detail::check_new_user(user, row.email); !r) return r.error();
    if (user.username) row.username_key = detail::ascii_lower(*user.username);
    row.created = detail::to_millis(clock_.now());
    row.created_ms = std::to_string(epoch_ms(row.created));
    if (user.email_verified) {
      row.verified = detail::to_millis(*user.email_verified);
      row.verified_ms = std::to_string(epoch_ms(*row.verified));
    }
    return row;
  }

  // user_insert_error names what was taken when a statement inserting a user broke a unique key:
  // the e-mail, the username, or (with an account) the provider account.
  auth_error user_insert_error(const outcome& o, std::string_view what) const {
    if (o.sqlstate != "23505") return server_.error(o, what);
    if (o.constraint == "users_email_key") {
      return auth_error{errc::already_exists, "a user with this email exists"};
    }
    if (o.constraint == "authpp_users_username_key_key") {
      return auth_error{errc::already_exists, "a user with this username exists"};
    }
    return auth_error{errc::already_exists, "this provider account is linked already"};
  }

  // account_row binds an account's columns after "userId", in AUTHPP_PG_ACCOUNT_FIELDS order.
  struct account_row {
    const account_record& account;
    std::optional<std::string> expires;

    explicit account_row(const account_record& a)
        : account(a),
          expires(a.expires_at ? std::optional(std::to_string(*a.expires_at)) : std::nullopt) {}
    void append_to(std::vector<param>& params) const {
      for (const param& p :
           {param(account.type), param(account.provider), param(account.provider_account_id),
            optional(account.access_token), optional(account.token_type),
            optional(account.id_token), optional(account.refresh_token), optional(account.scope),
            optional(account.session_state), optional(expires)}) {
        params.push_back(p);
      }
    }
  };

  // refresh_in_transaction is refresh_account's transaction: the row lock (SELECT … FOR UPDATE)
  // serialises the instances, and is held across the step until COMMIT. The wait for it is one
  // statement, so statement_timeout bounds it (57014, unavailable; a lock_timeout set on the
  // server fails it sooner, 55P03, unavailable too). Nothing is retried: once the step has run,
  // the provider may have spent the old refresh token, and only this transaction holds the new.
  // Any failure rolls back; a connection whose state is not known (lost, timed out, in a
  // transaction still) is not given back to the pool (pool::give_back).
  result<account_record> refresh_in_transaction(pg_connection& c, std::string_view provider,
                                                std::string_view provider_account_id,
                                                const refresh_step& step) {
    const auto fail = [&](const auth_error& e) -> auth_error {
      if (!c.broken && PQtransactionStatus(c.conn.get()) != PQTRANS_IDLE) {
        (void)server_.run(c, "ROLLBACK", {});
      }
      return e;
    };
    if (auto o = server_.run(c, "BEGIN", {}); !o.ok()) {
      return fail(server_.error(o, "begin refresh"));
    }
    const param keys[] = {provider, provider_account_id};
    outcome current = server_.run(c,
                                  "SELECT " AUTHPP_PG_ACCOUNT_COLUMNS
                                  "WHERE provider = $1 AND \"providerAccountId\" = $2 FOR UPDATE",
                                  keys);
    if (!current.ok()) return fail(server_.error(current, "lock account"));
    if (current.rows() == 0) return fail(auth_error{errc::not_found, "no such account"});
    const account_record before = read_account(current.at(0));
    auto tokens = step(before);
    if (!tokens) return fail(tokens.error());
    if (!*tokens) {
      if (auto o = server_.run(c, "COMMIT", {}); !o.ok()) {
        return fail(server_.error(o, "end refresh"));
      }
      return before;
    }
    const account_tokens& t = **tokens;
    const std::optional<std::string> expires =
        t.expires_at ? std::optional(std::to_string(*t.expires_at)) : std::nullopt;
    const param params[] = {provider,
                            provider_account_id,
                            optional(t.access_token),
                            optional(t.token_type),
                            optional(t.id_token),
                            optional(t.refresh_token),
                            optional(t.scope),
                            optional(expires)};
    outcome stored = server_.run(
        c,
        "UPDATE accounts SET access_token = $3, token_type = $4, id_token = $5, "
        "refresh_token = $6, scope = $7, expires_at = $8::bigint "
        "WHERE provider = $1 AND \"providerAccountId\" = $2 RETURNING " AUTHPP_PG_ACCOUNT_FIELDS,
        params);
    if (!stored.ok()) return fail(server_.error(stored, "refresh account"));
    if (auto o = server_.run(c, "COMMIT", {}); !o.ok()) {
      return fail(server_.error(o, "commit refresh"));
    }
    return read_account(stored.at(0));
  }

  // in_transaction runs `body` on one pooled connection between BEGIN and COMMIT, rolling back
  // when it fails, as refresh_in_transaction does. Nothing is retried: a lost connection leaves
  // unknown whether the COMMIT took effect.
  template <class Body>
  result<void> in_transaction(std::string_view what, Body body) {
    auto l = pool_.borrow();
    if (!l) return l.error();
    pg_connection& c = **l;
    const auto fail = [&](const auth_error& e) -> auth_error {
      if (!c.broken && PQtransactionStatus(c.conn.get()) != PQTRANS_IDLE) {
        (void)server_.run(c, "ROLLBACK", {});
      }
      if (c.broken) pool_.drop_idle();
      return e;
    };
    const std::string begin = "begin " + std::string(what);
    if (auto o = server_.run(c, "BEGIN", {}); !o.ok()) return fail(server_.error(o, begin));
    if (auto r = body(c); !r) return fail(r.error());
    const std::string commit = "commit " + std::string(what);
    if (auto o = server_.run(c, "COMMIT", {}); !o.ok()) return fail(server_.error(o, commit));
    return {};
  }

  // upsert_totp stores `fresh` as the user's TOTP, replacing any, and so holds its row lock until
  // the transaction ends: a concurrent set_recovery_codes (lock_totp) waits for the enrolment.
  result<void> upsert_totp(pg_connection& c, const totp_record& fresh) const {
    const std::string created = std::to_string(epoch_ms(fresh.created_at));
    const param params[] = {fresh.user_id, fresh.sealed_secret, created};
    outcome o = server_.run(
        c,
        "INSERT INTO authpp_totp (user_id, sealed_secret, confirmed, last_used_step, created_at) "
        "SELECT id, $2, false, NULL, " AUTHPP_PG_FROM_MS("$3") " FROM users WHERE id = $1::integer "
        "ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, "
        "confirmed = false, last_used_step = NULL, created_at = excluded.created_at "
        "RETURNING user_id",
        params);
    // 23503: the user was deleted since the SELECT saw it.
    if (o.sqlstate == "23503" || (o.ok() && o.rows() == 0)) {
      return auth_error{errc::not_found, "no user with this id"};
    }
    if (!o.ok()) return server_.error(o, "store TOTP");
    return {};
  }

  // lock_totp locks the user's TOTP row until the transaction ends, or fails with
  // errc::not_found when there is none.
  result<void> lock_totp(pg_connection& c, std::string_view user_id) const {
    const param params[] = {user_id};
    outcome o =
        server_.run(c, "SELECT 1 FROM authpp_totp WHERE user_id = $1::integer FOR UPDATE", params);
    if (!o.ok()) return server_.error(o, "lock TOTP");
    if (o.rows() == 0) return auth_error{errc::not_found, "this user has no TOTP"};
    return {};
  }

  // delete_recovery_codes deletes all the user's recovery codes. In a transaction, after the TOTP
  // row was locked: this statement's snapshot then holds every code committed before.
  result<void> delete_recovery_codes(pg_connection& c, std::string_view user_id) const {
    const param params[] = {user_id};
    outcome o =
        server_.run(c, "DELETE FROM authpp_recovery_codes WHERE user_id = $1::integer", params);
    if (!o.ok()) return server_.error(o, "delete recovery codes");
    return {};
  }

  result<void> insert_recovery_codes(pg_connection& c, std::string_view user_id,
                                     const std::vector<std::string>& code_hashes) const {
    const std::string hashes = text_array(code_hashes);
    const param params[] = {user_id, hashes};
    outcome o = server_.run(c,
                            "INSERT INTO authpp_recovery_codes (user_id, code_hash) "
                            "SELECT $1::integer, unnest($2::text[])",
                            params);
    if (!o.ok()) return server_.error(o, "store recovery codes");
    return {};
  }

  template <class Step>
  result<void> migrate_in_transaction(pg_connection& c, Step& step) {
    const std::string lock = std::to_string(migration_lock);
    const param lock_params[] = {lock};
    if (auto r = step("SELECT pg_advisory_xact_lock($1::bigint)", lock_params, "lock migrations");
        !r) {
      return r.error();
    }
    if (auto r = step("CREATE TABLE IF NOT EXISTS authpp_schema_migrations ("
                      "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
                      {}, "create authpp_schema_migrations");
        !r) {
      return r.error();
    }
    auto current =
        step("SELECT coalesce(max(version), 0) FROM authpp_schema_migrations", {}, "read version");
    if (!current) return current.error();
    const auto version = static_cast<int>(current->at(0).integer(0).value_or(0));
    if (version > postgres_schema_version) {
      return auth_error{errc::unsupported_schema_version,
                        "PostgreSQL at " + server_.name() + " has schema version " +
                            std::to_string(version) + " but this authpp knows only up to " +
                            std::to_string(postgres_schema_version) +
                            "; it was migrated by a newer authpp, upgrade this one"};
    }
    for (const migration& m : migrations) {
      if (m.version <= version) continue;
      const std::string what = "apply migration " + std::to_string(m.version);
      outcome o = server_.run(c, m.sql, {}, true);
      if (!o.ok()) {
        // Here the detail helps the operator (which e-mail is duplicated) and holds no secret.
        auth_error e = server_.error(o, what);
        if (const char* d =
                o.res ? PQresultErrorField(o.res.get(), PG_DIAG_MESSAGE_DETAIL) : nullptr) {
          e.detail += std::string(": ") + d;
        }
        return e;
      }
      const std::string v = std::to_string(m.version);
      const param record[] = {v};
      if (auto r = step("INSERT INTO authpp_schema_migrations (version, applied_at) "
                        "VALUES ($1::integer, now())",
                        record, "record migration");
          !r) {
        return r.error();
      }
    }
    return {};
  }

  result<std::optional<user_record>> one_user(const char* sql, std::string_view key,
                                              std::string_view what) const {
    const param params[] = {key};
    auto o = read(sql, params);
    if (!o.ok()) return server_.error(o, what);
    if (o.rows() == 0) return std::optional<user_record>();
    return std::optional(read_user(o.at(0)));
  }

  // read runs a statement that changes nothing; when its connection turns out broken (the server
  // restarted since it was last used), once more on a fresh one.
  outcome read(const char* sql, std::span<const param> params) const {
    outcome o = write(sql, params);
    if (!o.ok() && o.connection_lost) o = write(sql, params);
    return o;
  }

  // write runs a statement once: after a lost connection nobody knows whether it took effect.
  outcome write(const char* sql, std::span<const param> params) const {
    auto l = pool_.borrow();
    if (!l) {
      outcome o;
      o.message = l.error().detail;
      return o;
    }
    outcome o = server_.run(**l, sql, params);
    if (o.connection_lost) pool_.drop_idle();
    return o;
  }

  server server_;
  mutable pool pool_;
  detail::account_locks account_locks_;  // refresh_account's, within this instance
  const clock& clock_;
};

}  // namespace

std::string postgres_server_name(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (options == nullptr) return "(invalid connection string)";
  std::string host, port, db;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  std::string name = host.empty() ? "localhost" : host;
  if (!port.empty()) name += ":" + port;
  if (!db.empty()) name += "/" + db;
  return name;
}

namespace {

result<void> check_url(const std::string& url) {
  if (url.empty()) return auth_error{errc::invalid_config, "PostgreSQL url is empty"};
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (options == nullptr) {
    std::string why = err != nullptr ? err : "cannot parse it";
    if (err != nullptr) PQfreemem(err);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return auth_error{errc::invalid_config, "PostgreSQL url is not a connection string: " + why};
  }
  PQconninfoFree(options);
  return {};
}

}  // namespace

result<std::unique_ptr<adapter>> open_postgres_store(const postgres_options& options,
                                                     const clock& clock) {
  if (auto r = check_url(options.url); !r) return r.error();
  if (options.pool_size == 0) {
    return auth_error{errc::invalid_config, "PostgreSQL pool size must be at least 1"};
  }
  auto store = std::make_unique<postgres_store>(options, clock);
  if (auto r = store->migrate(); !r) return r.error();
  return std::unique_ptr<adapter>(std::move(store));
}

result<int> postgres_applied_version(const postgres_options& options) {
  if (auto r = check_url(options.url); !r) return r.error();
  postgres_store store(options, default_clock());
  return store.applied_version();
}

}  // namespace authpp::adapters
