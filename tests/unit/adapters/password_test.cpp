#include <authpp/adapters/password.hpp>

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::adapters {
namespace {

// libsodium's floor for Argon2id (crypto_pwhash_argon2id_OPSLIMIT_MIN = 1,
// crypto_pwhash_argon2id_MEMLIMIT_MIN = 8192 bytes): fast enough for many tests, useless for
// production.
constexpr argon2_params fast{.ops = 1, .mem_bytes = 8 * 1024};

std::string hash(std::string_view password, const argon2_params& params = fast) {
  auto h = hash_password(password, params);
  EXPECT_TRUE(h) << h.error().message();
  return h ? *h : std::string();
}

TEST(PasswordTest, RoundTrip) {
  const std::string h = hash("correct horse battery staple");
  EXPECT_TRUE(verify_password("correct horse battery staple", h));
}

TEST(PasswordTest, WrongPasswordIsRefused) {
  const std::string h = hash("correct horse battery staple");
  for (std::string_view wrong : {"", "correct horse battery stapl", "correct horse battery staple ",
                                 "Correct horse battery staple"}) {
    SCOPED_TRACE(wrong);
    EXPECT_FALSE(verify_password(wrong, h));
  }
}

TEST(PasswordTest, PasswordsWithNulBytesAndNonAsciiWork) {
  const std::string pw("p\0ss\xC3\xA9", 6);
  const std::string h = hash(pw);
  EXPECT_TRUE(verify_password(pw, h));
  EXPECT_FALSE(verify_password("p", h)) << "a NUL must not truncate the password";
  EXPECT_TRUE(verify_password("", hash("")));
}

TEST(PasswordTest, EncodedStringIsArgon2idWithItsParameters) {
  const std::string h = hash("pw", {.ops = 3, .mem_bytes = 16 * 1024});
  EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=16,t=3,p=1$")) << h;
}

TEST(PasswordTest, DefaultsAreOwaspArgon2id) {
  auto h = hash_password("correct horse battery staple");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *h;
  EXPECT_TRUE(verify_password("correct horse battery staple", *h));
  EXPECT_FALSE(needs_rehash(*h));
}

TEST(PasswordTest, SamePasswordGetsDifferentSalts) {
  const std::string a = hash("pw");
  const std::string b = hash("pw");
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password("pw", a));
  EXPECT_TRUE(verify_password("pw", b));
}

TEST(PasswordTest, MalformedEncodingsAreRefusedWithoutCrashing) {
  const std::string good = hash("pw");
  std::vector<std::string> bad = {
      "",
      "$",
      "$argon2id$",
      "$argon2id$v=19$m=8,t=1,p=1$",
      "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",            // not Argon2id
      "$2b$12$abcdefghijklmnopqrstuuJ4N7Bm0i5DkVbcTIi6Bvd7i0wPf3u6",  // bcrypt
      "plain text",
      std::string(4096, '$'),
      std::string("$argon2id$v=19$m=8,t=1,p=1$\0c2FsdA$aGFzaA", 41),
      "$argon2id$v=19$m=99999999999999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
      "$argon2id$v=19$m=8,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
      "$argon2id$v=19$m=8,t=1,p=1$!!!!$????",
  };
  for (const std::string& encoded : bad) {
    SCOPED_TRACE(encoded.substr(0, 80));
    EXPECT_FALSE(verify_password("pw", encoded));
    EXPECT_TRUE(needs_rehash(encoded, fast));
  }
  // Well-formed, right parameters, but not the hash of "pw".
  const std::string damaged[] = {
      good.substr(0, good.size() - 1),  // truncated
      good + "A",                       // extended
      good.substr(0, good.size() - 2) + (good[good.size() - 2] == 'A' ? "B" : "A") +
          good.back(),  // one character changed
  };
  for (const std::string& encoded : damaged) {
    SCOPED_TRACE(encoded);
    EXPECT_FALSE(verify_password("pw", encoded));
  }
}

TEST(PasswordTest, NeedsRehashWhenParametersChange) {
  const std::string h = hash("pw");
  EXPECT_FALSE(needs_rehash(h, fast));
  EXPECT_TRUE(needs_rehash(h, {.ops = 2, .mem_bytes = fast.mem_bytes}));
  EXPECT_TRUE(needs_rehash(h, {.ops = 1, .mem_bytes = 16 * 1024}));
  EXPECT_TRUE(needs_rehash(h));  // the defaults are stronger
}

TEST(PasswordTest, OversizedPasswordIsRefused) {
  const std::string longest(max_password_size, 'x');
  const std::string h = hash(longest);
  EXPECT_TRUE(verify_password(longest, h));
  const std::string too_long(max_password_size + 1, 'x');
  EXPECT_EQ(test::error_of(hash_password(too_long, fast)), errc::limit_exceeded);
  EXPECT_FALSE(verify_password(too_long, h));
}

TEST(PasswordTest, ParametersBelowLibsodiumFloorAreRefused) {
  EXPECT_EQ(test::error_of(hash_password("pw", {.ops = 0, .mem_bytes = 8 * 1024})),
            errc::invalid_config);
  EXPECT_EQ(test::error_of(hash_password("pw", {.ops = 1, .mem_bytes = 8 * 1024 - 1})),
            errc::invalid_config);
}

// A missing user is verified against the dummy hash so that the reply takes as long as for a
// real one; the dummy must never accept anything.
TEST(PasswordTest, DummyHashIsStableDefaultStrengthAndAcceptsNothing) {
  const std::string& dummy = dummy_password_hash();
  EXPECT_EQ(&dummy, &dummy_password_hash());
  EXPECT_TRUE(dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << dummy;
  EXPECT_FALSE(needs_rehash(dummy));
  for (std::string_view guess : {"", "password", "admin", "\0"}) {
    EXPECT_FALSE(verify_password(guess, dummy));
  }
}

TEST(PasswordTest, DummyHashIsComputedOnceAcrossThreads) {
  std::vector<const std::string*> seen(4);
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    pool.emplace_back([&seen, i] { seen[i] = &dummy_password_hash(); });
  }
  for (auto& t : pool) t.join();
  for (const std::string* p : seen) EXPECT_EQ(p, seen[0]);
}

}  // namespace
}  // namespace authpp::adapters
