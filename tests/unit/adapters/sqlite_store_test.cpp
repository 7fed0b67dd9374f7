#include <authpp/adapters/sqlite_store.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sqlite_store_internal.hpp"
#include "temp_dir.hpp"
#include "test_support/test_support.hpp"

namespace authpp::adapters {
namespace {

namespace fs = std::filesystem;
using test::error_of;

constexpr std::string_view some_hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

// raw_db is a second, independent connection for inspecting or tampering with the file, as
// another process would.
class raw_db {
 public:
  explicit raw_db(const fs::path& path, int flags = SQLITE_OPEN_READWRITE) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "raw open: " << sqlite3_errmsg(db_);
    }
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;
  ~raw_db() { sqlite3_close_v2(db_); }

  // text returns the first column of the first row ("" for none).
  std::string text(const char* sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    } else if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));  // NOLINT
    }
    sqlite3_finalize(s);
    return out;
  }
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
    }
    sqlite3_free(err);
  }

 private:
  sqlite3* db_ = nullptr;
};

// passkey is a valid authenticator of `user_id` (authenticator_store's bounds).
authenticator_record passkey(const std::string& user_id, std::string credential_id = "Y3JlZA==") {
  return {.credential_id = credential_id,
          .user_id = user_id,
          .provider_account_id = std::move(credential_id),
          .credential_public_key = "pQECAyYgASFYIA==",
          .credential_device_type = "singleDevice"};
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  test::temp_dir tmp_;
  fs::path dir_ = tmp_.path() / "data";
  fs::path db_ = dir_ / "users.db";

  result<std::unique_ptr<adapter>> open() { return open_sqlite_store({.path = db_.string()}); }
  std::unique_ptr<adapter> open_ok() {
    auto s = open();
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
  }
  static user_record add(user_store& s, const std::string& email, std::string_view hash = "") {
    auto r = s.add_user({.email = email}, hash);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : user_record{};
  }
  static std::string pragma(const user_store& s, const char* sql) {
    auto r = detail::sqlite_query_for_testing(s, sql);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : "";
  }
};

TEST_F(SqliteStoreTest, CreatesMissingDirectoriesPrivately) {
  db_ = tmp_.path() / "a" / "b" / "users.db";
  auto s = open_ok();
  ASSERT_TRUE(s);
  struct stat st {};
  ASSERT_EQ(::stat((tmp_.path() / "a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((tmp_.path() / "a" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(db_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "the file holds password hashes";
}

TEST_F(SqliteStoreTest, EmptyPathIsRefused) {
  EXPECT_EQ(error_of(open_sqlite_store({.path = ""})), errc::invalid_config);
}

TEST_F(SqliteStoreTest, MigrationsAreIdempotentAcrossReopen) {
  for (int i = 0; i < 3; ++i) {
    auto s = open_ok();
    ASSERT_TRUE(s);
  }
  raw_db raw(db_);
  EXPECT_EQ(raw.text("SELECT count(*) || ',' || max(version) FROM schema_migrations"), "5,5");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                     "WHERE type = 'table' ORDER BY name)"),
            "accounts,authenticators,credentials,recovery_codes,schema_migrations,sessions,totp,"
            "users,verification_token");
  // The Auth.js column names, quoted camelCase included.
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('users')"),
            "id,name,email,emailVerified,image,username,disabled,created_at,session_version");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('accounts')"),
            "userId,type,provider,providerAccountId,refresh_token,access_token,expires_at,"
            "id_token,scope,session_state,token_type");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('sessions')"),
            "sessionToken,userId,expires");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('verification_token')"),
            "identifier,token,expires");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('totp')"),
            "user_id,sealed_secret,confirmed,last_used_step,created_at");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('recovery_codes')"),
            "user_id,code_hash");
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM pragma_table_info('authenticators')"),
            "credentialID,userId,providerAccountId,credentialPublicKey,counter,"
            "credentialDeviceType,credentialBackedUp,transports,created_at,last_used_at");
}

// A database written by the previous release (schema version 1: users and passwords only) is
// migrated forward on open, and every user keeps their id, their fields and their password.
TEST_F(SqliteStoreTest, VersionOneDatabaseIsMigratedWithItsUsers) {
  fs::create_directories(dir_);
  {
    raw_db raw(db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // Migration 1 as it shipped, and its record; then two users and a password.
    std::ifstream schema(AUTHPP_SQLITE_SCHEMA_V1);
    ASSERT_TRUE(schema) << AUTHPP_SQLITE_SCHEMA_V1;
    const std::string v1((std::istreambuf_iterator<char>(schema)), {});
    raw.exec(v1.c_str());
    raw.exec(R"sql(
INSERT INTO users (id, name, email, username, disabled, created_at) VALUES
  ('0c6f6a3e-8d2a-4a43-9a53-3c1d1b2f0a01', 'Ada', 'ada@example.com', 'ada', 0, 1700000000001),
  ('0c6f6a3e-8d2a-4a43-9a53-3c1d1b2f0a02', NULL, 'bob@example.com', NULL, 1, 1700000000002);
INSERT INTO credentials VALUES
  ('0c6f6a3e-8d2a-4a43-9a53-3c1d1b2f0a01', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA', 1700000000001);
)sql");
  }
  auto s = open_ok();
  ASSERT_TRUE(s);
  const auto ada = s->find_by_email("ada@example.com").value();
  ASSERT_TRUE(ada);
  EXPECT_EQ(ada->id, "0c6f6a3e-8d2a-4a43-9a53-3c1d1b2f0a01");
  EXPECT_EQ(ada->name, "Ada");
  EXPECT_EQ(ada->username, "ada");
  EXPECT_EQ(s->password_hash(ada->id).value(), "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA");
  const auto bob = s->find_by_email("bob@example.com").value();
  ASSERT_TRUE(bob);
  EXPECT_TRUE(bob->disabled);
  EXPECT_EQ(s->list_users().value().size(), 2u);
  // The new tables work for the old users.
  ASSERT_TRUE(s->create_session({"token", ada->id, ada->created_at}));
  EXPECT_EQ(s->session_and_user("token").value()->second, *ada);
  ASSERT_TRUE(s->begin_totp(ada->id, "v1.sealed"));
  EXPECT_TRUE(s->use_totp_step(ada->id, 1, true).value());
  ASSERT_TRUE(s->create_authenticator(passkey(ada->id)));
  EXPECT_TRUE(s->use_authenticator(passkey(ada->id).credential_id, 0, 1, true, {}).value());
  s.reset();
  raw_db raw(db_);
  EXPECT_EQ(raw.text("SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4,5");
}

TEST_F(SqliteStoreTest, DataPersistsAcrossReopen) {
  user_record ada, bob;
  {
    auto s = open_ok();
    ASSERT_TRUE(s);
    ada = s->add_user({.email = "ada@example.com", .name = "Ada", .username = "ada"}, some_hash)
              .value();
    bob = add(*s, "bob@example.com");
    ASSERT_TRUE(s->set_disabled("bob@example.com", true));
  }
  auto s = open_ok();
  ASSERT_TRUE(s);
  bob.disabled = true;
  EXPECT_EQ(s->list_users().value(), (std::vector<user_record>{ada, bob}));
  EXPECT_EQ(s->password_hash(ada.id).value(), std::string(some_hash));
}

TEST_F(SqliteStoreTest, NewerSchemaVersionIsRefused) {
  { ASSERT_TRUE(open_ok()); }
  {
    raw_db raw(db_);
    raw.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (6, 0)");
  }
  auto s = open();
  ASSERT_EQ(error_of(s), errc::unsupported_schema_version);
  EXPECT_NE(s.error().detail.find("newer"), std::string::npos) << s.error().detail;
  raw_db raw(db_);
  EXPECT_EQ(raw.text("SELECT group_concat(version) FROM schema_migrations"), "1,2,3,4,5,6");
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsUnavailable) {
  fs::create_directories(dir_);
  std::ofstream(db_) << std::string(8192, 'x');
  auto s = open();
  EXPECT_EQ(error_of(s), errc::storage_unavailable);
}

TEST_F(SqliteStoreTest, WalAndForeignKeysAreOn) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  EXPECT_EQ(pragma(*s, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma(*s, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma(*s, "PRAGMA synchronous"), "1");  // NORMAL
  raw_db raw(db_);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal") << "WAL is a property of the file";
  // The foreign key really bites: no credentials row for a missing user.
  EXPECT_EQ(error_of(s->set_password("no-such-user", some_hash)), errc::not_found);
  EXPECT_EQ(raw.text("SELECT count(*) FROM credentials"), "0");
}

// SQL injection: hostile text is data, never SQL.
TEST_F(SqliteStoreTest, SqlInjectionAttemptsAreStoredVerbatim) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  add(*s, "victim@example.com");
  const std::vector<new_user> hostile = {
      {.email = "robert'); drop table users;--@example.com",
       .name = "Robert'); DROP TABLE users;--"},
      {.email = "\"@example.com",
       .name = "\"; DELETE FROM credentials; --",
       .username = "x' OR '1'='1"},
      {.email = "a@example.com' OR 1=1 --", .image = "'); UPDATE users SET disabled=1; --"},
  };
  for (const new_user& u : hostile) {
    auto r = s->add_user(u, some_hash);
    ASSERT_TRUE(r) << r.error().message();
    const auto found = s->find_by_email(u.email).value();
    ASSERT_TRUE(found);
    EXPECT_EQ(found->email, normalize_email(u.email));  // lower-cased, otherwise verbatim
    EXPECT_EQ(found->name, u.name);
    EXPECT_EQ(found->username, u.username);
    EXPECT_EQ(found->image, u.image);
  }
  EXPECT_EQ(s->find_by_email("' OR 1=1 --").value(), std::nullopt);
  EXPECT_EQ(s->find_by_username("' OR '1'='1").value(), std::nullopt);
  EXPECT_EQ(s->list_users().value().size(), 4u);
  EXPECT_FALSE(s->find_by_email("victim@example.com").value()->disabled);
}

// Renaming the file away is how these tests make it unreachable: they run as root, for whom
// chmod does not stop writes, and a descriptor opened before a chmod keeps writing anyway. An open
// descriptor also keeps writing to a renamed or deleted file, where every write would be lost; the
// store notices that the path no longer names its file and refuses instead.
TEST_F(SqliteStoreTest, RenamedFileIsUnavailableThenRecovers) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  const user_record ada = add(*s, "ada@example.com");
  fs::rename(db_, dir_ / "users.db.moved");

  auto refused = s->add_user({.email = "bob@example.com"}, "");
  ASSERT_EQ(error_of(refused), errc::storage_unavailable);
  EXPECT_NE(refused.error().detail.find("moved or deleted"), std::string::npos)
      << refused.error().detail;
  EXPECT_NE(refused.error().detail.find(db_.string()), std::string::npos) << "names the path";
  EXPECT_EQ(error_of(s->find_by_email("ada@example.com")), errc::storage_unavailable);
  EXPECT_EQ(error_of(s->check_health()), errc::storage_unavailable);
  EXPECT_FALSE(fs::exists(db_)) << "a vanished database is never silently re-created";

  fs::rename(dir_ / "users.db.moved", db_);
  EXPECT_TRUE(s->check_health());
  EXPECT_EQ(s->find_by_email("ada@example.com").value(), ada);
  add(*s, "bob@example.com");
  EXPECT_EQ(s->list_users().value().size(), 2u);
}

TEST_F(SqliteStoreTest, RenamedDirectoryIsUnavailableThenRecovers) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  add(*s, "ada@example.com");
  fs::rename(dir_, tmp_.path() / "data.moved");
  EXPECT_EQ(error_of(s->list_users()), errc::storage_unavailable);
  EXPECT_EQ(error_of(s->add_user({.email = "bob@example.com"}, "")), errc::storage_unavailable);
  fs::rename(tmp_.path() / "data.moved", dir_);
  add(*s, "bob@example.com");
  EXPECT_EQ(s->list_users().value().size(), 2u);
}

// Restoring a backup in place of a deleted file is picked up without a restart.
TEST_F(SqliteStoreTest, DeletedFileIsUnavailableUntilABackupIsRestored) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  const user_record ada = add(*s, "ada@example.com", some_hash);
  const fs::path backup = tmp_.path() / "backup.db";
  const std::string vacuum = "VACUUM INTO '" + backup.string() + "'";
  ASSERT_TRUE(detail::sqlite_query_for_testing(*s, vacuum.c_str()));

  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_.string() + suffix);
  EXPECT_EQ(error_of(s->find_by_id(ada.id)), errc::storage_unavailable);
  EXPECT_EQ(error_of(s->find_by_id(ada.id)), errc::storage_unavailable) << "still gone";
  EXPECT_FALSE(fs::exists(db_));

  fs::rename(backup, db_);
  EXPECT_EQ(s->find_by_id(ada.id).value(), ada);
  EXPECT_EQ(s->password_hash(ada.id).value(), std::string(some_hash));
}

// `PRAGMA query_only` makes the store's own connection refuse writes with SQLITE_READONLY, as a
// read-only file or file system would (root ignores chmod, so that cannot be used here).
TEST_F(SqliteStoreTest, ReadOnlyConnectionIsUnavailableThenRecovers) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  add(*s, "ada@example.com");

  pragma(*s, "PRAGMA query_only=1");
  auto refused = s->add_user({.email = "bob@example.com"}, "");
  ASSERT_EQ(error_of(refused), errc::storage_unavailable);
  EXPECT_NE(refused.error().detail.find("readonly"), std::string::npos) << refused.error().detail;
  add(*s, "bob@example.com");  // the next call reopened the connection

  pragma(*s, "PRAGMA query_only=1");
  EXPECT_EQ(error_of(s->check_health()), errc::storage_unavailable);
  EXPECT_TRUE(s->check_health());
  EXPECT_EQ(pragma(*s, "PRAGMA query_only"), "0");

  pragma(*s, "PRAGMA query_only=1");
  EXPECT_EQ(error_of(s->set_disabled("ada@example.com", true)), errc::storage_unavailable);
  // Reopened and writable again; the refused write changed nothing.
  EXPECT_FALSE(s->find_by_email("ada@example.com").value()->disabled);
}

// Two stores on one file stand for two processes: each sees the other's writes, and the busy
// timeout serialises their writers instead of failing them.
TEST_F(SqliteStoreTest, TwoStoresShareOneFile) {
  auto a = open_ok();
  auto b = open_ok();
  ASSERT_TRUE(a && b);
  std::vector<std::thread> pool;
  for (user_store* s : {a.get(), b.get()}) {
    pool.emplace_back([s, tag = s == a.get() ? "a" : "b"] {
      for (int i = 0; i < 25; ++i) {
        auto r = s->add_user({.email = std::string(tag) + std::to_string(i) + "@example.com"}, "");
        EXPECT_TRUE(r) << r.error().message();
      }
    });
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(a->list_users().value().size(), 50u);
  EXPECT_TRUE(b->find_by_email("a24@example.com").value());
  EXPECT_EQ(error_of(b->add_user({.email = "A0@example.com"}, "")), errc::already_exists);
}

// Two servers on one database file, each with its own connection, racing for the same magic
// links (a replayed or double-clicked link): each token is used by exactly one of them.
TEST_F(SqliteStoreTest, TwoStoresRacingForOneTokenHaveOneWinner) {
  auto a = open_ok();
  auto b = open_ok();
  ASSERT_TRUE(a && b);
  constexpr int tokens = 50;
  const auto expires = std::chrono::system_clock::now() + std::chrono::hours(24);
  for (int t = 0; t < tokens; ++t) {
    ASSERT_TRUE(a->create_verification_token({"ada@example.com", std::to_string(t), expires}));
  }
  std::vector<std::atomic<int>> winners(tokens);
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i) {
    adapter* s = i % 2 == 0 ? a.get() : b.get();
    pool.emplace_back([s, &winners] {
      for (int t = 0; t < tokens; ++t) {
        auto used = s->use_verification_token("ada@example.com", std::to_string(t));
        EXPECT_TRUE(used) << used.error().message();
        if (used && used->has_value()) ++winners[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& t : pool) t.join();
  for (int t = 0; t < tokens; ++t) EXPECT_EQ(winners[static_cast<std::size_t>(t)], 1) << t;
}

// Two servers on one database file each verify an assertion of one passkey against the same
// stored counter (a cloned authenticator used twice at once): each counter is taken once.
TEST_F(SqliteStoreTest, TwoStoresRacingForOneCounterHaveOneWinner) {
  auto a = open_ok();
  auto b = open_ok();
  ASSERT_TRUE(a && b);
  const auto ada = add(*a, "ada@example.com");
  const authenticator_record key = passkey(ada.id);
  ASSERT_TRUE(a->create_authenticator(key));
  constexpr std::uint32_t rounds = 50;
  std::vector<std::atomic<int>> winners(rounds);
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i) {
    adapter* s = i % 2 == 0 ? a.get() : b.get();
    pool.emplace_back([s, &winners, &key] {
      for (std::uint32_t c = 0; c < rounds; ++c) {
        // Each thread moves on to the next counter whether it won this one or not; the counter
        // is never behind it, so every counter is taken by exactly one.
        auto used = s->use_authenticator(key.credential_id, c, c + 1, false, {});
        EXPECT_TRUE(used) << used.error().message();
        if (used && *used) ++winners[c];
      }
    });
  }
  for (auto& t : pool) t.join();
  for (std::uint32_t c = 0; c < rounds; ++c) EXPECT_EQ(winners[c], 1) << c;
  EXPECT_EQ(a->find_authenticator(key.credential_id).value()->counter, rounds);
}

// A passkey row written by Auth.js (its columns only) reads as it is, without authpp's times, and
// is listed before authpp's; recording a use gives it a last_used_at.
TEST_F(SqliteStoreTest, AuthJsAuthenticatorRowReadsAsItIs) {
  auto s = open_ok();
  ASSERT_TRUE(s);
  const auto ada = add(*s, "ada@example.com");
  ASSERT_TRUE(s->create_authenticator(passkey(ada.id, "AAAA")));
  {
    raw_db raw(db_);
    const std::string insert =
        "INSERT INTO authenticators (\"credentialID\", \"userId\", \"providerAccountId\", "
        "\"credentialPublicKey\", counter, \"credentialDeviceType\", \"credentialBackedUp\", "
        "transports) VALUES ('ZZZZ', '" +
        ada.id + "', 'ZZZZ', 'pQE=', 12, 'multiDevice', 1, 'usb')";
    raw.exec(insert.c_str());
  }
  const authenticator_record authjs{.credential_id = "ZZZZ",
                                    .user_id = ada.id,
                                    .provider_account_id = "ZZZZ",
                                    .credential_public_key = "pQE=",
                                    .counter = 12,
                                    .credential_device_type = "multiDevice",
                                    .credential_backed_up = true,
                                    .transports = "usb"};
  EXPECT_EQ(s->find_authenticator("ZZZZ").value(), authjs);
  const auto listed = s->list_authenticators(ada.id).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0], authjs);
  EXPECT_EQ(listed[1].credential_id, "AAAA");
  const auto now = std::chrono::sys_days{std::chrono::year{2025} / 6 / 1} + std::chrono::hours(0);
  ASSERT_TRUE(s->use_authenticator("ZZZZ", 12, 13, true, now).value());
  EXPECT_EQ(s->find_authenticator("ZZZZ").value()->last_used_at, now);
  EXPECT_EQ(s->find_authenticator("ZZZZ").value()->created_at, std::nullopt);
}

// refresh_account holds no SQLite lock while its step (an HTTP call) runs: another connection
// (another process) writes meanwhile. A second refresh of the account waits for the first no
// longer than busy_timeout, and fails as unavailable without running its step.
TEST_F(SqliteStoreTest, RefreshStepHoldsNoWriteLockAndWaitersGiveUpAtBusyTimeout) {
  auto s =
      open_sqlite_store({.path = db_.string(), .busy_timeout = std::chrono::milliseconds(200)});
  ASSERT_TRUE(s) << s.error().message();
  auto& store = **s;
  auto other = open_ok();
  ASSERT_TRUE(other);
  const user_record ada = add(store, "ada@example.com");
  ASSERT_TRUE(store.link_account({.user_id = ada.id,
                                  .type = "oauth",
                                  .provider = "github",
                                  .provider_account_id = "1",
                                  .access_token = "stale-at"}));
  std::promise<void> holding, release;
  auto released = release.get_future();
  auto held = std::async(std::launch::async, [&] {
    return store.refresh_account("github", "1", [&](const account_record& current) {
      holding.set_value();
      EXPECT_EQ(released.wait_for(std::chrono::seconds(30)), std::future_status::ready);
      account_tokens t = tokens_of(current);
      t.access_token = "fresh-at";
      return result<std::optional<account_tokens>>(t);
    });
  });
  const bool running =
      holding.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  EXPECT_TRUE(running) << "the first step never ran";
  if (running) {
    auto written = other->add_user({.email = "bob@example.com"}, "");
    EXPECT_TRUE(written) << written.error().message();
    EXPECT_TRUE(store.set_disabled("ada@example.com", false)) << "the store itself is not held";
    bool ran = false;
    auto waited = store.refresh_account("github", "1", [&](const account_record&) {
      ran = true;
      return result<std::optional<account_tokens>>(std::nullopt);
    });
    EXPECT_EQ(error_of(waited), errc::storage_unavailable);
    EXPECT_FALSE(ran);
  }
  release.set_value();
  auto r = held.get();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->access_token, "fresh-at");
  EXPECT_EQ(other->find_account("github", "1").value()->access_token, "fresh-at");
}

// Every user whose add reported success survives SIGKILL of the process (WAL, synchronous=NORMAL:
// a commit is in the OS's cache before it returns).
TEST_F(SqliteStoreTest, ReportedUsersSurviveSigkill) {
  { ASSERT_TRUE(open_ok()); }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto s = open_sqlite_store({.path = db_.string()});
    if (!s) ::_exit(2);
    for (int i = 0;; ++i) {
      const std::string email = "k" + std::to_string(i) + "@example.com\n";
      if (!(*s)->add_user({.email = email.substr(0, email.size() - 1)}, some_hash)) ::_exit(3);
      if (::write(fds[1], email.data(), email.size()) < 0) ::_exit(4);
    }
  }
  ::close(fds[1]);
  std::vector<std::string> reported;
  std::string line;
  char c = 0;
  while (reported.size() < 40 && ::read(fds[0], &c, 1) == 1) {
    if (c == '\n') {
      reported.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(fds[0]);
  ASSERT_EQ(reported.size(), 40u) << "child status " << status;
  ASSERT_TRUE(WIFSIGNALED(status));

  auto s = open_ok();
  ASSERT_TRUE(s);
  for (const std::string& email : reported) {
    auto found = s->find_by_email(email);
    ASSERT_TRUE(found);
    EXPECT_TRUE(*found) << email << " was reported added but is gone";
  }
}

}  // namespace
}  // namespace authpp::adapters
