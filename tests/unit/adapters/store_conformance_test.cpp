#include <authpp/adapters/memory_store.hpp>
#include <authpp/adapters/sqlite_store.hpp>

#include <memory>

#include <gtest/gtest.h>

#include "conformance/adapter_suite.hpp"
#include "conformance/authenticator_suite.hpp"
#include "conformance/second_factor_suite.hpp"
#include "conformance/user_store_suite.hpp"
#include "temp_dir.hpp"

namespace authpp::adapters {
namespace {

struct memory_factory {
  std::unique_ptr<user_store> make(const clock& clock) {
    return make_memory_store(default_random(), clock);
  }
};

struct memory_adapter_factory {
  std::unique_ptr<adapter> make(const clock& clock) {
    return make_memory_store(default_random(), clock);
  }
};

struct sqlite_factory {
  test::temp_dir dir;
  std::unique_ptr<adapter> make(const clock& clock) {
    auto s =
        open_sqlite_store({.path = (dir.path() / "users.db").string()}, default_random(), clock);
    if (!s) ADD_FAILURE() << s.error().message();
    return s ? std::move(*s) : make_memory_store();
  }
};

}  // namespace

namespace conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, UserStoreConformance, memory_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, UserStoreConformance, sqlite_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, AdapterConformance, memory_adapter_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, AdapterConformance, sqlite_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, SecondFactorConformance, memory_adapter_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, SecondFactorConformance, sqlite_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, AuthenticatorConformance, memory_adapter_factory);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, AuthenticatorConformance, sqlite_factory);
}  // namespace conformance

namespace {

TEST(NormalizeEmailTest, TrimsAsciiSpaceAndLowerCasesAsciiOnly) {
  EXPECT_EQ(normalize_email("  Ada@Example.COM \r\n"), "ada@example.com");
  EXPECT_EQ(normalize_email("ÄDA@example.com"), "Äda@example.com");  // non-ASCII kept
  EXPECT_EQ(normalize_email(" \t "), "");
  EXPECT_EQ(normalize_email("a b@example.com"), "a b@example.com");  // inner space kept
}

}  // namespace
}  // namespace authpp::adapters
