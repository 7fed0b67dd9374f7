#pragma once

#include <authpp/adapters/adapter.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conformance/races.hpp"
#include "test_support/test_support.hpp"

// The conformance suite of second_factor_store (a user's TOTP and recovery codes), with the races
// that replayed codes make real: one definition, instantiated per backend like
// AdapterConformance (tests/unit/adapters/store_conformance_test.cpp for memory and SQLite,
// postgres_store_test.cpp for PostgreSQL), with the same factories:
//   std::unique_ptr<adapter> make(const authpp::clock& clock);
namespace authpp::adapters::conformance {

// Sealed secrets and code hashes as the engine makes them (mfa/sealed_secret.hpp,
// mfa/recovery_codes.hpp). The store never opens or checks them.
inline constexpr std::string_view sealed_a = "v1.AAECAwQFBgcICQoL.c2VhbGVkLXNlY3JldC1h";
inline constexpr std::string_view sealed_b = "v1.DA0ODxAREhMUFRYX.c2VhbGVkLXNlY3JldC1i";

inline std::string code_hash(int i) {
  return "sha256:" + std::string(56, '0') + std::to_string(1000000 + i);
}
inline std::vector<std::string> code_hashes(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back(code_hash(i));
  return out;
}
inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

template <class Factory>
class SecondFactorConformance : public ::testing::Test {
 protected:
  test::fixed_clock clock_{std::chrono::sys_days{std::chrono::year{2025} / 3 / 14} +
                           std::chrono::milliseconds{45'296'789}};
  Factory factory_;
  std::unique_ptr<adapter> store_ = factory_.make(clock_);
  const user_record ada_ = add("ada@example.com");

  user_record add(std::string email) {
    auto r = store_->add_user({.email = std::move(email)}, "");
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : user_record{};
  }
  // enrol begins a TOTP for `user` and gives it `codes`.
  void enrol(const user_record& user, const std::vector<std::string>& codes = {}) {
    auto r = store_->begin_totp(user.id, sealed_a);
    ASSERT_TRUE(r) << r.error().message();
    auto set = store_->set_recovery_codes(user.id, codes);
    ASSERT_TRUE(set) << set.error().message();
  }
  std::optional<totp_record> totp_of(const user_record& user) {
    return store_->find_totp(user.id).value();
  }
  std::vector<std::string> codes_of(const user_record& user) {
    return sorted(store_->recovery_code_hashes(user.id).value());
  }
};

TYPED_TEST_SUITE_P(SecondFactorConformance);

// The enrolment is stored as given, unconfirmed, with its creation time to the millisecond.
TYPED_TEST_P(SecondFactorConformance, BeginStoresAnUnconfirmedEnrolment) {
  const auto now = this->clock_.now();
  this->clock_.advance(std::chrono::microseconds(999));  // cut off: ms precision
  auto begun = this->store_->begin_totp(this->ada_.id, sealed_a);
  ASSERT_TRUE(begun) << begun.error().message();
  const totp_record expected{.user_id = this->ada_.id,
                             .sealed_secret = std::string(sealed_a),
                             .confirmed = false,
                             .last_used_step = std::nullopt,
                             .created_at = now};
  EXPECT_EQ(*begun, expected);
  EXPECT_EQ(this->totp_of(this->ada_), expected);
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
}

// An enrolment can only name a user that exists.
TYPED_TEST_P(SecondFactorConformance, BeginForAnUnknownUserIsNotFound) {
  const user_record bob = this->add("bob@example.com");
  ASSERT_TRUE(this->store_->delete_user(bob.id).value());
  EXPECT_EQ(test::error_of(this->store_->begin_totp(bob.id, sealed_a)), errc::not_found);
  EXPECT_EQ(this->store_->find_totp(bob.id).value(), std::nullopt);
}

TYPED_TEST_P(SecondFactorConformance, MalformedOrOversizedSecretIsRefused) {
  auto& s = *this->store_;
  EXPECT_EQ(test::error_of(s.begin_totp(this->ada_.id, "")), errc::malformed_input);
  const std::string_view not_printable[] = {"v1. spaced", "v1.\n", std::string_view("v1.\0x", 5),
                                            "v1.\xc3\xa9"};
  for (const std::string_view bad : not_printable) {
    EXPECT_EQ(test::error_of(s.begin_totp(this->ada_.id, bad)), errc::malformed_input);
  }
  const std::string longest(max_sealed_secret_size, 'A');
  EXPECT_EQ(test::error_of(s.begin_totp(this->ada_.id, longest + "A")), errc::limit_exceeded);
  EXPECT_EQ(this->totp_of(this->ada_), std::nullopt) << "a refused secret was stored";
  auto begun = s.begin_totp(this->ada_.id, longest);
  ASSERT_TRUE(begun) << begun.error().message();
  EXPECT_EQ(this->totp_of(this->ada_)->sealed_secret, longest);
}

// Re-enrolling starts over: the old secret, its confirmation, its used step and its recovery
// codes all go, so no code of the replaced factor still signs in.
TYPED_TEST_P(SecondFactorConformance, BeginReplacesAConfirmedFactorAndDropsItsCodes) {
  auto& s = *this->store_;
  this->enrol(this->ada_, code_hashes(0, 3));
  ASSERT_TRUE(s.use_totp_step(this->ada_.id, 100, true).value());
  this->clock_.advance(std::chrono::hours(24));
  auto again = s.begin_totp(this->ada_.id, sealed_b);
  ASSERT_TRUE(again) << again.error().message();
  const totp_record expected{.user_id = this->ada_.id,
                             .sealed_secret = std::string(sealed_b),
                             .confirmed = false,
                             .last_used_step = std::nullopt,
                             .created_at = this->clock_.now()};
  EXPECT_EQ(*again, expected);
  EXPECT_EQ(this->totp_of(this->ada_), expected);
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(0)).value());
}

// A code is good for its time step once: the step it was accepted for, and every earlier one,
// are refused from then on.
TYPED_TEST_P(SecondFactorConformance, ReplayedOrOlderStepIsRefused) {
  auto& s = *this->store_;
  this->enrol(this->ada_);
  EXPECT_TRUE(s.use_totp_step(this->ada_.id, 100, false).value());
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 100, false).value()) << "replayed step";
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 99, false).value()) << "older step";
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 0, false).value());
  EXPECT_EQ(this->totp_of(this->ada_)->last_used_step, 100u);
  EXPECT_TRUE(s.use_totp_step(this->ada_.id, 101, false).value());
  EXPECT_EQ(this->totp_of(this->ada_)->last_used_step, 101u);
  // The largest step the store can hold is taken; one past it is refused.
  EXPECT_TRUE(s.use_totp_step(this->ada_.id, max_totp_step, false).value());
  EXPECT_EQ(this->totp_of(this->ada_)->last_used_step, max_totp_step);
  EXPECT_EQ(test::error_of(s.use_totp_step(this->ada_.id, max_totp_step + 1, false)),
            errc::limit_exceeded);
}

// The first step of a fresh enrolment is accepted, whatever its value: nothing was used yet.
TYPED_TEST_P(SecondFactorConformance, FirstStepOfAnEnrolmentIsAccepted) {
  this->enrol(this->ada_);
  EXPECT_TRUE(this->store_->use_totp_step(this->ada_.id, 0, false).value());
  EXPECT_EQ(this->totp_of(this->ada_)->last_used_step, 0u);
  EXPECT_FALSE(this->store_->use_totp_step(this->ada_.id, 0, false).value());
}

// confirmed is set by the use that asks for it, and a later use that does not ask leaves it set;
// a refused use changes nothing, not even when it asks to confirm.
TYPED_TEST_P(SecondFactorConformance, ConfirmationIsSetOnlyWhenAskedAndNeverUnset) {
  auto& s = *this->store_;
  this->enrol(this->ada_);
  ASSERT_TRUE(s.use_totp_step(this->ada_.id, 10, false).value());
  EXPECT_FALSE(this->totp_of(this->ada_)->confirmed);
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 10, true).value());
  EXPECT_FALSE(this->totp_of(this->ada_)->confirmed) << "a refused step confirmed the enrolment";
  ASSERT_TRUE(s.use_totp_step(this->ada_.id, 11, true).value());
  EXPECT_TRUE(this->totp_of(this->ada_)->confirmed);
  ASSERT_TRUE(s.use_totp_step(this->ada_.id, 12, false).value());
  const totp_record after = this->totp_of(this->ada_).value();
  EXPECT_TRUE(after.confirmed);
  EXPECT_EQ(after.last_used_step, 12u);
  EXPECT_EQ(after.sealed_secret, sealed_a);
}

TYPED_TEST_P(SecondFactorConformance, StepWithoutEnrolmentIsRefused) {
  auto& s = *this->store_;
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 100, true).value());
  EXPECT_EQ(this->totp_of(this->ada_), std::nullopt) << "a use created an enrolment";
  // Another user's enrolment does not count.
  const user_record bob = this->add("bob@example.com");
  this->enrol(bob);
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 100, true).value());
  EXPECT_EQ(this->totp_of(bob)->last_used_step, std::nullopt);
}

// Two sign-ins presenting one code at once (an attacker replaying an observed code while the
// user signs in, or one request sent to two servers): exactly one is accepted, for every step.
TYPED_TEST_P(SecondFactorConformance, ReplayedStepIsRefusedEvenConcurrently) {
  this->enrol(this->ada_);
  for (std::uint64_t step = 1000; step < 1020; ++step) {
    SCOPED_TRACE(testing::Message() << "step " << step);
    const auto tally =
        at_once(8, [&] { return this->store_->use_totp_step(this->ada_.id, step, step == 1010); });
    EXPECT_EQ(tally, (at_once_tally{.accepted = 1, .refused = 7, .failed = 0}));
  }
  const totp_record after = this->totp_of(this->ada_).value();
  EXPECT_EQ(after.last_used_step, 1019u);
  EXPECT_TRUE(after.confirmed);
}

TYPED_TEST_P(SecondFactorConformance, RecoveryCodesAreSetListedAndReplaced) {
  auto& s = *this->store_;
  const user_record bob = this->add("bob@example.com");
  this->enrol(this->ada_, code_hashes(0, 10));
  this->enrol(bob, code_hashes(100, 2));
  EXPECT_EQ(this->codes_of(this->ada_), code_hashes(0, 10));
  ASSERT_TRUE(s.set_recovery_codes(this->ada_.id, code_hashes(5, 10)));  // overlapping set
  EXPECT_EQ(this->codes_of(this->ada_), code_hashes(5, 10));
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(0)).value()) << "a replaced code";
  ASSERT_TRUE(s.set_recovery_codes(this->ada_.id, {}));
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
  EXPECT_EQ(this->codes_of(bob), code_hashes(100, 2)) << "another user's codes changed";
  // Setting codes leaves the TOTP as it was.
  EXPECT_EQ(this->totp_of(this->ada_)->sealed_secret, sealed_a);
}

// Hashes are kept byte for byte, also those with the characters SQL literals and arrays quote.
TYPED_TEST_P(SecondFactorConformance, RecoveryCodeHashesAreKeptAsGiven) {
  const std::vector<std::string> odd{R"(a"b)",
                                     R"(c\d)",
                                     "{e,f}",
                                     "NULL",
                                     "'g'",
                                     "h;--",
                                     std::string(max_recovery_code_hash_size, '~')};
  this->enrol(this->ada_, odd);
  EXPECT_EQ(this->codes_of(this->ada_), sorted(odd));
  for (const std::string& hash : odd) {
    EXPECT_TRUE(this->store_->use_recovery_code(this->ada_.id, hash).value()) << hash;
  }
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
}

// A recovery code works once: the second use of it, by anyone, is refused.
TYPED_TEST_P(SecondFactorConformance, UsedRecoveryCodeIsRefused) {
  auto& s = *this->store_;
  this->enrol(this->ada_, code_hashes(0, 3));
  EXPECT_TRUE(s.use_recovery_code(this->ada_.id, code_hash(1)).value());
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(1)).value());
  EXPECT_EQ(this->codes_of(this->ada_), (std::vector<std::string>{code_hash(0), code_hash(2)}));
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(9)).value()) << "never issued";
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, "").value());
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, std::string(max_recovery_code_hash_size + 1, 'x'))
                   .value());
}

// A user's code is no use for another user's account.
TYPED_TEST_P(SecondFactorConformance, AnotherUsersRecoveryCodeIsRefused) {
  const user_record bob = this->add("bob@example.com");
  this->enrol(this->ada_, code_hashes(0, 2));
  this->enrol(bob, code_hashes(10, 2));
  EXPECT_FALSE(this->store_->use_recovery_code(bob.id, code_hash(0)).value());
  EXPECT_EQ(this->codes_of(this->ada_), code_hashes(0, 2));
}

// Recovery codes belong to a TOTP: without one there is nothing to recover.
TYPED_TEST_P(SecondFactorConformance, RecoveryCodesWithoutEnrolmentAreNotFound) {
  auto& s = *this->store_;
  EXPECT_EQ(test::error_of(s.set_recovery_codes(this->ada_.id, code_hashes(0, 2))),
            errc::not_found);
  EXPECT_EQ(test::error_of(s.set_recovery_codes(this->ada_.id, {})), errc::not_found);
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(0)).value());
}

TYPED_TEST_P(SecondFactorConformance, MalformedOrTooManyRecoveryCodesAreRefused) {
  auto& s = *this->store_;
  this->enrol(this->ada_, code_hashes(0, 2));
  const std::string id = this->ada_.id;
  EXPECT_EQ(test::error_of(s.set_recovery_codes(id, {code_hash(5), code_hash(6), code_hash(5)})),
            errc::malformed_input);
  EXPECT_EQ(test::error_of(s.set_recovery_codes(id, {code_hash(5), ""})), errc::malformed_input);
  EXPECT_EQ(test::error_of(s.set_recovery_codes(id, {"sha256: spaced"})), errc::malformed_input);
  EXPECT_EQ(test::error_of(s.set_recovery_codes(id, {std::string("a\0b", 3)})),
            errc::malformed_input);
  EXPECT_EQ(
      test::error_of(s.set_recovery_codes(id, {std::string(max_recovery_code_hash_size + 1, 'x')})),
      errc::limit_exceeded);
  const auto too_many = code_hashes(10, static_cast<int>(max_recovery_codes) + 1);
  EXPECT_EQ(test::error_of(s.set_recovery_codes(id, too_many)), errc::limit_exceeded);
  EXPECT_EQ(this->codes_of(this->ada_), code_hashes(0, 2)) << "a refused set changed the codes";
  // The limits themselves are accepted.
  std::vector<std::string> most;
  for (std::size_t i = 0; i < max_recovery_codes; ++i) {
    most.push_back(std::to_string(1000 + i) + std::string(max_recovery_code_hash_size - 4, 'h'));
  }
  ASSERT_TRUE(s.set_recovery_codes(id, most));
  EXPECT_EQ(this->codes_of(this->ada_), sorted(most));
}

// One recovery code typed into two sign-ins at once: exactly one gets in, for every code.
TYPED_TEST_P(SecondFactorConformance, UsedRecoveryCodeIsRefusedEvenConcurrently) {
  this->enrol(this->ada_, code_hashes(0, 10));
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(testing::Message() << "code " << i);
    const auto tally =
        at_once(8, [&] { return this->store_->use_recovery_code(this->ada_.id, code_hash(i)); });
    EXPECT_EQ(tally, (at_once_tally{.accepted = 1, .refused = 7, .failed = 0}));
  }
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
}

// Turning two-factor sign-in off removes the recovery codes too: none can be used later.
TYPED_TEST_P(SecondFactorConformance, DeleteTotpTakesItsRecoveryCodesAlong) {
  auto& s = *this->store_;
  const user_record bob = this->add("bob@example.com");
  this->enrol(this->ada_, code_hashes(0, 3));
  this->enrol(bob, code_hashes(10, 3));
  EXPECT_TRUE(s.delete_totp(this->ada_.id).value());
  EXPECT_EQ(this->totp_of(this->ada_), std::nullopt);
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(0)).value());
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 1, false).value());
  EXPECT_FALSE(s.delete_totp(this->ada_.id).value());
  EXPECT_EQ(test::error_of(s.set_recovery_codes(this->ada_.id, code_hashes(0, 1))),
            errc::not_found);
  // Bob's factor is untouched.
  EXPECT_TRUE(this->totp_of(bob).has_value());
  EXPECT_EQ(this->codes_of(bob), code_hashes(10, 3));
}

// A deleted user's second factor goes with them, so a later user given the same id (a reused
// serial) could not inherit it.
TYPED_TEST_P(SecondFactorConformance, DeleteUserTakesTheSecondFactorAlong) {
  auto& s = *this->store_;
  const user_record bob = this->add("bob@example.com");
  this->enrol(this->ada_, code_hashes(0, 3));
  this->enrol(bob, code_hashes(10, 3));
  ASSERT_TRUE(s.delete_user(this->ada_.id).value());
  EXPECT_EQ(this->totp_of(this->ada_), std::nullopt);
  EXPECT_TRUE(this->codes_of(this->ada_).empty());
  EXPECT_FALSE(s.use_totp_step(this->ada_.id, 1, false).value());
  EXPECT_FALSE(s.use_recovery_code(this->ada_.id, code_hash(0)).value());
  EXPECT_FALSE(s.delete_totp(this->ada_.id).value());
  EXPECT_TRUE(this->totp_of(bob).has_value());
  EXPECT_EQ(this->codes_of(bob), code_hashes(10, 3));
}

// Ids that name no user, in any backend's id syntax or none (PostgreSQL's ids are integers), find
// nothing and change nothing; none is an error.
TYPED_TEST_P(SecondFactorConformance, IdsOfNoUserFindNothing) {
  auto& s = *this->store_;
  this->enrol(this->ada_, code_hashes(0, 1));
  for (const std::string id : {"abc", "", "0", "-1", "1.5", " 1", "2147483647", "99999999999",
                               "00000000-0000-4000-8000-000000000000", "1 OR 1=1"}) {
    SCOPED_TRACE("id \"" + id + "\"");
    EXPECT_EQ(test::error_of(s.begin_totp(id, sealed_a)), errc::not_found);
    EXPECT_EQ(s.find_totp(id).value(), std::nullopt);
    EXPECT_FALSE(s.use_totp_step(id, 1, true).value());
    EXPECT_FALSE(s.delete_totp(id).value());
    EXPECT_EQ(test::error_of(s.set_recovery_codes(id, code_hashes(0, 1))), errc::not_found);
    EXPECT_TRUE(s.recovery_code_hashes(id).value().empty());
    EXPECT_FALSE(s.use_recovery_code(id, code_hash(0)).value());
  }
  EXPECT_EQ(this->codes_of(this->ada_), code_hashes(0, 1));
}

REGISTER_TYPED_TEST_SUITE_P(
    SecondFactorConformance, BeginStoresAnUnconfirmedEnrolment, BeginForAnUnknownUserIsNotFound,
    MalformedOrOversizedSecretIsRefused, BeginReplacesAConfirmedFactorAndDropsItsCodes,
    ReplayedOrOlderStepIsRefused, FirstStepOfAnEnrolmentIsAccepted,
    ConfirmationIsSetOnlyWhenAskedAndNeverUnset, StepWithoutEnrolmentIsRefused,
    ReplayedStepIsRefusedEvenConcurrently, RecoveryCodesAreSetListedAndReplaced,
    RecoveryCodeHashesAreKeptAsGiven, UsedRecoveryCodeIsRefused, AnotherUsersRecoveryCodeIsRefused,
    RecoveryCodesWithoutEnrolmentAreNotFound, MalformedOrTooManyRecoveryCodesAreRefused,
    UsedRecoveryCodeIsRefusedEvenConcurrently, DeleteTotpTakesItsRecoveryCodesAlong,
    DeleteUserTakesTheSecondFactorAlong, IdsOfNoUserFindNothing);

}  // namespace authpp::adapters::conformance
