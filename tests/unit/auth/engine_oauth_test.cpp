// OAuth 2 / OIDC sign-in through the engine against test_idp over real HTTP: the authorization
// URL and check cookies as Auth.js makes them, the whole flow, and one test per hostile-provider
// case (OpenID Foundation RP certification list), each ending without a session and with an
// Auth.js-named error.
#include <authpp/adapters/memory_store.hpp>
#include <authpp/providers/presets.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "faulty_adapter.hpp"
#include "oauth_fixture.hpp"

namespace authpp::test {
namespace {

TEST_F(OAuthTest, ProvidersListsTheOidcProvider) {
  auto a = build_with(provider());
  auto body = body_json(a.handle(get("/api/auth/providers")));
  EXPECT_EQ(body["oidc"], (json{{"id", "oidc"},
                                {"name", "OpenID Connect"},
                                {"type", "oidc"},
                                {"signinUrl", "http://localhost:3000/api/auth/signin/oidc"},
                                {"callbackUrl", "http://localhost:3000/api/auth/callback/oidc"}}));
}

TEST_F(OAuthTest, AuthorizationUrlHasAuthjsParametersInAuthjsOrder) {
  auto a = build_with(provider());
  jar j;
  const std::string url = start(a, j, "?prompt=login&login_hint=alice%40example.com");
  ASSERT_TRUE(url.starts_with(idp_.issuer() + "/authorize?")) << url;
  auto params = http::url_search_params::parse(url.substr(url.find('?') + 1)).value();
  std::vector<std::string> names;
  for (const auto& [k, v] : params) names.push_back(k);
  EXPECT_EQ(names, (std::vector<std::string>{"response_type", "client_id", "redirect_uri", "prompt",
                                             "login_hint", "state", "code_challenge",
                                             "code_challenge_method", "nonce", "scope"}));
  EXPECT_EQ(params.get("redirect_uri"), "http://localhost:3000/api/auth/callback/oidc");
  EXPECT_EQ(params.get("login_hint"), "alice@example.com");
  EXPECT_EQ(params.get("code_challenge_method"), "S256");
  EXPECT_EQ(params.get("code_challenge")->size(), 43u);
  EXPECT_EQ(params.get("nonce")->size(), 43u);
  EXPECT_EQ(params.get("scope"), "openid profile email");
  EXPECT_NE(url.find("scope=openid+profile+email"), std::string::npos);  // form encoding
}

TEST_F(OAuthTest, CheckCookiesAreSealedAsAuthjsSealsThem) {
  auto a = build_with(provider());
  jar j;
  const std::string url = start(a, j);
  auto params = http::url_search_params::parse(url.substr(url.find('?') + 1)).value();
  // Each cookie is the JWE of {value, provider} under its own name: what Auth.js reads back.
  const json pkce = decode(j.value("authjs.pkce.code_verifier"), "authjs.pkce.code_verifier");
  EXPECT_EQ(pkce["provider"], "oidc");
  const std::string verifier = pkce["value"].get<std::string>();
  EXPECT_EQ(base64url::encode(byte_view(jose::sha256(verifier))), params.get("code_challenge"));
  EXPECT_EQ(decode(j.value("authjs.nonce"), "authjs.nonce")["value"], params.get("nonce"));
  const json state = decode(j.value("authjs.state"), "authjs.state");
  EXPECT_EQ(state["value"], params.get("state"));
  // The state parameter is itself sealed (salt "encodedState") around 43 random characters.
  EXPECT_EQ(decode(*params.get("state"), "encodedState")["random"].get<std::string>().size(), 43u);
}

TEST_F(OAuthTest, CheckCookieLifetimesMatchAuthjs) {
  auto a = build_with(provider());
  jar j;
  const std::string token = csrf(a, j);
  auto res = a.handle(post_form("/api/auth/signin/oidc", form({{"csrfToken", token}}), j.header()));
  std::map<std::string, std::string> lines;
  for (const auto& line : set_cookies(res)) lines[line.substr(0, line.find('='))] = line;
  EXPECT_NE(lines["authjs.pkce.code_verifier"].find("; Max-Age=900; Path=/; Expires="),
            std::string::npos);
  EXPECT_NE(lines["authjs.state"].find("; Max-Age=900; Path=/; Expires="), std::string::npos);
  EXPECT_EQ(lines["authjs.nonce"].find("Max-Age"), std::string::npos);
  EXPECT_NE(lines["authjs.nonce"].find("; Path=/; Expires="), std::string::npos);
}

TEST_F(OAuthTest, PkceOnlyByDefaultAsAuthjs) {
  oauth_provider p = provider();
  p.checks = {};
  auto a = build_with(p);
  jar j;
  const std::string url = start(a, j);
  EXPECT_EQ(url.find("state="), std::string::npos);
  EXPECT_EQ(url.find("nonce="), std::string::npos);
  EXPECT_NE(url.find("code_challenge="), std::string::npos);
  EXPECT_FALSE(j.has("authjs.state"));
  EXPECT_FALSE(j.has("authjs.nonce"));
  auto res = finish(a, j, idp_.approve(url));
  EXPECT_EQ(res.headers.get("Location"), "http://localhost:3000/after");
  EXPECT_TRUE(j.has("authjs.session-token"));
}

TEST_F(OAuthTest, FullSignInGivesASessionWithTheProvidersProfile) {
  auto a = build_with(provider());
  jar j;
  auto res = sign_in_through(a, j);
  ASSERT_EQ(res.status, 302) << res.body;
  EXPECT_EQ(res.headers.get("Location"), "http://localhost:3000/after");
  // The check cookies are spent.
  EXPECT_FALSE(j.has("authjs.state"));
  EXPECT_FALSE(j.has("authjs.pkce.code_verifier"));
  EXPECT_FALSE(j.has("authjs.nonce"));
  auto session = body_json(a.handle(get("/api/auth/session", j.header())));
  EXPECT_EQ(session["user"], (json{{"name", "Alice Liddell"},
                                   {"email", "alice@example.com"},
                                   {"image", "https://example.com/alice.png"}}));
}

TEST_F(OAuthTest, TokenRequestUsesClientSecretBasicWithFormEncodedCredentials) {
  auto a = build_with(provider());
  jar j;
  sign_in_through(a, j);
  // base64("cid:c+sec"): RFC 6749 §2.3.1 form-encodes both before Basic (Auth.js does too).
  EXPECT_EQ(idp_.last_token_authorization(), "Basic Y2lkOmMrc2Vj");
  auto body = http::url_search_params::parse(idp_.last_token_body()).value();
  std::vector<std::string> names;
  for (const auto& [k, v] : body) names.push_back(k);
  EXPECT_EQ(names,
            (std::vector<std::string>{"redirect_uri", "code", "code_verifier", "grant_type"}));
}

TEST_F(OAuthTest, ClientSecretPostPutsTheCredentialsInTheBody) {
  oauth_provider p = provider();
  p.token_auth = token_auth_method::client_secret_post;
  auto a = build_with(p);
  jar j;
  EXPECT_EQ(sign_in_through(a, j).status, 302);
  EXPECT_TRUE(j.has("authjs.session-token"));
  EXPECT_EQ(idp_.last_token_authorization(), "");
  auto body = http::url_search_params::parse(idp_.last_token_body()).value();
  EXPECT_EQ(body.get("client_id"), "cid");
  EXPECT_EQ(body.get("client_secret"), "c sec");
}

TEST_F(OAuthTest, JwtCallbackReceivesAccountTokensAndProfile) {
  auth_config c = config();
  c.providers.push_back(provider());
  json seen;
  c.callbacks.jwt = [&seen](const jwt_params& p) -> std::optional<json> {
    if (p.account) {
      seen = {{"provider", p.account->provider},
              {"type", p.account->type},
              {"providerAccountId", p.account->provider_account_id},
              {"access_token", p.account->tokens.value("access_token", "")},
              {"token_type", p.account->tokens.value("token_type", "")},
              {"expires_at", p.account->tokens.value("expires_at", 0LL)},
              {"profile_sub", p.profile ? p.profile->value("sub", "") : ""}};
    }
    return p.token;
  };
  auto a = build(std::move(c));
  jar j;
  sign_in_through(a, j);
  EXPECT_EQ(seen["provider"], "oidc");
  EXPECT_EQ(seen["type"], "oidc");
  EXPECT_EQ(seen["providerAccountId"], "alice-sub");
  EXPECT_EQ(seen["access_token"], "at-1");
  EXPECT_EQ(seen["token_type"], "bearer");  // lower-cased, as oauth4webapi does
  EXPECT_EQ(seen["expires_at"], t0 + 3600);
  EXPECT_EQ(seen["profile_sub"], "alice-sub");
}

TEST_F(OAuthTest, DiscoveryIsFetchedOnceNotPerRequest) {
  auto a = build_with(provider());
  for (int i = 0; i < 3; ++i) {
    jar j;
    sign_in_through(a, j);
    EXPECT_TRUE(j.has("authjs.session-token"));
  }
  EXPECT_EQ(idp_.discovery_requests(), 1);
  EXPECT_EQ(idp_.jwks_requests(), 1);
}

TEST_F(OAuthTest, EcdsaSignedIdTokensAreAccepted) {
  auto a = build_with(provider());
  idp_.use_key("es");
  jar j;
  sign_in_through(a, j);
  EXPECT_TRUE(j.has("authjs.session-token"));
}

TEST_F(OAuthTest, FormPostResponsesAreTakenFromTheBodyWithCrossSiteCookies) {
  oauth_provider p = provider();
  p.authorization_params = {{"response_mode", "form_post"}};
  auto a = build_with(p);
  jar j;
  const std::string token = csrf(a, j);
  auto started = a.handle(post_form(
      "/api/auth/signin/oidc",
      form({{"csrfToken", token}, {"callbackUrl", "http://localhost:3000/after"}}), j.header()));
  j.apply(started);
  // The provider POSTs back cross-site: only SameSite=None cookies come with it (Auth.js sets
  // the state and nonce cookies so; the PKCE one keeps Lax, as there).
  for (const auto& line : set_cookies(started)) {
    if (line.starts_with("authjs.state=") || line.starts_with("authjs.nonce=")) {
      EXPECT_NE(line.find("; Secure; SameSite=None"), std::string::npos) << line;
    }
  }
  const std::string query = idp_.approve(body_json(started)["url"].get<std::string>());
  auto fields = http::url_search_params::parse(query).value();
  auto res = a.handle(post_form("/api/auth/callback/oidc", fields, j.header(), true));
  j.apply(res);
  EXPECT_EQ(res.status, 302) << res.body;
  EXPECT_EQ(res.headers.get("Location"), "http://localhost:3000/after");
  EXPECT_TRUE(j.has("authjs.session-token"));
}

TEST_F(OAuthTest, SignInWithoutCsrfIsRefused) {
  auto a = build_with(provider());
  jar j;
  auto res = a.handle(post_form("/api/auth/signin/oidc", form({{"csrfToken", "forged"}})));
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/signin?error=MissingCSRF");
  EXPECT_EQ(idp_.discovery_requests(), 0);
}

TEST_F(OAuthTest, UnreachableIssuerIsAConfigurationErrorAndReportedUnavailable) {
  oauth_provider p = provider();
  p.issuer = "http://127.0.0.1:1";  // nothing listens there
  auto a = build_with(p);
  jar j;
  const std::string token = csrf(a, j);
  auto res = a.handle(post_form("/api/auth/signin/oidc", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/error?error=Configuration");
  EXPECT_TRUE(logs_contain("127.0.0.1:1"));
  const auto status = a.oauth_status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].id, "oidc");
  EXPECT_FALSE(status[0].available);
  EXPECT_NE(status[0].problem.find("discovery: "), std::string::npos) << status[0].problem;
}

TEST_F(OAuthTest, ProvidersAreAvailableOnceChecked) {
  auto a = build_with(provider());
  boost::asio::io_context io;
  // Stopped when the check is done: the pooled connection would keep the loop busy until its
  // idle timeout.
  boost::asio::co_spawn(io, a.check_providers(), [&io](std::exception_ptr) { io.stop(); });
  io.run();
  EXPECT_EQ(idp_.discovery_requests(), 1);
  EXPECT_EQ(idp_.jwks_requests(), 1);
  const auto status = a.oauth_status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_TRUE(status[0].available) << status[0].problem;
  // The sign-in that follows uses what the check fetched.
  jar j;
  sign_in_through(a, j);
  EXPECT_TRUE(j.has("authjs.session-token"));
  EXPECT_EQ(idp_.discovery_requests(), 1);
  EXPECT_EQ(idp_.jwks_requests(), 1);
}

TEST_F(OAuthTest, ProviderErrorGoesBackToTheSignInPage) {
  auto a = build_with(provider());
  jar j;
  start(a, j);
  const std::string state =
      decode(j.value("authjs.state"), "authjs.state")["value"].get<std::string>();
  http::url_search_params back;
  back.append("error", "access_denied");
  back.append("state", state);
  refused(finish(a, j, back.to_string()), j,
          "http://localhost:3000/api/auth/signin?error=OAuthCallbackError");
}

// ---- the hostile provider: one test per RP-certification case ---------------------------------

class OAuthHostileProviderTest : public OAuthTest {
 protected:
  // expect_refused runs a sign-in against the misbehaving provider: it must end without a
  // session, and the log must name the reason (so the test cannot pass for another one).
  void expect_refused(misbehaviour m, std::string_view reason) {
    auto a = build_with(provider());
    idp_.set(m);
    jar j;
    refused(sign_in_through(a, j), j);
    EXPECT_TRUE(logs_contain(reason)) << dump_logs();
  }
  std::string dump_logs() {
    std::lock_guard lock(logs_mutex_);
    std::string out;
    for (const auto& l : logs_) out += l + "\n";
    return out;
  }
};

TEST_F(OAuthHostileProviderTest, AlgNoneIdTokenIsRefused) {
  expect_refused(misbehaviour::alg_none, "unsupported algorithm");
}
TEST_F(OAuthHostileProviderTest, BadSignatureIsRefused) {
  expect_refused(misbehaviour::bad_signature, "invalid signature");
}
TEST_F(OAuthHostileProviderTest, UnknownKidIsRefusedAfterOneJwksRefetch) {
  auto a = build_with(provider());
  jar first;
  sign_in_through(a, first);  // the keys are fetched and cached
  ASSERT_EQ(idp_.jwks_requests(), 1);
  clock_.advance(std::chrono::minutes(2));
  idp_.set(misbehaviour::unknown_kid);
  jar j;
  refused(sign_in_through(a, j), j);
  EXPECT_TRUE(logs_contain("no matching key")) << dump_logs();
  EXPECT_EQ(idp_.jwks_requests(), 2);  // refetched once, in case the key was rotated in
  // Tokens naming unknown keys cannot make authpp fetch the set again within the minute.
  jar again;
  refused(sign_in_through(a, again), again);
  EXPECT_EQ(idp_.jwks_requests(), 2);
}
TEST_F(OAuthHostileProviderTest, HmacSignedWithThePublicKeyIsRefused) {
  expect_refused(misbehaviour::hmac_with_public_key, "unsupported algorithm");
}
TEST_F(OAuthHostileProviderTest, WrongIssuerIsRefused) {
  expect_refused(misbehaviour::wrong_iss, "`iss` does not match");
}
TEST_F(OAuthHostileProviderTest, WrongAudienceIsRefused) {
  expect_refused(misbehaviour::wrong_aud, "`aud` is not the client_id");
}
TEST_F(OAuthHostileProviderTest, MultipleAudiencesWithoutAzpAreRefused) {
  expect_refused(misbehaviour::multiple_aud_without_azp, "no `azp`");
}
TEST_F(OAuthHostileProviderTest, ExpiredIdTokenIsRefused) {
  expect_refused(misbehaviour::expired, "`exp` has passed");
}
TEST_F(OAuthHostileProviderTest, MissingNonceIsRefused) {
  expect_refused(misbehaviour::missing_nonce, "`nonce` missing");
}
TEST_F(OAuthHostileProviderTest, WrongNonceIsRefused) {
  expect_refused(misbehaviour::wrong_nonce, "`nonce` does not match");
}
TEST_F(OAuthHostileProviderTest, MissingSubIsRefused) {
  expect_refused(misbehaviour::missing_sub, "`sub` missing");
}
TEST_F(OAuthHostileProviderTest, DiscoveryIssuerMismatchIsRefused) {
  auto a = build_with(provider());
  idp_.set(misbehaviour::discovery_wrong_issuer);
  jar j;
  const std::string token = csrf(a, j);
  auto res = a.handle(post_form("/api/auth/signin/oidc", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/error?error=Configuration");
  EXPECT_TRUE(logs_contain("issuer"));
}
TEST_F(OAuthHostileProviderTest, TokenEndpoint500IsRefused) {
  expect_refused(misbehaviour::token_500, "token endpoint answered 500");
}
TEST_F(OAuthHostileProviderTest, TokenEndpointNonJsonIsRefused) {
  expect_refused(misbehaviour::token_not_json, "not a JSON object");
}
TEST_F(OAuthHostileProviderTest, TokenTypeOtherThanBearerIsRefused) {
  expect_refused(misbehaviour::token_type_mac, "token_type");
}
TEST_F(OAuthHostileProviderTest, HugeTokenResponseIsRefusedWithoutHanging) {
  expect_refused(misbehaviour::huge_token_response, "response too large");
}
TEST_F(OAuthHostileProviderTest, StalledTokenEndpointTimesOutInsteadOfHanging) {
  // A provider that accepts the connection and never answers must cost one total_timeout, then
  // the sign-in fails like any other token-endpoint failure.
  auth_config c = config();
  c.providers.push_back(provider());
  c.outbound.total_timeout = std::chrono::milliseconds(300);
  auto a = build(std::move(c));
  idp_.set(misbehaviour::token_stalls);
  jar j;
  refused(sign_in_through(a, j), j);
  EXPECT_TRUE(logs_contain("token request: ")) << dump_logs();
  EXPECT_TRUE(logs_contain("no complete response from")) << dump_logs();
}
TEST_F(OAuthHostileProviderTest, HugeExpiresInIsIgnoredNotOverflowed) {
  auth_config c = config();
  c.providers.push_back(provider());
  bool has_expires_at = true;
  c.callbacks.jwt = [&has_expires_at](const jwt_params& p) -> std::optional<json> {
    if (p.account) has_expires_at = p.account->tokens.contains("expires_at");
    return p.token;
  };
  auto a = build(std::move(c));
  idp_.set(misbehaviour::huge_expires_in);
  jar j;
  sign_in_through(a, j);
  EXPECT_TRUE(j.has("authjs.session-token"));
  EXPECT_FALSE(has_expires_at);
}

TEST_F(OAuthHostileProviderTest, UserinfoSubOtherThanIdTokensIsRefused) {
  oauth_provider p = provider();
  p.use_userinfo = true;
  auto a = build_with(p);
  idp_.set(misbehaviour::userinfo_other_sub);
  jar j;
  refused(sign_in_through(a, j), j,
          "http://localhost:3000/api/auth/signin?error=OAuthCallbackError");
  EXPECT_TRUE(logs_contain("userinfo sub differs from the ID token's"));
}

TEST_F(OAuthHostileProviderTest, KeyRotatedBetweenSignInsIsFetchedAndAccepted) {
  auto a = build_with(provider());
  jar first;
  sign_in_through(a, first);
  ASSERT_TRUE(first.has("authjs.session-token"));
  idp_.rotate();
  clock_.advance(std::chrono::minutes(2));  // past the refetch interval
  jar second;
  sign_in_through(a, second);
  EXPECT_TRUE(second.has("authjs.session-token"));
  EXPECT_EQ(idp_.jwks_requests(), 2);
}

TEST_F(OAuthHostileProviderTest, StateMismatchIsRefused) {
  auto a = build_with(provider());
  jar j;
  const std::string query = idp_.approve(start(a, j));
  auto params = http::url_search_params::parse(query).value();
  params.set("state", "forged-state");
  refused(finish(a, j, params.to_string()), j);
  EXPECT_EQ(idp_.token_requests(), 0);  // refused before the code is spent
  EXPECT_TRUE(logs_contain("state differs from the state cookie"));
}

TEST_F(OAuthHostileProviderTest, MixUpIssuerParameterIsRefused) {
  auto a = build_with(provider());
  jar j;
  auto params = http::url_search_params::parse(idp_.approve(start(a, j))).value();
  params.set("iss", "https://evil.example");
  refused(finish(a, j, params.to_string()), j);
  EXPECT_EQ(idp_.token_requests(), 0);
}

TEST_F(OAuthHostileProviderTest, ReplayedCallbackIsRefused) {
  auto a = build_with(provider());
  jar j;
  const std::string query = idp_.approve(start(a, j));
  jar attacker = j;  // the check cookies as they were before the callback
  finish(a, j, query);
  ASSERT_TRUE(j.has("authjs.session-token"));
  refused(finish(a, attacker, query), attacker);  // the code is spent at the provider
  EXPECT_TRUE(logs_contain("error=invalid_grant"));
}

TEST_F(OAuthHostileProviderTest, CallbackWithoutCheckCookiesIsRefused) {
  auto a = build_with(provider());
  jar j;
  const std::string query = idp_.approve(start(a, j));
  jar stranger;  // a login CSRF: the victim's browser never started this flow
  refused(finish(a, stranger, query), stranger);
  EXPECT_EQ(idp_.token_requests(), 0);
  EXPECT_TRUE(logs_contain("authjs.state cookie missing"));
}

TEST_F(OAuthHostileProviderTest, CheckCookieOfAnotherProviderIsRefused) {
  oauth_provider other = provider();
  other.id = "other";
  auth_config c = config();
  c.providers.push_back(provider());
  c.providers.push_back(other);
  auto a = build(std::move(c));
  jar j;
  const std::string token = csrf(a, j);
  auto started =
      a.handle(post_form("/api/auth/signin/other", form({{"csrfToken", token}}), j.header()));
  j.apply(started);
  const std::string query = idp_.approve(body_json(started)["url"].get<std::string>());
  refused(finish(a, j, query), j);  // finished at "oidc" with cookies sealed for "other"
  EXPECT_TRUE(logs_contain("bound to another provider"));
}

// ---- with an adapter: users found, created and linked by Auth.js's rules (§9.2) ---------------

class OAuthRegistrationTest : public OAuthTest {
 protected:
  std::shared_ptr<adapters::adapter> memory_ =
      adapters::make_memory_store(default_random(), clock_);
  std::shared_ptr<faulty_adapter> store_ = std::make_shared<faulty_adapter>(memory_);

  // A second provider at the same test provider: the same `sub` there is another identity.
  oauth_provider corp() {
    oauth_provider p = provider();
    p.id = "corp";
    p.name = "Corp";
    return p;
  }
  authpp::auth build_stored(std::vector<oauth_provider> extra = {},
                            session_strategy strategy = session_strategy::jwt,
                            bool trust_emails = false) {
    auth_config c = config();
    oauth_provider p = provider();
    p.allow_dangerous_email_account_linking = trust_emails;
    c.providers.push_back(std::move(p));
    for (auto& e : extra) c.providers.push_back(std::move(e));
    c.adapter = store_;
    c.session.strategy = strategy;
    c.events.create_user = [this](const create_user_event& e) {
      events_.push_back("createUser " + e.user.id.value_or("?"));
    };
    c.events.link_account = [this](const link_account_event& e) {
      events_.push_back("linkAccount " + e.account.provider + " " + e.user.id.value_or("?") +
                        (e.profile ? " with profile" : ""));
    };
    c.events.sign_in = [this](const sign_in_event& e) {
      events_.push_back("signIn " + e.user.id.value_or("?"));
    };
    return build(std::move(c));
  }
  std::vector<std::string> events_;  // as the events fired, in order
  http::response sign_in_at(const authpp::auth& a, jar& j, const std::string& id) {
    const std::string token = csrf(a, j);
    auto started = a.handle(post_form(
        "/api/auth/signin/" + id,
        form({{"csrfToken", token}, {"callbackUrl", "http://localhost:3000/after"}}), j.header()));
    j.apply(started);
    auto res = a.handle(get("/api/auth/callback/" + id + "?" +
                                idp_.approve(body_json(started)["url"].get<std::string>()),
                            j.header()));
    j.apply(res);
    return res;
  }
  std::string session_sub(const jar& j) {
    return decode(j.value("authjs.session-token"))["sub"].get<std::string>();
  }
  adapters::user_record stored_alice() {
    auto u = memory_->find_by_email("alice@example.com").value();
    EXPECT_TRUE(u);
    return u.value_or(adapters::user_record{});
  }
};

TEST_F(OAuthRegistrationTest, FirstSignInCreatesTheUserAndLinksTheAccount) {
  auto a = build_stored();
  jar j;
  EXPECT_EQ(sign_in_through(a, j).headers.get("Location"), "http://localhost:3000/after");
  const auto alice = stored_alice();
  EXPECT_EQ(alice.name, "Alice Liddell");
  EXPECT_EQ(alice.image, "https://example.com/alice.png");
  EXPECT_EQ(session_sub(j), alice.id);  // the stored user, not a fresh UUID
  const auto acct = memory_->find_account("oidc", "alice-sub").value();
  ASSERT_TRUE(acct);
  EXPECT_EQ(acct->user_id, alice.id);
  EXPECT_EQ(acct->type, "oidc");
  EXPECT_TRUE(acct->access_token && !acct->access_token->empty());
  EXPECT_TRUE(acct->id_token && !acct->id_token->empty());
  EXPECT_EQ(acct->expires_at, t0 + 3600);
}

// Auth.js's adapter events, in its order: createUser and linkAccount when a sign-in stored them,
// then signIn; a returning user only signs in; a second provider is only linked.
TEST_F(OAuthRegistrationTest, EventsSayWhatWasStored) {
  auto a = build_stored({corp()});
  jar j;
  sign_in_at(a, j, "oidc");
  const std::string id = stored_alice().id;
  EXPECT_EQ(events_,
            (std::vector<std::string>{"createUser " + id,
                                      "linkAccount oidc " + id + " with profile", "signIn " + id}));
  events_.clear();
  jar again;
  sign_in_at(a, again, "oidc");
  EXPECT_EQ(events_, (std::vector<std::string>{"signIn " + id}));
  events_.clear();
  sign_in_at(a, j, "corp");
  EXPECT_EQ(events_,
            (std::vector<std::string>{"linkAccount corp " + id + " with profile", "signIn " + id}));
}

TEST_F(OAuthRegistrationTest, LaterSignInsFindTheSameUser) {
  auto a = build_stored();
  jar first, second;
  sign_in_through(a, first);
  sign_in_through(a, second);
  EXPECT_EQ(memory_->list_users().value().size(), 1u);
  EXPECT_EQ(session_sub(first), session_sub(second));
}

// Account takeover through e-mail: whoever controls an identity at a provider that does not
// verify addresses could claim any address. A user with that address is not signed in as, and
// the provider account is not linked to them.
TEST_F(OAuthRegistrationTest, ExistingUserWithTheSameEmailIsNotTakenOver) {
  const auto victim = memory_->add_user({.email = "alice@example.com"}, "").value();
  auto a = build_stored();
  jar j;
  refused(sign_in_through(a, j), j,
          "http://localhost:3000/api/auth/signin?error=OAuthAccountNotLinked");
  EXPECT_EQ(memory_->find_account("oidc", "alice-sub").value(), std::nullopt);
  EXPECT_TRUE(memory_->accounts_of(victim.id).value().empty());
}

TEST_F(OAuthRegistrationTest, TrustedProviderLinksToTheUserWithTheSameEmail) {
  const auto existing = memory_->add_user({.email = "alice@example.com"}, "").value();
  auto a = build_stored({}, session_strategy::jwt, true);
  jar j;
  sign_in_through(a, j);
  EXPECT_EQ(session_sub(j), existing.id);
  EXPECT_EQ(memory_->user_by_account("oidc", "alice-sub").value()->id, existing.id);
}

TEST_F(OAuthRegistrationTest, SignedInUserLinksASecondProvider) {
  auto a = build_stored({corp()});
  jar j;
  sign_in_at(a, j, "oidc");
  const std::string id = session_sub(j);
  sign_in_at(a, j, "corp");  // same browser, still signed in
  EXPECT_EQ(session_sub(j), id);
  const auto linked = memory_->accounts_of(id).value();
  ASSERT_EQ(linked.size(), 2u);
  EXPECT_EQ(linked[0].provider, "corp");
  EXPECT_EQ(linked[1].provider, "oidc");
}

// A provider account linked to one user cannot be used to sign in while signed in as another:
// Auth.js's OAuthAccountNotLinked, and the current session is left as it was.
TEST_F(OAuthRegistrationTest, ProviderAccountOfAnotherUserIsRefusedWhileSignedIn) {
  auto a = build_stored({corp()});
  const auto other = memory_->add_user({.email = "mallory@example.com"}, "").value();
  ASSERT_TRUE(memory_->link_account({.user_id = other.id,
                                     .type = "oidc",
                                     .provider = "corp",
                                     .provider_account_id = "alice-sub"}));
  jar j;
  sign_in_at(a, j, "oidc");
  const std::string before = j.value("authjs.session-token");
  const auto res = sign_in_at(a, j, "corp");
  EXPECT_EQ(res.headers.get("Location"),
            "http://localhost:3000/api/auth/signin?error=OAuthAccountNotLinked");
  EXPECT_EQ(j.value("authjs.session-token"), before);
}

TEST_F(OAuthRegistrationTest, DisabledUserCannotSignInThroughTheProvider) {
  auto a = build_stored();
  jar first;
  sign_in_through(a, first);
  ASSERT_TRUE(memory_->set_disabled("alice@example.com", true));
  jar j;
  refused(sign_in_through(a, j), j, "http://localhost:3000/api/auth/error?error=AccessDenied");
}

TEST_F(OAuthRegistrationTest, DatabaseSessionsWorkForOAuthSignIns) {
  auto a = build_stored({}, session_strategy::database);
  jar j;
  sign_in_through(a, j);
  EXPECT_EQ(j.value("authjs.session-token").size(), 36u);
  const auto session = body_json(a.handle(get("/api/auth/session", j.header())));
  EXPECT_EQ(session["user"]["email"], "alice@example.com");
  const auto row = memory_->session_and_user(j.value("authjs.session-token")).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->second.id, stored_alice().id);
}

// The store keys users by e-mail: a profile without one cannot become a user, and says why.
TEST_F(OAuthRegistrationTest, ProfileWithoutAnEmailCannotCreateAUser) {
  auth_config c = config();
  oauth_provider p = provider();
  p.profile = [](const profile_input& in) {
    user u;
    u.id = in.profile["sub"].get<std::string>();
    u.name = "No Mail";
    return u;
  };
  c.providers.push_back(std::move(p));
  c.adapter = store_;
  auto a = build(std::move(c));
  jar j;
  refused(sign_in_through(a, j), j);
  EXPECT_TRUE(logs_contain("the provider gave no e-mail address"));
  EXPECT_TRUE(memory_->list_users().value().empty());
}

TEST_F(OAuthRegistrationTest, AdapterDownIsServiceUnavailable) {
  auto a = build_stored();
  store_->accounts_down = true;
  jar j;
  const auto res = sign_in_through(a, j);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.headers.get("Retry-After"), "5");
  EXPECT_FALSE(j.has("authjs.session-token"));
}

}  // namespace
}  // namespace authpp::test
