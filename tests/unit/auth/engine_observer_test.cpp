// auth_config::observer: what an operator counts (authpp serve's /metrics), beside the
// application's events and never instead of them.
#include <authpp/auth/rate_limit.hpp>

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

namespace asio = boost::asio;

// recorder keeps what it observed, and on which thread.
class recorder final : public observer {
 public:
  void sign_in_attempted(const sign_in_attempt& a) override {
    std::lock_guard lock(mutex_);
    attempts.push_back(std::string(a.provider) + (a.succeeded ? ":ok" : ":failed"));
    threads.push_back(std::this_thread::get_id());
  }
  void rate_limited(const rate_limited_event& e) override {
    std::lock_guard lock(mutex_);
    limited.push_back(std::string(e.limit));
  }
  std::vector<std::string> attempts;
  std::vector<std::thread::id> threads;
  std::vector<std::string> limited;

 private:
  std::mutex mutex_;
};

class EngineObserverTest : public StoredUserEngineTest {
 protected:
  std::shared_ptr<recorder> seen_ = std::make_shared<recorder>();

  auth_config observed(auth_config c) {
    c.observer = seen_;
    return c;
  }

  http::response sign_in_with(const authpp::auth& a, jar& j, const std::string& password,
                              const std::string& address = "") {
    const std::string token = csrf(a, j);
    http::request r = post_form(
        "/api/auth/callback/credentials",
        form({{"username", "alice"}, {"password", password}, {"csrfToken", token}}), j.header());
    r.client_address = address;
    auto res = a.handle(r);
    j.apply(res);
    return res;
  }
};

TEST_F(EngineObserverTest, SignInAttemptsAreObservedByResult) {
  const auto a = build(observed(config()));
  jar j;
  sign_in_with(a, j, "wrong");
  sign_in_with(a, j, "wonderland");
  EXPECT_EQ(seen_->attempts, (std::vector<std::string>{"credentials:failed", "credentials:ok"}));
}

// Reading pages and sessions is no sign-in attempt: only callbacks count.
TEST_F(EngineObserverTest, OtherRoutesAreNotAttempts) {
  const auto a = build(observed(config()));
  jar j;
  sign_in_with(a, j, "wonderland");
  seen_->attempts.clear();
  a.handle(get("/api/auth/session", j.header()));
  a.handle(get("/api/auth/signin"));
  a.handle(get("/api/auth/providers"));
  (void)a.session(get("/dashboard", j.header()));
  EXPECT_TRUE(seen_->attempts.empty());
}

// Attack: a forged cross-site sign-in POST without the CSRF token. It is refused, and an operator
// sees it as a failed attempt.
TEST_F(EngineObserverTest, ACallbackRefusedForItsCsrfTokenIsAFailedAttempt) {
  const auto a = build(observed(config()));
  jar j;
  csrf(a, j);
  a.handle(post_form("/api/auth/callback/credentials",
                     form({{"username", "alice"}, {"password", "wonderland"}}), j.header()));
  EXPECT_EQ(seen_->attempts, std::vector<std::string>{"credentials:failed"});
}

// The server's metrics used to take over events.sign_in; the application keeps it now.
TEST_F(EngineObserverTest, TheApplicationsOwnEventsStillFire) {
  auth_config c = observed(config());
  int sign_ins = 0;
  c.events.sign_in = [&sign_ins](const sign_in_event&) { ++sign_ins; };
  std::vector<std::string> limits;
  c.events.rate_limited = [&limits](const rate_limited_event& e) { limits.emplace_back(e.limit); };
  c.rate_limits.store = make_memory_counter_store();
  c.rate_limits.posts_per_minute = 2;
  const auto a = build(std::move(c));
  jar j;
  sign_in_with(a, j, "wonderland", "192.0.2.7");
  EXPECT_EQ(sign_ins, 1);
  EXPECT_EQ(seen_->attempts, std::vector<std::string>{"credentials:ok"});
  sign_in_with(a, j, "wonderland", "192.0.2.7");
  sign_in_with(a, j, "wonderland", "192.0.2.7");  // the third POST this minute
  EXPECT_EQ(limits, std::vector<std::string>{"posts"});
  EXPECT_EQ(seen_->limited, std::vector<std::string>{"posts"});
  EXPECT_EQ(seen_->attempts.back(), "credentials:failed");
}

class throwing_observer final : public observer {
 public:
  void sign_in_attempted(const sign_in_attempt&) override { throw std::runtime_error("boom"); }
};

TEST_F(EngineObserverTest, AThrowingObserverIsLoggedAndChangesNoAnswer) {
  auth_config c = config();
  c.observer = std::make_shared<throwing_observer>();
  const auto a = build(std::move(c));
  jar j;
  const auto res = sign_in_with(a, j, "wonderland");
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000");
  EXPECT_TRUE(j.has("authjs.session-token"));
  EXPECT_TRUE(logs_contain("ObserverError: boom"));
}

// With database sessions the sign-in's store steps run on a worker (run_blocking); the observer
// still hears of it on the thread that answers, once the session is issued.
TEST_F(EngineObserverTest, AsyncSignInsAreObservedOnTheAnsweringThread) {
  auth_config c = observed(stored_config());
  c.session.strategy = session_strategy::database;
  c.run_blocking = [](std::function<void()> work) -> asio::awaitable<result<void>> {
    std::thread(work).join();
    co_return result<void>{};
  };
  const auto a = build(std::move(c));
  asio::io_context io;
  jar j;
  const std::string token = csrf(a, j);
  const auto res = run_async(
      io, a,
      post_form("/api/auth/callback/credentials",
                form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", token}}),
                j.header()));
  j.apply(res);
  EXPECT_TRUE(j.has("authjs.session-token"));
  EXPECT_EQ(seen_->attempts, std::vector<std::string>{"credentials:ok"});
  EXPECT_EQ(seen_->threads, std::vector<std::thread::id>{std::this_thread::get_id()});
}

}  // namespace
}  // namespace authpp::test
