// The passkey provider (issue 14) through the engine, with a software authenticator
// (soft_passkey.hpp): the options and challenge cookie of GET /webauthn-options/passkey,
// registration (sign-up, and a passkey added by a signed-in user), authentication, and one named
// test per attack the ceremony checks stop.
#include <authpp/core/base64url.hpp>

#include <cstdint>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "soft_passkey.hpp"
#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

using ::testing::HasSubstr;
using webauthn::cose_algorithm;

class EnginePasskeyTest : public StoredUserEngineTest {
 protected:
  soft_passkey passkey_{0x42};

  auth_config passkey_config(passkey_provider p = {}) {
    auth_config c = stored_config();
    c.providers.push_back(std::move(p));
    return c;
  }

  // options asks for WebAuthn options as next-auth/webauthn does (no CSRF token on this GET).
  static http::response options(const authpp::auth& a, jar& j, const std::string& query = "") {
    auto res = a.handle(get("/api/auth/webauthn-options/passkey" + query, j.header()));
    j.apply(res);
    return res;
  }
  static json options_json(const authpp::auth& a, jar& j, const std::string& query = "") {
    auto res = options(a, j, query);
    EXPECT_EQ(res.status, 200) << res.body;
    return body_json(res);
  }

  // finish posts a ceremony's result to the callback, as next-auth/webauthn does.
  static http::response finish(const authpp::auth& a, jar& j, const std::string& action,
                               const std::string& data) {
    const std::string token = csrf(a, j);
    auto res = a.handle(post_form("/api/auth/callback/passkey?",
                                  form({{"action", action},
                                        {"data", data},
                                        {"csrfToken", token},
                                        {"callbackUrl", "http://localhost:3000/dashboard"}}),
                                  j.header()));
    j.apply(res);
    return res;
  }

  // sign_up registers passkey_ for a new address and returns the stored user's id.
  std::string sign_up(const authpp::auth& a, const std::string& email = "new@example.com") {
    jar j;
    const json o = options_json(a, j, "?email=" + email);
    auto res = finish(a, j, "register", passkey_.registration(o["options"]));
    EXPECT_TRUE(signed_in(res)) << res.body;
    auto u = store_->find_by_email(email);
    return u && *u ? (*u)->id : std::string();
  }

  static bool signed_in(const http::response& res) {
    for (const auto& c : res.headers.get_all("Set-Cookie")) {
      if (c.starts_with("authjs.session-token=") && !c.starts_with("authjs.session-token=;")) {
        return true;
      }
    }
    return false;
  }
  static bool refused_as(const http::response& res, std::string_view type) {
    return res.body.find("error=" + std::string(type)) != std::string::npos;
  }
  std::string session_sub(const jar& j) { return decode(j.value("authjs.session-token"))["sub"]; }
};

TEST_F(EnginePasskeyTest, OptionsForANewAddressRegisterADiscoverableVerifiedCredential) {
  auto a = build(passkey_config());
  jar j;
  auto res = options(a, j, "?email=new@example.com");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.headers.get("Content-Type").value_or(""), HasSubstr("application/json"));
  const json body = body_json(res);
  EXPECT_EQ(body["action"], "register");
  const json& o = body["options"];
  EXPECT_EQ(o["rp"]["id"], "localhost");
  EXPECT_EQ(o["rp"]["name"], "localhost:3000");
  EXPECT_EQ(o["user"]["name"], "new@example.com");
  EXPECT_EQ(o["user"]["displayName"], "new@example.com");
  EXPECT_EQ(wt::b64(o["user"]["id"].get<std::string>()).size(), 32u);
  EXPECT_EQ(wt::b64(o["challenge"].get<std::string>()).size(), 32u);
  EXPECT_EQ(o["authenticatorSelection"]["residentKey"], "required");
  EXPECT_EQ(o["authenticatorSelection"]["userVerification"], "required");
  EXPECT_EQ(o["attestation"], "none");
  EXPECT_EQ(o["timeout"], 300000);
  EXPECT_EQ(o["pubKeyCredParams"].size(), 3u);
  EXPECT_TRUE(j.has("authjs.challenge"));
  bool max_age = false;
  for (const auto& c : set_cookies(res)) {
    if (c.starts_with("authjs.challenge=")) max_age = c.find("Max-Age=900") != std::string::npos;
  }
  EXPECT_TRUE(max_age);
}

TEST_F(EnginePasskeyTest, OptionsWithoutAnAddressAuthenticateAndNameNoCredential) {
  auto a = build(passkey_config());
  jar j;
  const json body = options_json(a, j);
  EXPECT_EQ(body["action"], "authenticate");
  EXPECT_EQ(body["options"]["rpId"], "localhost");
  EXPECT_EQ(body["options"]["userVerification"], "required");
  EXPECT_FALSE(body["options"].contains("allowCredentials"));
}

TEST_F(EnginePasskeyTest, CredentialIdsOfAKnownAddressAreNotDisclosed) {
  // Auth.js lists a known address's credential ids to anyone who names it.
  auto a = build(passkey_config());
  const std::string id = sign_up(a);
  ASSERT_FALSE(id.empty());
  jar j;
  const json body = options_json(a, j, "?email=new@example.com");
  EXPECT_EQ(body["action"], "authenticate");
  EXPECT_EQ(body.dump().find(passkey_.id_text()), std::string::npos);
}

TEST_F(EnginePasskeyTest, AnUnknownActionIsRefusedWithAuthJsAnswer) {
  auto a = build(passkey_config());
  jar j;
  auto res = options(a, j, "?action=steal");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(body_json(res), json({{"error", "Invalid action"}}));
}

TEST_F(EnginePasskeyTest, OptionsOfANonWebAuthnProviderAreRefused) {
  auto a = build(passkey_config());
  auto res = a.handle(get("/api/auth/webauthn-options/credentials"));
  EXPECT_EQ(res.status, 302);
  EXPECT_THAT(res.headers.get("Location").value_or(""), HasSubstr("error=Configuration"));
}

TEST_F(EnginePasskeyTest, SignUpCreatesTheUserTheAccountAndThePasskey) {
  auto a = build(passkey_config());
  jar j;
  const json o = options_json(a, j, "?email=New@Example.com");
  auto res = finish(a, j, "register", passkey_.registration(o["options"]));
  ASSERT_TRUE(signed_in(res)) << res.body;
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/dashboard");
  EXPECT_FALSE(j.has("authjs.challenge"));  // cleared once used

  auto user = store_->find_by_email("new@example.com").value();
  ASSERT_TRUE(user);
  EXPECT_EQ(session_sub(j), user->id);
  const std::string credential_id = base64::encode(passkey_.id());
  auto account = store_->user_by_account("passkey", credential_id).value();
  ASSERT_TRUE(account);
  EXPECT_EQ(account->id, user->id);
  auto stored = store_->find_authenticator(credential_id).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->user_id, user->id);
  EXPECT_EQ(stored->provider_account_id, credential_id);
  EXPECT_EQ(stored->counter, 0u);
  EXPECT_EQ(stored->credential_device_type, "multiDevice");  // BE set
  EXPECT_FALSE(stored->credential_backed_up);
  EXPECT_EQ(stored->transports, std::optional<std::string>("internal,hybrid"));
}

TEST_F(EnginePasskeyTest, ThePasskeySignsTheUserInAndItsCounterIsKept) {
  auto a = build(passkey_config());
  const std::string id = sign_up(a);
  jar j;
  const json o = options_json(a, j);
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 7));
  ASSERT_TRUE(signed_in(res)) << res.body;
  EXPECT_EQ(session_sub(j), id);
  auto stored = store_->find_authenticator(base64::encode(passkey_.id())).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->counter, 7u);
  EXPECT_TRUE(stored->last_used_at.has_value());
}

TEST_F(EnginePasskeyTest, TheAsynchronousPathSignsInToo) {
  auto a = build(passkey_config());
  sign_up(a);
  boost::asio::io_context io;
  jar j;
  auto res = run_async(io, a, get("/api/auth/webauthn-options/passkey", j.header()));
  ASSERT_EQ(res.status, 200);
  j.apply(res);
  const json o = body_json(res);
  const std::string token = csrf(a, j);
  res = run_async(io, a,
                  post_form("/api/auth/callback/passkey?",
                            form({{"action", "authenticate"},
                                  {"data", passkey_.assertion(o["options"], 1)},
                                  {"csrfToken", token}}),
                            j.header()));
  EXPECT_TRUE(signed_in(res)) << res.body;
}

TEST_F(EnginePasskeyTest, ReplayedCeremonyIsRefused) {
  // An attacker who captured a successful post (its cookie and body) replays it.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  const std::string token = csrf(a, j);
  const std::string cookies = j.header();
  const auto body = form({{"action", "authenticate"},
                          {"data", passkey_.assertion(o["options"], 1)},
                          {"csrfToken", token}});
  auto first = a.handle(post_form("/api/auth/callback/passkey?", body, cookies));
  ASSERT_TRUE(signed_in(first)) << first.body;
  auto replay = a.handle(post_form("/api/auth/callback/passkey?", body, cookies));
  EXPECT_FALSE(signed_in(replay));
  EXPECT_TRUE(refused_as(replay, "WebAuthnVerificationError")) << replay.body;
}

TEST_F(EnginePasskeyTest, ReplayedChallengeWithAFreshSignatureIsRefused) {
  // The challenge cookie is replayed with a new assertion over the same challenge (a cloned
  // authenticator that saw it): the challenge was used once already.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  const std::string challenge_cookie = j.value("authjs.challenge");
  ASSERT_TRUE(signed_in(finish(a, j, "authenticate", passkey_.assertion(o["options"], 1))));
  j.all()["authjs.challenge"] = challenge_cookie;
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 2));
  EXPECT_TRUE(refused_as(res, "WebAuthnVerificationError")) << res.body;
  EXPECT_TRUE(logs_contain("used already"));
}

TEST_F(EnginePasskeyTest, ClonedAuthenticatorWhoseCounterWentBackwardsIsRefused) {
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  json o = options_json(a, j);
  ASSERT_TRUE(signed_in(finish(a, j, "authenticate", passkey_.assertion(o["options"], 5))));
  jar clone;
  o = options_json(a, clone);
  auto res = finish(a, clone, "authenticate", passkey_.assertion(o["options"], 3));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(refused_as(res, "WebAuthnVerificationError")) << res.body;
  EXPECT_TRUE(logs_contain("counter_regression"));
}

TEST_F(EnginePasskeyTest, WrongOriginIsRefused) {
  // A phishing site relays the ceremony: the browser writes the site's own origin.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  auto res =
      finish(a, j, "authenticate", passkey_.assertion(o["options"], 1, "https://evil.example"));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(logs_contain("origin_mismatch"));
}

TEST_F(EnginePasskeyTest, WrongRpIdHashIsRefused) {
  // An assertion made for another relying party's credential scope.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  auto res = finish(
      a, j, "authenticate",
      passkey_.assertion(o["options"], 1, origin, wt::flag_up | wt::flag_uv, "evil.example"));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(logs_contain("rp_id_mismatch"));
}

TEST_F(EnginePasskeyTest, ChallengeOfAnotherBrowserIsRefused) {
  // The attacker's ceremony answers the attacker's challenge, posted with the victim's cookie.
  auto a = build(passkey_config());
  sign_up(a);
  jar attacker, victim;
  const json attackers = options_json(a, attacker);
  options_json(a, victim);
  auto res = finish(a, victim, "authenticate", passkey_.assertion(attackers["options"], 1));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(logs_contain("challenge_mismatch"));
}

TEST_F(EnginePasskeyTest, MissingUserVerificationIsRefused) {
  // A stolen security key used without its PIN: presence only.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1, origin, wt::flag_up));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(logs_contain("user_not_verified"));
}

TEST_F(EnginePasskeyTest, PresenceAloneIsEnoughWhenVerificationIsOff) {
  passkey_provider p;
  p.user_verification = false;
  auto a = build(passkey_config(p));
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  EXPECT_EQ(o["options"]["userVerification"], "preferred");
  EXPECT_TRUE(signed_in(
      finish(a, j, "authenticate", passkey_.assertion(o["options"], 1, origin, wt::flag_up))));
}

TEST_F(EnginePasskeyTest, MissingUserPresenceIsRefused) {
  // Malware asking an authenticator silently.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1, origin, 0));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(logs_contain("user_not_present"));
}

TEST_F(EnginePasskeyTest, SignatureByAnotherKeyIsRefused) {
  // A forged assertion for a known credential id.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  const wt::test_key forger(cose_algorithm::es256);
  auto res = finish(
      a, j, "authenticate",
      passkey_.assertion(o["options"], 1, origin, wt::flag_up | wt::flag_uv, "localhost", &forger));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(logs_contain("invalid_signature"));
}

TEST_F(EnginePasskeyTest, UnknownCredentialIsRefused) {
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  const soft_passkey stranger(0x07);
  auto res = finish(a, j, "authenticate", stranger.assertion(o["options"], 1));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(refused_as(res, "WebAuthnVerificationError")) << res.body;
  EXPECT_TRUE(logs_contain("unknown passkey"));
}

TEST_F(EnginePasskeyTest, MissingCsrfTokenIsRefused) {
  // A cross-site form posting a ceremony it recorded.
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  auto res = a.handle(
      post_form("/api/auth/callback/passkey?",
                form({{"action", "authenticate"}, {"data", passkey_.assertion(o["options"], 1)}}),
                j.header()));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(refused_as(res, "MissingCSRF")) << res.body;
}

TEST_F(EnginePasskeyTest, MissingChallengeCookieIsRefused) {
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  j.all().erase("authjs.challenge");
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(refused_as(res, "WebAuthnVerificationError")) << res.body;
}

TEST_F(EnginePasskeyTest, ExpiredChallengeIsRefused) {
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  clock_.advance(std::chrono::minutes(16));  // 15 minutes and the decoder's leeway
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1));
  EXPECT_FALSE(signed_in(res));
}

TEST_F(EnginePasskeyTest, AuthenticationChallengeCannotRegister) {
  // Registering needs the account the options were issued for; an authentication challenge
  // names none, so it cannot create or extend one.
  auto a = build(passkey_config());
  jar j;
  const json o = options_json(a, j);
  json forged = o["options"];
  forged["rp"] = {{"id", "localhost"}};
  auto res = finish(a, j, "register", passkey_.registration(forged));
  EXPECT_FALSE(signed_in(res));
  EXPECT_TRUE(refused_as(res, "WebAuthnVerificationError")) << res.body;
}

TEST_F(EnginePasskeyTest, RegisteringAPasskeyOnSomeoneElsesAddressIsRefused) {
  // Account takeover: a visitor asks to add their passkey to alice's account.
  auto a = build(passkey_config());
  jar j;
  auto res = options(a, j, "?action=register&email=alice@example.com");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(body_json(res), json({{"error", "Invalid request"}}));
}

TEST_F(EnginePasskeyTest, ASignedInUserAddsAPasskeyToTheirAccount) {
  auto a = build(passkey_config());
  jar j;
  ASSERT_TRUE(signed_in(sign_in(a, j)));
  const json o = options_json(a, j, "?action=register");
  EXPECT_EQ(o["action"], "register");
  EXPECT_EQ(o["options"]["user"]["name"], "alice@example.com");
  EXPECT_EQ(o["options"]["user"]["displayName"], "Alice");
  auto res = finish(a, j, "register", passkey_.registration(o["options"]));
  ASSERT_EQ(res.status, 200) << res.body;
  auto stored = store_->find_authenticator(base64::encode(passkey_.id())).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->user_id, alice_id_);

  // The next registration excludes it, so the authenticator does not make a second one.
  const json again = options_json(a, j, "?action=register");
  ASSERT_EQ(again["options"]["excludeCredentials"].size(), 1u);
  EXPECT_EQ(again["options"]["excludeCredentials"][0]["id"], passkey_.id_text());

  // And alice signs in with it later.
  jar later;
  const json o2 = options_json(a, later);
  ASSERT_TRUE(signed_in(finish(a, later, "authenticate", passkey_.assertion(o2["options"], 1))));
  EXPECT_EQ(session_sub(later), alice_id_);
}

TEST_F(EnginePasskeyTest, ASignedInUserMustChooseAnAction) {
  auto a = build(passkey_config());
  jar j;
  ASSERT_TRUE(signed_in(sign_in(a, j)));
  auto res = options(a, j);
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(body_json(res), json({{"error", "Invalid request"}}));
}

TEST_F(EnginePasskeyTest, AnotherUsersPasskeyIsRefusedWhileSignedIn) {
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  ASSERT_TRUE(signed_in(sign_in(a, j)));
  const json o = options_json(a, j, "?action=authenticate");
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1));
  EXPECT_TRUE(refused_as(res, "AccountNotLinked")) << res.body;
}

TEST_F(EnginePasskeyTest, SignUpCanBeTurnedOff) {
  passkey_provider p;
  p.allow_sign_up = false;
  auto a = build(passkey_config(p));
  jar j;
  auto res = options(a, j, "?email=new@example.com");
  EXPECT_EQ(res.status, 400);
  EXPECT_FALSE(store_->find_by_email("new@example.com").value());
}

TEST_F(EnginePasskeyTest, RegistrationForAnAddressThatSignedUpMeanwhileIsRefused) {
  // Two sign-ups race for one address: the second must not attach its passkey to the first's
  // account (nobody proved to own it).
  auto a = build(passkey_config());
  jar first, second;
  const json o1 = options_json(a, first, "?email=new@example.com");
  const json o2 = options_json(a, second, "?email=new@example.com");
  ASSERT_TRUE(signed_in(finish(a, first, "register", passkey_.registration(o1["options"]))));
  const soft_passkey other(0x07);
  auto res = finish(a, second, "register", other.registration(o2["options"]));
  EXPECT_TRUE(refused_as(res, "AccountNotLinked")) << res.body;
  EXPECT_FALSE(store_->find_authenticator(base64::encode(other.id())).value());
}

TEST_F(EnginePasskeyTest, ADisabledUserIsRefused) {
  auto a = build(passkey_config());
  sign_up(a);
  ASSERT_TRUE(store_->set_disabled("new@example.com", true));
  jar j;
  const json o = options_json(a, j);
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1));
  EXPECT_TRUE(refused_as(res, "AccessDenied")) << res.body;
}

TEST_F(EnginePasskeyTest, AStoreOutageIsA503NotAWrongPasskey) {
  auto a = build(passkey_config());
  sign_up(a);
  jar j;
  const json o = options_json(a, j);
  faulty_->authenticators_down = true;
  auto res = finish(a, j, "authenticate", passkey_.assertion(o["options"], 1));
  EXPECT_EQ(res.status, 503);
  EXPECT_TRUE(res.headers.get("Retry-After").has_value());
}

TEST_F(EnginePasskeyTest, AMalformedCredentialIsRefusedClearly) {
  auto a = build(passkey_config());
  for (const std::string data :
       {"", "not json", "[]", R"({"id":"AA","type":"public-key"})",
        R"({"id":"AA","rawId":"AB","type":"public-key","response":{}})",
        R"({"id":"AA","type":"password","response":{"clientDataJSON":"e30"}})"}) {
    jar j;
    options_json(a, j);
    auto res = finish(a, j, "authenticate", data);
    EXPECT_TRUE(refused_as(res, "WebAuthnVerificationError")) << data << ": " << res.body;
  }
  jar j;
  auto res = finish(a, j, "sign-up", "{}");
  EXPECT_TRUE(refused_as(res, "Configuration")) << res.body;
}

TEST_F(EnginePasskeyTest, ProvidersListItAsWebAuthn) {
  auto a = build(passkey_config());
  const json providers = body_json(a.handle(get("/api/auth/providers")));
  EXPECT_EQ(providers["passkey"]["type"], "webauthn");
  EXPECT_EQ(providers["passkey"]["name"], "Passkey");
  EXPECT_EQ(providers["passkey"]["callbackUrl"], "http://localhost:3000/api/auth/callback/passkey");
}

TEST_F(EnginePasskeyTest, TheSignInPageOffersAPasskeyUnderAStrictScriptPolicy) {
  auto a = build(passkey_config());
  auto res = a.handle(get("/api/auth/signin"));
  ASSERT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("Sign in with a passkey"));
  EXPECT_THAT(res.body, HasSubstr("data-passkey-options=\"http://localhost:3000/api/auth/"
                                  "webauthn-options/passkey\""));
  EXPECT_THAT(res.body, HasSubstr("autocomplete=\"username webauthn\""));
  const auto begin = res.body.find("<script>");
  const auto end = res.body.find("</script>");
  ASSERT_NE(begin, std::string::npos);
  const std::string script = res.body.substr(begin + 8, end - begin - 8);
  const std::string csp(res.headers.get("Content-Security-Policy").value_or(""));
  EXPECT_THAT(csp, HasSubstr("script-src 'sha256-" + base64::encode(jose::sha256(script)) + "'"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self'"));
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
}

TEST_F(EnginePasskeyTest, PagesWithoutAPasskeyHaveNoScript) {
  auto a = build(stored_config());
  auto res = a.handle(get("/api/auth/signin"));
  EXPECT_EQ(res.body.find("<script"), std::string::npos);
  EXPECT_EQ(res.headers.get("Content-Security-Policy").value_or("").find("script-src"),
            std::string::npos);
}

TEST_F(EnginePasskeyTest, ConfigurationIsCheckedUpFront) {
  auth_config c = config();  // no adapter
  c.providers.push_back(passkey_provider{});
  auto made = authpp::auth::create(std::move(c));
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message(), HasSubstr("providers[1].adapter"));

  passkey_provider p;
  p.origins = {"https://example.com/path"};
  made = authpp::auth::create(passkey_config(p));
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().message(), HasSubstr("origins"));
}

}  // namespace
}  // namespace authpp::test
