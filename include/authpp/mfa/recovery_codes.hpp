#pragma once

#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Recovery codes: single-use passwords a user prints when enrolling a second factor, for the day
// the phone is lost. Only their hashes are stored.
namespace authpp::mfa {

// recovery_codes are ten fresh codes, each 16 characters of base32 shown as "xxxx-xxxx-xxxx-xxxx"
// (80 random bits), with their hashes in the same order: show the codes once, store the hashes.
struct recovery_codes {
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
};

// new_recovery_codes draws `count` codes (ten by default). It fails with errc::random_failure.
result<recovery_codes> new_recovery_codes(const random_source& source = default_random(),
                                          std::size_t count = 10);

// hash_recovery_code returns the stored form of a code: "sha256:" and the hex SHA-256 of the code
// with dashes and spaces removed and letters lower-cased, so that "ABCD-efgh…" and "abcdefgh…"
// are the same code. A fast hash suffices: 80 random bits cannot be guessed offline.
std::string hash_recovery_code(std::string_view code);

// find_recovery_code returns the index in `hashes` of the hash of `code`, or nullopt. Every hash
// is compared, in constant time. The caller deletes that hash, so the code works once.
std::optional<std::size_t> find_recovery_code(std::string_view code,
                                              const std::vector<std::string>& hashes);

}  // namespace authpp::mfa
