#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/core/base64url.hpp>
#include <authpp/core/bytes.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conformance/races.hpp"
#include "test_support/test_support.hpp"

// The conformance suite of authenticator_store (WebAuthn passkeys), with the race a cloned
// authenticator makes real: one definition, instantiated per backend like
// SecondFactorConformance (tests/unit/adapters/store_conformance_test.cpp for memory and SQLite,
// postgres_store_test.cpp for PostgreSQL), with the same factories:
//   std::unique_ptr<adapter> make(const authpp::clock& clock);
// Test names differ from the other suites': ctest names a typed test `Prefix.Name<Type>`, so a
// name shared with SecondFactorConformance would be two ctest tests of one name.
namespace authpp::adapters::conformance {

// credential_id is the base64 of a 16-byte credential id, distinct for each `i`, as Auth.js
// stores credentialID.
inline std::string credential_id(int i) {
  const std::string raw = "cred-" + std::to_string(10'000'000 + i) + "---";
  return base64::encode(as_bytes(raw));
}

// An ES256 COSE_Key's shape in base64; the store never parses it.
inline const std::string cose_key = base64::encode(as_bytes(std::string(77, '\xa5')));

// passkey is a valid record of `user_id` with credential_id(i) and every optional field set.
inline authenticator_record passkey(const std::string& user_id, int i) {
  return {.credential_id = credential_id(i),
          .user_id = user_id,
          .provider_account_id = credential_id(i),
          .credential_public_key = cose_key,
          .counter = 7,
          .credential_device_type = "multiDevice",
          .credential_backed_up = true,
          .transports = "internal,hybrid"};
}

template <class Factory>
class AuthenticatorConformance : public ::testing::Test {
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
  // create stores `a` and returns it as stored.
  authenticator_record create(const authenticator_record& a) {
    auto r = store_->create_authenticator(a);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : authenticator_record{};
  }
  std::optional<authenticator_record> find(const std::string& credential_id) {
    return store_->find_authenticator(credential_id).value();
  }
  std::vector<authenticator_record> list(const std::string& user_id) {
    return store_->list_authenticators(user_id).value();
  }
};

TYPED_TEST_SUITE_P(AuthenticatorConformance);

// Every field is stored as given and read back the same by find and list; the times are the
// store's: created now (to the millisecond), never used.
TYPED_TEST_P(AuthenticatorConformance, CreateStoresEveryFieldAndFindReturnsIt) {
  const auto now = this->clock_.now();
  this->clock_.advance(std::chrono::microseconds(999));  // cut off: ms precision
  authenticator_record given = passkey(this->ada_.id, 1);
  given.created_at = now - std::chrono::hours(24 * 365);  // ignored
  given.last_used_at = now;                               // ignored
  auto created = this->store_->create_authenticator(given);
  ASSERT_TRUE(created) << created.error().message();
  authenticator_record expected = passkey(this->ada_.id, 1);
  expected.created_at = now;
  EXPECT_EQ(*created, expected);
  EXPECT_EQ(this->find(expected.credential_id), expected);
  EXPECT_EQ(this->list(this->ada_.id), std::vector{expected});

  // The other values of the optional and boolean fields round-trip too; "" is not NULL.
  authenticator_record plain = passkey(this->ada_.id, 2);
  plain.credential_device_type = "singleDevice";
  plain.credential_backed_up = false;
  plain.counter = 0;
  plain.transports = std::nullopt;
  plain.created_at = now;
  EXPECT_EQ(this->create(plain), plain);
  EXPECT_EQ(this->find(plain.credential_id), plain);
  authenticator_record empty = passkey(this->ada_.id, 3);
  empty.transports = "";
  empty.created_at = now;
  EXPECT_EQ(this->create(empty), empty);
  EXPECT_EQ(this->find(empty.credential_id), empty);
  EXPECT_EQ(this->find(credential_id(4)), std::nullopt);
}

// A counter is unsigned 32-bit (WebAuthn L2 §6.1): its largest value is stored, compared and
// read back exactly, not cut to a signed INTEGER.
TYPED_TEST_P(AuthenticatorConformance, CounterRoundTripsUpToItsLargestValue) {
  constexpr std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
  authenticator_record a = passkey(this->ada_.id, 1);
  a.counter = top;
  EXPECT_EQ(this->create(a).counter, top);
  EXPECT_EQ(this->find(a.credential_id)->counter, top);
  EXPECT_FALSE(this->store_->use_authenticator(a.credential_id, top - 1, top, true, {}).value());
  ASSERT_TRUE(this->store_->use_authenticator(a.credential_id, top, 0, true, {}).value());
  EXPECT_EQ(this->find(a.credential_id)->counter, 0u);
  ASSERT_TRUE(this->store_->use_authenticator(a.credential_id, 0, top, true, {}).value());
  EXPECT_EQ(this->find(a.credential_id)->counter, top);
  EXPECT_EQ(this->list(this->ada_.id).at(0).counter, top);
}

// A credential id signs in as one user: registering one that is stored already, for another user
// (taking over their passkey's sign-ins) or for the same one, is refused, and the stored passkey
// stays as it was.
TYPED_TEST_P(AuthenticatorConformance, StoredCredentialIdCannotBeRegisteredAgain) {
  const user_record mallory = this->add("mallory@example.com");
  const authenticator_record ada_key = this->create(passkey(this->ada_.id, 1));
  authenticator_record hijack = passkey(mallory.id, 1);
  hijack.credential_public_key = base64::encode(as_bytes(std::string(77, 'M')));
  hijack.counter = 1000;
  EXPECT_EQ(test::error_of(this->store_->create_authenticator(hijack)), errc::already_exists);
  authenticator_record again = passkey(this->ada_.id, 1);
  again.counter = 1000;
  EXPECT_EQ(test::error_of(this->store_->create_authenticator(again)), errc::already_exists);
  EXPECT_EQ(this->find(ada_key.credential_id), ada_key);
  EXPECT_TRUE(this->list(mallory.id).empty());
  EXPECT_EQ(this->list(this->ada_.id), std::vector{ada_key});
}

// A passkey can only name a user that exists, also one deleted a moment ago.
TYPED_TEST_P(AuthenticatorConformance, PasskeyForAnUnknownUserIsNotFound) {
  const user_record bob = this->add("bob@example.com");
  ASSERT_TRUE(this->store_->delete_user(bob.id).value());
  EXPECT_EQ(test::error_of(this->store_->create_authenticator(passkey(bob.id, 1))),
            errc::not_found);
  EXPECT_EQ(this->find(credential_id(1)), std::nullopt);
  // The refused id stays free for its rightful owner.
  this->create(passkey(this->ada_.id, 1));
}

// list_authenticators gives one user's passkeys only, by creation time, then credential id.
TYPED_TEST_P(AuthenticatorConformance, ListIsPerUserAndOrdered) {
  ASSERT_LT(credential_id(2), credential_id(3)) << "the test's premise";
  const user_record bob = this->add("bob@example.com");
  const authenticator_record later = this->create(passkey(this->ada_.id, 1));
  this->clock_.advance(-std::chrono::seconds(1));
  const authenticator_record first_b = this->create(passkey(this->ada_.id, 3));
  const authenticator_record bobs = this->create(passkey(bob.id, 4));
  const authenticator_record first_a = this->create(passkey(this->ada_.id, 2));
  EXPECT_EQ(this->list(this->ada_.id), (std::vector{first_a, first_b, later}));
  EXPECT_EQ(this->list(bob.id), std::vector{bobs});
  EXPECT_TRUE(this->list(this->add("carol@example.com").id).empty());
}

// An assertion is recorded only against the counter it was verified with: a replayed or stale
// assertion (the counter moved on since) is refused and writes nothing, not even last_used_at.
TYPED_TEST_P(AuthenticatorConformance, StaleCounterAssertionIsRefusedAndWritesNothing) {
  auto& s = *this->store_;
  authenticator_record a = passkey(this->ada_.id, 1);
  a.counter = 5;
  a.credential_backed_up = false;
  const authenticator_record other = this->create(passkey(this->ada_.id, 2));
  a = this->create(a);
  const auto used_at = this->clock_.now() + std::chrono::minutes(5);
  ASSERT_TRUE(
      s.use_authenticator(a.credential_id, 5, 6, true, used_at + std::chrono::microseconds(999))
          .value());
  authenticator_record after = a;
  after.counter = 6;
  after.credential_backed_up = true;
  after.last_used_at = used_at;
  EXPECT_EQ(this->find(a.credential_id), after);

  const auto later = used_at + std::chrono::minutes(5);
  EXPECT_FALSE(s.use_authenticator(a.credential_id, 5, 7, false, later).value()) << "replayed";
  EXPECT_FALSE(s.use_authenticator(a.credential_id, 4, 9, false, later).value()) << "older";
  EXPECT_FALSE(s.use_authenticator(a.credential_id, 7, 8, false, later).value()) << "ahead";
  EXPECT_EQ(this->find(a.credential_id), after);
  EXPECT_EQ(this->find(other.credential_id), other) << "another passkey changed";
  EXPECT_FALSE(s.use_authenticator(credential_id(9), 0, 1, true, later).value()) << "unknown";
  EXPECT_EQ(this->find(credential_id(9)), std::nullopt) << "a use created a passkey";
}

// Two sign-ins presenting assertions from one authenticator and its clone, both verified against
// the same stored counter (even on two servers): exactly one is recorded, every round.
TYPED_TEST_P(AuthenticatorConformance, ClonedAuthenticatorRaceHasOneWinner) {
  const authenticator_record a = this->create(passkey(this->ada_.id, 1));
  for (std::uint32_t counter = a.counter; counter < a.counter + 20; ++counter) {
    SCOPED_TRACE(testing::Message() << "counter " << counter);
    const auto tally = at_once(8, [&] {
      return this->store_->use_authenticator(a.credential_id, counter, counter + 1, true,
                                             this->clock_.now());
    });
    EXPECT_EQ(tally, (at_once_tally{.accepted = 1, .refused = 7, .failed = 0}));
  }
  EXPECT_EQ(this->find(a.credential_id)->counter, a.counter + 20);
}

// An authenticator that keeps no counter reports 0 every time: nothing tells it from a clone, so
// every use is recorded (the counter check is the only one the store makes).
TYPED_TEST_P(AuthenticatorConformance, CounterlessAuthenticatorIsRecordedEveryTime) {
  authenticator_record a = passkey(this->ada_.id, 1);
  a.counter = 0;
  a = this->create(a);
  EXPECT_TRUE(this->store_->use_authenticator(a.credential_id, 0, 0, true, {}).value());
  EXPECT_TRUE(this->store_->use_authenticator(a.credential_id, 0, 0, true, {}).value());
  EXPECT_EQ(this->find(a.credential_id)->counter, 0u);
}

// A user can remove their own passkeys only: naming another user's credential id removes nothing.
TYPED_TEST_P(AuthenticatorConformance, AnotherUsersPasskeyCannotBeDeleted) {
  auto& s = *this->store_;
  const user_record mallory = this->add("mallory@example.com");
  const authenticator_record ada_key = this->create(passkey(this->ada_.id, 1));
  const authenticator_record mallory_key = this->create(passkey(mallory.id, 2));
  EXPECT_FALSE(s.delete_authenticator(mallory.id, ada_key.credential_id).value());
  EXPECT_EQ(this->find(ada_key.credential_id), ada_key);
  EXPECT_TRUE(s.delete_authenticator(this->ada_.id, ada_key.credential_id).value());
  EXPECT_EQ(this->find(ada_key.credential_id), std::nullopt);
  EXPECT_TRUE(this->list(this->ada_.id).empty());
  EXPECT_FALSE(s.delete_authenticator(this->ada_.id, ada_key.credential_id).value());
  EXPECT_FALSE(s.use_authenticator(ada_key.credential_id, 7, 8, true, {}).value());
  EXPECT_EQ(this->list(mallory.id), std::vector{mallory_key});
  // A removed credential id may be registered again.
  this->create(passkey(this->ada_.id, 1));
}

// A deleted user's passkeys go with them, so a later user given the same id (a reused serial)
// could not sign in with them, and their credential ids are free again.
TYPED_TEST_P(AuthenticatorConformance, DeleteUserTakesThePasskeysAlong) {
  auto& s = *this->store_;
  const user_record bob = this->add("bob@example.com");
  this->create(passkey(this->ada_.id, 1));
  this->create(passkey(this->ada_.id, 2));
  const authenticator_record bobs = this->create(passkey(bob.id, 3));
  ASSERT_TRUE(s.delete_user(this->ada_.id).value());
  EXPECT_EQ(this->find(credential_id(1)), std::nullopt);
  EXPECT_EQ(this->find(credential_id(2)), std::nullopt);
  EXPECT_TRUE(this->list(this->ada_.id).empty());
  EXPECT_FALSE(s.use_authenticator(credential_id(1), 7, 8, true, {}).value());
  EXPECT_EQ(this->list(bob.id), std::vector{bobs});
  this->create(passkey(bob.id, 1));
}

// What a client sends is bounded and shaped before it is stored: an oversized credential id or
// key, a device type or transports outside their grammar are refused, and nothing is stored.
TYPED_TEST_P(AuthenticatorConformance, OversizedOrMalformedPasskeyIsRefused) {
  const std::string longest_id(max_credential_id_text_size, 'A');
  const std::string longest_key(max_credential_public_key_text_size, 'B');
  struct refusal {
    const char* what;
    std::function<void(authenticator_record&)> spoil;
    errc expected;
  };
  const refusal refusals[] = {
      {"id too long", [&](auto& a) { a.credential_id = longest_id + "AAAA"; },
       errc::limit_exceeded},
      {"id empty", [](auto& a) { a.credential_id = ""; }, errc::malformed_input},
      {"id not base64", [](auto& a) { a.credential_id = "abc$"; }, errc::malformed_input},
      {"id unpadded", [](auto& a) { a.credential_id = "abcde"; }, errc::malformed_input},
      {"id base64url", [](auto& a) { a.credential_id = "ab-_"; }, errc::malformed_input},
      {"id padded inside", [](auto& a) { a.credential_id = "ab==abcd"; }, errc::malformed_input},
      {"id NUL", [](auto& a) { a.credential_id = std::string("ab\0d", 4); }, errc::malformed_input},
      {"account id too long", [&](auto& a) { a.provider_account_id = longest_id + "A"; },
       errc::limit_exceeded},
      {"account id empty", [](auto& a) { a.provider_account_id = ""; }, errc::malformed_input},
      {"account id spaced", [](auto& a) { a.provider_account_id = "a b"; }, errc::malformed_input},
      {"key too long", [&](auto& a) { a.credential_public_key = longest_key + "BBBB"; },
       errc::limit_exceeded},
      {"key empty", [](auto& a) { a.credential_public_key = ""; }, errc::malformed_input},
      {"key not base64", [](auto& a) { a.credential_public_key = "pQECAyYg\n"; },
       errc::malformed_input},
      {"device type", [](auto& a) { a.credential_device_type = "platform"; },
       errc::malformed_input},
      {"device type case", [](auto& a) { a.credential_device_type = "MultiDevice"; },
       errc::malformed_input},
      {"device type empty", [](auto& a) { a.credential_device_type = ""; }, errc::malformed_input},
      {"transports too long",
       [](auto& a) { a.transports = std::string(max_transports_size + 1, 'u'); },
       errc::limit_exceeded},
      {"transports control", [](auto& a) { a.transports = "usb\r\nnfc"; }, errc::malformed_input},
      {"transports NUL", [](auto& a) { a.transports = std::string("usb\0", 4); },
       errc::malformed_input},
      {"transports not ASCII", [](auto& a) { a.transports = "us\xc3\xa9"; }, errc::malformed_input},
  };
  for (const refusal& r : refusals) {
    SCOPED_TRACE(r.what);
    authenticator_record a = passkey(this->ada_.id, 1);
    r.spoil(a);
    EXPECT_EQ(test::error_of(this->store_->create_authenticator(a)), r.expected);
  }
  EXPECT_TRUE(this->list(this->ada_.id).empty()) << "a refused passkey was stored";
  // The bounds themselves are accepted.
  authenticator_record largest = passkey(this->ada_.id, 1);
  largest.credential_id = longest_id;
  largest.provider_account_id = std::string(max_credential_id_text_size, '~');
  largest.credential_public_key = longest_key;
  largest.transports = std::string(max_transports_size, 'u');
  largest.created_at = this->clock_.now();
  EXPECT_EQ(this->create(largest), largest);
  EXPECT_EQ(this->find(longest_id), largest);
  // Padding of one and two characters, and the characters SQL quotes, are kept as given.
  authenticator_record odd = passkey(this->ada_.id, 2);
  odd.credential_id = "+/+/+w==";
  odd.credential_public_key = "AAA=";
  odd.provider_account_id = R"('";--{a,b}\)";
  odd.transports = R"(usb,'nfc';"ble")";
  odd.created_at = this->clock_.now();
  EXPECT_EQ(this->create(odd), odd);
  EXPECT_EQ(this->find(odd.credential_id), odd);
}

// Ids that name no user or passkey, in any backend's id syntax or none (PostgreSQL's ids are
// integers), find nothing and change nothing; none is an error.
TYPED_TEST_P(AuthenticatorConformance, IdsOfNoUserOrPasskeyFindNothing) {
  auto& s = *this->store_;
  const authenticator_record a = this->create(passkey(this->ada_.id, 1));
  for (const std::string id : {"abc", "", "0", "-1", "1.5", " 1", "2147483647", "99999999999",
                               "00000000-0000-4000-8000-000000000000", "1 OR 1=1"}) {
    SCOPED_TRACE("id \"" + id + "\"");
    EXPECT_EQ(test::error_of(s.create_authenticator(passkey(id, 2))), errc::not_found);
    EXPECT_TRUE(s.list_authenticators(id).value().empty());
    EXPECT_FALSE(s.delete_authenticator(id, a.credential_id).value());
    EXPECT_EQ(s.find_authenticator(id).value(), std::nullopt);
    EXPECT_FALSE(s.use_authenticator(id, 7, 8, true, {}).value());
  }
  EXPECT_EQ(this->find(credential_id(2)), std::nullopt);
  EXPECT_EQ(this->find(a.credential_id), a);
}

REGISTER_TYPED_TEST_SUITE_P(AuthenticatorConformance, CreateStoresEveryFieldAndFindReturnsIt,
                            CounterRoundTripsUpToItsLargestValue,
                            StoredCredentialIdCannotBeRegisteredAgain,
                            PasskeyForAnUnknownUserIsNotFound, ListIsPerUserAndOrdered,
                            StaleCounterAssertionIsRefusedAndWritesNothing,
                            ClonedAuthenticatorRaceHasOneWinner,
                            CounterlessAuthenticatorIsRecordedEveryTime,
                            AnotherUsersPasskeyCannotBeDeleted, DeleteUserTakesThePasskeysAlong,
                            OversizedOrMalformedPasskeyIsRefused, IdsOfNoUserOrPasskeyFindNothing);

}  // namespace authpp::adapters::conformance
