// auth::fresh_tokens: a stored OAuth account's access token, renewed with the refresh_token grant
// at test_idp (over real HTTP) when it expires. test_idp rotates refresh tokens and, as such
// providers do, takes a second use of one as theft and ends the grant: the race test proves the
// engine never gets there.
#include <authpp/adapters/memory_store.hpp>

#include <barrier>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "faulty_adapter.hpp"
#include "oauth_fixture.hpp"

namespace authpp::test {
namespace {

using namespace std::chrono_literals;

class TokenRefreshTest : public OAuthTest {
 protected:
  std::shared_ptr<adapters::adapter> memory_ =
      adapters::make_memory_store(default_random(), clock_);
  std::shared_ptr<faulty_adapter> store_ = std::make_shared<faulty_adapter>(memory_);

  authpp::auth build_stored() {
    auth_config c = config();
    c.providers.push_back(provider());
    c.adapter = store_;
    return build(std::move(c));
  }
  // signed_in signs Alice in through the provider and returns her stored user id.
  std::string signed_in(const authpp::auth& a) {
    jar j;
    sign_in_through(a, j);
    const auto alice = memory_->find_by_email("alice@example.com").value();
    EXPECT_TRUE(alice);
    return alice ? alice->id : "";
  }
  adapters::account_record stored_account() {
    return memory_->find_account("oidc", "alice-sub").value().value();
  }
  // later moves the engine's and the provider's clocks forward together.
  void later(std::chrono::seconds by) {
    clock_.advance(by);
    elapsed_ += by;
    idp_.set_now(t0 + elapsed_.count());
  }
  std::chrono::seconds elapsed_{0};
  // expect_renewal_refused signs Alice in, lets her token expire with the provider misbehaving
  // as `m`, and expects the renewal to fail with `code` and to leave the stored account as it was.
  void expect_renewal_refused(misbehaviour m, errc code) {
    auto a = build_stored();
    const std::string id = signed_in(a);
    const auto before = stored_account();
    idp_.set(m);
    later(3601s);
    auto tokens = a.fresh_tokens(id, "oidc");
    ASSERT_FALSE(tokens);
    EXPECT_EQ(tokens.error().code, code);
    EXPECT_EQ(stored_account(), before);
  }
  // set_stored_tokens rewrites the stored tokens, as a test's precondition.
  void set_stored_tokens(const adapters::account_tokens& tokens) {
    ASSERT_TRUE(memory_->refresh_account("oidc", "alice-sub", [&](const adapters::account_record&) {
      return result<std::optional<adapters::account_tokens>>(std::optional(tokens));
    }));
  }
};

TEST_F(TokenRefreshTest, AValidTokenIsReturnedWithoutCallingTheProvider) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  const auto stored = stored_account();
  auto tokens = a.fresh_tokens(id, "oidc");
  ASSERT_TRUE(tokens) << tokens.error().message();
  EXPECT_EQ(*tokens, adapters::tokens_of(stored));
  EXPECT_EQ(idp_.refresh_requests(), 0);
}

TEST_F(TokenRefreshTest, AnExpiredTokenIsRenewedAndTheRenewalStored) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  const auto before = stored_account();
  later(3601s);
  auto tokens = a.fresh_tokens(id, "oidc");
  ASSERT_TRUE(tokens) << tokens.error().message();
  EXPECT_EQ(tokens->access_token, "at-r1");
  EXPECT_EQ(tokens->token_type, "bearer");
  EXPECT_EQ(tokens->expires_at, t0 + 3601 + 3600);
  EXPECT_NE(tokens->refresh_token, before.refresh_token);  // rotated
  EXPECT_EQ(tokens->id_token, before.id_token);            // none sent: the stored one stays
  EXPECT_EQ(tokens->scope, before.scope);
  EXPECT_EQ(adapters::tokens_of(stored_account()), *tokens);
  EXPECT_EQ(idp_.last_token_authorization().rfind("Basic ", 0), 0u);  // client authentication

  // The renewed token is good for an hour: no second renewal.
  EXPECT_EQ(a.fresh_tokens(id, "oidc").value(), *tokens);
  EXPECT_EQ(idp_.refresh_requests(), 1);
}

TEST_F(TokenRefreshTest, ATokenAboutToExpireIsRenewedAheadOfTime) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  later(3600s - 30s);  // 30 s left, under the default minute
  EXPECT_EQ(a.fresh_tokens(id, "oidc").value().access_token, "at-r1");
  later(3600s - 30s);
  EXPECT_EQ(a.fresh_tokens(id, "oidc", 10s).value().access_token, "at-r1");  // 30 s is enough
}

// Refresh-token reuse: many requests find the token expired at once. Were each to renew it, the
// provider would see a rotated refresh token used twice, take it for theft and end the grant:
// every user of the account would be signed out there. One renews; the others get its tokens.
TEST_F(TokenRefreshTest, RacingCallersRenewOnceAndThereIsNoReuse) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  later(3601s);
  constexpr int callers = 8;
  std::barrier start(callers);
  std::vector<result<adapters::account_tokens>> got(callers, auth_error{errc::not_found, ""});
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      got[i] = a.fresh_tokens(id, "oidc");
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : got) {
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->access_token, "at-r1");
  }
  EXPECT_EQ(idp_.refresh_requests(), 1);
  EXPECT_EQ(idp_.reuses_detected(), 0);
}

TEST_F(TokenRefreshTest, AGrantTheProviderEndedAsksForANewSignIn) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  auto spent = adapters::tokens_of(stored_account());
  spent.refresh_token = "rt-the-provider-never-issued";
  set_stored_tokens(spent);
  later(3601s);
  auto tokens = a.fresh_tokens(id, "oidc");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, errc::reauthentication_required);
  EXPECT_NE(tokens.error().detail.find("invalid_grant"), std::string::npos);
  EXPECT_EQ(adapters::tokens_of(stored_account()), spent);  // nothing written
}

TEST_F(TokenRefreshTest, WithoutARefreshTokenAnExpiredTokenAsksForANewSignIn) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  auto tokens = adapters::tokens_of(stored_account());
  tokens.refresh_token.reset();
  set_stored_tokens(tokens);
  later(3601s);
  auto got = a.fresh_tokens(id, "oidc");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, errc::reauthentication_required);
  EXPECT_EQ(idp_.refresh_requests(), 0);
}

TEST_F(TokenRefreshTest, ATokenWithoutExpiryIsReturnedAsStored) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  auto tokens = adapters::tokens_of(stored_account());
  tokens.expires_at.reset();
  set_stored_tokens(tokens);
  later(24h);
  EXPECT_EQ(a.fresh_tokens(id, "oidc").value(), tokens);
  EXPECT_EQ(idp_.refresh_requests(), 0);
}

TEST_F(TokenRefreshTest, ARenewedIdTokenIsVerifiedAndReplacesTheStoredOne) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  const auto before = stored_account();
  idp_.renew_id_tokens(true);
  later(3601s);
  auto tokens = a.fresh_tokens(id, "oidc");
  ASSERT_TRUE(tokens) << tokens.error().message();
  EXPECT_NE(tokens->id_token, before.id_token);
  EXPECT_EQ(stored_account().id_token, tokens->id_token);
}

// A renewal that hands back an ID token about someone else (a confused or hostile provider)
// must not be stored as this account's.
TEST_F(TokenRefreshTest, ARenewedIdTokenForAnotherSubjectIsRefused) {
  expect_renewal_refused(misbehaviour::refresh_other_sub, errc::invalid_claims);
}

// A provider's error body is not trusted to be typed: `"error": 5` is a failed refresh like any
// other, not a crash and not a request to sign in again.
TEST_F(TokenRefreshTest, AnOddlyTypedProviderErrorIsAPlainFailure) {
  expect_renewal_refused(misbehaviour::refresh_odd_error, errc::http_status);
}

TEST_F(TokenRefreshTest, AskingWhatCannotBeAnsweredFailsClearly) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  EXPECT_EQ(a.fresh_tokens("no-such-user", "oidc").error().code, errc::not_found);
  EXPECT_EQ(a.fresh_tokens(id, "credentials").error().code, errc::invalid_config);
  EXPECT_EQ(a.fresh_tokens(id, "no-such-provider").error().code, errc::invalid_config);

  auto without_adapter = build_with(provider());
  EXPECT_EQ(without_adapter.fresh_tokens(id, "oidc").error().code, errc::invalid_config);
}

TEST_F(TokenRefreshTest, AStoreThatIsDownSaysSo) {
  auto a = build_stored();
  const std::string id = signed_in(a);
  store_->accounts_down = true;
  EXPECT_EQ(a.fresh_tokens(id, "oidc").error().code, errc::storage_unavailable);
}

TEST_F(TokenRefreshTest, TheAsynchronousFormRunsOffTheCallingLoop) {
  auth_config c = config();
  c.providers.push_back(provider());
  c.adapter = store_;
  int ran = 0;
  c.run_blocking = [&ran](std::function<void()> work) -> boost::asio::awaitable<result<void>> {
    ++ran;
    work();
    co_return result<void>{};
  };
  auto a = build(std::move(c));
  const std::string id = signed_in(a);
  later(3601s);
  boost::asio::io_context io;
  std::optional<result<adapters::account_tokens>> got;
  boost::asio::co_spawn(io, a.fresh_tokens_async(id, "oidc"),
                        [&](std::exception_ptr, result<adapters::account_tokens> r) { got = r; });
  io.run();
  ASSERT_TRUE(got && *got) << (got ? got->error().message() : "no answer");
  EXPECT_EQ((*got)->access_token, "at-r1");
  EXPECT_GE(ran, 1);
}

}  // namespace
}  // namespace authpp::test
