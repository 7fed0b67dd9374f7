// The e-mail provider (magic links, server-flows.md §8): a link is asked for with a CSRF-checked
// POST, its token is stored hashed, the link opens a confirmation page, and that page's POST uses
// the token once. Each negative test names the attack it stops.
#include <authpp/core/hex.hpp>
#include <authpp/http/url.hpp>
#include <authpp/jose/digest.hpp>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

using namespace std::chrono_literals;

class EmailSignInTest : public StoredUserEngineTest {
 protected:
  std::vector<std::string> urls_;
  bool sender_fails_ = false;

  auth_config email_config(std::uint32_t sends_per_hour = 5) {
    auth_config c = stored_config();
    email_provider p;
    p.sends_per_hour = sends_per_hour;
    p.send_verification_request = [this](const verification_request& r) -> result<void> {
      if (sender_fails_) return auth_error{errc::transport_failure, "smtp.example:25 refused"};
      urls_.push_back(r.url);
      return {};
    };
    c.providers.push_back(std::move(p));
    c.rate_limits.store = make_memory_counter_store();
    c.rate_limits.posts_per_minute = 1000;
    return c;
  }

  auth_config database_config() {
    auth_config c = email_config();
    c.session.strategy = session_strategy::database;
    return c;
  }

  // ask sends POST /signin/email for `email` and returns the answer's URL.
  std::string ask(const authpp::auth& a, jar& j, const std::string& email,
                  const std::string& callback = "http://localhost:3000/inbox") {
    const std::string token = csrf(a, j);
    auto res = a.handle(post_form(
        "/api/auth/signin/email",
        form({{"email", email}, {"csrfToken", token}, {"callbackUrl", callback}}), j.header()));
    j.apply(res);
    return body_json(res)["url"].get<std::string>();
  }

  // link_query is the query of the last link sent.
  http::url_search_params link_query() {
    const std::string& url = urls_.back();
    return http::url_search_params::parse(url.substr(url.find('?') + 1)).value();
  }

  // confirm posts the confirmation page's form for the last link, as a browser would.
  http::response confirm(const authpp::auth& a, jar& j, std::optional<std::string> token = {},
                         std::optional<std::string> email = {}) {
    const auto q = link_query();
    const std::string csrf_token = csrf(a, j);
    auto res = a.handle(post_form("/api/auth/callback/email",
                                  form({{"token", token.value_or(*q.get("token"))},
                                        {"email", email.value_or(*q.get("email"))},
                                        {"callbackUrl", *q.get("callbackUrl")},
                                        {"csrfToken", csrf_token}}),
                                  j.header()));
    j.apply(res);
    return res;
  }

  json session(const authpp::auth& a, jar& j) {
    return body_json(a.handle(get("/api/auth/session", j.header())));
  }
};

TEST_F(EmailSignInTest, ALinkIsSentAndItsConfirmationSignsANewUserUp) {
  auto a = build(email_config());
  jar j;
  EXPECT_EQ(ask(a, j, "  Bob@Example.COM "),
            "http://localhost:3000/api/auth/verify-request?provider=email&type=email");
  ASSERT_EQ(urls_.size(), 1u);
  const auto q = link_query();
  EXPECT_TRUE(urls_[0].starts_with("http://localhost:3000/api/auth/callback/email?callbackUrl="));
  EXPECT_EQ(q.get("email"), "bob@example.com");
  EXPECT_EQ(q.get("callbackUrl"), "http://localhost:3000/inbox");
  EXPECT_EQ(q.get("token")->size(), 64u);

  auto res = confirm(a, j);
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/inbox");
  EXPECT_EQ(session(a, j)["user"]["email"], "bob@example.com");
  const auto bob = store_->find_by_email("bob@example.com").value();
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->email_verified, clock_.now());
}

TEST_F(EmailSignInTest, AnExistingUserSignsInAsThemselvesAndTheirAddressIsMarkedVerified) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "alice@example.com");
  confirm(a, j);
  const json s = session(a, j);
  EXPECT_EQ(s["user"]["email"], "alice@example.com");
  EXPECT_EQ(s["user"]["name"], "Alice");
  EXPECT_EQ(store_->find_by_id(alice_id_).value()->email_verified, clock_.now());
  EXPECT_EQ(store_->list_users().value().size(), 1u);
}

// A database leak: the table holds sha256(token + secret), never the token in the link.
TEST_F(EmailSignInTest, TheStoreKeepsOnlyAHashOfTheToken) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "bob@example.com");
  const std::string token = *link_query().get("token");
  EXPECT_FALSE(store_->use_verification_token("bob@example.com", token).value());
  const auto hashed = hex::encode(byte_view(jose::sha256(token + std::string(secret))));
  auto stored = store_->use_verification_token("bob@example.com", hashed).value();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->expires, clock_.now() + 24h);
}

// Mail scanners fetch every link in a message: the GET shows a page and uses nothing.
TEST_F(EmailSignInTest, OpeningTheLinkShowsAConfirmationAndDoesNotUseTheToken) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "bob@example.com");
  const std::string path = urls_.back().substr(std::string(origin).size());
  for (int i = 0; i < 3; ++i) {
    jar scanner;
    auto page = a.handle(get(path, scanner.header()));
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Sign in as <strong>bob@example.com</strong>"), std::string::npos);
    EXPECT_NE(page.body.find("name=\"token\" value=\"" + *link_query().get("token") + "\""),
              std::string::npos);
  }
  EXPECT_FALSE(store_->find_by_email("bob@example.com").value());
  EXPECT_EQ(body_json(confirm(a, j))["url"], "http://localhost:3000/inbox");
}

// Replay: a link that was used (or forwarded and used) signs nobody in again.
TEST_F(EmailSignInTest, AReplayedLinkIsRefused) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "bob@example.com");
  confirm(a, j);
  jar other;
  EXPECT_EQ(body_json(confirm(a, other))["url"],
            "http://localhost:3000/api/auth/error?error=Verification");
  EXPECT_TRUE(session(a, other).is_null());
}

// A link cut short (no token) signs nobody in, by GET or by POST.
TEST_F(EmailSignInTest, ALinkWithoutATokenIsAConfigurationError) {
  auto a = build(email_config());
  jar j;
  auto page = a.handle(get("/api/auth/callback/email?email=bob%40example.com", j.header()));
  EXPECT_EQ(page.headers.get("Location"),
            "http://localhost:3000/api/auth/error?error=Configuration");
  const std::string token = csrf(a, j);
  auto res =
      a.handle(post_form("/api/auth/callback/email",
                         form({{"email", "bob@example.com"}, {"csrfToken", token}}), j.header()));
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/error?error=Configuration");
  EXPECT_TRUE(session(a, j).is_null());
}

TEST_F(EmailSignInTest, AnExpiredLinkIsRefused) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "bob@example.com");
  clock_.advance(24h + 1s);
  EXPECT_EQ(body_json(confirm(a, j))["url"],
            "http://localhost:3000/api/auth/error?error=Verification");
  EXPECT_FALSE(store_->find_by_email("bob@example.com").value());
}

// Guessing or editing a link: a changed token, or a real token posted for another address (to
// take that address's account), is refused.
TEST_F(EmailSignInTest, ATamperedTokenOrAnotherAddressIsRefused) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "mallory@example.com");
  std::string token = *link_query().get("token");
  token[0] = token[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(body_json(confirm(a, j, token))["url"],
            "http://localhost:3000/api/auth/error?error=Verification");
  EXPECT_EQ(body_json(confirm(a, j, std::nullopt, "alice@example.com"))["url"],
            "http://localhost:3000/api/auth/error?error=Verification");
  EXPECT_TRUE(session(a, j).is_null());
  // The real link still works: failed guesses do not burn it.
  EXPECT_EQ(body_json(confirm(a, j))["url"], "http://localhost:3000/inbox");
}

// Login CSRF: a cross-site form that posts the attacker's own link would sign the victim in as
// the attacker. The confirmation POST needs the browser's CSRF token.
TEST_F(EmailSignInTest, TheConfirmationPostNeedsTheCsrfToken) {
  auto a = build(email_config());
  jar attacker;
  ask(a, attacker, "mallory@example.com");
  const auto q = link_query();
  jar victim;
  auto res = a.handle(post_form("/api/auth/callback/email",
                                form({{"token", *q.get("token")}, {"email", *q.get("email")}}),
                                victim.header()));
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/signin?error=MissingCSRF");
  EXPECT_TRUE(session(a, victim).is_null());
}

TEST_F(EmailSignInTest, AskingForALinkNeedsTheCsrfToken) {
  auto a = build(email_config());
  jar j;
  auto res = a.handle(post_form("/api/auth/signin/email", form({{"email", "bob@example.com"}})));
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/signin?error=MissingCSRF");
  EXPECT_TRUE(urls_.empty());
}

// Inbox flooding through the form: past sends_per_hour nothing is sent, and the answer is the
// same as for a sent link, so the limit tells nothing about the address either.
TEST_F(EmailSignInTest, SendsToOneAddressAreBoundedAndTheAnswerDoesNotChange) {
  auto a = build(email_config(3));
  jar j;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ask(a, j, "bob@example.com"),
              "http://localhost:3000/api/auth/verify-request?provider=email&type=email");
  }
  EXPECT_EQ(urls_.size(), 3u);
  ask(a, j, "carol@example.com");
  EXPECT_EQ(urls_.size(), 4u);
  clock_.advance(3601s);
  ask(a, j, "bob@example.com");
  EXPECT_EQ(urls_.size(), 5u);
}

// A disabled account gets no link, and the answer does not tell it apart from a sent one.
TEST_F(EmailSignInTest, ADisabledUserGetsNoLink) {
  auto a = build(email_config());
  ASSERT_TRUE(store_->set_disabled("alice@example.com", true));
  jar j;
  EXPECT_EQ(ask(a, j, "alice@example.com"),
            "http://localhost:3000/api/auth/verify-request?provider=email&type=email");
  EXPECT_TRUE(urls_.empty());
}

// Header injection and multi-recipient tricks: an address is one recipient or it is refused.
TEST_F(EmailSignInTest, AddressesThatAreNotOneRecipientAreRefused) {
  for (const char* bad : {"bob@example.com\r\nBcc: all@example.com", "\"bob\"@example.com", "bob",
                          "@example.com", "bob@", "a@b@example.com", "Bob <bob@example.com>",
                          "bob smith@example.com", "a,b@example.com"}) {
    EXPECT_FALSE(normalize_email_identifier(bad)) << bad;
  }
  EXPECT_EQ(normalize_email_identifier(" Bob@Example.COM\t"), "bob@example.com");
  // Auth.js cuts the domain at a comma: one recipient, never two.
  EXPECT_EQ(normalize_email_identifier("bob@example.com,evil.example"), "bob@example.com");
  EXPECT_FALSE(normalize_email_identifier(std::string(250, 'a') + "@example.com"));

  auto a = build(email_config());
  jar j;
  EXPECT_EQ(ask(a, j, "bob@example.com\r\nBcc: all@example.com"),
            "http://localhost:3000/api/auth/error?error=Configuration");
  EXPECT_TRUE(urls_.empty());
}

// Open redirect: the link carries the callback URL the redirect callback allowed, never a
// foreign one.
TEST_F(EmailSignInTest, AForeignCallbackUrlDoesNotReachTheLink) {
  auto a = build(email_config());
  jar j;
  ask(a, j, "bob@example.com", "https://evil.example/phish");
  EXPECT_EQ(link_query().get("callbackUrl"), "http://localhost:3000");
  EXPECT_EQ(body_json(confirm(a, j))["url"], "http://localhost:3000");
}

TEST_F(EmailSignInTest, ASenderFailureIsAConfigurationErrorWithTheCauseInTheLogOnly) {
  auto a = build(email_config());
  sender_fails_ = true;
  jar j;
  EXPECT_EQ(ask(a, j, "bob@example.com"),
            "http://localhost:3000/api/auth/error?error=Configuration");
  EXPECT_TRUE(logs_contain("smtp.example:25 refused"));
}

// A link whose token could not be stored would not work: none is sent, and the answer is 503.
TEST_F(EmailSignInTest, TheTokenStoreDownAnswers503AndSendsNothing) {
  auto a = build(email_config());
  jar j;
  const std::string token = csrf(a, j);
  faulty_->tokens_down = true;
  auto res =
      a.handle(post_form("/api/auth/signin/email",
                         form({{"email", "bob@example.com"}, {"csrfToken", token}}), j.header()));
  EXPECT_EQ(res.status, 503);
  EXPECT_TRUE(res.headers.contains("Retry-After"));
  EXPECT_TRUE(urls_.empty());
  faulty_->tokens_down = false;
  ask(a, j, "bob@example.com");
  faulty_->tokens_down = true;
  EXPECT_EQ(confirm(a, j).status, 503);
  faulty_->tokens_down = false;
  EXPECT_EQ(body_json(confirm(a, j))["url"], "http://localhost:3000/inbox");
}

TEST_F(EmailSignInTest, TheAsynchronousPathSignsInToo) {
  auto a = build(email_config());
  boost::asio::io_context io;
  jar j;
  const std::string token = csrf(a, j);
  EXPECT_TRUE(a.awaits(post_form("/api/auth/signin/email", form({}))));
  auto res =
      run_async(io, a,
                post_form("/api/auth/signin/email",
                          form({{"email", "bob@example.com"}, {"csrfToken", token}}), j.header()));
  EXPECT_EQ(body_json(res)["url"],
            "http://localhost:3000/api/auth/verify-request?provider=email&type=email");
  const auto q = link_query();
  res = run_async(
      io, a,
      post_form(
          "/api/auth/callback/email",
          form({{"token", *q.get("token")}, {"email", *q.get("email")}, {"csrfToken", token}}),
          j.header()));
  j.apply(res);
  EXPECT_EQ(session(a, j)["user"]["email"], "bob@example.com");
}

TEST_F(EmailSignInTest, DatabaseSessionsWork) {
  auto a = build(database_config());
  jar j;
  ask(a, j, "bob@example.com");
  confirm(a, j);
  EXPECT_EQ(session(a, j)["user"]["email"], "bob@example.com");
  const std::string row = j.value("authjs.session-token");
  EXPECT_TRUE(store_->session_and_user(row).value());
}

// A shared machine, or a session cookie planted before sign-in (session fixation): signing in
// as someone else ends the session the browser carried, so a copy of its cookie is worth nothing.
TEST_F(EmailSignInTest, SigningInAsAnotherUserDeletesTheSessionTheBrowserCarried) {
  auto a = build(database_config());
  jar j;
  ask(a, j, "bob@example.com");
  confirm(a, j);
  const std::string bobs = j.value("authjs.session-token");
  ASSERT_TRUE(store_->session_and_user(bobs).value());

  ask(a, j, "alice@example.com");
  confirm(a, j);
  EXPECT_EQ(session(a, j)["user"]["email"], "alice@example.com");
  EXPECT_NE(j.value("authjs.session-token"), bobs);
  EXPECT_FALSE(store_->session_and_user(bobs).value());
}

TEST_F(EmailSignInTest, TheProviderIsListedAndOnTheSignInPage) {
  auto a = build(email_config());
  const json providers = body_json(a.handle(get("/api/auth/providers")));
  EXPECT_EQ(providers["email"]["type"], "email");
  EXPECT_EQ(providers["email"]["signinUrl"], "http://localhost:3000/api/auth/signin/email");
  const auto page = a.handle(get("/api/auth/signin"));
  EXPECT_NE(page.body.find("action=\"http://localhost:3000/api/auth/signin/email\""),
            std::string::npos);
}

TEST_F(EmailSignInTest, AnEmailProviderWithoutAnAdapterIsAConfigurationError) {
  auth_config c = config();
  email_provider p;
  p.send_verification_request = [](const verification_request&) -> result<void> { return {}; };
  c.providers.push_back(std::move(p));
  auto a = authpp::auth::create(std::move(c));
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().detail.find("providers[1].adapter"), std::string::npos) << a.error().detail;
}

}  // namespace
}  // namespace authpp::test
