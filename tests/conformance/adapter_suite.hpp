#pragma once

#include <authpp/adapters/adapter.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

// The conformance suite of the adapter model's accounts, sessions and verification tokens
// (Auth.js's runBasicTests, plus the races a fleet of servers makes real): one definition,
// instantiated per backend (tests/unit/adapters/store_conformance_test.cpp). A factory is a
// default-constructible type with
//   std::unique_ptr<adapter> make(const authpp::clock& clock);
// that owns whatever the backend needs and outlives the adapter it makes. Users are covered by
// user_store_suite.hpp, which every adapter passes too.
namespace authpp::adapters::conformance {

template <class Factory>
class AdapterConformance : public ::testing::Test {
 protected:
  using time_point = std::chrono::system_clock::time_point;
  test::fixed_clock clock_{std::chrono::sys_days{std::chrono::year{2025} / 3 / 14} +
                           std::chrono::milliseconds{45'296'789}};
  Factory factory_;
  std::unique_ptr<adapter> store_ = factory_.make(clock_);

  user_record add(std::string email) {
    auto r = store_->add_user({.email = std::move(email)}, "");
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : user_record{};
  }
  session_record session(std::string token, const user_record& u,
                         std::chrono::hours lifetime = std::chrono::hours(24 * 30)) {
    auto r = store_->create_session({std::move(token), u.id, clock_.now() + lifetime});
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : session_record{};
  }
};

TYPED_TEST_SUITE_P(AdapterConformance);

// An account as an OIDC provider's token response fills it.
inline account_record github_account(std::string user_id, std::string id = "12345") {
  return {.user_id = std::move(user_id),
          .type = "oauth",
          .provider = "github",
          .provider_account_id = std::move(id),
          .access_token = "gho_access",
          .token_type = "bearer",
          .id_token = std::nullopt,
          .refresh_token = "ghr_refresh",
          .scope = "read:user,user:email",
          .session_state = std::nullopt,
          .expires_at = 1'767'225'600};
}

// race runs `attempt(i)` on `threads` threads at once and counts the outcomes: attempt returns
// the error code of its result, or nullopt when it succeeded.
struct race_tally {
  int won = 0, refused = 0, other = 0;  // refused: errc::already_exists
  friend bool operator==(const race_tally&, const race_tally&) = default;
};
template <class T>
std::optional<errc> failure_code(const result<T>& r) {
  return r ? std::nullopt : std::optional(r.error().code);
}
template <class Attempt>
race_tally race(int threads, Attempt attempt) {
  std::atomic<int> won{0}, refused{0}, other{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      const std::optional<errc> e = attempt(i);
      ++(!e ? won : *e == errc::already_exists ? refused : other);
    });
  }
  for (auto& th : pool) th.join();
  return {won.load(), refused.load(), other.load()};
}

// flag is a one-shot signal between threads whose wait is bounded: a test that would otherwise
// hang fails instead.
class flag {
 public:
  void set() {
    {
      std::lock_guard lock(mutex_);
      set_ = true;
    }
    changed_.notify_all();
  }
  [[nodiscard]] bool wait(std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool set_ = false;
};

// An account whose access token expired a minute before `now` (seconds since the epoch).
inline account_record expired_account(std::string user_id, long long now) {
  account_record a = github_account(std::move(user_id));
  a.access_token = "stale-at";
  a.refresh_token = "rt-1";
  a.expires_at = now - 60;
  return a;
}

// refresh_race has `threads` callers refresh one expired account at once, caller i through
// stores[i % size] (several stores on one database are several servers), each with the step an
// engine would give: refresh when the row it sees is expired (counting it), else keep the row.
// The refreshing step holds on until every caller has made its call, so that all of them are
// there to race while it runs, and then calls `while_refreshing` (a backend's test may wait there
// until it sees the others blocked on the lock).
struct refresh_race_outcome {
  int refreshes = 0;
  std::vector<result<account_record>> results;
};
inline refresh_race_outcome refresh_race(const std::vector<account_store*>& stores, int threads,
                                         const account_record& account, long long now,
                                         const std::function<void()>& while_refreshing = {}) {
  std::atomic<int> refreshes{0}, calling{0};
  flag all_calling;
  std::latch start(threads);
  std::vector<result<account_record>> results(static_cast<std::size_t>(threads));
  const refresh_step step =
      [&](const account_record& current) -> result<std::optional<account_tokens>> {
    if (current.expires_at && *current.expires_at > now) return std::optional<account_tokens>();
    EXPECT_TRUE(all_calling.wait()) << "the other callers never called";
    if (while_refreshing) while_refreshing();
    ++refreshes;
    account_tokens t = tokens_of(current);
    t.access_token = "fresh-at";
    t.refresh_token = "rt-2";  // rotated: rt-1 is spent
    t.expires_at = now + 3600;
    return std::optional(t);
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      start.arrive_and_wait();
      if (++calling == threads) all_calling.set();
      results[static_cast<std::size_t>(i)] =
          stores[static_cast<std::size_t>(i) % stores.size()]->refresh_account(
              account.provider, account.provider_account_id, step);
    });
  }
  for (auto& th : pool) th.join();
  return {refreshes.load(), std::move(results)};
}

// expect_refreshed_once checks a refresh_race: one refresh, and every caller got its tokens.
inline void expect_refreshed_once(const refresh_race_outcome& race, const account_record& before,
                                  long long now) {
  EXPECT_EQ(race.refreshes, 1);
  account_record after = before;
  after.access_token = "fresh-at";
  after.refresh_token = "rt-2";
  after.expires_at = now + 3600;
  for (const auto& r : race.results) {
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(*r, after);
  }
}

TYPED_TEST_P(AdapterConformance, LinkedAccountIsFoundWithItsUserAndTokens) {
  const user_record ada = this->add("ada@example.com");
  account_record oidc{.user_id = ada.id,
                      .type = "oidc",
                      .provider = "corp",
                      .provider_account_id = "sub-1",
                      .access_token = "at",
                      .token_type = "Bearer",
                      .id_token = "eyJ.id.token",
                      .refresh_token = std::nullopt,
                      .scope = "openid email",
                      .session_state = "state-1",
                      .expires_at = std::nullopt};
  for (const account_record& a : {github_account(ada.id), oidc}) {
    SCOPED_TRACE(a.provider);
    auto linked = this->store_->link_account(a);
    ASSERT_TRUE(linked) << linked.error().message();
    EXPECT_EQ(*linked, a);
    EXPECT_EQ(this->store_->find_account(a.provider, a.provider_account_id).value(),
              std::optional(a));
    EXPECT_EQ(this->store_->user_by_account(a.provider, a.provider_account_id).value(),
              std::optional(ada));
  }
}

// One identity at a provider signs in as one user: linking it to a second user would let
// whoever controls it sign in as either.
TYPED_TEST_P(AdapterConformance, OneProviderAccountLinksToOneUser) {
  const user_record ada = this->add("ada@example.com");
  const user_record bob = this->add("bob@example.com");
  ASSERT_TRUE(this->store_->link_account(github_account(ada.id)));
  EXPECT_EQ(test::error_of(this->store_->link_account(github_account(bob.id))),
            errc::already_exists);
  EXPECT_EQ(this->store_->user_by_account("github", "12345").value(), std::optional(ada));
  // The same id at another provider is another identity.
  account_record gitlab = github_account(bob.id);
  gitlab.provider = "gitlab";
  EXPECT_TRUE(this->store_->link_account(gitlab));
  EXPECT_EQ(this->store_->user_by_account("gitlab", "12345").value(), std::optional(bob));
}

TYPED_TEST_P(AdapterConformance, BadAccountsAreRefused) {
  const user_record ada = this->add("ada@example.com");
  EXPECT_EQ(test::error_of(
                this->store_->link_account(github_account("00000000-0000-4000-8000-000000000000"))),
            errc::not_found);
  for (std::string account_record::*member :
       {&account_record::user_id, &account_record::type, &account_record::provider,
        &account_record::provider_account_id}) {
    account_record a = github_account(ada.id);
    a.*member = "";
    EXPECT_EQ(test::error_of(this->store_->link_account(a)), errc::malformed_input);
  }
  EXPECT_TRUE(this->store_->accounts_of(ada.id).value().empty());
}

TYPED_TEST_P(AdapterConformance, AccountsOfListsAUsersLinksInOrder) {
  const user_record ada = this->add("ada@example.com");
  const user_record bob = this->add("bob@example.com");
  account_record b = github_account(ada.id, "2"), a = github_account(ada.id, "1");
  account_record g = github_account(ada.id, "9");
  g.provider = "discord";
  for (const auto& acct : {b, a, g, github_account(bob.id, "3")}) {
    ASSERT_TRUE(this->store_->link_account(acct));
  }
  EXPECT_EQ(this->store_->accounts_of(ada.id).value(), (std::vector<account_record>{g, a, b}));
  EXPECT_TRUE(this->store_->accounts_of("nobody").value().empty());
}

TYPED_TEST_P(AdapterConformance, UnlinkRemovesOnlyThatLink) {
  const user_record ada = this->add("ada@example.com");
  ASSERT_TRUE(this->store_->link_account(github_account(ada.id, "1")));
  ASSERT_TRUE(this->store_->link_account(github_account(ada.id, "2")));
  EXPECT_TRUE(this->store_->unlink_account("github", "1").value());
  EXPECT_FALSE(this->store_->unlink_account("github", "1").value());
  EXPECT_EQ(this->store_->user_by_account("github", "1").value(), std::nullopt);
  EXPECT_EQ(this->store_->find_account("github", "1").value(), std::nullopt);
  EXPECT_EQ(this->store_->user_by_account("github", "2").value(), std::optional(ada));
  EXPECT_EQ(this->store_->find_by_id(ada.id).value(), std::optional(ada));
}

// Two first sign-ins with one provider identity at once (two tabs, two servers), each having
// created a user: one link wins, the other learns it lost.
TYPED_TEST_P(AdapterConformance, ConcurrentLinksOfOneProviderAccountHaveOneWinner) {
  constexpr int threads = 8;
  std::vector<user_record> users;
  for (int i = 0; i < threads; ++i)
    users.push_back(this->add("u" + std::to_string(i) + "@example.com"));
  std::atomic<int> linked{0}, refused{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      auto r = this->store_->link_account(github_account(users[static_cast<std::size_t>(i)].id));
      if (r)
        ++linked;
      else if (r.error().code == errc::already_exists)
        ++refused;
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(linked, 1);
  EXPECT_EQ(refused, threads - 1);
}

// A sign-up through a provider: the user and the link are stored together, or neither is.
TYPED_TEST_P(AdapterConformance, UserWithAccountIsStoredWhole) {
  auto& s = *this->store_;
  auto made = s.add_user_with_account({.email = "Ada@Example.com", .name = "Ada"},
                                      github_account("ignored"));
  ASSERT_TRUE(made) << made.error().message();
  const auto& [user, account] = *made;
  EXPECT_EQ(user.email, "ada@example.com");
  EXPECT_EQ(user.name, "Ada");
  EXPECT_EQ(account.user_id, user.id);
  EXPECT_EQ(s.find_by_email("ada@example.com").value(), user);
  EXPECT_EQ(s.user_by_account("github", "12345").value(), user);
  EXPECT_EQ(s.find_account("github", "12345").value(), account);
  EXPECT_EQ(s.password_hash(user.id).value(), std::nullopt);
}

// A provider that vouches for the address (as e-mail sign-in does) creates its user verified.
TYPED_TEST_P(AdapterConformance, UserWithAccountKeepsEmailVerified) {
  auto& s = *this->store_;
  const auto verified = this->clock_.now() - std::chrono::hours(1);
  auto made = s.add_user_with_account(
      {.email = "ada@example.com", .email_verified = verified + std::chrono::microseconds(7'500)},
      github_account(""));
  ASSERT_TRUE(made) << made.error().message();
  const user_record& user = made->first;
  EXPECT_EQ(user.email_verified, verified + std::chrono::milliseconds(7));
  EXPECT_EQ(s.find_by_id(user.id).value(), std::optional(user));
  EXPECT_EQ(s.find_by_email("ada@example.com").value(), std::optional(user));
  EXPECT_EQ(s.user_by_account("github", "12345").value(), std::optional(user));
}

TYPED_TEST_P(AdapterConformance, RefusedUserWithAccountLeavesNothingBehind) {
  auto& s = *this->store_;
  const user_record bob = this->add("bob@example.com");
  ASSERT_TRUE(s.link_account(github_account(bob.id, "taken")));
  // The provider account is linked already: no user is left without a link.
  EXPECT_EQ(test::error_of(
                s.add_user_with_account({.email = "new@example.com"}, github_account("", "taken"))),
            errc::already_exists);
  EXPECT_EQ(s.find_by_email("new@example.com").value(), std::nullopt);
  // The e-mail is taken: no account is linked to anyone.
  EXPECT_EQ(test::error_of(
                s.add_user_with_account({.email = "bob@example.com"}, github_account("", "fresh"))),
            errc::already_exists);
  EXPECT_EQ(s.find_account("github", "fresh").value(), std::nullopt);
  // A malformed account: nothing at all.
  account_record bad = github_account("");
  bad.provider = "";
  EXPECT_EQ(test::error_of(s.add_user_with_account({.email = "bad@example.com"}, bad)),
            errc::malformed_input);
  EXPECT_EQ(s.find_by_email("bad@example.com").value(), std::nullopt);
  EXPECT_EQ(s.list_users().value().size(), 1u);
}

TYPED_TEST_P(AdapterConformance, ConcurrentSignUpsOfOneProviderAccountMakeOneUser) {
  // Different e-mails (a provider's profile can change between two sign-ins), one account.
  const auto tally = race(8, [this](int i) {
    return failure_code(this->store_->add_user_with_account(
        {.email = "ada" + std::to_string(i) + "@example.com"}, github_account("")));
  });
  EXPECT_EQ(tally, (race_tally{.won = 1, .refused = 7, .other = 0}));
  EXPECT_EQ(this->store_->list_users().value().size(), 1u);
}

// Auth.js's deleteUser: the user goes with everything that names them, and nothing else does.
TYPED_TEST_P(AdapterConformance, DeleteUserTakesItsAccountsAndSessionsAlong) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  const user_record bob = this->add("bob@example.com");
  ASSERT_TRUE(s.set_password(ada.id, "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"));
  ASSERT_TRUE(s.link_account(github_account(ada.id)));
  ASSERT_TRUE(s.link_account(github_account(bob.id, "bob-1")));
  this->session("ada-session", ada);
  this->session("bob-session", bob);

  EXPECT_TRUE(s.delete_user(ada.id).value());
  EXPECT_EQ(s.find_by_id(ada.id).value(), std::nullopt);
  EXPECT_EQ(s.find_by_email("ada@example.com").value(), std::nullopt);
  EXPECT_EQ(s.password_hash(ada.id).value(), std::nullopt);
  EXPECT_EQ(s.find_account("github", "12345").value(), std::nullopt);
  EXPECT_EQ(s.session_and_user("ada-session").value(), std::nullopt);
  EXPECT_FALSE(s.delete_user(ada.id).value()) << "once";
  EXPECT_FALSE(s.delete_user("").value());
  // bob is untouched, and ada's e-mail is free again.
  EXPECT_EQ(s.find_by_id(bob.id).value(), bob);
  EXPECT_TRUE(s.find_account("github", "bob-1").value());
  EXPECT_TRUE(s.session_and_user("bob-session").value());
  EXPECT_TRUE(s.add_user({.email = "ada@example.com"}, ""));
}

TYPED_TEST_P(AdapterConformance, SessionIsReadBackWithItsUser) {
  const user_record ada = this->add("ada@example.com");
  const session_record s = this->session("token-1", ada);
  EXPECT_EQ(s.session_token, "token-1");
  EXPECT_EQ(s.user_id, ada.id);
  EXPECT_EQ(s.expires, this->clock_.now() + std::chrono::hours(24 * 30));
  auto found = this->store_->session_and_user("token-1");
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->first, s);
  EXPECT_EQ((*found)->second, ada);
}

TYPED_TEST_P(AdapterConformance, UnknownSessionTokensFindNothing) {
  const user_record ada = this->add("ada@example.com");
  this->session("token-1", ada);
  for (const std::string_view token : {"", "token-2", "TOKEN-1", "token-1 "}) {
    SCOPED_TRACE(token);
    EXPECT_EQ(this->store_->session_and_user(token).value(), std::nullopt);
    EXPECT_EQ(this->store_->update_session_expiry(token, this->clock_.now()).value(), std::nullopt);
    EXPECT_EQ(this->store_->delete_session(token).value(), std::nullopt);
  }
  EXPECT_TRUE(this->store_->session_and_user("token-1").value());
}

TYPED_TEST_P(AdapterConformance, BadSessionsAreRefused) {
  const user_record ada = this->add("ada@example.com");
  const auto expires = this->clock_.now();
  EXPECT_EQ(test::error_of(this->store_->create_session({"", ada.id, expires})),
            errc::malformed_input);
  EXPECT_EQ(test::error_of(this->store_->create_session({"t", "", expires})),
            errc::malformed_input);
  // A session naming no user would sign in nobody, or whoever gets that id next.
  EXPECT_EQ(test::error_of(this->store_->create_session(
                {"t", "00000000-0000-4000-8000-000000000000", expires})),
            errc::not_found);
  this->session("t", ada);
  const user_record bob = this->add("bob@example.com");
  // A token names one session: a second one under it would hand Ada's cookie to Bob.
  EXPECT_EQ(test::error_of(this->store_->create_session({"t", bob.id, expires})),
            errc::already_exists);
  EXPECT_EQ(this->store_->session_and_user("t").value()->second, ada);
}

TYPED_TEST_P(AdapterConformance, UpdateMovesOnlyTheExpiryToTheMillisecond) {
  const user_record ada = this->add("ada@example.com");
  const session_record s = this->session("token-1", ada);
  const auto later =
      this->clock_.now() + std::chrono::hours(24 * 60) + std::chrono::microseconds(1500);
  auto updated = this->store_->update_session_expiry("token-1", later);
  ASSERT_TRUE(updated) << updated.error().message();
  ASSERT_TRUE(updated->has_value());
  const auto to_ms =
      this->clock_.now() + std::chrono::hours(24 * 60) + std::chrono::milliseconds(1);
  EXPECT_EQ((*updated)->expires, to_ms);  // as JavaScript's Date keeps it
  EXPECT_EQ((*updated)->session_token, s.session_token);
  EXPECT_EQ((*updated)->user_id, s.user_id);
  EXPECT_EQ(this->store_->session_and_user("token-1").value()->first, **updated);
}

TYPED_TEST_P(AdapterConformance, DeleteReturnsTheSessionOnce) {
  const user_record ada = this->add("ada@example.com");
  const session_record s = this->session("token-1", ada);
  EXPECT_EQ(this->store_->delete_session("token-1").value(), std::optional(s));
  EXPECT_EQ(this->store_->delete_session("token-1").value(), std::nullopt);
  EXPECT_EQ(this->store_->session_and_user("token-1").value(), std::nullopt);
}

// Revocation: a disabled user, a changed password or `authpp session revoke` ends every session
// of that user, and nobody else's.
TYPED_TEST_P(AdapterConformance, DeleteUserSessionsEndsThatUsersSessionsOnly) {
  const user_record ada = this->add("ada@example.com");
  const user_record bob = this->add("bob@example.com");
  for (const char* t : {"ada-1", "ada-2", "ada-3"}) this->session(t, ada);
  this->session("bob-1", bob);
  EXPECT_EQ(this->store_->delete_user_sessions(ada.id).value(), 3u);
  EXPECT_EQ(this->store_->delete_user_sessions(ada.id).value(), 0u);
  for (const char* t : {"ada-1", "ada-2", "ada-3"}) {
    EXPECT_EQ(this->store_->session_and_user(t).value(), std::nullopt);
  }
  EXPECT_EQ(this->store_->session_and_user("bob-1").value()->second, bob);
}

// Sessions nobody reads again, and links nobody follows, are deleted once they have expired
// (the expiry itself included), and nothing else is.
TYPED_TEST_P(AdapterConformance, ExpiredSessionsAreDeletedAndNoOthers) {
  const user_record ada = this->add("ada@example.com");
  this->session("expired", ada, std::chrono::hours(1));
  this->session("live", ada, std::chrono::hours(3));
  this->clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(this->store_->delete_expired_sessions(this->clock_.now()).value(), 1u);
  EXPECT_EQ(this->store_->session_and_user("expired").value(), std::nullopt);
  EXPECT_TRUE(this->store_->session_and_user("live").value());
  EXPECT_EQ(this->store_->delete_expired_sessions(this->clock_.now()).value(), 0u);
}

TYPED_TEST_P(AdapterConformance, ExpiredVerificationTokensAreDeletedAndNoOthers) {
  const auto now = this->clock_.now();
  ASSERT_TRUE(this->store_->create_verification_token({"a@example.com", "old", now}));
  ASSERT_TRUE(this->store_->create_verification_token(
      {"a@example.com", "older", now - std::chrono::hours(48)}));
  ASSERT_TRUE(this->store_->create_verification_token(
      {"a@example.com", "fresh", now + std::chrono::milliseconds(1)}));
  EXPECT_EQ(this->store_->delete_expired_verification_tokens(now).value(), 2u);
  EXPECT_EQ(this->store_->use_verification_token("a@example.com", "old").value(), std::nullopt);
  EXPECT_TRUE(this->store_->use_verification_token("a@example.com", "fresh").value());
}

// A replayed magic link: the token works once.
TYPED_TEST_P(AdapterConformance, VerificationTokenWorksOnce) {
  const verification_token vt{"ada@example.com", "hashed-token",
                              this->clock_.now() + std::chrono::hours(24)};
  ASSERT_TRUE(this->store_->create_verification_token(vt));
  EXPECT_EQ(this->store_->use_verification_token("ada@example.com", "hashed-token").value(),
            std::optional(vt));
  EXPECT_EQ(this->store_->use_verification_token("ada@example.com", "hashed-token").value(),
            std::nullopt);
}

// A link sent to Ada, presented for Mallory's address, signs nobody in and is not used up.
TYPED_TEST_P(AdapterConformance, VerificationTokenOfAnotherIdentifierIsNotUsed) {
  const verification_token vt{"ada@example.com", "hashed-token",
                              this->clock_.now() + std::chrono::hours(24)};
  ASSERT_TRUE(this->store_->create_verification_token(vt));
  EXPECT_EQ(this->store_->use_verification_token("mallory@example.com", "hashed-token").value(),
            std::nullopt);
  EXPECT_EQ(this->store_->use_verification_token("ada@example.com", "other-token").value(),
            std::nullopt);
  EXPECT_EQ(this->store_->use_verification_token("ada@example.com", "hashed-token").value(),
            std::optional(vt));
}

TYPED_TEST_P(AdapterConformance, ExpiredVerificationTokenIsReturnedForTheCallerToJudge) {
  const verification_token vt{"ada@example.com", "hashed-token",
                              this->clock_.now() - std::chrono::seconds(1)};
  ASSERT_TRUE(this->store_->create_verification_token(vt));
  EXPECT_EQ(this->store_->use_verification_token("ada@example.com", "hashed-token").value(),
            std::optional(vt));
  EXPECT_EQ(this->store_->use_verification_token("ada@example.com", "hashed-token").value(),
            std::nullopt);
}

TYPED_TEST_P(AdapterConformance, BadVerificationTokensAreRefused) {
  const auto expires = this->clock_.now() + std::chrono::hours(24);
  EXPECT_EQ(test::error_of(this->store_->create_verification_token({"", "t", expires})),
            errc::malformed_input);
  EXPECT_EQ(test::error_of(this->store_->create_verification_token({"a@example.com", "", expires})),
            errc::malformed_input);
  ASSERT_TRUE(this->store_->create_verification_token({"a@example.com", "t", expires}));
  EXPECT_EQ(
      test::error_of(this->store_->create_verification_token({"a@example.com", "t", expires})),
      errc::already_exists);
  // The same token for another address is another row.
  EXPECT_TRUE(this->store_->create_verification_token({"b@example.com", "t", expires}));
}

// Two clicks on one link (a double click, a mail scanner racing the user, two servers of a
// fleet): exactly one use succeeds.
TYPED_TEST_P(AdapterConformance, ConcurrentUsesOfOneTokenHaveOneWinner) {
  constexpr int tokens = 40, threads = 8;
  const auto expires = this->clock_.now() + std::chrono::hours(24);
  for (int t = 0; t < tokens; ++t) {
    ASSERT_TRUE(this->store_->create_verification_token(
        {"ada@example.com", "token-" + std::to_string(t), expires}));
  }
  std::vector<std::atomic<int>> winners(tokens);
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      for (int t = 0; t < tokens; ++t) {
        auto used =
            this->store_->use_verification_token("ada@example.com", "token-" + std::to_string(t));
        if (!used)
          ++failures;
        else if (used->has_value())
          ++winners[t];
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(failures, 0);
  for (int t = 0; t < tokens; ++t) EXPECT_EQ(winners[t], 1) << "token-" << t;
}

// Two first sign-ins with one address at once (two tabs, two servers): one user results, and
// the loser learns it lost (already_exists) rather than creating a twin.
TYPED_TEST_P(AdapterConformance, ConcurrentSignUpsOfOneEmailMakeOneUser) {
  const auto tally = race(8, [this](int) {
    return failure_code(this->store_->add_user({.email = "New@Example.com"}, ""));
  });
  EXPECT_EQ(tally, (race_tally{.won = 1, .refused = 7, .other = 0}));
  EXPECT_EQ(this->store_->list_users().value().size(), 1u);
}

// refresh_account: the step sees the stored row, and its tokens, all of them, replace the row's
// (a missing one is stored as NULL); nothing else changes, and no other account.
TYPED_TEST_P(AdapterConformance, RefreshStoresTheStepsTokensOnly) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  const account_record before = github_account(ada.id), other = github_account(ada.id, "other");
  ASSERT_TRUE(s.link_account(before));
  ASSERT_TRUE(s.link_account(other));
  const account_tokens fresh{.access_token = "at-2",
                             .token_type = "Bearer",
                             .id_token = "eyJ.id.2",
                             .refresh_token = std::nullopt,
                             .scope = "read:user",
                             .expires_at = 1'767'229'200};
  std::optional<account_record> seen;
  auto r = s.refresh_account("github", "12345", [&](const account_record& current) {
    seen = current;
    return result<std::optional<account_tokens>>(fresh);
  });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(seen, before);
  account_record after = before;
  after.access_token = "at-2";
  after.token_type = "Bearer";
  after.id_token = "eyJ.id.2";
  after.refresh_token = std::nullopt;
  after.scope = "read:user";
  after.expires_at = 1'767'229'200;
  EXPECT_EQ(*r, after);
  EXPECT_EQ(s.find_account("github", "12345").value(), std::optional(after));
  EXPECT_EQ(tokens_of(after), fresh);
  EXPECT_EQ(s.find_account("github", "other").value(), std::optional(other));
  EXPECT_EQ(s.user_by_account("github", "12345").value(), std::optional(ada));
}

TYPED_TEST_P(AdapterConformance, RefreshStepReturningNothingLeavesTheRow) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  const account_record before = github_account(ada.id);
  ASSERT_TRUE(s.link_account(before));
  int calls = 0;
  auto r = s.refresh_account("github", "12345", [&](const account_record&) {
    ++calls;
    return result<std::optional<account_tokens>>(std::nullopt);
  });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*r, before);
  EXPECT_EQ(s.find_account("github", "12345").value(), std::optional(before));
}

// A failed token request (the provider refused the refresh token, or could not be reached)
// reaches the caller as it was, and the row keeps its tokens.
TYPED_TEST_P(AdapterConformance, FailedRefreshStepWritesNothing) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  const account_record before = github_account(ada.id);
  ASSERT_TRUE(s.link_account(before));
  auto r = s.refresh_account("github", "12345", [](const account_record&) {
    return result<std::optional<account_tokens>>(
        auth_error{errc::http_status, "token endpoint answered 400 invalid_grant"});
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::http_status);
  EXPECT_EQ(r.error().detail, "token endpoint answered 400 invalid_grant");
  EXPECT_EQ(s.find_account("github", "12345").value(), std::optional(before));
  // The account's lock was let go: the next refresh runs.
  EXPECT_TRUE(s.refresh_account("github", "12345", [](const account_record&) {
    return result<std::optional<account_tokens>>(std::nullopt);
  }));
}

TYPED_TEST_P(AdapterConformance, RefreshOfAnUnknownAccountIsNotFound) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  ASSERT_TRUE(s.link_account(github_account(ada.id)));
  bool ran = false;
  const refresh_step step = [&](const account_record&) {
    ran = true;
    return result<std::optional<account_tokens>>(std::nullopt);
  };
  EXPECT_EQ(test::error_of(s.refresh_account("github", "54321", step)), errc::not_found);
  EXPECT_EQ(test::error_of(s.refresh_account("gitlab", "12345", step)), errc::not_found);
  EXPECT_EQ(test::error_of(s.refresh_account("", "", step)), errc::not_found);
  EXPECT_FALSE(ran);
}

// The race of issue 11: many requests find the access token expired at once. One refresh runs
// (a second use of the rotated refresh token would revoke them all), and every caller gets the
// new tokens.
TYPED_TEST_P(AdapterConformance, ConcurrentRefreshesOfOneAccountRefreshOnce) {
  const long long now =
      std::chrono::duration_cast<std::chrono::seconds>(this->clock_.now().time_since_epoch())
          .count();
  const user_record ada = this->add("ada@example.com");
  const account_record before = expired_account(ada.id, now);
  ASSERT_TRUE(this->store_->link_account(before));
  const auto race = refresh_race({this->store_.get()}, 8, before, now);
  expect_refreshed_once(race, before, now);
  EXPECT_EQ(this->store_->find_account("github", "12345").value(), race.results.front().value());
}

// One account's slow token endpoint holds up no other account: A's step waits until B's has run,
// which it could not if B waited for A.
TYPED_TEST_P(AdapterConformance, RefreshesOfDifferentAccountsDoNotWaitForEachOther) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  ASSERT_TRUE(s.link_account(github_account(ada.id, "a")));
  ASSERT_TRUE(s.link_account(github_account(ada.id, "b")));
  flag a_running, b_ran;
  bool a_saw_b = false;
  std::thread a([&] {
    auto r = s.refresh_account("github", "a", [&](const account_record&) {
      a_running.set();
      a_saw_b = b_ran.wait();
      return result<std::optional<account_tokens>>(std::nullopt);
    });
    EXPECT_TRUE(r) << r.error().message();
  });
  EXPECT_TRUE(a_running.wait());  // on, even if not: a must be joined
  auto r = s.refresh_account("github", "b", [&](const account_record&) {
    b_ran.set();
    return result<std::optional<account_tokens>>(std::nullopt);
  });
  a.join();
  EXPECT_TRUE(r) << r.error().message();
  EXPECT_TRUE(a_saw_b) << "B's refresh waited for A's";
}

REGISTER_TYPED_TEST_SUITE_P(
    AdapterConformance, LinkedAccountIsFoundWithItsUserAndTokens, UserWithAccountIsStoredWhole,
    UserWithAccountKeepsEmailVerified, RefusedUserWithAccountLeavesNothingBehind,
    ConcurrentSignUpsOfOneProviderAccountMakeOneUser, DeleteUserTakesItsAccountsAndSessionsAlong,
    OneProviderAccountLinksToOneUser, BadAccountsAreRefused, AccountsOfListsAUsersLinksInOrder,
    UnlinkRemovesOnlyThatLink, ConcurrentLinksOfOneProviderAccountHaveOneWinner,
    SessionIsReadBackWithItsUser, UnknownSessionTokensFindNothing, BadSessionsAreRefused,
    UpdateMovesOnlyTheExpiryToTheMillisecond, DeleteReturnsTheSessionOnce,
    DeleteUserSessionsEndsThatUsersSessionsOnly, ExpiredSessionsAreDeletedAndNoOthers,
    ExpiredVerificationTokensAreDeletedAndNoOthers, VerificationTokenWorksOnce,
    VerificationTokenOfAnotherIdentifierIsNotUsed,
    ExpiredVerificationTokenIsReturnedForTheCallerToJudge, BadVerificationTokensAreRefused,
    ConcurrentUsesOfOneTokenHaveOneWinner, ConcurrentSignUpsOfOneEmailMakeOneUser,
    RefreshStoresTheStepsTokensOnly, RefreshStepReturningNothingLeavesTheRow,
    FailedRefreshStepWritesNothing, RefreshOfAnUnknownAccountIsNotFound,
    ConcurrentRefreshesOfOneAccountRefreshOnce, RefreshesOfDifferentAccountsDoNotWaitForEachOther);

}  // namespace authpp::adapters::conformance
