// Rate limits and lockout (issue 12): each test names the attack it slows down.
#include "engine_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class EngineRateLimitTest : public EngineTest {
 protected:
  authpp::auth limited(std::uint32_t posts, std::uint32_t free_failures = 5) {
    auto c = config();
    c.rate_limits.store = make_memory_counter_store();
    c.rate_limits.posts_per_minute = posts;
    c.rate_limits.free_failures = free_failures;
    c.rate_limits.max_backoff = std::chrono::seconds(4);
    c.events.rate_limited = [this](const rate_limited_event& e) {
      events_.push_back(std::string(e.limit) + "@" + std::string(e.client_address));
    };
    return build(std::move(c));
  }

  static http::request from(http::request r, const std::string& address) {
    r.client_address = address;
    return r;
  }

  // attempt posts a credentials sign-in for `user` with `password` from `address`.
  http::response attempt(const authpp::auth& a, const std::string& address,
                         const std::string& password, const std::string& user = "alice") {
    jar j;
    const std::string token = csrf(a, j);
    return a.handle(
        from(post_form("/api/auth/callback/credentials",
                       form({{"username", user}, {"password", password}, {"csrfToken", token}}),
                       j.header()),
             address));
  }

  std::vector<std::string> events_;
};

// Request flooding from one address: past posts_per_minute, POSTs are refused with 429 and
// Retry-After until the minute is over; another address is not affected.
TEST_F(EngineRateLimitTest, PostsPerAddressAreLimitedPerMinute) {
  const auto a = limited(3);
  jar j;
  const std::string token = csrf(a, j);
  const auto post = [&](const std::string& address) {
    return a.handle(
        from(post_form("/api/auth/signout", form({{"csrfToken", token}}), j.header()), address));
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post("203.0.113.1").status, 200) << i;
  const auto refused = post("203.0.113.1");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.get("Retry-After"), "60");
  EXPECT_THAT(refused.body, HasSubstr("Too many requests"));
  EXPECT_EQ(post("198.51.100.2").status, 200);
  // GETs are not counted.
  EXPECT_EQ(a.handle(from(get("/api/auth/session"), "203.0.113.1")).status, 200);
  clock_.advance(std::chrono::seconds(60));
  EXPECT_EQ(post("203.0.113.1").status, 200);
  EXPECT_EQ(events_, std::vector<std::string>{"posts@203.0.113.1"});
}

// Password guessing: past free_failures wrong passwords for one account from one address, that
// pair is locked for 1 s, then 2 s, 4 s, … (capped); even the right password is refused while
// locked, with CredentialsSignin / rate_limited, 429 and Retry-After.
TEST_F(EngineRateLimitTest, FailedSignInsBackOffPerAccountAndAddress) {
  const auto a = limited(1000, 2);
  const std::string attacker = "203.0.113.66";
  for (int i = 0; i < 2; ++i) {
    EXPECT_THAT(attempt(a, attacker, "guess").body, HasSubstr("code=credentials")) << i;
  }
  // The third failure is still answered, and locks the pair for 1 s.
  EXPECT_THAT(attempt(a, attacker, "guess").body, HasSubstr("code=credentials"));
  auto locked = attempt(a, attacker, "wonderland");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(
      locked.body,
      R"({"url":"http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=rate_limited"})");
  EXPECT_EQ(locked.headers.get("Retry-After"), "1");
  EXPECT_FALSE(locked.headers.contains("Set-Cookie"));
  // Each failure past the free ones doubles the wait, up to max_backoff (4 s).
  for (const int wait : {2, 4, 4}) {
    clock_.advance(std::chrono::seconds(4));
    EXPECT_THAT(attempt(a, attacker, "guess").body, HasSubstr("code=credentials"));
    EXPECT_EQ(attempt(a, attacker, "guess").headers.get("Retry-After"), std::to_string(wait));
  }
  // Once the lock is over, the right password works, and the count starts again.
  clock_.advance(std::chrono::seconds(4));
  EXPECT_THAT(attempt(a, attacker, "wonderland").body,
              HasSubstr(R"("url":"http://localhost:3000")"));
  EXPECT_THAT(attempt(a, attacker, "guess").body, HasSubstr("code=credentials"));
  EXPECT_THAT(attempt(a, attacker, "guess").body, HasSubstr("code=credentials"));
  EXPECT_EQ(events_.front(), "sign_in@203.0.113.66");
}

// Lockout as denial of service: the attacker's failures lock the account for the attacker's
// address only; the owner signs in from elsewhere, and other accounts are untouched.
TEST_F(EngineRateLimitTest, ALimitedClientCannotLockOutAnotherAddress) {
  const auto a = limited(1000, 1);
  for (int i = 0; i < 4; ++i) attempt(a, "203.0.113.66", "guess");
  EXPECT_EQ(attempt(a, "203.0.113.66", "wonderland").status, 429);
  EXPECT_THAT(attempt(a, "198.51.100.7", "wonderland").body,
              HasSubstr(R"("url":"http://localhost:3000")"));
  EXPECT_THAT(attempt(a, "203.0.113.66", "x", "bob").body, HasSubstr("code=credentials"));
}

// A form post (no JavaScript) is sent to the sign-in page with the code, and told when to retry.
TEST_F(EngineRateLimitTest, AFormPostIsRedirectedWithTheCode) {
  const auto a = limited(1000, 0);
  attempt(a, "203.0.113.66", "guess");
  jar j;
  const std::string token = csrf(a, j);
  const auto res = a.handle(from(
      post_form("/api/auth/callback/credentials",
                form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", token}}),
                j.header(), /*plain=*/true),
      "203.0.113.66"));
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.headers.get("Location"),
            "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=rate_limited");
  EXPECT_EQ(res.headers.get("Retry-After"), "1");
}

// Without a client address (an embedder that does not set one) or a store, nothing is limited.
TEST_F(EngineRateLimitTest, NoAddressOrNoStoreMeansNoLimit) {
  const auto a = limited(1, 0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(attempt(a, "", "wonderland").body, HasSubstr(R"("url":"http://localhost:3000")"));
  }
  const auto unlimited = build();
  for (int i = 0; i < 5; ++i) attempt(unlimited, "203.0.113.1", "guess");
  EXPECT_THAT(attempt(unlimited, "203.0.113.1", "wonderland").body,
              HasSubstr(R"("url":"http://localhost:3000")"));
}

// Memory exhaustion through fresh keys (spoofed accounts): the store stays bounded, dropping the
// counters that expire soonest, and keeps a long lock.
TEST(MemoryCounterStoreTest, StaysBoundedAndKeepsLongLocks) {
  const auto store = make_memory_counter_store(64);
  const clock::time_point t0{};
  ASSERT_EQ(store->add("lock:victim", std::chrono::seconds(900), t0).value().value, 1u);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(store->add("k" + std::to_string(i), std::chrono::seconds(60), t0));
  }
  EXPECT_EQ(store->get("lock:victim", t0).value().value, 1u);
  EXPECT_EQ(store->get("k9999", t0).value().value, 1u);
  EXPECT_EQ(store->get("k0", t0).value().value, 0u);
  // Fixed windows: counts add up inside, start again after.
  EXPECT_EQ(
      store->add("k9999", std::chrono::seconds(60), t0 + std::chrono::seconds(59)).value().value,
      2u);
  EXPECT_EQ(
      store->add("k9999", std::chrono::seconds(60), t0 + std::chrono::seconds(60)).value().value,
      1u);
  ASSERT_TRUE(store->remove("k9999"));
  EXPECT_EQ(store->get("k9999", t0 + std::chrono::seconds(61)).value().value, 0u);
}

}  // namespace
}  // namespace authpp::test
