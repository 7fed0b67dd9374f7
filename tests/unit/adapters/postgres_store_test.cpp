#include <authpp/adapters/memory_store.hpp>
#include <authpp/adapters/postgres_store.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "conformance/adapter_suite.hpp"
#include "conformance/authenticator_suite.hpp"
#include "conformance/second_factor_suite.hpp"
#include "conformance/user_store_suite.hpp"
#include "temp_dir.hpp"
#include "test_support/postgres.hpp"
#include "test_support/test_support.hpp"

namespace authpp::adapters {
namespace {

using std::chrono::milliseconds;

// fixture reads tests/fixtures/NAME: the Auth.js schemas a database may already have.
std::string fixture(const std::string& name) {
  const std::string path = std::string(AUTHPP_TEST_FIXTURES) + "/" + name;
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}
// Today's schema.sql of @auth/pg-adapter, and the first one its documentation gave (no keys).
const std::string authjs_schema = fixture("authjs_pg_schema.sql");
const std::string authjs_schema_without_constraints = fixture("authjs_pg_schema_unconstrained.sql");

std::unique_ptr<adapter> open_or_fail(const postgres_options& options,
                                      const clock& clock = default_clock()) {
  auto s = open_postgres_store(options, clock);
  if (!s) {
    ADD_FAILURE() << s.error().message();
    return nullptr;
  }
  return std::move(*s);
}

struct postgres_factory {
  static constexpr bool serial_ids = true;
  test::pg_database db;
  std::unique_ptr<adapter> make(const clock& clock) {
    auto s = open_or_fail({.url = db.url()}, clock);
    return s ? std::move(s) : make_memory_store();
  }
};

}  // namespace

namespace conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, UserStoreConformance, postgres_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, AdapterConformance, postgres_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, SecondFactorConformance, postgres_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, AuthenticatorConformance, postgres_factory);
}  // namespace conformance

namespace {

class PostgresStoreTest : public ::testing::Test {
 protected:
  test::pg_database db_;
};

TEST_F(PostgresStoreTest, FreshDatabaseGetsAuthJsTablesAndVersionOne) {
  EXPECT_EQ(postgres_applied_version({.url = db_.url()}).value(), 0);
  ASSERT_TRUE(open_or_fail({.url = db_.url()}));
  EXPECT_EQ(postgres_applied_version({.url = db_.url()}).value(), postgres_schema_version);
  // Auth.js's tables and keys, by the names its adapter queries.
  EXPECT_EQ(db_.exec("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                     "('users', 'accounts', 'sessions', 'verification_token')"),
            "4");
  EXPECT_EQ(db_.exec("SELECT count(*) FROM pg_indexes WHERE indexname IN ('users_email_key', "
                     "'sessions_sessionToken_key', 'accounts_provider_providerAccountId_key')"),
            "3");
  // Opening again applies nothing.
  ASSERT_TRUE(open_or_fail({.url = db_.url()}));
  EXPECT_EQ(db_.exec("SELECT count(*) FROM authpp_schema_migrations"),
            std::to_string(postgres_schema_version));
}

TEST_F(PostgresStoreTest, ExistingAuthJsDatabaseIsTakenOverWithItsRows) {
  db_.exec(authjs_schema);
  db_.exec(R"sql(
    INSERT INTO users (name, email, "emailVerified") VALUES ('Ada', 'ada@example.com', now());
    INSERT INTO accounts ("userId", type, provider, "providerAccountId", access_token, expires_at)
      VALUES (1, 'oauth', 'github', '42', 'gho_x', 1767225600);
    INSERT INTO sessions ("userId", expires, "sessionToken")
      VALUES (1, '2030-01-01T00:00:00Z', 'tok-1');
  )sql");
  auto store = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(store);

  auto ada = store->find_by_email("ada@example.com").value();
  ASSERT_TRUE(ada);
  EXPECT_EQ(ada->id, "1");
  EXPECT_EQ(ada->name, "Ada");
  EXPECT_TRUE(ada->email_verified);
  EXPECT_FALSE(ada->disabled);
  EXPECT_EQ(ada->username, std::nullopt);
  EXPECT_EQ(store->user_by_account("github", "42").value(), ada);
  EXPECT_EQ(store->find_account("github", "42").value()->expires_at, 1767225600);
  auto s = store->session_and_user("tok-1").value();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->second, *ada);
  EXPECT_EQ(s->first.expires,
            std::chrono::sys_days{std::chrono::year{2030} / 1 / 1} + std::chrono::hours(0));

  // authpp's own state for a user Auth.js made goes into authpp's tables.
  ASSERT_TRUE(store->set_disabled("ada@example.com", true));
  EXPECT_TRUE(store->find_by_id("1").value()->disabled);
  ASSERT_TRUE(store->set_password("1", conformance::hash_a));
  EXPECT_EQ(store->password_hash("1").value(), std::string(conformance::hash_a));
  ASSERT_TRUE(store->begin_totp("1", conformance::sealed_a));
  ASSERT_TRUE(store->set_recovery_codes("1", conformance::code_hashes(0, 2)));
  EXPECT_TRUE(store->use_totp_step("1", 1, true).value());

  // The schema's own unique keys were kept, not doubled by authpp's.
  EXPECT_EQ(db_.exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'users'"), "2");
  EXPECT_EQ(db_.exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'sessions'"), "3");
}

TEST_F(PostgresStoreTest, OldAuthJsDatabaseGetsTheMissingKeys) {
  db_.exec(authjs_schema_without_constraints);
  db_.exec(R"sql(
    INSERT INTO users (email) VALUES ('ada@example.com');
    INSERT INTO sessions ("userId", expires, "sessionToken") VALUES (99, now(), 'orphan');
  )sql");
  auto store = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(store);
  // The orphan written before stays (NOT VALID); new rows are checked.
  EXPECT_EQ(db_.exec("SELECT count(*) FROM sessions"), "1");
  EXPECT_EQ(test::error_of(store->add_user({.email = "ada@example.com"}, "")),
            errc::already_exists);
  const auto ada = store->find_by_email("ada@example.com").value().value();
  ASSERT_TRUE(store->create_session({"t1", ada.id, std::chrono::system_clock::now()}));
  EXPECT_EQ(test::error_of(store->create_session({"t1", ada.id, {}})), errc::already_exists);
  EXPECT_THROW(db_.exec("INSERT INTO sessions (\"userId\", expires, \"sessionToken\") "
                        "VALUES (98, now(), 'orphan-2')"),
               std::runtime_error);
  EXPECT_THROW(db_.exec("INSERT INTO accounts (\"userId\", type, provider, \"providerAccountId\") "
                        "VALUES (98, 'oauth', 'x', 'y')"),
               std::runtime_error);
}

TEST_F(PostgresStoreTest, MigrationThatCannotApplyChangesNothingAndSaysWhy) {
  db_.exec(authjs_schema_without_constraints);
  db_.exec("INSERT INTO users (email) VALUES ('twice@example.com'), ('twice@example.com')");
  auto r = open_postgres_store({.url = db_.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::storage_failure);
  EXPECT_NE(r.error().detail.find("users_email_key"), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("twice@example.com"), std::string::npos) << r.error().detail;
  EXPECT_EQ(db_.exec("SELECT to_regclass('authpp_users') IS NULL"), "t");
  EXPECT_EQ(db_.exec("SELECT to_regclass('authpp_schema_migrations') IS NULL"), "t");
  EXPECT_EQ(postgres_applied_version({.url = db_.url()}).value(), 0);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(open_or_fail({.url = db_.url()}));
  db_.exec("INSERT INTO authpp_schema_migrations VALUES (99, now())");
  EXPECT_EQ(test::error_of(open_postgres_store({.url = db_.url()})),
            errc::unsupported_schema_version);
}

TEST_F(PostgresStoreTest, InstancesStartingTogetherMigrateOnce) {
  std::vector<std::future<bool>> starts;
  for (int i = 0; i < 4; ++i) {
    starts.push_back(std::async(std::launch::async, [this] {
      auto s = open_postgres_store({.url = db_.url()});
      if (!s) ADD_FAILURE() << s.error().message();
      return static_cast<bool>(s);
    }));
  }
  for (auto& f : starts) EXPECT_TRUE(f.get());
  EXPECT_EQ(db_.exec("SELECT count(*) FROM authpp_schema_migrations"),
            std::to_string(postgres_schema_version));
}

TEST_F(PostgresStoreTest, UnreachableServerIsUnavailableAndTheMessageHidesThePassword) {
  // Port 1 (tcpmux): nothing listens there.
  const std::string url = "postgresql://authpp:s3cret-pw@127.0.0.1:1/authpp";
  auto r = open_postgres_store({.url = url, .connect_timeout = milliseconds(2000)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::storage_unavailable);
  EXPECT_NE(r.error().detail.find("127.0.0.1:1/authpp"), std::string::npos) << r.error().detail;
  EXPECT_EQ(r.error().message().find("s3cret-pw"), std::string::npos) << r.error().message();
  EXPECT_EQ(postgres_server_name(url), "127.0.0.1:1/authpp");
}

TEST_F(PostgresStoreTest, MalformedUrlIsAConfigurationError) {
  EXPECT_EQ(test::error_of(open_postgres_store({.url = ""})), errc::invalid_config);
  EXPECT_EQ(test::error_of(open_postgres_store({.url = "postgresql://h/db?nosuchoption=1"})),
            errc::invalid_config);
  EXPECT_EQ(test::error_of(open_postgres_store({.url = db_.url(), .pool_size = 0})),
            errc::invalid_config);
}

// wait_for_blocked_statement waits until a statement of the store is seen waiting on a lock in this
// database: a condition polled, not a sleep, so it is as fast as the machine.
void wait_for_blocked_statement(const test::pg_database& db) {
  const std::string sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.name() +
                          "' AND application_name = 'authpp' AND wait_event_type = 'Lock'";
  for (int i = 0; i < 10'000 && db.exec(sql) == "0"; ++i) std::this_thread::yield();
}

// table_lock keeps an ACCESS EXCLUSIVE lock on `table` in an open transaction until released, so
// that every statement touching the table waits.
class table_lock {
 public:
  table_lock(const test::pg_database& db, const char* table)
      : c_(PQconnectdb(db.url().c_str()), &PQfinish) {
    run("BEGIN");
    run(std::string("LOCK TABLE ") + table + " IN ACCESS EXCLUSIVE MODE");
  }
  ~table_lock() { run("ROLLBACK"); }
  table_lock(const table_lock&) = delete;
  table_lock& operator=(const table_lock&) = delete;

 private:
  void run(const std::string& sql) { PQclear(PQexec(c_.get(), sql.c_str())); }
  std::unique_ptr<PGconn, decltype(&PQfinish)> c_;
};

TEST_F(PostgresStoreTest, StatementTimeoutFiresAsUnavailable) {
  auto store = open_or_fail({.url = db_.url(), .statement_timeout = milliseconds(300)});
  ASSERT_TRUE(store);
  const table_lock lock(db_, "sessions");
  auto r = store->session_and_user("anything");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::storage_unavailable);
  EXPECT_NE(r.error().detail.find("57014"), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("statement timeout"), std::string::npos) << r.error().detail;
}

// Two servers of a fleet (two stores: two pools, no lock shared in memory) race to refresh one
// account: the row lock lets one refresh, and the other callers get its tokens.
TEST_F(PostgresStoreTest, InstancesRacingToRefreshAnAccountRefreshOnce) {
  auto one = open_or_fail({.url = db_.url()});
  auto two = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(one && two);
  const long long now = 1'767'225'600;
  const auto ada = one->add_user({.email = "ada@example.com"}, "").value();
  const account_record before = conformance::expired_account(ada.id, now);
  ASSERT_TRUE(one->link_account(before));
  // The refreshing step waits until the other instance's first caller is blocked on the row lock:
  // without the lock it would be refreshing too.
  const auto race = conformance::refresh_race({one.get(), two.get()}, 8, before, now,
                                              [&] { wait_for_blocked_statement(db_); });
  conformance::expect_refreshed_once(race, before, now);
  EXPECT_EQ(two->find_account("github", "12345").value(), race.results.front().value());
}

// Two servers of a fleet (two stores, two pools) receive one TOTP code, or one recovery code, at
// once: the database alone decides, and exactly one caller gets in.
TEST_F(PostgresStoreTest, ReplayedCodesAreRefusedAcrossInstances) {
  auto one = open_or_fail({.url = db_.url()});
  auto two = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(one && two);
  const auto ada = one->add_user({.email = "ada@example.com"}, "").value();
  ASSERT_TRUE(one->begin_totp(ada.id, conformance::sealed_a));
  ASSERT_TRUE(one->set_recovery_codes(ada.id, conformance::code_hashes(0, 5)));
  std::atomic<int> next{0};
  const auto either = [&]() -> adapter& { return ++next % 2 == 0 ? *one : *two; };
  for (std::uint64_t step = 100; step < 110; ++step) {
    SCOPED_TRACE(testing::Message() << "step " << step);
    EXPECT_EQ(conformance::at_once(8, [&] { return either().use_totp_step(ada.id, step, true); }),
              (conformance::at_once_tally{.accepted = 1, .refused = 7, .failed = 0}));
  }
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(testing::Message() << "code " << i);
    const std::string code = conformance::code_hash(i);
    EXPECT_EQ(conformance::at_once(8, [&] { return either().use_recovery_code(ada.id, code); }),
              (conformance::at_once_tally{.accepted = 1, .refused = 7, .failed = 0}));
  }
}

// Two servers of a fleet (two stores, two pools) record assertions of one passkey, verified
// against the same stored counter (a cloned authenticator used at once): the database alone
// decides, and one caller wins each counter.
TEST_F(PostgresStoreTest, ClonedAuthenticatorRaceHasOneWinnerAcrossInstances) {
  auto one = open_or_fail({.url = db_.url()});
  auto two = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(one && two);
  const auto ada = one->add_user({.email = "ada@example.com"}, "").value();
  const authenticator_record key = conformance::passkey(ada.id, 1);
  ASSERT_TRUE(one->create_authenticator(key));
  std::atomic<int> next{0};
  const auto either = [&]() -> adapter& { return ++next % 2 == 0 ? *one : *two; };
  for (std::uint32_t c = key.counter; c < key.counter + 10; ++c) {
    SCOPED_TRACE(testing::Message() << "counter " << c);
    EXPECT_EQ(
        conformance::at_once(
            8, [&] { return either().use_authenticator(key.credential_id, c, c + 1, true, {}); }),
        (conformance::at_once_tally{.accepted = 1, .refused = 7, .failed = 0}));
  }
  EXPECT_EQ(two->find_authenticator(key.credential_id).value()->counter, key.counter + 10);
}

// A passkey row written by Auth.js (its columns only) reads as it is, without authpp's times, and
// is listed first; and passkeys go with their user whoever deletes it.
TEST_F(PostgresStoreTest, AuthJsAuthenticatorRowReadsAsItIsAndGoesWithItsUser) {
  auto store = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(store);
  const auto ada = store->add_user({.email = "ada@example.com"}, "").value();
  const auto ours = store->create_authenticator(conformance::passkey(ada.id, 1)).value();
  db_.exec(
      "INSERT INTO authenticators (\"credentialID\", \"userId\", \"providerAccountId\", "
      "\"credentialPublicKey\", counter, \"credentialDeviceType\", \"credentialBackedUp\", "
      "transports) VALUES ('ZZZZ', " +
      ada.id + ", 'ZZZZ', 'pQE=', 12, 'multiDevice', true, 'usb')");
  const authenticator_record authjs{.credential_id = "ZZZZ",
                                    .user_id = ada.id,
                                    .provider_account_id = "ZZZZ",
                                    .credential_public_key = "pQE=",
                                    .counter = 12,
                                    .credential_device_type = "multiDevice",
                                    .credential_backed_up = true,
                                    .transports = "usb"};
  EXPECT_EQ(store->find_authenticator("ZZZZ").value(), authjs);
  EXPECT_EQ(store->list_authenticators(ada.id).value(), (std::vector{authjs, ours}));
  db_.exec("DELETE FROM users WHERE id = " + ada.id);
  EXPECT_EQ(db_.exec("SELECT count(*) FROM authenticators"), "0");
}

// The second factor's tables are authpp's own, and go with the user whoever deletes it (Auth.js's
// adapter included, which knows nothing of them).
TEST_F(PostgresStoreTest, SecondFactorGoesWithAUserDeletedOutsideAuthpp) {
  auto store = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(store);
  const auto ada = store->add_user({.email = "ada@example.com"}, "").value();
  ASSERT_TRUE(store->begin_totp(ada.id, conformance::sealed_a));
  ASSERT_TRUE(store->set_recovery_codes(ada.id, conformance::code_hashes(0, 3)));
  EXPECT_EQ(db_.exec("SELECT count(*) FROM authpp_recovery_codes"), "3");
  db_.exec("DELETE FROM users WHERE id = " + ada.id);
  EXPECT_EQ(db_.exec("SELECT count(*) FROM authpp_totp"), "0");
  EXPECT_EQ(db_.exec("SELECT count(*) FROM authpp_recovery_codes"), "0");
}

// A caller of another instance waits for the row lock no longer than its statement timeout, and
// then fails as unavailable without running its step; the holder's refresh is unaffected.
TEST_F(PostgresStoreTest, RefreshWaitingPastTheStatementTimeoutIsUnavailable) {
  auto holder = open_or_fail({.url = db_.url()});
  auto waiter = open_or_fail({.url = db_.url(), .statement_timeout = milliseconds(300)});
  ASSERT_TRUE(holder && waiter);
  const auto ada = holder->add_user({.email = "ada@example.com"}, "").value();
  ASSERT_TRUE(holder->link_account(conformance::github_account(ada.id)));
  conformance::flag holding, release;
  auto held = std::async(std::launch::async, [&] {
    return holder->refresh_account("github", "12345", [&](const account_record& current) {
      holding.set();
      EXPECT_TRUE(release.wait());
      account_tokens t = tokens_of(current);
      t.access_token = "fresh-at";
      return result<std::optional<account_tokens>>(t);
    });
  });
  bool waiter_ran = false;
  std::optional<result<account_record>> waited;
  if (holding.wait()) {
    waited = waiter->refresh_account("github", "12345", [&](const account_record&) {
      waiter_ran = true;
      return result<std::optional<account_tokens>>(std::nullopt);
    });
  } else {
    ADD_FAILURE() << "the holder's step never ran";
  }
  release.set();
  auto r = held.get();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->access_token, "fresh-at");
  ASSERT_TRUE(waited);
  ASSERT_FALSE(*waited);
  EXPECT_EQ(waited->error().code, errc::storage_unavailable) << waited->error().message();
  EXPECT_NE(waited->error().detail.find("57014"), std::string::npos) << waited->error().detail;
  EXPECT_FALSE(waiter_ran);
  // The waiter's connection was rolled back or dropped, not left in a transaction: it works on.
  EXPECT_EQ(waiter->find_account("github", "12345").value()->access_token, "fresh-at");
  auto again = waiter->refresh_account("github", "12345", [](const account_record&) {
    return result<std::optional<account_tokens>>(std::nullopt);
  });
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->access_token, "fresh-at");
}

TEST_F(PostgresStoreTest, ExhaustedPoolQueuesThenRefusesNeverHangs) {
  auto store = open_or_fail({.url = db_.url(), .pool_size = 1, .pool_wait = milliseconds(200)});
  ASSERT_TRUE(store);
  auto ada = store->add_user({.email = "ada@example.com"}, "").value();
  {
    std::optional<table_lock> lock(std::in_place, db_, "sessions");
    // The one connection waits on the lock, so the next call finds none free.
    auto blocked = std::async(std::launch::async, [&] { return store->session_and_user("t"); });
    wait_for_blocked_statement(db_);
    auto r = store->find_by_email("ada@example.com");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::storage_unavailable);
    EXPECT_NE(r.error().detail.find("stayed busy"), std::string::npos) << r.error().detail;
    // A call that queues gets the connection once it is given back.
    auto queued = std::async(std::launch::async, [&] { return store->find_by_id(ada.id); });
    lock.reset();
    EXPECT_TRUE(blocked.get());
    auto q = queued.get();
    // Queued for up to 200 ms: it either got the connection or was refused, never hung.
    if (q) {
      EXPECT_EQ(q.value(), ada);
    } else {
      EXPECT_EQ(q.error().code, errc::storage_unavailable);
    }
  }
  EXPECT_EQ(store->find_by_id(ada.id).value(), ada);
}

TEST_F(PostgresStoreTest, ConnectionsKilledByTheServerAreReplaced) {
  auto store = open_or_fail({.url = db_.url(), .pool_size = 4});
  ASSERT_TRUE(store);
  auto ada = store->add_user({.email = "ada@example.com"}, "").value();
  // Warm several connections, then have the server end them all (as a restart or a failover
  // does): every later call, reads and writes, must work on fresh ones.
  std::vector<std::thread> warm;
  for (int i = 0; i < 4; ++i) warm.emplace_back([&] { (void)store->find_by_id(ada.id); });
  for (auto& t : warm) t.join();
  const std::string ours =
      "FROM pg_stat_activity WHERE datname = '" + db_.name() + "' AND application_name = 'authpp'";
  EXPECT_NE(db_.exec("SELECT count(pg_terminate_backend(pid)) " + ours), "0");
  // Termination is asynchronous: wait until the server has ended them (a condition, no sleep).
  for (int i = 0; i < 100'000 && db_.exec("SELECT count(*) " + ours) != "0"; ++i) {
    std::this_thread::yield();
  }
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(store->find_by_id(ada.id).value(), ada);
    ASSERT_TRUE(store->create_session({"s" + std::to_string(i), ada.id, ada.created_at}));
  }
}

TEST_F(PostgresStoreTest, HealthCheckReplacesAKilledConnection) {
  auto store = open_or_fail({.url = db_.url()});
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->check_health());
  const std::string ours =
      "FROM pg_stat_activity WHERE datname = '" + db_.name() + "' AND application_name = 'authpp'";
  db_.exec("SELECT count(pg_terminate_backend(pid)) " + ours);
  for (int i = 0; i < 100'000 && db_.exec("SELECT count(*) " + ours) != "0"; ++i) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(store->check_health()) << "a killed connection is replaced, not reported";
}

// A server that goes away and comes back, on a cluster of this test's own (the shared one must
// stay up for the others).
TEST(PostgresRestartTest, ServerGoneIsUnavailableThenRecoversByItself) {
  const test::temp_dir state;
  const auto cluster = [&](const char* action) {
    const std::string command = std::string(AUTHPP_PG_CLUSTER_SCRIPT) + " " + action + " " +
                                state.path().string() + " >/dev/null";
    return std::system(command.c_str());
  };
  ASSERT_EQ(cluster("start"), 0);
  std::string url;
  std::ifstream(state.path() / "url") >> url;
  auto store = open_or_fail({.url = url, .connect_timeout = milliseconds(2000)});
  ASSERT_TRUE(store);
  auto ada = store->add_user({.email = "ada@example.com"}, "").value();

  // A fast shutdown: the server tells its clients and closes their connections.
  ASSERT_EQ(cluster("stop-server"), 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(test::error_of(store->find_by_id(ada.id)), errc::storage_unavailable);
    EXPECT_EQ(test::error_of(store->add_user({.email = "bob@example.com"}, "")),
              errc::storage_unavailable);
    EXPECT_EQ(test::error_of(store->check_health()), errc::storage_unavailable);
  }
  ASSERT_EQ(cluster("start-server"), 0);
  EXPECT_TRUE(store->check_health());
  EXPECT_EQ(store->find_by_id(ada.id).value(), ada);
  EXPECT_TRUE(store->add_user({.email = "bob@example.com"}, ""));
  EXPECT_EQ(store->list_users().value().size(), 2u) << "nothing half-written while it was down";
  EXPECT_EQ(cluster("stop"), 0);
}

}  // namespace
}  // namespace authpp::adapters
