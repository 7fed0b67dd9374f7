#include <authpp/adapters/memory_store.hpp>
#include <authpp/adapters/password.hpp>
#include <authpp/server/bootstrap.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support/test_support.hpp"
#include "unit/adapters/temp_dir.hpp"

namespace authpp::server {
namespace {

constexpr adapters::argon2_params cheap{.ops = 1, .mem_bytes = 8 * 1024};

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return static_cast<unsigned>(st.st_mode & 07777);
}

TEST(EnsureDevSecretTest, CreatesAPrivateSecretAndReusesIt) {
  test::temp_dir dir;
  const std::filesystem::path data = dir.path() / "var" / "data";
  auto first = ensure_dev_secret(data.string());
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->size(), 43u);  // 32 bytes, unpadded base64url
  EXPECT_EQ(mode_of(data / "secret"), 0600u);
  EXPECT_EQ(mode_of(data), 0700u);
  EXPECT_EQ(mode_of(dir.path() / "var"), 0700u);

  auto second = ensure_dev_secret(data.string());
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(*second, *first);
  // No temporary file left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data), {}), 1);
}

TEST(EnsureDevSecretTest, SecretsDifferBetweenDirectories) {
  test::temp_dir a, b;
  EXPECT_NE(ensure_dev_secret(a.path().string()).value(),
            ensure_dev_secret(b.path().string()).value());
}

TEST(EnsureDevSecretTest, ReadsAnOperatorsSecretWithoutItsNewline) {
  test::temp_dir dir;
  const auto path = dir.path() / "secret";
  std::ofstream(path) << "my own secret\n";
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_EQ(ensure_dev_secret(dir.path().string()).value(), "my own secret");
}

TEST(EnsureDevSecretTest, RefusesASecretOthersCanRead) {
  test::temp_dir dir;
  ASSERT_TRUE(ensure_dev_secret(dir.path().string()));
  const auto path = dir.path() / "secret";
  for (unsigned mode : {0644u, 0640u, 0604u, 0620u}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto r = ensure_dev_secret(dir.path().string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_config);
    EXPECT_NE(r.error().detail.find("chmod 600 " + path.string()), std::string::npos)
        << r.error().detail;
  }
}

TEST(EnsureDevSecretTest, RefusesAnEmptySecretFile) {
  test::temp_dir dir;
  const auto path = dir.path() / "secret";
  std::ofstream(path) << "\n";
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_EQ(test::error_of(ensure_dev_secret(dir.path().string())), errc::invalid_config);
}

TEST(EnsureDevSecretTest, ReportsAnUncreatableDirectory) {
  test::temp_dir dir;
  const auto file = dir.path() / "file";
  std::ofstream(file) << "x";
  EXPECT_EQ(test::error_of(ensure_dev_secret((file / "sub").string())), errc::storage_unavailable);
}

TEST(EnsureDevSecretTest, ReportsARandomFailure) {
  test::temp_dir dir;
  const test::failing_random random;
  EXPECT_EQ(test::error_of(ensure_dev_secret(dir.path().string(), random)), errc::random_failure);
}

TEST(EnsureDemoUserTest, CreatesTheDemoUserOnlyWhenTheStoreIsEmpty) {
  auto store = adapters::make_memory_store();
  auto demo = ensure_demo_user(*store, cheap);
  ASSERT_TRUE(demo) << demo.error().message();
  ASSERT_TRUE(*demo);
  EXPECT_EQ((*demo)->email, "demo@example.com");
  EXPECT_EQ((*demo)->password.size(), 16u);

  auto user = store->find_by_email("demo@example.com").value();
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "Demo User");
  EXPECT_TRUE(
      adapters::verify_password((*demo)->password, store->password_hash(user->id).value().value()));

  // Second start: the store has a user, nothing is created or printed.
  auto again = ensure_demo_user(*store, cheap);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(store->list_users().value().size(), 1u);
}

TEST(EnsureDemoUserTest, NothingWhenAnyUserExists) {
  auto store = adapters::make_memory_store();
  ASSERT_TRUE(store->add_user({.email = "ada@example.com"}, ""));
  auto demo = ensure_demo_user(*store, cheap);
  ASSERT_TRUE(demo);
  EXPECT_FALSE(*demo);
  EXPECT_FALSE(store->find_by_email("demo@example.com").value());
}

TEST(EnsureDemoUserTest, PasswordsAreRandomAndAlphanumeric) {
  auto a = adapters::make_memory_store();
  auto b = adapters::make_memory_store();
  const std::string pa = ensure_demo_user(*a, cheap).value().value().password;
  const std::string pb = ensure_demo_user(*b, cheap).value().value().password;
  EXPECT_NE(pa, pb);
  for (char c : pa + pb) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

}  // namespace
}  // namespace authpp::server
