// TOTP as a second factor of credentials sign-ins (issue 14): the code travels in the same form
// post as the password, in the field `totp`; until it is right the answer is CredentialsSignin
// with code=totp_required, the client's SignInResponse.code.
#include <authpp/auth/rate_limit.hpp>
#include <authpp/mfa/recovery_codes.hpp>
#include <authpp/mfa/sealed_secret.hpp>
#include <authpp/mfa/totp.hpp>

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class EngineTotpTest : public StoredUserEngineTest {
 protected:
  const std::string totp_secret_ = "12345678901234567890";

  auth_config totp_config() {
    auth_config c = stored_config();
    c.totp.enabled = true;
    return c;
  }

  // enrol gives alice a TOTP (sealed as the engine seals it), confirmed unless told otherwise.
  void enrol(bool confirmed = true) {
    const auto sealed = mfa::seal_secret(as_bytes(totp_secret_), alice_id_, {std::string(secret)});
    ASSERT_TRUE(sealed);
    ASSERT_TRUE(store_->begin_totp(alice_id_, *sealed));
    if (confirmed) {
      // A step long past, as the enrolment's first code would have been.
      ASSERT_TRUE(store_->use_totp_step(alice_id_, 1, true).value());
    }
  }

  std::string code(std::chrono::seconds offset = 0s) const {
    return mfa::totp(as_bytes(totp_secret_), clock_.now() + offset);
  }

  // attempt posts alice's right password, and `totp` when given.
  http::response attempt(const authpp::auth& a, jar& j, std::optional<std::string> totp) {
    const std::string token = csrf(a, j);
    http::url_search_params f = form({{"username", "alice"},
                                      {"password", "wonderland"},
                                      {"csrfToken", token},
                                      {"callbackUrl", "http://localhost:3000/dashboard"}});
    if (totp) f.append("totp", *totp);
    auto request = post_form("/api/auth/callback/credentials?", f, j.header());
    request.client_address = "203.0.113.7";  // the rate limits count per address
    auto res = a.handle(request);
    j.apply(res);
    return res;
  }

  static bool signed_in(const http::response& res) {
    for (const auto& c : res.headers.get_all("Set-Cookie")) {
      if (c.starts_with("authjs.session-token=") && !c.starts_with("authjs.session-token=;")) {
        return true;
      }
    }
    return false;
  }
  static bool asks_for_totp(const http::response& res) {
    return res.body.find("error=CredentialsSignin&code=totp_required") != std::string::npos;
  }
};

TEST_F(EngineTotpTest, AnEnrolledUserNeedsTheCodeInTheSamePost) {
  enrol();
  const auto a = build(totp_config());
  jar j;
  const auto without = attempt(a, j, std::nullopt);
  EXPECT_TRUE(asks_for_totp(without)) << without.body;
  EXPECT_FALSE(signed_in(without));

  const auto with = attempt(a, j, code());
  EXPECT_FALSE(asks_for_totp(with)) << with.body;
  EXPECT_TRUE(signed_in(with));
  EXPECT_THAT(with.body, HasSubstr("http://localhost:3000/dashboard"));
}

// Attack: a stolen password alone. Without the code, or with a wrong one, no session.
TEST_F(EngineTotpTest, StolenPasswordWithAWrongCodeGetsNoSession) {
  enrol();
  const auto a = build(totp_config());
  jar j;
  std::string wrong = code();
  wrong[5] = wrong[5] == '0' ? '1' : '0';
  for (const std::string& typed : {wrong, std::string("abcdef"), std::string("1234567"),
                                   mfa::totp(as_bytes(totp_secret_), clock_.now() + 90s)}) {
    const auto res = attempt(a, j, typed);
    EXPECT_TRUE(asks_for_totp(res)) << typed;
    EXPECT_FALSE(signed_in(res)) << typed;
  }
}

// An oversized field is no code: asked for again, never parsed at length.
TEST_F(EngineTotpTest, AnOversizedCodeFieldIsNoCode) {
  enrol();
  const auto a = build(totp_config());
  jar j;
  const auto res = attempt(a, j, code() + std::string(100, ' '));
  EXPECT_TRUE(asks_for_totp(res));
  EXPECT_FALSE(signed_in(res));
}

TEST_F(EngineTotpTest, OneStepOfDriftEitherWayIsAccepted) {
  enrol();
  const auto a = build(totp_config());
  jar j1, j2;
  EXPECT_TRUE(signed_in(attempt(a, j1, code(-30s))));
  EXPECT_TRUE(signed_in(attempt(a, j2, code(30s))));
}

// Attack: a code seen over the user's shoulder, replayed within its validity.
TEST_F(EngineTotpTest, ReplayedCodeIsRefused) {
  enrol();
  const auto a = build(totp_config());
  const std::string seen = code();
  jar user, attacker;
  ASSERT_TRUE(signed_in(attempt(a, user, seen)));
  const auto replay = attempt(a, attacker, seen);
  EXPECT_TRUE(asks_for_totp(replay));
  EXPECT_FALSE(signed_in(replay));
  // The previous step's code, still in the window, is refused too: it is older than the used one.
  EXPECT_FALSE(signed_in(attempt(a, attacker, code(-30s))));
  // The next step's code works.
  clock_.advance(30s);
  EXPECT_TRUE(signed_in(attempt(a, attacker, code())));
}

TEST_F(EngineTotpTest, AnUnconfirmedEnrolmentDoesNotAskForACode) {
  enrol(false);
  const auto a = build(totp_config());
  jar j;
  EXPECT_TRUE(signed_in(attempt(a, j, std::nullopt)));
}

TEST_F(EngineTotpTest, UsersWithoutTotpAndEnginesWithoutItAreUnchanged) {
  const auto on = build(totp_config());
  jar j1;
  EXPECT_TRUE(signed_in(attempt(on, j1, std::nullopt)));
  enrol();
  const auto off = build(stored_config());
  jar j2;
  EXPECT_TRUE(signed_in(attempt(off, j2, std::nullopt)));
}

// Attack: a recovery code stolen from a used printout. Each code works once.
TEST_F(EngineTotpTest, RecoveryCodeWorksOnceInPlaceOfTheCode) {
  enrol();
  const auto codes = mfa::new_recovery_codes();
  ASSERT_TRUE(codes);
  ASSERT_TRUE(store_->set_recovery_codes(alice_id_, codes->hashes));
  const auto a = build(totp_config());
  jar j1, j2;
  EXPECT_TRUE(signed_in(attempt(a, j1, codes->codes[2])));
  EXPECT_TRUE(logs_contain("recovery_code_used"));
  EXPECT_TRUE(logs_contain("9 left"));
  const auto again = attempt(a, j2, codes->codes[2]);
  EXPECT_TRUE(asks_for_totp(again));
  EXPECT_FALSE(signed_in(again));
  EXPECT_EQ(store_->recovery_code_hashes(alice_id_).value().size(), 9u);
}

// Attack: guessing the six digits online. Wrong codes count as failed sign-ins, so the account's
// back-off locks the guesser out after the free failures, the right password notwithstanding.
TEST_F(EngineTotpTest, WrongCodesCountTowardsTheLockout) {
  enrol();
  auth_config c = totp_config();
  c.rate_limits.store = make_memory_counter_store();
  c.rate_limits.free_failures = 3;
  const auto a = build(std::move(c));
  jar j;
  for (int i = 0; i < 4; ++i) {
    const auto res = attempt(a, j, "000000" == code() ? "111111" : "000000");
    EXPECT_TRUE(asks_for_totp(res)) << i;
  }
  const auto locked = attempt(a, j, code());
  EXPECT_FALSE(signed_in(locked)) << "locked for a while, even with the right code";
  EXPECT_THAT(locked.body, HasSubstr("rate_limited"));
}

TEST_F(EngineTotpTest, AStoreOutageIsA503NotAWrongCode) {
  enrol();
  const auto a = build(totp_config());
  faulty_->second_factors_down = true;
  jar j;
  const auto res = attempt(a, j, code());
  EXPECT_EQ(res.status, 503);
  EXPECT_FALSE(signed_in(res));
}

// An enrolment sealed under an AUTH_SECRET that is no longer configured cannot be checked: that
// is the operator's configuration error, logged as such, and never a sign-in.
TEST_F(EngineTotpTest, AnEnrolmentSealedUnderAnotherSecretIsAConfigurationError) {
  const auto sealed =
      mfa::seal_secret(as_bytes(totp_secret_), alice_id_, {"a-secret-that-is-gone-0123456789"});
  ASSERT_TRUE(sealed);
  ASSERT_TRUE(store_->begin_totp(alice_id_, *sealed));
  ASSERT_TRUE(store_->use_totp_step(alice_id_, 1, true).value());
  const auto a = build(totp_config());
  jar j;
  const auto res = attempt(a, j, code());
  EXPECT_FALSE(signed_in(res));
  EXPECT_THAT(res.body, HasSubstr("error=Configuration"));
  EXPECT_TRUE(logs_contain("cannot be read"));
}

// authpp serve answers through handle_async: the enrolment is read and the step recorded through
// run_blocking (the store pool), never on the I/O thread.
TEST_F(EngineTotpTest, TheAwaitedSignInChecksTheCodeOffTheIoThread) {
  enrol();
  auth_config c = totp_config();
  int blocking_runs = 0;
  c.run_blocking =
      [&blocking_runs](std::function<void()> work) -> boost::asio::awaitable<result<void>> {
    ++blocking_runs;
    work();
    co_return result<void>{};
  };
  const auto a = build(std::move(c));
  jar j;
  const std::string token = csrf(a, j);
  const auto request = post_form("/api/auth/callback/credentials?",
                                 form({{"username", "alice"},
                                       {"password", "wonderland"},
                                       {"csrfToken", token},
                                       {"totp", code()}}),
                                 j.header());
  ASSERT_TRUE(a.awaits(request));
  boost::asio::io_context io;
  EXPECT_TRUE(signed_in(run_async(io, a, request)));
  EXPECT_GE(blocking_runs, 1);
}

// Where a refused sign-in lands: the sign-in page asks for the password and the code together.
TEST_F(EngineTotpTest, TheSignInPageAsksForTheCodeAfterTotpRequired) {
  const std::string target = "/api/auth/signin?error=CredentialsSignin&code=totp_required";
  const auto on = build(totp_config()).handle(get(target));
  EXPECT_THAT(on.body, HasSubstr("name=\"totp\""));
  EXPECT_THAT(on.body, HasSubstr("authenticator app"));
  // Without TOTP on, a crafted link cannot make the page ask for codes.
  const auto off = build(stored_config()).handle(get(target));
  EXPECT_THAT(off.body, ::testing::Not(HasSubstr("name=\"totp\"")));
}

TEST_F(EngineTotpTest, TotpWithoutAnAdapterIsRefusedAtStartUp) {
  auth_config c = config();
  c.totp.enabled = true;
  const auto made = authpp::auth::create(std::move(c));
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message(), HasSubstr("totp needs an adapter"));
  auth_config d = stored_config();
  d.totp.params.digits = 9;
  EXPECT_FALSE(authpp::auth::create(std::move(d)));
}

}  // namespace
}  // namespace authpp::test
