// The account page (issue 14): GET {basePath}/account lists the signed-in user's passkeys and TOTP
// state; its forms add and remove them. Every change needs the CSRF token and a recent sign-in,
// and the named tests below are the attacks those two stop.
#include <authpp/adapters/password.hpp>
#include <authpp/mfa/totp.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "soft_passkey.hpp"
#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr std::string_view account_path = "/api/auth/account";

// base32_decode reads RFC 4648 base32 without padding, as the page shows the TOTP key.
bytes base32_decode(std::string_view text) {
  bytes out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto at = std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").find(c);
    if (at == std::string_view::npos) return {};
    buffer = (buffer << 5) | static_cast<unsigned>(at);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::byte>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

class EngineAccountTest : public StoredUserEngineTest {
 protected:
  soft_passkey passkey_{0x42};
  std::string bob_id_ =
      store_->add_user({.email = "bob@example.com", .name = "Bob"}, "").value().id;

  void SetUp() override {
    // Both have a password, so that a passkey is never their only way to sign in (unless a test
    // says so). The cheapest Argon2id parameters: the hash's strength is not under test.
    const auto hash = adapters::hash_password("wonderland", {.ops = 1, .mem_bytes = 8192});
    ASSERT_TRUE(hash);
    ASSERT_TRUE(store_->set_password(alice_id_, *hash));
    ASSERT_TRUE(store_->set_password(bob_id_, *hash));
  }

  auth_config account_config() {
    auth_config c = stored_config();
    c.providers.push_back(passkey_provider{});
    c.totp.enabled = true;
    c.account.enabled = true;
    return c;
  }

  static http::response page(const authpp::auth& a, jar& j) {
    auto res = a.handle(get(std::string(account_path), j.header()));
    j.apply(res);
    return res;
  }

  // change posts one of the page's forms, with the CSRF token unless `token` says otherwise.
  static http::response change(const authpp::auth& a, jar& j,
                               std::initializer_list<std::pair<std::string, std::string>> fields,
                               std::optional<std::string> token = std::nullopt) {
    http::url_search_params f = form(fields);
    f.append("csrfToken", token ? *token : csrf(a, j));
    auto res = a.handle(post_form(std::string(account_path), f, j.header(), true));
    j.apply(res);
    return res;
  }

  // add_passkey registers `key` for whoever is signed in to `j`, as the page's form does.
  static http::response add_passkey(const authpp::auth& a, jar& j, const soft_passkey& key) {
    auto o = a.handle(get("/api/auth/webauthn-options/passkey?action=register", j.header()));
    j.apply(o);
    if (o.status != 200) return o;
    const std::string token = csrf(a, j);
    auto res = a.handle(post_form("/api/auth/callback/passkey?",
                                  form({{"action", "register"},
                                        {"data", key.registration(body_json(o)["options"])},
                                        {"csrfToken", token},
                                        {"callbackUrl", "http://localhost:3000/api/auth/account"}}),
                                  j.header()));
    j.apply(res);
    return res;
  }

  // begin_totp starts an enrolment and returns the secret the page shows.
  bytes begin_totp(const authpp::auth& a, jar& j) {
    const auto res = change(a, j, {{"action", "totp-begin"}});
    EXPECT_EQ(res.status, 200) << res.body;
    std::smatch m;
    const std::regex key("Key: <code>([A-Z2-7]+)</code>");
    if (!std::regex_search(res.body, m, key)) {
      ADD_FAILURE() << "no key on the page: " << res.body;
      return {};
    }
    return base32_decode(m[1].str());
  }

  std::string code(const bytes& secret, std::chrono::seconds offset = 0s) const {
    return mfa::totp(secret, clock_.now() + offset);
  }

  // enrolled_secret takes alice through the whole enrolment and returns her secret.
  bytes enrolled_secret(const authpp::auth& a, jar& j) {
    const bytes secret = begin_totp(a, j);
    const auto res = change(a, j, {{"action", "totp-confirm"}, {"code", code(secret)}});
    EXPECT_THAT(res.body, HasSubstr("Authenticator app on.")) << res.body;
    return secret;
  }

  bool totp_confirmed(const std::string& user_id) const {
    const auto t = store_->find_totp(user_id).value();
    return t && t->confirmed;
  }

  static bool shows_error(const http::response& res, std::string_view text) {
    return res.status == 400 && res.body.find(text) != std::string::npos;
  }
};

TEST_F(EngineAccountTest, IsOffUnlessConfigured) {
  auto c = account_config();
  c.account.enabled = false;
  const auto a = build(std::move(c));
  jar j;
  ASSERT_TRUE(sign_in(a, j).status == 200);
  EXPECT_EQ(page(a, j).status, 400);
}

TEST_F(EngineAccountTest, NeedsAnAdapter) {
  auth_config c = config();
  c.account.enabled = true;
  const auto made = authpp::auth::create(std::move(c));
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message(), HasSubstr("account"));
}

TEST_F(EngineAccountTest, ASignedOutVisitorIsSentToSignInAndBack) {
  const auto a = build(account_config());
  jar j;
  const auto res = page(a, j);
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.headers.get("Location").value_or(""),
            "http://localhost:3000/api/auth/signin?callbackUrl="
            "http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fauth%2Faccount");
}

TEST_F(EngineAccountTest, ACustomSignInPageIsWhereTheVisitorIsSent) {
  auto c = account_config();
  c.pages.sign_in = "/login";
  const auto a = build(std::move(c));
  jar j;
  EXPECT_EQ(page(a, j).headers.get("Location").value_or(""),
            "http://localhost:3000/login?callbackUrl="
            "http%3A%2F%2Flocalhost%3A3000%2Fapi%2Fauth%2Faccount");
}

TEST_F(EngineAccountTest, ARecentSignInWindowMustBePositive) {
  auto c = account_config();
  c.account.recent_sign_in = std::chrono::seconds(0);
  const auto made = authpp::auth::create(std::move(c));
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message(), HasSubstr("account.recent_sign_in: must be positive"));
}

TEST_F(EngineAccountTest, ThePageListsPasskeysAndTheTotpState) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  ASSERT_EQ(add_passkey(a, j, passkey_).status, 200);
  const auto res = page(a, j);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.headers.get("Content-Type").value_or(""), HasSubstr("text/html"));
  EXPECT_THAT(res.headers.get("Cache-Control").value_or(""), HasSubstr("no-store"));
  EXPECT_THAT(res.body, HasSubstr("Signed in as <strong>alice@example.com</strong>"));
  EXPECT_THAT(res.body, HasSubstr("name=\"id\" value=\"" + base64::encode(passkey_.id()) + "\""));
  EXPECT_THAT(res.body, HasSubstr("Add a passkey"));
  EXPECT_THAT(res.body, HasSubstr("Set up an authenticator app"));
  EXPECT_TRUE(std::regex_search(res.body, std::regex("name=\"csrfToken\" value=\"[0-9a-f]{64}\"")));
}

TEST_F(EngineAccountTest, ASignInLeavesAShortLivedRecentSignInProof) {
  const auto a = build(account_config());
  jar j;
  const auto res = sign_in(a, j);
  bool found = false;
  for (const auto& c : set_cookies(res)) {
    if (!c.starts_with("authpp.recent-sign-in=")) continue;
    found = true;
    EXPECT_THAT(c, HasSubstr("Max-Age=600"));
    EXPECT_THAT(c, HasSubstr("HttpOnly"));
    EXPECT_THAT(c, HasSubstr("SameSite=Lax"));
  }
  EXPECT_TRUE(found);
}

TEST_F(EngineAccountTest, NoRecentSignInProofWhenThePageIsOff) {
  auto c = account_config();
  c.account.enabled = false;
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  EXPECT_FALSE(j.has("authpp.recent-sign-in"));
}

TEST_F(EngineAccountTest, AddingAndRemovingAPasskey) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  ASSERT_EQ(add_passkey(a, j, passkey_).status, 200);
  const std::string id = base64::encode(passkey_.id());
  ASSERT_TRUE(store_->find_authenticator(id).value());

  const auto res = change(a, j, {{"action", "passkey-remove"}, {"id", id}});
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.body, HasSubstr("Passkey removed."));
  EXPECT_FALSE(store_->find_authenticator(id).value());
  EXPECT_FALSE(store_->find_account("passkey", id).value());

  // Attack: a passkey lost with a device signs in after its owner removed it. Refused.
  jar thief;
  auto o = a.handle(get("/api/auth/webauthn-options/passkey", thief.header()));
  thief.apply(o);
  const std::string token = csrf(a, thief);
  auto attempt = a.handle(post_form("/api/auth/callback/passkey?",
                                    form({{"action", "authenticate"},
                                          {"data", passkey_.assertion(body_json(o)["options"], 1)},
                                          {"csrfToken", token}}),
                                    thief.header()));
  thief.apply(attempt);
  EXPECT_FALSE(thief.has("authjs.session-token"));
}

// A passkey that is the account's only way in is kept: removing it would lock its owner out.
TEST_F(EngineAccountTest, TheOnlyWayToSignInIsNotRemoved) {
  const auto a = build(account_config());
  jar j;
  const json o = [&] {
    auto res = a.handle(get("/api/auth/webauthn-options/passkey?email=new@example.com"));
    j.apply(res);
    return body_json(res)["options"];
  }();
  const std::string token = csrf(a, j);
  auto res = a.handle(post_form(
      "/api/auth/callback/passkey?",
      form({{"action", "register"}, {"data", passkey_.registration(o)}, {"csrfToken", token}}),
      j.header()));
  j.apply(res);
  ASSERT_TRUE(j.has("authjs.session-token")) << res.body;
  const std::string id = base64::encode(passkey_.id());
  const auto refused = change(a, j, {{"action", "passkey-remove"}, {"id", id}});
  EXPECT_TRUE(shows_error(refused, "your only way to sign in")) << refused.body;
  EXPECT_TRUE(store_->find_authenticator(id).value());

  // With a second passkey, either can go.
  const soft_passkey second(0x43);
  ASSERT_EQ(add_passkey(a, j, second).status, 200);
  EXPECT_EQ(change(a, j, {{"action", "passkey-remove"}, {"id", id}}).status, 200);
  EXPECT_FALSE(store_->find_authenticator(id).value());
  const auto last =
      change(a, j, {{"action", "passkey-remove"}, {"id", base64::encode(second.id())}});
  EXPECT_TRUE(shows_error(last, "your only way to sign in"));
}

TEST_F(EngineAccountTest, ALastPasskeyCanGoWhenEmailLinksSignIn) {
  auto c = account_config();
  email_provider email;
  email.send_verification_request = [](const verification_request&) -> result<void> { return {}; };
  c.providers.push_back(std::move(email));
  const auto a = build(std::move(c));
  ASSERT_TRUE(
      store_->add_user({.email = "carol@example.com", .name = "Carol"}, ""));  // no password
  jar j;
  sign_in(a, j, "carol");
  ASSERT_EQ(add_passkey(a, j, passkey_).status, 200);
  const auto res =
      change(a, j, {{"action", "passkey-remove"}, {"id", base64::encode(passkey_.id())}});
  EXPECT_EQ(res.status, 200) << res.body;
}

// Attack: cross-site request forgery. A page elsewhere posts the remove form with the victim's
// cookies but cannot read the CSRF token. Nothing changes.
TEST_F(EngineAccountTest, ForgedCrossSiteChangeWithoutCsrfTokenIsRefused) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  ASSERT_EQ(add_passkey(a, j, passkey_).status, 200);
  const std::string id = base64::encode(passkey_.id());
  for (const std::string token : {"", "forged"}) {
    const auto res = change(a, j, {{"action", "passkey-remove"}, {"id", id}}, token);
    EXPECT_NE(res.status, 200) << token;
    EXPECT_TRUE(store_->find_authenticator(id).value()) << token;
  }
  const auto res = change(a, j, {{"action", "totp-begin"}}, "");
  EXPECT_THAT(res.body, Not(HasSubstr("Key: <code>")));
}

// Attack: a session left open on a shared computer (or a stolen session cookie) is used long
// after the sign-in to remove the owner's factors or add the attacker's. The page shows what
// there is and asks for a fresh sign-in.
TEST_F(EngineAccountTest, AStaleSessionCannotChangeFactors) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  ASSERT_EQ(add_passkey(a, j, passkey_).status, 200);
  clock_.advance(11min);
  const std::string id = base64::encode(passkey_.id());
  const auto res = change(a, j, {{"action", "passkey-remove"}, {"id", id}});
  EXPECT_TRUE(shows_error(res, "Sign in again first")) << res.body;
  EXPECT_TRUE(store_->find_authenticator(id).value());

  const auto shown = page(a, j);
  EXPECT_EQ(shown.status, 200);
  EXPECT_THAT(shown.body, HasSubstr("Sign in again</a>"));
  EXPECT_THAT(shown.body, Not(HasSubstr("passkey-remove")));

  const soft_passkey attackers(0x66);
  const auto added = add_passkey(a, j, attackers);
  EXPECT_EQ(added.status, 400);
  EXPECT_EQ(body_json(added), json({{"error", "Recent sign-in required"}}));
  EXPECT_FALSE(store_->find_authenticator(base64::encode(attackers.id())).value());

  // Signing in again opens the changes for another ten minutes.
  sign_in(a, j);
  EXPECT_EQ(change(a, j, {{"action", "passkey-remove"}, {"id", id}}).status, 200);
}

// The proof is checked again when the ceremony comes back, not only when it starts.
TEST_F(EngineAccountTest, ARegistrationFinishedAfterTheProofExpiredIsRefused) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  auto o = a.handle(get("/api/auth/webauthn-options/passkey?action=register", j.header()));
  j.apply(o);
  ASSERT_EQ(o.status, 200);
  clock_.advance(11min);
  const std::string token = csrf(a, j);
  const auto res =
      a.handle(post_form("/api/auth/callback/passkey?",
                         form({{"action", "register"},
                               {"data", passkey_.registration(body_json(o)["options"])},
                               {"csrfToken", token}}),
                         j.header()));
  EXPECT_THAT(res.body, HasSubstr("error=")) << res.body;
  EXPECT_FALSE(store_->find_authenticator(base64::encode(passkey_.id())).value());
}

// Attack: only the session cookie was stolen (it is the one cookie apps forward and log): the
// proof of a recent sign-in is a separate cookie, so the stolen session changes nothing.
TEST_F(EngineAccountTest, AStolenSessionCookieAloneCannotChangeFactors) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  jar thief;
  thief.all()["authjs.session-token"] = j.value("authjs.session-token");
  const auto res = change(a, thief, {{"action", "totp-begin"}});
  EXPECT_TRUE(shows_error(res, "Sign in again first")) << res.body;
}

// Attack: bob signed in recently and hands his proof to alice's stolen session. The proof names
// the user it was made for.
TEST_F(EngineAccountTest, AnotherUsersRecentSignInProofIsRefused) {
  const auto a = build(account_config());
  jar alice;
  sign_in(a, alice);
  clock_.advance(11min);
  jar bob;
  sign_in(a, bob, "bob");
  ASSERT_TRUE(bob.has("authpp.recent-sign-in"));
  alice.all()["authpp.recent-sign-in"] = bob.value("authpp.recent-sign-in");
  const auto res = change(a, alice, {{"action", "totp-begin"}});
  EXPECT_TRUE(shows_error(res, "Sign in again first")) << res.body;
  // The same proof serves bob.
  EXPECT_EQ(change(a, bob, {{"action", "totp-begin"}}).status, 200);
}

TEST_F(EngineAccountTest, RemovingAnotherUsersPasskeyIsRefused) {
  const auto a = build(account_config());
  jar bob;
  sign_in(a, bob, "bob");
  ASSERT_EQ(add_passkey(a, bob, passkey_).status, 200);
  const std::string id = base64::encode(passkey_.id());
  jar alice;
  sign_in(a, alice);
  const auto res = change(a, alice, {{"action", "passkey-remove"}, {"id", id}});
  EXPECT_TRUE(shows_error(res, "not on your account")) << res.body;
  const auto still = store_->find_authenticator(id).value();
  ASSERT_TRUE(still);
  EXPECT_EQ(still->user_id, bob_id_);
}

TEST_F(EngineAccountTest, TotpEnrolmentShowsAQrCodeAndKeyAndStoresNothingYet) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const auto res = change(a, j, {{"action", "totp-begin"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.body, HasSubstr("<svg"));
  EXPECT_THAT(res.body, HasSubstr("QR code for your authenticator app"));
  EXPECT_THAT(res.body, HasSubstr("name=\"action\" value=\"totp-confirm\""));
  EXPECT_TRUE(j.has("authpp.totp-enrolment"));
  EXPECT_FALSE(store_->find_totp(alice_id_).value());
  // The key is not in the cookie in the clear.
  const std::string key = mfa::base32(begin_totp(a, j));
  EXPECT_EQ(j.value("authpp.totp-enrolment").find(key), std::string::npos);
  // Reloading the page keeps the enrolment in progress.
  EXPECT_THAT(page(a, j).body, HasSubstr("Key: <code>" + key + "</code>"));
}

TEST_F(EngineAccountTest, AFirstCodeTurnsTotpOnAndShowsTenRecoveryCodesOnce) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const bytes secret = begin_totp(a, j);
  const auto res = change(a, j, {{"action", "totp-confirm"}, {"code", code(secret)}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(totp_confirmed(alice_id_));
  const std::regex recovery("<li><code>([^<]+)</code></li>");
  const auto count = std::distance(std::sregex_iterator(res.body.begin(), res.body.end(), recovery),
                                   std::sregex_iterator());
  EXPECT_EQ(count, 10);
  EXPECT_EQ(store_->recovery_code_hashes(alice_id_).value().size(), 10u);
  EXPECT_FALSE(j.has("authpp.totp-enrolment"));
  const auto later = page(a, j);
  EXPECT_THAT(later.body, Not(HasSubstr("Your recovery codes")));
  EXPECT_THAT(later.body, HasSubstr("Recovery codes left: 10."));
}

TEST_F(EngineAccountTest, AWrongFirstCodeStoresNothing) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const bytes secret = begin_totp(a, j);
  const auto res = change(a, j, {{"action", "totp-confirm"}, {"code", code(secret, 120s)}});
  EXPECT_TRUE(shows_error(res, "That code was not accepted")) << res.body;
  EXPECT_FALSE(store_->find_totp(alice_id_).value());
  // The enrolment is still in progress: the right code finishes it.
  EXPECT_EQ(change(a, j, {{"action", "totp-confirm"}, {"code", code(secret)}}).status, 200);
  EXPECT_TRUE(totp_confirmed(alice_id_));
}

TEST_F(EngineAccountTest, AfterEnrolmentAPasswordSignInNeedsTheCode) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const bytes secret = enrolled_secret(a, j);
  jar later;
  const auto without = sign_in(a, later);
  EXPECT_THAT(without.body, HasSubstr("code=totp_required"));
  EXPECT_FALSE(later.has("authjs.session-token"));

  // Attack: the code typed at enrolment, seen over a shoulder, replayed. Refused (used once).
  const std::string token = csrf(a, later);
  const auto post_with = [&](const std::string& typed) {
    auto res = a.handle(post_form("/api/auth/callback/credentials?",
                                  form({{"username", "alice"},
                                        {"password", "wonderland"},
                                        {"totp", typed},
                                        {"csrfToken", token}}),
                                  later.header()));
    later.apply(res);
    return res;
  };
  EXPECT_THAT(post_with(code(secret)).body, HasSubstr("code=totp_required"));
  clock_.advance(30s);
  post_with(code(secret));
  EXPECT_TRUE(later.has("authjs.session-token"));
}

TEST_F(EngineAccountTest, SettingUpASecondAppIsRefusedWhileOneIsOn) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  enrolled_secret(a, j);
  const auto res = change(a, j, {{"action", "totp-begin"}});
  EXPECT_TRUE(shows_error(res, "Turn it off first")) << res.body;
}

// Attack: a session used by someone else turns the second factor off. Without a code from the
// app (or a recovery code) it stays on.
TEST_F(EngineAccountTest, TurningTotpOffNeedsACodeFromTheApp) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const bytes secret = enrolled_secret(a, j);
  clock_.advance(30s);
  for (const std::string typed : {"", "000000", "not-a-code"}) {
    const auto res = change(a, j, {{"action", "totp-disable"}, {"code", typed}});
    EXPECT_TRUE(shows_error(res, "That code was not accepted")) << typed;
    EXPECT_TRUE(totp_confirmed(alice_id_)) << typed;
  }
  const auto res = change(a, j, {{"action", "totp-disable"}, {"code", code(secret)}});
  EXPECT_THAT(res.body, HasSubstr("Authenticator app off."));
  EXPECT_FALSE(store_->find_totp(alice_id_).value());
}

TEST_F(EngineAccountTest, ARecoveryCodeTurnsTotpOffOnce) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const bytes secret = begin_totp(a, j);
  const auto res = change(a, j, {{"action", "totp-confirm"}, {"code", code(secret)}});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(res.body, m, std::regex("<li><code>([^<]+)</code></li>")));
  const std::string recovery = m[1].str();
  EXPECT_THAT(change(a, j, {{"action", "totp-disable"}, {"code", recovery}}).body,
              HasSubstr("Authenticator app off."));
  EXPECT_FALSE(store_->find_totp(alice_id_).value());
  EXPECT_TRUE(store_->recovery_code_hashes(alice_id_).value().empty());
}

// Attack: bob's enrolment cookie (a secret bob's app holds) planted in alice's browser, so that
// bob's app would hold alice's second factor. The sealed secret names its user: refused.
TEST_F(EngineAccountTest, AnotherUsersEnrolmentCannotBeConfirmed) {
  const auto a = build(account_config());
  jar bob;
  sign_in(a, bob, "bob");
  const bytes bobs_secret = begin_totp(a, bob);
  jar alice;
  sign_in(a, alice);
  alice.all()["authpp.totp-enrolment"] = bob.value("authpp.totp-enrolment");
  const auto res = change(a, alice, {{"action", "totp-confirm"}, {"code", code(bobs_secret)}});
  EXPECT_EQ(res.status, 400);
  EXPECT_FALSE(store_->find_totp(alice_id_).value());
}

TEST_F(EngineAccountTest, AnUnknownActionChangesNothing) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  const auto res = change(a, j, {{"action", "make-admin"}});
  EXPECT_TRUE(shows_error(res, "not available")) << res.body;
}

TEST_F(EngineAccountTest, TotpActionsAreRefusedWhenTotpIsOff) {
  auto c = account_config();
  c.totp.enabled = false;
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  EXPECT_THAT(page(a, j).body, Not(HasSubstr("Authenticator app")));
  EXPECT_TRUE(shows_error(change(a, j, {{"action", "totp-begin"}}), "not available"));
}

TEST_F(EngineAccountTest, TheAsyncPathServesThePageToo) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  boost::asio::io_context io;
  const auto res = run_async(io, a, get(std::string(account_path), j.header()));
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("Signed in as <strong>alice@example.com</strong>"));
}

TEST_F(EngineAccountTest, OtherMethodsAreRefused) {
  const auto a = build(account_config());
  jar j;
  sign_in(a, j);
  auto r = get(std::string(account_path), j.header());
  r.method = "DELETE";
  EXPECT_EQ(a.handle(r).status, 400);
}

}  // namespace
}  // namespace authpp::test
