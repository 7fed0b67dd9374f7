#include <authpp/core/hex.hpp>
#include <authpp/jose/digest.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

// FIPS 180-4 examples ("abc") and the CSRF vector of client-wire.md TV-3.
TEST(DigestTest, Sha256Vectors) {
  EXPECT_EQ(hex::encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex::encode(sha256("abcsecret")),
            "a42178b773273f5c9f24387fbea546af537d08b8c06b23631e44878b9ce47f49");
}

TEST(DigestTest, Sha512Vector) {
  EXPECT_EQ(hex::encode(sha512("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

// RFC 4231 test case 2 (and RFC 2202's, the same input, for SHA-1).
TEST(DigestTest, HmacRfc4231Case2) {
  const auto key = as_bytes("Jefe");
  const auto data = as_bytes("what do ya want for nothing?");
  EXPECT_EQ(hex::encode(hmac_sha1(key, data)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex::encode(hmac_sha256(key, data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex::encode(hmac_sha512(key, data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(DigestTest, HmacAcceptsEmptyKey) {
  EXPECT_EQ(hex::encode(hmac_sha256({}, {})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// A prepared key gives the one-shot MAC, however often it is used, and its per-thread state is
// never confused with another key's: more keys than a thread caches, used in turn, and the same
// keys from several threads at once.
TEST(DigestTest, PreparedHmacKeyMatchesOneShot) {
  const auto data = as_bytes("what do ya want for nothing?");
  const hmac_sha512_key jefe(as_bytes("Jefe"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hex::encode(jefe.mac({data})),
              "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
              "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
  }
  // Parts are concatenated.
  EXPECT_EQ(jefe.mac({as_bytes("what do ya "), as_bytes(""), as_bytes("want for nothing?")}),
            hmac_sha512(as_bytes("Jefe"), data));

  std::vector<std::string> secrets;
  std::vector<hmac_sha512_key> keys;
  for (int i = 0; i < 20; ++i) {
    secrets.push_back("key-" + std::to_string(i));
    keys.emplace_back(as_bytes(secrets.back()));
  }
  const auto check_all = [&] {
    for (int round = 0; round < 3; ++round) {
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].mac({data}) != hmac_sha512(as_bytes(secrets[i]), data)) return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(check_all());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      if (!check_all()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace authpp::jose
