// auth::handle_async: the same answers as auth::handle, with the credentials check awaited. The
// provider here awaits a timer before deciding, so every sign-in really suspends.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine_fixture.hpp"

namespace authpp::test {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;

class EngineAsyncTest : public EngineTest {
 protected:
  // async_config gives the test provider an authorize_async that first waits on a timer, then
  // answers as authorize does, and counts its calls.
  auth_config async_config() {
    auth_config c = config();
    auto& p = std::get<credentials_provider>(c.providers.front());
    p.authorize_async = [this, sync = p.authorize](
                            const authorize_request& r) -> asio::awaitable<authorize_result> {
      ++awaited_;
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
      co_await t.async_wait(asio::use_awaitable);
      co_return sync(r);
    };
    return c;
  }

  http::response run_async(const authpp::auth& a, http::request req) {
    return test::run_async(io_, a, std::move(req));
  }

  // sign_in_async is the fixture's sign_in through handle_async.
  http::response sign_in_async(const authpp::auth& a, jar& j, const std::string& user) {
    const std::string token = csrf(a, j);
    auto res = run_async(a, post_form("/api/auth/callback/credentials?",
                                      form({{"username", user},
                                            {"password", "wonderland"},
                                            {"csrfToken", token},
                                            {"callbackUrl", "http://localhost:3000/dashboard"}}),
                                      j.header()));
    j.apply(res);
    return res;
  }

  asio::io_context io_;
  int awaited_ = 0;
};

// Every outcome of a credentials sign-in is the same awaited as called: accepted (a session),
// refused (with its code), failed, unavailable (503 with Retry-After), thrown.
TEST_F(EngineAsyncTest, SignInOutcomesMatchTheSynchronousEngine) {
  const auto a = build(async_config());
  for (const char* user : {"alice", "bob", "carol", "broken", "offline", "thrower"}) {
    SCOPED_TRACE(user);
    jar sync_jar, async_jar;
    const auto expected = sign_in(a, sync_jar, user);
    const int before = awaited_;
    const auto got = sign_in_async(a, async_jar, user);
    EXPECT_EQ(awaited_, before + 1);
    EXPECT_EQ(got.status, expected.status);
    EXPECT_EQ(got.body, expected.body);
    EXPECT_EQ(got.headers.get("Retry-After"), expected.headers.get("Retry-After"));
    EXPECT_EQ(async_jar.has("authjs.session-token"), sync_jar.has("authjs.session-token"));
  }
  jar j;
  sign_in_async(a, j, "alice");
  EXPECT_THAT(a.handle(get("/api/auth/session", j.header())).body, HasSubstr("alice@example.com"));
}

// A sign-in without a valid CSRF token is refused before the (costly) check is even started.
TEST_F(EngineAsyncTest, NoCsrfNoPasswordCheck) {
  const auto a = build(async_config());
  jar j;
  csrf(a, j);
  const auto res = run_async(
      a, post_form("/api/auth/callback/credentials",
                   form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", "x"}}),
                   j.header()));
  EXPECT_THAT(res.body, HasSubstr("error=MissingCSRF"));
  EXPECT_EQ(awaited_, 0);
}

// Only a POST to a callback of a provider with authorize_async waits; the rest answers at once
// and handle_async gives handle's answer.
TEST_F(EngineAsyncTest, AwaitsOnlyWhatWaits) {
  const auto a = build(async_config());
  EXPECT_TRUE(a.awaits(post_form("/api/auth/callback/credentials?x=1", form({}))));
  EXPECT_FALSE(a.awaits(get("/api/auth/callback/credentials")));
  EXPECT_FALSE(a.awaits(post_form("/api/auth/signin/credentials", form({}))));
  EXPECT_FALSE(a.awaits(post_form("/api/auth/callback/nope", form({}))));
  EXPECT_FALSE(a.awaits(post_form("/elsewhere/callback/credentials", form({}))));
  EXPECT_FALSE(build().awaits(post_form("/api/auth/callback/credentials", form({}))));
  for (const char* target : {"/api/auth/providers", "/api/auth/session", "/api/auth/nope"}) {
    SCOPED_TRACE(target);
    const auto sync = a.handle(get(target));
    const auto async = run_async(a, get(target));
    EXPECT_EQ(async.status, sync.status);
    EXPECT_EQ(async.body, sync.body);
  }
  EXPECT_EQ(awaited_, 0);
}

// The engine's state lives as long as a request awaits, even when the caller drops its `auth`.
TEST_F(EngineAsyncTest, EngineOutlivesItsHandleWhileARequestWaits) {
  std::optional<authpp::auth> a(build(async_config()));
  jar j;
  const std::string token = csrf(*a, j);
  std::optional<http::response> out;
  asio::co_spawn(
      io_,
      a->handle_async(
          post_form("/api/auth/callback/credentials",
                    form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", token}}),
                    j.header())),
      [&](std::exception_ptr, http::response res) { out = std::move(res); });
  io_.poll();  // suspended on the provider's timer
  a.reset();
  io_.run();
  ASSERT_TRUE(out);
  EXPECT_THAT(out->body, HasSubstr("http://localhost:3000"));
  EXPECT_THAT(out->headers.get_all("Set-Cookie").back(), HasSubstr("authjs.session-token="));
}

}  // namespace
}  // namespace authpp::test

namespace authpp::test {
namespace {

// A counter store that waits for I/O, as Redis does: each call records whether it ran inside
// run_blocking (off the I/O thread) or on the thread serving the request.
class remote_counter_store final : public counter_store {
 public:
  explicit remote_counter_store(const bool& in_pool) : in_pool_(in_pool) {}
  result<count> add(std::string_view k, std::chrono::seconds ttl, clock::time_point now) override {
    record();
    return inner_->add(k, ttl, now);
  }
  result<count> get(std::string_view k, clock::time_point now) override {
    record();
    return inner_->get(k, now);
  }
  result<void> remove(std::string_view k) override {
    record();
    return inner_->remove(k);
  }
  bool waits_for_io() const override { return true; }
  int off_thread = 0, on_thread = 0;

 private:
  void record() { ++(in_pool_ ? off_thread : on_thread); }
  const bool& in_pool_;
  std::shared_ptr<counter_store> inner_ = make_memory_counter_store();
};

// A Redis round trip per POST must not hold an I/O thread: handle_async counts POSTs, and the
// lockout of a credentials sign-in, through run_blocking; and the limit still holds.
TEST_F(EngineAsyncTest, CountsInARemoteStoreAreMadeOffTheIoThread) {
  bool in_pool = false;
  auto store = std::make_shared<remote_counter_store>(in_pool);
  auth_config c = async_config();
  c.rate_limits.store = store;
  c.rate_limits.posts_per_minute = 4;
  c.run_blocking = [&in_pool](std::function<void()> work) -> asio::awaitable<result<void>> {
    in_pool = true;
    work();
    in_pool = false;
    co_return result<void>{};
  };
  const auto a = build(std::move(c));
  jar j;
  const std::string token = csrf(a, j);
  auto signout = post_form("/api/auth/signout", form({{"csrfToken", token}}), j.header());
  signout.client_address = "203.0.113.9";
  EXPECT_TRUE(a.awaits(signout));  // even a POST that would answer at once
  EXPECT_EQ(run_async(a, signout).status, 200);

  auto sign_in = post_form(
      "/api/auth/callback/credentials?",
      form({{"username", "alice"}, {"password", "wrong"}, {"csrfToken", token}}), j.header());
  sign_in.client_address = "203.0.113.9";
  EXPECT_THAT(run_async(a, sign_in).body, HasSubstr("code=credentials"));
  EXPECT_EQ(store->on_thread, 0);
  EXPECT_GE(store->off_thread, 4);  // two POST counts, the lock check, the failure count

  EXPECT_EQ(run_async(a, signout).status, 200);
  EXPECT_EQ(run_async(a, signout).status, 200);
  EXPECT_EQ(run_async(a, signout).status, 429);  // the fifth POST of the minute
  EXPECT_EQ(store->on_thread, 0);
}

}  // namespace
}  // namespace authpp::test
