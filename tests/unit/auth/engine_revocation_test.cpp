// Revocation of JWT sessions (session.jwt_revocation_bound): a JWT lives in the browser, so
// ending a user's sessions (a stolen laptop, a leaked cookie, a fired employee) cannot delete
// it; the engine refuses it at its next read instead, within the bound. The attacks: a copied
// session cookie kept after its owner's sessions were ended, a disabled user's open session.
#include <boost/asio/io_context.hpp>

#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class EngineRevocationTest : public StoredUserEngineTest {
 protected:
  int store_hops_ = 0;  // calls through run_blocking

  // revocable_config signs alice in as the store's user, with JWT sessions checked against the
  // store within `bound` (nullopt: never).
  auth_config revocable_config(std::optional<std::chrono::seconds> bound = 60s) {
    auth_config c = stored_config();
    c.session.jwt_revocation_bound = bound;
    c.run_blocking = [this](std::function<void()> work) -> boost::asio::awaitable<result<void>> {
      ++store_hops_;
      work();
      co_return result<void>{};
    };
    return c;
  }

  // read reads /session with the session cookie `token` (a copy of a jar's, say).
  http::response read(const authpp::auth& a, const std::string& token) {
    return a.handle(get("/api/auth/session", "authjs.session-token=" + token));
  }
  static bool signed_in(const http::response& res) { return res.body != "null"; }
};

TEST_F(EngineRevocationTest, SignInRecordsTheSessionVersionOnlyWhenSessionsAreChecked) {
  ASSERT_TRUE(store_->bump_session_version(alice_id_));
  jar checked, unchecked;
  sign_in(build(revocable_config()), checked);
  EXPECT_EQ(decode(checked.value("authjs.session-token"))["session_version"], 1);
  sign_in(build(revocable_config(std::nullopt)), unchecked);
  EXPECT_FALSE(decode(unchecked.value("authjs.session-token")).contains("session_version"))
      << "Auth.js's token shape when revocation is off";
}

TEST_F(EngineRevocationTest, CopiedCookieStopsWorkingWithinTheBoundAfterSessionsAreEnded) {
  const auto a = build(revocable_config(60s));
  jar j;
  sign_in(a, j);
  const std::string copy = j.value("authjs.session-token");
  EXPECT_TRUE(signed_in(read(a, copy)));

  ASSERT_TRUE(store_->bump_session_version(alice_id_));  // `authpp session revoke`
  // Within the bound the remembered state may still let it through...
  clock_.advance(59s);
  EXPECT_TRUE(signed_in(read(a, copy)));
  // ...and past it, never: the session ends and its cookie is cleared.
  clock_.advance(2s);
  const auto refused = read(a, copy);
  EXPECT_EQ(refused.body, "null");
  EXPECT_FALSE(session_set_cookies(refused).empty());
  EXPECT_TRUE(logs_contain("SessionRevoked"));
  // A new sign-in carries the new version and works.
  jar again;
  sign_in(a, again);
  EXPECT_TRUE(signed_in(read(a, again.value("authjs.session-token"))));
}

TEST_F(EngineRevocationTest, BoundZeroRefusesAtTheVeryNextRead) {
  const auto a = build(revocable_config(0s));
  jar j;
  sign_in(a, j);
  EXPECT_TRUE(signed_in(read(a, j.value("authjs.session-token"))));
  ASSERT_TRUE(store_->bump_session_version(alice_id_));
  EXPECT_FALSE(signed_in(read(a, j.value("authjs.session-token"))));
}

TEST_F(EngineRevocationTest, DisabledUsersOpenSessionEnds) {
  const auto a = build(revocable_config(0s));
  jar j;
  sign_in(a, j);
  ASSERT_TRUE(store_->set_disabled("alice@example.com", true));
  EXPECT_FALSE(signed_in(read(a, j.value("authjs.session-token"))));
  // Enabling again does not revive a session that was refused: it was ended, not paused.
  ASSERT_TRUE(store_->set_disabled("alice@example.com", false));
  ASSERT_TRUE(store_->bump_session_version(alice_id_));  // as `authpp user disable` does
  EXPECT_FALSE(signed_in(read(a, j.value("authjs.session-token"))));
}

TEST_F(EngineRevocationTest, TokensWithoutAVersionAreJudgedOnlyForStoredUsers) {
  const auto a = build(revocable_config(0s));
  const std::vector<std::string> secrets{std::string(secret)};
  const auto mint = [&](json claims) {
    return jose::encode_session(claims, secrets, "authjs.session-token", clock_, default_random())
        .value();
  };
  // Minted elsewhere (Auth.js with the same secret) for a stored user: version 0 until a bump.
  const std::string authjs_token = mint({{"sub", alice_id_}, {"email", "alice@example.com"}});
  EXPECT_TRUE(signed_in(read(a, authjs_token)));
  // An app's own user, unknown to the store: not ours to judge.
  const std::string foreign = mint({{"sub", "custom-user-7"}, {"name", "Custom"}});
  EXPECT_TRUE(signed_in(read(a, foreign)));
  ASSERT_TRUE(store_->bump_session_version(alice_id_));
  EXPECT_FALSE(signed_in(read(a, authjs_token)));
  EXPECT_TRUE(signed_in(read(a, foreign)));
  // A token authpp issued (with a version) for a user who is gone ends.
  const std::string orphan = mint({{"sub", "no-such-user"}, {"session_version", 0}});
  EXPECT_FALSE(signed_in(read(a, orphan)));
}

TEST_F(EngineRevocationTest, StoreDownLetsSessionsThroughAndAsksAgainAfterFiveSeconds) {
  const auto a = build(revocable_config(0s));
  jar j;
  sign_in(a, j);
  const std::string token = j.value("authjs.session-token");
  ASSERT_TRUE(store_->bump_session_version(alice_id_));
  faulty_->users_down = true;
  EXPECT_TRUE(signed_in(read(a, token))) << "a database outage must not sign everyone out";
  EXPECT_TRUE(logs_contain("RevocationCheckSkipped"));
  faulty_->users_down = false;
  clock_.advance(4s);
  EXPECT_TRUE(signed_in(read(a, token))) << "not asked again at every read while it was down";
  clock_.advance(2s);
  EXPECT_FALSE(signed_in(read(a, token)));
}

TEST_F(EngineRevocationTest, AsyncReadsWaitForTheStoreOnlyWhenTheRememberedStateIsStale) {
  const auto a = build(revocable_config(60s));
  jar j;
  sign_in(a, j);
  const std::string cookie = "authjs.session-token=" + j.value("authjs.session-token");
  boost::asio::io_context io;
  // Signed in a moment ago: remembered, no store call.
  EXPECT_TRUE(a.awaits(get("/api/auth/session", cookie)));
  EXPECT_TRUE(signed_in(run_async(io, a, get("/api/auth/session", cookie))));
  EXPECT_EQ(store_hops_, 0);
  clock_.advance(61s);
  EXPECT_TRUE(signed_in(run_async(io, a, get("/api/auth/session", cookie))));
  EXPECT_EQ(store_hops_, 1) << "stale: one store read, off the I/O thread";
  EXPECT_TRUE(signed_in(run_async(io, a, get("/api/auth/session", cookie))));
  EXPECT_EQ(store_hops_, 1);
  ASSERT_TRUE(store_->bump_session_version(alice_id_));
  clock_.advance(61s);
  EXPECT_EQ(run_async(io, a, get("/api/auth/session", cookie)).body, "null");
  // Without a session cookie there is nothing to check, and nothing to wait for.
  EXPECT_FALSE(a.awaits(get("/api/auth/session")));
}

// A store pool that cannot take the check (its queue full) answers 503 with Retry-After, as every
// store call does: letting the session through would let a flood switch revocation off.
TEST_F(EngineRevocationTest, StaleCheckRefusedByAFullPoolIsServiceUnavailable) {
  auth_config c = revocable_config(60s);
  c.run_blocking = [](std::function<void()>) -> boost::asio::awaitable<result<void>> {
    co_return auth_error{errc::overloaded, "worker queue full"};
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  clock_.advance(61s);
  boost::asio::io_context io;
  const auto res = run_async(io, a, get("/api/auth/session", j.header()));
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.headers.get("Retry-After"), "5");
  EXPECT_TRUE(session_set_cookies(res).empty()) << "the session is not ended for it";
}

// A renamed session cookie must still send the read down the asynchronous path: otherwise a
// stale check would call the store on the server's I/O thread.
TEST_F(EngineRevocationTest, RenamedSessionCookieStillWaitsOffTheIoThread) {
  auth_config c = revocable_config(60s);
  c.cookies.session_token = "app_session";
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  ASSERT_TRUE(j.has("app_session"));
  EXPECT_TRUE(a.awaits(get("/api/auth/session", j.header())));
  EXPECT_FALSE(a.awaits(get("/api/auth/session", "other=1")));
}

TEST_F(EngineRevocationTest, WithoutABoundNothingIsChecked) {
  const auto a = build(revocable_config(std::nullopt));
  jar j;
  sign_in(a, j);
  ASSERT_TRUE(store_->bump_session_version(alice_id_));
  ASSERT_TRUE(store_->set_disabled("alice@example.com", true));
  EXPECT_TRUE(signed_in(read(a, j.value("authjs.session-token"))));
  EXPECT_FALSE(a.awaits(get("/api/auth/session", j.header())));
}

}  // namespace
}  // namespace authpp::test
