#include <authpp/mfa/recovery_codes.hpp>

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace authpp::mfa {
namespace {

TEST(RecoveryCodesTest, TenDistinctCodesWithTheirHashes) {
  const auto made = new_recovery_codes();
  ASSERT_TRUE(made);
  ASSERT_EQ(made->codes.size(), 10u);
  ASSERT_EQ(made->hashes.size(), 10u);
  const std::regex shape("[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}");
  for (std::size_t i = 0; i < made->codes.size(); ++i) {
    EXPECT_TRUE(std::regex_match(made->codes[i], shape)) << made->codes[i];
    EXPECT_EQ(made->hashes[i], hash_recovery_code(made->codes[i]));
  }
  EXPECT_EQ(std::set<std::string>(made->codes.begin(), made->codes.end()).size(), 10u);
}

// Attack: a stolen database yields the codes. Only hashes are stored: no code appears in them.
TEST(RecoveryCodesTest, HashesHideTheCode) {
  const auto made = new_recovery_codes();
  ASSERT_TRUE(made);
  for (const auto& h : made->hashes) {
    EXPECT_EQ(h.rfind("sha256:", 0), 0u);
    EXPECT_EQ(h.size(), 7u + 64u);
    for (const auto& code : made->codes) {
      EXPECT_EQ(h.find(code.substr(0, 4) + code.substr(5, 4)), std::string::npos);
    }
  }
}

TEST(RecoveryCodesTest, FoundWhateverTheCaseAndSeparators) {
  const auto made = new_recovery_codes();
  ASSERT_TRUE(made);
  const std::string& code = made->codes[3];
  EXPECT_EQ(find_recovery_code(code, made->hashes), 3u);
  std::string typed;
  for (const char c : code) {
    if (c != '-') typed.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  }
  EXPECT_EQ(find_recovery_code(typed, made->hashes), 3u);
  EXPECT_EQ(find_recovery_code(" " + code + " ", made->hashes), 3u);
}

TEST(RecoveryCodesTest, AnUnknownOrEmptyCodeIsNotFound) {
  const auto made = new_recovery_codes();
  ASSERT_TRUE(made);
  std::string other = made->codes[0];
  other[0] = other[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(find_recovery_code(other, made->hashes), std::nullopt);
  EXPECT_EQ(find_recovery_code("", made->hashes), std::nullopt);
  EXPECT_EQ(find_recovery_code(made->codes[0], {}), std::nullopt);
}

// Attack: a used code replayed. The caller removes the hash that matched; the code then fails.
TEST(RecoveryCodesTest, ACodeWorksOnceItsHashIsRemoved) {
  auto made = new_recovery_codes();
  ASSERT_TRUE(made);
  const auto found = find_recovery_code(made->codes[7], made->hashes);
  ASSERT_EQ(found, 7u);
  made->hashes.erase(made->hashes.begin() + static_cast<std::ptrdiff_t>(*found));
  EXPECT_EQ(find_recovery_code(made->codes[7], made->hashes), std::nullopt);
  EXPECT_EQ(find_recovery_code(made->codes[8], made->hashes), 7u);
}

}  // namespace
}  // namespace authpp::mfa
