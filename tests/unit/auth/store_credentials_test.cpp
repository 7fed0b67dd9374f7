#include <authpp/adapters/memory_store.hpp>
#include <authpp/adapters/password.hpp>
#include <authpp/auth/store_credentials.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp {
namespace {

// Argon2id at libsodium's minimum cost: the tests check behaviour, not hardness.
constexpr adapters::argon2_params cheap{.ops = 1, .mem_bytes = 8 * 1024};
constexpr adapters::argon2_params dearer{.ops = 2, .mem_bytes = 16 * 1024};

// faulty_store forwards to an inner store, failing chosen operations with a chosen code.
class faulty_store final : public adapters::user_store {
 public:
  explicit faulty_store(std::unique_ptr<adapters::user_store> inner) : inner_(std::move(inner)) {}

  std::optional<errc> fail_reads;         // every find_* and password_hash
  std::optional<errc> fail_set_password;  // set_password only

  result<adapters::user_record> add_user(const adapters::new_user& user,
                                         std::string_view hash) override {
    return inner_->add_user(user, hash);
  }
  result<std::optional<adapters::user_record>> find_by_email(std::string_view e) const override {
    if (fail_reads) return failure(*fail_reads);
    return inner_->find_by_email(e);
  }
  result<std::optional<adapters::user_record>> find_by_username(std::string_view u) const override {
    if (fail_reads) return failure(*fail_reads);
    return inner_->find_by_username(u);
  }
  result<std::optional<adapters::user_record>> find_by_id(std::string_view id) const override {
    if (fail_reads) return failure(*fail_reads);
    return inner_->find_by_id(id);
  }
  result<std::vector<adapters::user_record>> list_users() const override {
    return inner_->list_users();
  }
  result<void> set_disabled(std::string_view email, bool disabled) override {
    return inner_->set_disabled(email, disabled);
  }
  result<void> set_password(std::string_view id, std::string_view hash) override {
    ++set_password_calls;
    if (fail_set_password) return failure(*fail_set_password);
    return inner_->set_password(id, hash);
  }
  result<bool> delete_user(std::string_view id) override { return inner_->delete_user(id); }
  result<long long> bump_session_version(std::string_view id) override {
    return inner_->bump_session_version(id);
  }
  result<void> set_email_verified(std::string_view id,
                                  std::chrono::system_clock::time_point when) override {
    return inner_->set_email_verified(id, when);
  }
  result<std::optional<std::string>> password_hash(std::string_view id) const override {
    if (fail_reads) return failure(*fail_reads);
    return inner_->password_hash(id);
  }
  result<void> check_health() const override { return inner_->check_health(); }

  int set_password_calls = 0;

 private:
  static auth_error failure(errc code) { return auth_error{code, "database is locked (test)"}; }
  std::unique_ptr<adapters::user_store> inner_;
};

class CredentialsProviderTest : public ::testing::Test {
 protected:
  CredentialsProviderTest() {
    store_ = std::make_shared<faulty_store>(adapters::make_memory_store());
    ada_id_ = add("Ada@Example.com", "ada_l", "correct horse", cheap);
    provider_ = store_credentials_provider(store_, cheap);
  }

  std::string add(const std::string& email, const std::string& username,
                  const std::string& password, const adapters::argon2_params& params) {
    auto hash = adapters::hash_password(password, params);
    EXPECT_TRUE(hash);
    adapters::new_user u{.email = email, .name = "Ada Lovelace", .username = username};
    u.image = "https://example.com/ada.png";
    auto r = store_->add_user(u, hash.value_or(""));
    EXPECT_TRUE(r) << r.error().message();
    return r ? r->id : std::string();
  }

  authorize_result sign_in(const json& credentials) {
    const http::request request;
    return provider_.authorize(authorize_request{credentials, request});
  }

  std::shared_ptr<faulty_store> store_;
  std::string ada_id_;
  credentials_provider provider_;
};

// is_rejected tells whether `r` is a CredentialsSignin refusal with `code`.
::testing::AssertionResult is_rejected(const authorize_result& r, const std::string& code) {
  if (r.accepted()) return ::testing::AssertionFailure() << "accepted";
  if (r.failure()) return ::testing::AssertionFailure() << "failed: " << *r.failure();
  if (r.code() != code) return ::testing::AssertionFailure() << "code " << r.code();
  return ::testing::AssertionSuccess();
}

TEST_F(CredentialsProviderTest, DescribesItselfLikeAuthJs) {
  EXPECT_EQ(provider_.id, "credentials");
  EXPECT_EQ(provider_.name, "Credentials");
  ASSERT_EQ(provider_.fields.size(), 2u);
  EXPECT_EQ(provider_.fields[0].name, "email");
  EXPECT_EQ(provider_.fields[0].label, "Email or username");
  EXPECT_EQ(provider_.fields[0].type, "text");
  EXPECT_EQ(provider_.fields[1].name, "password");
  EXPECT_EQ(provider_.fields[1].type, "password");
}

TEST_F(CredentialsProviderTest, AcceptsTheRightPasswordByEmail) {
  const auto r = sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}});
  ASSERT_TRUE(r.accepted());
  EXPECT_EQ(r.accepted()->id, ada_id_);
  EXPECT_EQ(r.accepted()->email, "ada@example.com");
  EXPECT_EQ(r.accepted()->name, "Ada Lovelace");
  EXPECT_EQ(r.accepted()->image, "https://example.com/ada.png");
}

TEST_F(CredentialsProviderTest, EmailIsCaseInsensitiveAndTrimmed) {
  EXPECT_TRUE(sign_in({{"email", "  ADA@example.COM "}, {"password", "correct horse"}}).accepted());
}

TEST_F(CredentialsProviderTest, AcceptsTheUsernameInEitherField) {
  const auto r = sign_in({{"email", "Ada_L"}, {"password", "correct horse"}});
  ASSERT_TRUE(r.accepted());
  EXPECT_EQ(r.accepted()->id, ada_id_);
  EXPECT_TRUE(sign_in({{"username", "ada_l"}, {"password", "correct horse"}}).accepted());
}

TEST_F(CredentialsProviderTest, WrongPasswordAndUnknownUserLookAlike) {
  EXPECT_TRUE(
      is_rejected(sign_in({{"email", "ada@example.com"}, {"password", "wrong"}}), "credentials"));
  EXPECT_TRUE(is_rejected(sign_in({{"email", "bob@example.com"}, {"password", "correct horse"}}),
                          "credentials"));
  EXPECT_TRUE(is_rejected(sign_in({{"email", "ada@example.com"}}), "credentials"));
  EXPECT_TRUE(is_rejected(sign_in({{"password", "correct horse"}}), "credentials"));
  EXPECT_TRUE(is_rejected(sign_in({{"email", 1}, {"password", true}}), "credentials"));
  EXPECT_TRUE(is_rejected(sign_in(json::array()), "credentials"));
}

TEST_F(CredentialsProviderTest, UserWithoutPasswordIsRejectedLikeUnknown) {
  auto r = store_->add_user({.email = "oauth@example.com"}, "");
  ASSERT_TRUE(r);
  EXPECT_TRUE(
      is_rejected(sign_in({{"email", "oauth@example.com"}, {"password", ""}}), "credentials"));
  EXPECT_TRUE(
      is_rejected(sign_in({{"email", "oauth@example.com"}, {"password", "x"}}), "credentials"));
}

// A disabled account is revealed only to someone who knows its password.
TEST_F(CredentialsProviderTest, DisabledAccountNeedsTheRightPasswordToBeNamed) {
  ASSERT_TRUE(store_->set_disabled("ada@example.com", true));
  EXPECT_TRUE(is_rejected(sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}}),
                          "account_disabled"));
  EXPECT_TRUE(
      is_rejected(sign_in({{"email", "ada@example.com"}, {"password", "wrong"}}), "credentials"));
  ASSERT_TRUE(store_->set_disabled("ada@example.com", false));
  EXPECT_TRUE(sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}}).accepted());
}

TEST_F(CredentialsProviderTest, RehashesOnLoginWhenTheCostRises) {
  provider_ = store_credentials_provider(store_, dearer);
  const std::string before = store_->password_hash(ada_id_).value().value();
  ASSERT_TRUE(adapters::needs_rehash(before, dearer));

  ASSERT_TRUE(sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}}).accepted());
  const std::string after = store_->password_hash(ada_id_).value().value();
  EXPECT_NE(after, before);
  EXPECT_FALSE(adapters::needs_rehash(after, dearer));
  EXPECT_TRUE(adapters::verify_password("correct horse", after));

  // Once up to date, no more writes.
  ASSERT_TRUE(sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}}).accepted());
  EXPECT_EQ(store_->set_password_calls, 1);
}

TEST_F(CredentialsProviderTest, NoRehashOnAWrongPasswordOrADisabledAccount) {
  provider_ = store_credentials_provider(store_, dearer);
  EXPECT_FALSE(sign_in({{"email", "ada@example.com"}, {"password", "wrong"}}).accepted());
  ASSERT_TRUE(store_->set_disabled("ada@example.com", true));
  EXPECT_FALSE(sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}}).accepted());
  EXPECT_EQ(store_->set_password_calls, 0);
}

TEST_F(CredentialsProviderTest, FailedRehashDoesNotFailTheLogin) {
  provider_ = store_credentials_provider(store_, dearer);
  store_->fail_set_password = errc::storage_unavailable;
  EXPECT_TRUE(sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}}).accepted());
  EXPECT_EQ(store_->set_password_calls, 1);
}

TEST_F(CredentialsProviderTest, UnavailableStoreIsUnavailableNotAWrongPassword) {
  store_->fail_reads = errc::storage_unavailable;
  const auto r = sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}});
  EXPECT_FALSE(r.accepted());
  EXPECT_TRUE(r.is_unavailable());
  ASSERT_TRUE(r.failure());
  EXPECT_EQ(r.failure()->find("correct horse"), std::string::npos);
  EXPECT_EQ(r.failure()->find("$argon2"), std::string::npos);
}

TEST_F(CredentialsProviderTest, OtherStoreFailuresFail) {
  store_->fail_reads = errc::storage_failure;
  const auto r = sign_in({{"email", "ada@example.com"}, {"password", "correct horse"}});
  EXPECT_FALSE(r.accepted());
  EXPECT_FALSE(r.is_unavailable());
  ASSERT_TRUE(r.failure());
  EXPECT_EQ(r.failure()->find("correct horse"), std::string::npos);
}

TEST_F(CredentialsProviderTest, CopiesShareTheStore) {
  const credentials_provider copy = provider_;  // NOLINT(performance-unnecessary-copy-*)
  const http::request request;
  const json body = {{"email", "ada@example.com"}, {"password", "correct horse"}};
  EXPECT_TRUE(copy.authorize(authorize_request{body, request}).accepted());
}

TEST_F(CredentialsProviderTest, WithoutARunnerThereIsNothingToAwait) {
  EXPECT_FALSE(provider_.authorize_async);
}

// decide_async awaits the provider's authorize_async on a fresh io_context.
authorize_result decide_async(const credentials_provider& p, const json& credentials) {
  boost::asio::io_context io;
  const http::request request;
  std::optional<authorize_result> out;
  // authorize_result has no empty state for co_spawn's handler: the coroutine stores it.
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        out = co_await p.authorize_async(authorize_request{credentials, request});
      },
      boost::asio::detached);
  io.run();
  return out.value_or(authorize_result::fail("never finished"));
}

// With a runner, the Argon2id check runs where the runner puts it (a pool thread in authpp
// serve), never on the thread awaiting it, and decides as the synchronous check does.
TEST_F(CredentialsProviderTest, TheAwaitedCheckRunsThroughTheRunner) {
  int ran = 0;
  provider_ = store_credentials_provider(
      store_, cheap, [&ran](std::function<void()> work) -> boost::asio::awaitable<result<void>> {
        ++ran;
        work();
        co_return result<void>{};
      });
  ASSERT_TRUE(provider_.authorize_async);
  const auto ok =
      decide_async(provider_, {{"email", "ada@example.com"}, {"password", "correct horse"}});
  ASSERT_TRUE(ok.accepted());
  EXPECT_EQ(ok.accepted()->id, ada_id_);
  EXPECT_TRUE(
      is_rejected(decide_async(provider_, {{"email", "ada@example.com"}, {"password", "wrong"}}),
                  "credentials"));
  EXPECT_EQ(ran, 2);
}

// A full pool must not turn into a wrong-password answer (nor a sign-in): it is a 503.
TEST_F(CredentialsProviderTest, ARefusingRunnerIsUnavailable) {
  provider_ = store_credentials_provider(
      store_, cheap, [](std::function<void()>) -> boost::asio::awaitable<result<void>> {
        co_return auth_error{errc::overloaded, "queue full"};
      });
  const auto r =
      decide_async(provider_, {{"email", "ada@example.com"}, {"password", "correct horse"}});
  EXPECT_FALSE(r.accepted());
  EXPECT_TRUE(r.is_unavailable());
}

}  // namespace
}  // namespace authpp
