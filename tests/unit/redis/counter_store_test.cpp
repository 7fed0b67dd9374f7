// The Redis counter store against a throw-away redis-server: the counter semantics the memory
// store has, counts shared and never lost between instances, and an outage that costs a request
// at most one timeout and then nothing (the engine applies no limit and logs it).
#include <authpp/redis/counter_store.hpp>

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/redis_server.hpp"
#include "unit/auth/engine_fixture.hpp"

namespace authpp::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

class RedisCounterStoreTest : public ::testing::Test {
 protected:
  redis_server server_;
  const clock::time_point now_ = clock::time_point(std::chrono::seconds(1'800'000'000));

  std::shared_ptr<counter_store> store(std::string url = {},
                                       std::chrono::milliseconds retry_after = 2000ms) {
    redis::counter_store_options o;
    o.address = redis::parse_redis_url(url.empty() ? server_.url() : url, "test").value();
    o.retry_after = retry_after;
    return redis::make_counter_store(o);
  }
};

TEST_F(RedisCounterStoreTest, CountsInAFixedWindowAndForgetsOnRemove) {
  auto s = store();
  EXPECT_EQ(s->get("k", now_).value().value, 0u);
  const auto first = s->add("k", 60s, now_).value();
  EXPECT_EQ(first.value, 1u);
  EXPECT_EQ(first.expires, now_ + 60s);
  EXPECT_EQ(s->add("k", 60s, now_).value().value, 2u);
  // The window is not extended by later counts.
  EXPECT_LE(s->add("k", 3600s, now_).value().expires, now_ + 60s);
  const auto got = s->get("k", now_).value();
  EXPECT_EQ(got.value, 3u);
  EXPECT_GT(got.expires, now_ + 55s);
  EXPECT_EQ(s->add("other", 60s, now_).value().value, 1u);
  ASSERT_TRUE(s->remove("k"));
  EXPECT_EQ(s->get("k", now_).value().value, 0u);
  EXPECT_EQ(s->get("other", now_).value().value, 1u);
}

// A fleet: guesses spread over instances count once. 8 threads on two stores (two servers'
// connections) add 400 times: the count is 400, not one lost.
TEST_F(RedisCounterStoreTest, TwoInstancesShareOneCountAndLoseNoIncrement) {
  auto a = store();
  auto b = store();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) ASSERT_TRUE((t % 2 == 0 ? a : b)->add("shared", 60s, now_));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(a->get("shared", now_).value().value, 400u);
  EXPECT_EQ(b->get("shared", now_).value().value, 400u);
}

TEST_F(RedisCounterStoreTest, KeysAreBinarySafeAndPrefixed) {
  auto s = store();
  const std::string odd = std::string("a\0b \r\n*1", 8);
  EXPECT_EQ(s->add(odd, 60s, now_).value().value, 1u);
  EXPECT_EQ(s->get(std::string("a\0b", 3), now_).value().value, 0u);
  EXPECT_EQ(s->get(odd, now_).value().value, 1u);
}

// Redis gone (a crash, a network cut): calls fail fast with storage_unavailable, which the
// engine answers by applying no limit (fail open, logged); it comes back on its own.
TEST_F(RedisCounterStoreTest, AnOutageFailsFastAndRecoversByItself) {
  auto s = store({}, 0ms);
  ASSERT_TRUE(s->add("k", 60s, now_));
  server_.stop();
  const auto t0 = std::chrono::steady_clock::now();
  auto down = s->add("k", 60s, now_);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, errc::storage_unavailable);
  EXPECT_THAT(down.error().detail, HasSubstr("127.0.0.1:" + std::to_string(server_.port())));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);  // bounded, not a hang
  server_.start();
  EXPECT_EQ(s->add("k", 60s, now_).value().value, 1u);  // a new, empty Redis
}

TEST_F(RedisCounterStoreTest, AfterAFailureRedisIsLeftAloneForRetryAfter) {
  auto s = store({}, 3600s);
  server_.stop();
  EXPECT_FALSE(s->add("k", 60s, now_));
  server_.start();
  auto skipped = s->add("k", 60s, now_);
  ASSERT_FALSE(skipped);
  EXPECT_THAT(skipped.error().detail, HasSubstr("a moment ago"));
}

TEST(RedisPasswordTest, AWrongPasswordIsAClearErrorThatNeverShowsIt) {
  redis_server server("right-password");
  const clock::time_point now{};
  redis::counter_store_options o;
  o.address = redis::parse_redis_url(server.url(), "test").value();
  EXPECT_EQ(redis::make_counter_store(o)->add("k", 60s, now).value().value, 1u);
  o.address.password = "wrong-password";
  auto refused = redis::make_counter_store(o)->add("k", 60s, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::storage_failure);
  EXPECT_THAT(refused.error().detail, HasSubstr("refused AUTH"));
  EXPECT_THAT(refused.error().detail, Not(HasSubstr("wrong-password")));
  o.address.password.clear();
  auto anonymous = redis::make_counter_store(o)->add("k", 60s, now);
  ASSERT_FALSE(anonymous);
  EXPECT_THAT(anonymous.error().detail, HasSubstr("NOAUTH"));
}

TEST(RedisUrlTest, ReadsHostPortPasswordAndDatabase) {
  auto a = redis::parse_redis_url("redis://:s3cret@cache.internal:6380/2", "f").value();
  EXPECT_EQ(a.host, "cache.internal");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.password, "s3cret");
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.db, 2);
  // A password with URL delimiters in it is written percent-encoded.
  EXPECT_EQ(redis::parse_redis_url("redis://:p%40ss%3Aw%2Frd@h", "f").value().password,
            "p@ss:w/rd");
  auto b = redis::parse_redis_url("redis://app:pw@127.0.0.1", "f").value();
  EXPECT_EQ(b.user, "app");
  EXPECT_EQ(b.port, 6379);
  EXPECT_EQ(b.db, 0);
}

TEST(RedisUrlTest, RefusesWhatIsNotARedisUrlWithoutShowingThePassword) {
  for (const char* bad : {"http://127.0.0.1:6379", "redis://", "redis://:pw@", "redis://h:0",
                          "redis://h:99999", "redis://h:x", "redis://h/db", "redis://user@h",
                          "redis://:secret-pw@h:70000", "redis://:secret-pw%zz@h"}) {
    auto r = redis::parse_redis_url(bad, "rate_limit.redis_url");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::invalid_config);
    EXPECT_THAT(r.error().detail, HasSubstr("rate_limit.redis_url: "));
    EXPECT_THAT(r.error().detail, Not(HasSubstr("secret-pw")));
  }
}

// Password guessing spread over a fleet: two engines (two servers) on one Redis hold one count
// per address, so the fourth POST is refused whichever instance it reaches.
class RedisSharedLimitTest : public EngineTest {
 protected:
  redis_server server_;
  authpp::auth instance() {
    auto c = config();
    redis::counter_store_options o;
    o.address = redis::parse_redis_url(server_.url(), "test").value();
    c.rate_limits.store = redis::make_counter_store(o);
    c.rate_limits.posts_per_minute = 3;
    return build(std::move(c));
  }
};

TEST_F(RedisSharedLimitTest, TwoInstancesEnforceOneLimitPerAddress) {
  const auto a = instance();
  const auto b = instance();
  jar j;
  const std::string token = csrf(a, j);
  const auto post = [&](const authpp::auth& to, const std::string& address) {
    auto r = post_form("/api/auth/signout", form({{"csrfToken", token}}), j.header());
    r.client_address = address;
    return to.handle(r);
  };
  EXPECT_EQ(post(a, "203.0.113.1").status, 200);
  EXPECT_EQ(post(b, "203.0.113.1").status, 200);
  EXPECT_EQ(post(a, "203.0.113.1").status, 200);
  const auto refused = post(b, "203.0.113.1");
  EXPECT_EQ(refused.status, 429);
  EXPECT_NE(refused.headers.get("Retry-After"), std::nullopt);
  EXPECT_EQ(post(a, "198.51.100.2").status, 200);  // another address is not locked out
}

}  // namespace
}  // namespace authpp::test
