#pragma once

#include <authpp/adapters/user_store.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

// The conformance suite every user_store backend must pass: one definition, instantiated per
// backend (tests/unit/adapters/store_conformance_test.cpp) with
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, UserStoreConformance, sqlite_factory);
//
// A factory is a default-constructible type with
//   std::unique_ptr<user_store> make(const authpp::clock& clock);
// that owns whatever the store needs (a temporary directory, a database) and outlives the store
// it makes. A factory whose store numbers its users, as Auth.js's PostgreSQL schema does, instead
// of drawing UUIDs says so with `static constexpr bool serial_ids = true;`.
namespace authpp::adapters::conformance {

template <class Factory>
constexpr bool serial_ids = requires {
  requires Factory::serial_ids;
};

// A syntactically valid encoded hash. Stores never verify hashes, they only keep them.
inline constexpr std::string_view hash_a = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
inline constexpr std::string_view hash_b = "$argon2id$v=19$m=8,t=1,p=1$b3RoZXJzYWx0$b3RoZXJoYXNo";

template <class Factory>
class UserStoreConformance : public ::testing::Test {
 protected:
  test::fixed_clock clock_{std::chrono::sys_days{std::chrono::year{2025} / 3 / 14} +
                           std::chrono::milliseconds{45'296'789}};
  Factory factory_;
  std::unique_ptr<user_store> store_ = factory_.make(clock_);

  user_record add(std::string email, std::optional<std::string> username = std::nullopt,
                  std::string_view hash = "") {
    auto r = store_->add_user({.email = std::move(email), .username = std::move(username)}, hash);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : user_record{};
  }
};

TYPED_TEST_SUITE_P(UserStoreConformance);

TYPED_TEST_P(UserStoreConformance, AddReturnsTheStoredUser) {
  auto r = this->store_->add_user({.email = "ada@example.com",
                                   .name = "Ada Lovelace",
                                   .username = "ada",
                                   .image = "https://example.com/ada.png"},
                                  hash_a);
  ASSERT_TRUE(r) << r.error().message();
  if constexpr (serial_ids<TypeParam>) {
    EXPECT_TRUE(!r->id.empty() && r->id.find_first_not_of("0123456789") == std::string::npos)
        << r->id;
  } else {
    EXPECT_EQ(r->id.size(), 36u);
    EXPECT_EQ(r->id[14], '4') << "a version 4 UUID";
  }
  EXPECT_EQ(r->email, "ada@example.com");
  EXPECT_EQ(r->name, "Ada Lovelace");
  EXPECT_EQ(r->username, "ada");
  EXPECT_EQ(r->image, "https://example.com/ada.png");
  EXPECT_EQ(r->email_verified, std::nullopt);
  EXPECT_FALSE(r->disabled);
  EXPECT_EQ(r->created_at, this->clock_.now());  // the clock is on a whole millisecond

  auto by_id = this->store_->find_by_id(r->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(*by_id, std::optional<user_record>(*r));
}

TYPED_TEST_P(UserStoreConformance, FindsByEmailUsernameAndId) {
  const user_record ada = this->add("ada@example.com", "ada");
  const user_record bob = this->add("bob@example.com");
  EXPECT_EQ(this->store_->find_by_email("ada@example.com").value(), ada);
  EXPECT_EQ(this->store_->find_by_username("ada").value(), ada);
  EXPECT_EQ(this->store_->find_by_id(bob.id).value(), bob);
  EXPECT_EQ(this->store_->find_by_email("bob@example.com").value(), bob);
  EXPECT_NE(ada.id, bob.id);
}

TYPED_TEST_P(UserStoreConformance, EmailIsStoredLowerCasedAndTrimmed) {
  const user_record ada = this->add("  Ada@Example.COM\t\n");
  EXPECT_EQ(ada.email, "ada@example.com");
  EXPECT_EQ(this->store_->find_by_email("ADA@example.com").value(), ada);
  EXPECT_EQ(this->store_->find_by_email(" ada@example.com ").value(), ada);
}

TYPED_TEST_P(UserStoreConformance, DuplicateEmailDifferingInCaseIsRefused) {
  this->add("ada@example.com");
  for (const char* email : {"ada@example.com", "ADA@EXAMPLE.COM", " Ada@example.com "}) {
    SCOPED_TRACE(email);
    EXPECT_EQ(test::error_of(this->store_->add_user({.email = email}, "")), errc::already_exists);
  }
  EXPECT_EQ(this->store_->list_users().value().size(), 1u);
}

TYPED_TEST_P(UserStoreConformance, DuplicateUsernameIsRefusedIgnoringCase) {
  this->add("ada@example.com", "ada");
  for (const char* username : {"ada", "ADA", "Ada"}) {
    SCOPED_TRACE(username);
    EXPECT_EQ(test::error_of(
                  this->store_->add_user({.email = "other@example.com", .username = username}, "")),
              errc::already_exists);
  }
  EXPECT_EQ(this->store_->find_by_username("ADA").value()->email, "ada@example.com");
}

TYPED_TEST_P(UserStoreConformance, UsersWithoutUsernameDoNotConflict) {
  this->add("a@example.com");
  this->add("b@example.com");
  EXPECT_EQ(this->store_->list_users().value().size(), 2u);
}

// A refused add must not leave half a user behind (the SQLite backend inserts two rows).
TYPED_TEST_P(UserStoreConformance, RefusedAddLeavesNoTrace) {
  this->add("ada@example.com", "ada");
  EXPECT_EQ(test::error_of(
                this->store_->add_user({.email = "new@example.com", .username = "ada"}, hash_a)),
            errc::already_exists);
  EXPECT_EQ(this->store_->find_by_email("new@example.com").value(), std::nullopt);
  EXPECT_EQ(this->store_->list_users().value().size(), 1u);
  // And the store still works.
  this->add("new@example.com", "new");
}

TYPED_TEST_P(UserStoreConformance, UnknownLookupsReturnNothing) {
  this->add("ada@example.com", "ada");
  EXPECT_EQ(this->store_->find_by_email("nobody@example.com").value(), std::nullopt);
  EXPECT_EQ(this->store_->find_by_username("nobody").value(), std::nullopt);
  // Auth.js: getUser returns null, not an error, for malformed ids.
  for (const char* id : {"", "not-a-uuid", "00000000-0000-4000-8000-000000000000", "' OR 1=1 --"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(this->store_->find_by_id(id).value(), std::nullopt);
    EXPECT_EQ(this->store_->password_hash(id).value(), std::nullopt);
  }
}

TYPED_TEST_P(UserStoreConformance, ListUsersIsOrderedByEmail) {
  EXPECT_TRUE(this->store_->list_users().value().empty());
  this->add("carol@example.com");
  this->add("ada@example.com");
  this->add("bob@example.com");
  const auto users = this->store_->list_users().value();
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].email, "ada@example.com");
  EXPECT_EQ(users[1].email, "bob@example.com");
  EXPECT_EQ(users[2].email, "carol@example.com");
}

TYPED_TEST_P(UserStoreConformance, DisableAndEnable) {
  const user_record ada = this->add("ada@example.com");
  ASSERT_TRUE(this->store_->set_disabled("ADA@example.com", true));
  EXPECT_TRUE(this->store_->find_by_id(ada.id).value()->disabled);
  ASSERT_TRUE(this->store_->set_disabled("ada@example.com", true)) << "idempotent";
  EXPECT_TRUE(this->store_->find_by_email("ada@example.com").value()->disabled);
  ASSERT_TRUE(this->store_->set_disabled("ada@example.com", false));
  EXPECT_FALSE(this->store_->find_by_id(ada.id).value()->disabled);
}

TYPED_TEST_P(UserStoreConformance, SetDisabledOfUnknownEmailIsNotFound) {
  this->add("ada@example.com");
  EXPECT_EQ(test::error_of(this->store_->set_disabled("bob@example.com", true)), errc::not_found);
}

TYPED_TEST_P(UserStoreConformance, PasswordHashRoundTrip) {
  const user_record ada = this->add("ada@example.com", std::nullopt, hash_a);
  const user_record oauth_only = this->add("bob@example.com");
  EXPECT_EQ(this->store_->password_hash(ada.id).value(), std::string(hash_a));
  EXPECT_EQ(this->store_->password_hash(oauth_only.id).value(), std::nullopt);

  ASSERT_TRUE(this->store_->set_password(ada.id, hash_b));
  EXPECT_EQ(this->store_->password_hash(ada.id).value(), std::string(hash_b));
  ASSERT_TRUE(this->store_->set_password(oauth_only.id, hash_a));
  EXPECT_EQ(this->store_->password_hash(oauth_only.id).value(), std::string(hash_a));
}

TYPED_TEST_P(UserStoreConformance, SetPasswordOfUnknownUserIsNotFound) {
  this->add("ada@example.com");
  EXPECT_EQ(
      test::error_of(this->store_->set_password("00000000-0000-4000-8000-000000000000", hash_a)),
      errc::not_found);
}

// An e-mail sign-in creates its user verified (Auth.js: createUser({...user, emailVerified})).
TYPED_TEST_P(UserStoreConformance, AddKeepsEmailVerifiedToTheMillisecond) {
  const auto verified = this->clock_.now() - std::chrono::minutes(5);
  auto r = this->store_->add_user(
      {.email = "ada@example.com", .email_verified = verified + std::chrono::microseconds(456'789)},
      "");
  ASSERT_TRUE(r) << r.error().message();
  const auto expected = verified + std::chrono::milliseconds(456);  // sub-millisecond dropped
  EXPECT_EQ(r->email_verified, expected);
  EXPECT_EQ(this->store_->find_by_id(r->id).value(), std::optional<user_record>(*r));
  EXPECT_EQ(this->store_->find_by_email("ada@example.com").value()->email_verified, expected);
}

// An e-mail sign-in of an existing user (Auth.js: updateUser({id, emailVerified})) changes that
// user's emailVerified and nothing else, each time it happens.
TYPED_TEST_P(UserStoreConformance, SetEmailVerifiedIsSeenByIdAndEmail) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com", "ada", hash_a);
  const user_record bob = this->add("bob@example.com");
  const auto first = this->clock_.now() + std::chrono::microseconds(1'999);
  ASSERT_TRUE(s.set_email_verified(ada.id, first));
  user_record expected = ada;
  expected.email_verified = this->clock_.now() + std::chrono::milliseconds(1);
  EXPECT_EQ(s.find_by_id(ada.id).value(), std::optional(expected));
  EXPECT_EQ(s.find_by_email("ada@example.com").value(), std::optional(expected));
  EXPECT_EQ(s.find_by_username("ada").value(), std::optional(expected));
  EXPECT_EQ(s.password_hash(ada.id).value(), std::string(hash_a));
  EXPECT_EQ(s.find_by_id(bob.id).value(), std::optional(bob));

  const auto later = this->clock_.now() + std::chrono::hours(24);
  ASSERT_TRUE(s.set_email_verified(ada.id, later));
  EXPECT_EQ(s.find_by_id(ada.id).value()->email_verified, later);
}

TYPED_TEST_P(UserStoreConformance, SetEmailVerifiedOfUnknownUserIsNotFound) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com");
  // Also ids that cannot be one (PostgreSQL's are int4), which must not become storage errors.
  for (const char* id : {"", "not-a-uuid", "00000000-0000-4000-8000-000000000000", "' OR 1=1 --",
                         "999999", "-1", "2147483648"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(test::error_of(s.set_email_verified(id, this->clock_.now())), errc::not_found);
  }
  EXPECT_EQ(s.find_by_id(ada.id).value()->email_verified, std::nullopt);
}

TYPED_TEST_P(UserStoreConformance, InvalidInputsAreRefused) {
  auto& s = *this->store_;
  EXPECT_EQ(test::error_of(s.add_user({.email = ""}, "")), errc::malformed_input);
  EXPECT_EQ(test::error_of(s.add_user({.email = " \t "}, "")), errc::malformed_input);
  EXPECT_EQ(test::error_of(s.add_user({.email = "a@example.com", .username = ""}, "")),
            errc::malformed_input);
  // A plain password passed where a hash belongs must never be stored.
  for (std::string_view bad : {"hunter2", "$argon2id$ with space", "$tab\there"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(s.add_user({.email = "a@example.com"}, bad)),
              errc::invalid_password_hash);
  }
  EXPECT_TRUE(s.list_users().value().empty());
  const user_record ada = this->add("ada@example.com", std::nullopt, hash_a);
  EXPECT_EQ(test::error_of(s.set_password(ada.id, "")), errc::invalid_password_hash);
  EXPECT_EQ(test::error_of(s.set_password(ada.id, "hunter2")), errc::invalid_password_hash);
  EXPECT_EQ(s.password_hash(ada.id).value(), std::string(hash_a));
}

TYPED_TEST_P(UserStoreConformance, TextIsStoredVerbatim) {
  const std::string name = "Zoë \"Ada\" O'Brien; -- 日本語 \xF0\x9F\x94\x91";
  const std::string image = "https://example.com/a.png?x=1&y='2'";
  auto r = this->store_->add_user(
      {.email = "zoe@example.com", .name = name, .username = "Zoë", .image = image}, "");
  ASSERT_TRUE(r);
  const auto found = this->store_->find_by_email("zoe@example.com").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, name);
  EXPECT_EQ(found->username, "Zoë");
  EXPECT_EQ(found->image, image);
  EXPECT_EQ(this->store_->find_by_username("Zoë").value(), found);
}

TYPED_TEST_P(UserStoreConformance, HealthCheckPasses) {
  EXPECT_TRUE(this->store_->check_health());
  this->add("ada@example.com");
  EXPECT_TRUE(this->store_->check_health());
}

// Eight threads add their own users and race for shared emails and usernames while reading.
// Every add must succeed or report already_exists, each shared one exactly once, and nothing may
// be lost or duplicated.
TYPED_TEST_P(UserStoreConformance, ConcurrentAddsFromEightThreads) {
  constexpr int threads = 8;
  constexpr int per_thread = 20;
  constexpr int shared = 20;
  std::atomic<int> shared_wins{0};
  std::atomic<int> own_wins{0};
  std::atomic<int> unexpected{0};
  user_store& s = *this->store_;

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string own = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = s.add_user({.email = own + "@example.com", .username = own}, hash_a);
        r ? ++own_wins : ++unexpected;
        if (i < shared) {
          const std::string common = "shared-" + std::to_string(i);
          auto c = s.add_user({.email = common + "@EXAMPLE.com", .username = common}, "");
          if (c) {
            ++shared_wins;
          } else if (c.error().code != errc::already_exists) {
            ++unexpected;
          }
          auto f = s.find_by_email(common + "@example.com");
          if (!f || !*f) ++unexpected;  // it exists by now, whoever won
        }
      }
    });
  }
  for (auto& th : pool) th.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(own_wins.load(), threads * per_thread);
  EXPECT_EQ(shared_wins.load(), shared);
  const auto users = s.list_users().value();
  EXPECT_EQ(users.size(), static_cast<std::size_t>(threads * per_thread + shared));
  std::set<std::string> ids, emails;
  for (const auto& u : users) {
    ids.insert(u.id);
    emails.insert(u.email);
    EXPECT_EQ(s.find_by_id(u.id).value(), u);
  }
  EXPECT_EQ(ids.size(), users.size());
  EXPECT_EQ(emails.size(), users.size());
  EXPECT_EQ(s.password_hash(s.find_by_email("t7-19@example.com").value()->id).value(),
            std::string(hash_a));
}

// Revocation: the version only grows, one step per bump, also under concurrent bumps, and every
// read of the user carries it.
TYPED_TEST_P(UserStoreConformance, SessionVersionStartsAtZeroAndCountsBumps) {
  auto& s = *this->store_;
  const user_record ada = this->add("ada@example.com", "ada");
  const user_record bob = this->add("bob@example.com");
  EXPECT_EQ(ada.session_version, 0);
  EXPECT_EQ(s.bump_session_version(ada.id).value(), 1);
  EXPECT_EQ(s.bump_session_version(ada.id).value(), 2);
  EXPECT_EQ(s.find_by_id(ada.id).value()->session_version, 2);
  EXPECT_EQ(s.find_by_email("ada@example.com").value()->session_version, 2);
  EXPECT_EQ(s.find_by_username("ADA").value()->session_version, 2);
  EXPECT_EQ(s.find_by_id(bob.id).value()->session_version, 0);
  for (const char* id : {"", "not-a-uuid", "' OR 1=1 --", "999999"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(test::error_of(s.bump_session_version(id)), errc::not_found);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(s.bump_session_version(bob.id));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(s.find_by_id(bob.id).value()->session_version, 200);
}

REGISTER_TYPED_TEST_SUITE_P(
    UserStoreConformance, AddReturnsTheStoredUser, FindsByEmailUsernameAndId,
    EmailIsStoredLowerCasedAndTrimmed, DuplicateEmailDifferingInCaseIsRefused,
    DuplicateUsernameIsRefusedIgnoringCase, UsersWithoutUsernameDoNotConflict,
    RefusedAddLeavesNoTrace, UnknownLookupsReturnNothing, ListUsersIsOrderedByEmail,
    DisableAndEnable, SetDisabledOfUnknownEmailIsNotFound, PasswordHashRoundTrip,
    SetPasswordOfUnknownUserIsNotFound, AddKeepsEmailVerifiedToTheMillisecond,
    SetEmailVerifiedIsSeenByIdAndEmail, SetEmailVerifiedOfUnknownUserIsNotFound,
    InvalidInputsAreRefused, TextIsStoredVerbatim, HealthCheckPasses,
    ConcurrentAddsFromEightThreads, SessionVersionStartsAtZeroAndCountsBumps);

}  // namespace authpp::adapters::conformance
