#include <authpp/core/base64url.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/pages/pages.hpp>

#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>

namespace authpp::pages {
namespace {

constexpr std::string_view attack = R"("'><script>alert(1)</script>)";

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// attribute_values returns every value of `attr="..."` in document order.
std::vector<std::string> attribute_values(std::string_view html, std::string_view attr) {
  std::vector<std::string> out;
  const std::string key = " " + std::string(attr) + "=\"";
  for (std::size_t at = html.find(key); at != std::string_view::npos; at = html.find(key, at + 1)) {
    const std::size_t begin = at + key.size();
    out.emplace_back(html.substr(begin, html.find('"', begin) - begin));
  }
  return out;
}

std::string style_text(std::string_view html) {
  const std::size_t begin = html.find("<style>");
  const std::size_t end = html.find("</style>");
  EXPECT_NE(begin, std::string_view::npos);
  EXPECT_NE(end, std::string_view::npos);
  EXPECT_EQ(count(html, "<style"), 1U);
  return std::string(html.substr(begin + 7, end - begin - 7));
}

// An independent standard base64 (OpenSSL's) so the CSP hash is not checked against itself.
std::string openssl_base64(const jose::sha256_digest& d) {
  unsigned char out[64] = {};
  const int n = EVP_EncodeBlock(out, reinterpret_cast<const unsigned char*>(d.data()),  // NOLINT
                                static_cast<int>(d.size()));
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));  // NOLINT
}

// expect_sound_page checks what every page must satisfy: a hash-only CSP that matches the one
// inline style, and nothing that would need 'unsafe-inline' or load a script.
void expect_sound_page(const rendered& r) {
  const std::string& csp = r.content_security_policy;
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("base-uri 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("form-action 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("script-src"), std::string::npos) << csp;
  const std::string expected =
      "style-src 'sha256-" + openssl_base64(jose::sha256(style_text(r.html))) + "'";
  EXPECT_NE(csp.find(expected), std::string::npos) << csp;
  EXPECT_EQ(r.html.find("<script"), std::string::npos);
  EXPECT_EQ(r.html.find(" style="), std::string::npos);  // style attributes need unsafe-inline
  EXPECT_NE(r.html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(r.html.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_NE(r.html.find("<title>"), std::string::npos);
}

class SigninPageTest : public ::testing::Test {
 protected:
  signin_page page_{
      .providers =
          {
              {.id = "github",
               .name = "GitHub",
               .type = "oauth",
               .signin_url = "/api/auth/signin/github",
               .callback_url = "/api/auth/callback/github",
               .authorization_origin = "https://github.com/login/oauth/authorize"},
              {.id = "google",
               .name = "Google",
               .type = "oidc",
               .signin_url = "/api/auth/signin/google",
               .callback_url = "/api/auth/callback/google",
               .authorization_origin = "https://accounts.google.com"},
              {.id = "email",
               .name = "Email",
               .type = "email",
               .signin_url = "/api/auth/signin/email",
               .callback_url = "/api/auth/callback/email"},
              {.id = "credentials",
               .name = "Password",
               .type = "credentials",
               .signin_url = "/api/auth/signin/credentials",
               .callback_url = "/api/auth/callback/credentials",
               .fields = {{.name = "username", .label = "Username", .required = true},
                          {.name = "password", .label = "Password", .type = "password"}}},
          },
      .csrf_token = "csrf-123",
      .callback_url = "http://localhost:3000/dashboard",
  };
};

TEST_F(SigninPageTest, ListsProvidersInOrderWithTheirFormActions) {
  const rendered r = render_signin(page_);
  EXPECT_EQ(r.status, 200);
  expect_sound_page(r);
  const std::vector<std::string> actions = attribute_values(r.html, "action");
  EXPECT_EQ(actions,
            (std::vector<std::string>{"/api/auth/signin/github", "/api/auth/signin/google",
                                      "/api/auth/signin/email", "/api/auth/callback/credentials"}));
  std::size_t last = 0;
  for (std::string_view label : {"Sign in with GitHub", "Sign in with Google", "Sign in with Email",
                                 "Sign in with Password"}) {
    const std::size_t at = r.html.find(label);
    ASSERT_NE(at, std::string::npos) << label;
    EXPECT_GT(at, last) << label;
    last = at;
  }
}

TEST_F(SigninPageTest, EveryFormPostsTheCsrfToken) {
  const rendered r = render_signin(page_);
  EXPECT_EQ(count(r.html, R"(<input type="hidden" name="csrfToken" value="csrf-123">)"), 4U);
  EXPECT_EQ(count(r.html, "method=\"post\""), 4U);
  // callbackUrl travels with the OAuth forms only; the credentials callback uses the cookie.
  EXPECT_EQ(count(r.html, R"(name="callbackUrl" value="http://localhost:3000/dashboard")"), 2U);
}

TEST_F(SigninPageTest, SeparatesFormProvidersFromButtons) {
  const rendered r = render_signin(page_);
  // GitHub | Google -- or -- Email -- or -- Password
  EXPECT_EQ(count(r.html, "role=\"separator\""), 2U);
}

TEST_F(SigninPageTest, EveryVisibleInputHasAUniqueLabel) {
  page_.providers.push_back(page_.providers.back());  // same ids twice must still bind uniquely
  const rendered r = render_signin(page_);
  const std::vector<std::string> ids = attribute_values(r.html, "id");
  const std::vector<std::string> fors = attribute_values(r.html, "for");
  EXPECT_EQ(ids.size(), 5U);  // email + 2 x (username, password)
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(std::multiset<std::string>(ids.begin(), ids.end()),
            std::multiset<std::string>(fors.begin(), fors.end()));
  EXPECT_EQ(count(r.html, "<input "), ids.size() + count(r.html, "type=\"hidden\""));
}

TEST_F(SigninPageTest, CredentialInputsHelpPasswordManagersAndKeyboards) {
  const rendered r = render_signin(page_);
  EXPECT_NE(r.html.find(R"(name="username" autocomplete="username")"), std::string::npos);
  EXPECT_NE(r.html.find(R"(type="password" name="password" autocomplete="current-password")"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(name="username" autocomplete="username" autocapitalize="none" )"
                        R"(spellcheck="false" required>)"),
            std::string::npos);
  // Exactly one autofocus, on the first input of the page (the email field here).
  EXPECT_EQ(count(r.html, " autofocus"), 1U);
  EXPECT_LT(r.html.find(" autofocus"), r.html.find("name=\"username\""));
  EXPECT_GT(r.html.find(" autofocus"), r.html.find("type=\"email\""));
}

TEST_F(SigninPageTest, FormActionAllowsTheAuthorizationRedirects) {
  EXPECT_NE(render_signin(page_).content_security_policy.find(
                "form-action 'self' https://github.com https://accounts.google.com;"),
            std::string::npos);
  page_.providers[1].authorization_origin.clear();  // not discovered yet
  EXPECT_NE(render_signin(page_).content_security_policy.find(
                "form-action 'self' https://github.com https:;"),
            std::string::npos);
  // A local provider over http, known only by its issuer so far: its origin, and https: in case
  // discovery names another host.
  page_.providers[1].authorization_origin = "http://127.0.0.1:9555/realms/x";
  page_.providers[1].authorization_origin_guessed = true;
  EXPECT_NE(render_signin(page_).content_security_policy.find(
                "form-action 'self' https://github.com http://127.0.0.1:9555 https:;"),
            std::string::npos);
  page_.providers.erase(page_.providers.begin(), page_.providers.begin() + 2);
  EXPECT_NE(render_signin(page_).content_security_policy.find("form-action 'self';"),
            std::string::npos);
}

// The POST of a form redirects to the callback URL, and form-action governs that redirect too:
// an app on a sibling host (auth_config::redirect_hosts) needs its origin there, and only it.
TEST_F(SigninPageTest, FormActionAllowsTheRedirectToASiblingCallbackOrigin) {
  page_.providers.erase(page_.providers.begin(), page_.providers.begin() + 2);
  page_.callback_origin = "http://app.example.test:8080";
  EXPECT_NE(render_signin(page_).content_security_policy.find(
                "form-action 'self' http://app.example.test:8080;"),
            std::string::npos);
  const signout_page out{.action_url = "/api/auth/signout",
                         .csrf_token = "t",
                         .callback_url = "http://app.example.test:8080/",
                         .callback_origin = "http://app.example.test:8080"};
  EXPECT_NE(render_signout(out).content_security_policy.find(
                "form-action 'self' http://app.example.test:8080;"),
            std::string::npos);
  // Not a URL: nothing is added.
  page_.callback_origin = "javascript:alert(1)";
  EXPECT_NE(render_signin(page_).content_security_policy.find("form-action 'self';"),
            std::string::npos);
}

TEST_F(SigninPageTest, SkipsUnknownProviderTypesAndSaysWhenNoneRemain) {
  signin_page page{.providers = {{.id = "corp", .name = "Corporate SAML", .type = "saml"}}};
  const rendered r = render_signin(page);
  EXPECT_EQ(r.html.find("Corporate SAML"), std::string::npos);
  EXPECT_NE(r.html.find("No sign in methods are configured."), std::string::npos);
}

// A passkey provider: a form whose script runs the ceremony and posts it to the callback, with a
// labelled e-mail field that browsers fill from their passkeys (autocomplete "webauthn") and a
// status line read out by screen readers.
TEST_F(SigninPageTest, APasskeyProviderIsAFormWithItsOwnScriptAllowedByHash) {
  signin_page page{.providers = {{.id = "passkey",
                                  .name = "Passkey",
                                  .type = "webauthn",
                                  .callback_url = "/api/auth/callback/passkey",
                                  .options_url = "/api/auth/webauthn-options/passkey"}},
                   .csrf_token = "tok"};
  const rendered r = render_signin(page);
  EXPECT_NE(r.html.find(R"(<form action="/api/auth/callback/passkey" method="post" )"
                        R"(data-passkey-options="/api/auth/webauthn-options/passkey">)"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(<label for="passkey-email">Email</label>)"), std::string::npos);
  EXPECT_NE(r.html.find(R"(id="passkey-email" type="email" name="email")"), std::string::npos);
  EXPECT_NE(r.html.find(R"(autocomplete="username webauthn")"), std::string::npos);
  EXPECT_NE(r.html.find(R"(aria-describedby="passkey-email-hint")"), std::string::npos);
  EXPECT_NE(r.html.find(R"(<p class="alert" role="alert" data-passkey-status hidden></p>)"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(<input type="hidden" name="csrfToken" value="tok">)"),
            std::string::npos);
  EXPECT_NE(r.html.find("Sign in with a passkey</button>"), std::string::npos);
  const auto begin = r.html.find("<script>");
  const auto end = r.html.find("</script>");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string script = r.html.substr(begin + 8, end - begin - 8);
  EXPECT_NE(script.find("navigator.credentials.create"), std::string::npos);
  EXPECT_NE(
      r.content_security_policy.find("script-src 'sha256-" + base64::encode(jose::sha256(script)) +
                                     "'; connect-src 'self'"),
      std::string::npos)
      << r.content_security_policy;
}

TEST_F(SigninPageTest, PrefillsEmail) {
  page_.email = "ada@example.com";
  EXPECT_NE(render_signin(page_).html.find(R"(name="email" value="ada@example.com")"),
            std::string::npos);
}

TEST_F(SigninPageTest, ShowsTheMessageForAKnownErrorInAnAlert) {
  page_.error = "CredentialsSignin";
  const rendered r = render_signin(page_);
  EXPECT_NE(r.html.find("Sign in failed. Check the details you provided are correct.</p></div>"),
            std::string::npos);
  EXPECT_NE(r.html.find("role=\"alert\""), std::string::npos);
  EXPECT_EQ(r.html.find("CredentialsSignin"), std::string::npos);
}

// The TOTP step: the same form again, with a labelled field for the code that phones fill from
// an SMS-like prompt (one-time-code) and that opens a digit keyboard, and an alert saying why.
TEST_F(SigninPageTest, ASecondFactorStepAsksForTheCodeWithThePassword) {
  page_.error = "CredentialsSignin";
  page_.second_factor = true;
  const rendered r = render_signin(page_);
  EXPECT_NE(
      r.html.find(R"(type="text" name="totp" autocomplete="one-time-code" )"
                  R"(inputmode="numeric" autocapitalize="none" spellcheck="false" required>)"),
      std::string::npos)
      << r.html;
  EXPECT_NE(r.html.find(">Authentication code</label>"), std::string::npos);
  EXPECT_NE(r.html.find("name=\"password\""), std::string::npos);
  EXPECT_NE(r.html.find("with the code from your authenticator app"), std::string::npos);
  EXPECT_NE(r.html.find("role=\"alert\""), std::string::npos);
  page_.second_factor = false;
  EXPECT_EQ(render_signin(page_).html.find("name=\"totp\""), std::string::npos);
}

TEST_F(SigninPageTest, NoAlertWithoutError) {
  EXPECT_EQ(render_signin(page_).html.find("role=\"alert\""), std::string::npos);
}

// ?error= is attacker-controlled: an unknown value selects the default message and never
// appears in the page, escaped or not.
TEST_F(SigninPageTest, NeverEchoesAnUnknownErrorType) {
  for (std::string_view error : {"TotallyUnknown", "Visit evil.example to fix your account",
                                 R"(<img src=x onerror=alert(1)>)", ""}) {
    SCOPED_TRACE(error);
    page_.error = std::string(error);
    const rendered r = render_signin(page_);
    EXPECT_NE(r.html.find("Unable to sign in."), std::string::npos);
    if (!error.empty()) {
      EXPECT_EQ(r.html.find(error), std::string::npos);
    }
    EXPECT_EQ(r.html.find("onerror"), std::string::npos);
  }
}

TEST(SigninErrorMessageTest, KnownTypes) {
  EXPECT_EQ(signin_error_message("OAuthAccountNotLinked"),
            "To confirm your identity, sign in with the same account you used originally.");
  EXPECT_EQ(signin_error_message("SessionRequired"), "Please sign in to access this page.");
  for (std::string_view t : {"Signin", "OAuthSignin", "OAuthCallbackError", "OAuthCreateAccount",
                             "EmailCreateAccount", "Callback"}) {
    EXPECT_EQ(signin_error_message(t), "Try signing in with a different account.") << t;
  }
  for (std::string_view t : {"EmailSignin", "CredentialsSignin", "MissingCSRF", "AccessDenied",
                             "Verification", "Configuration"}) {
    EXPECT_NE(signin_error_message(t), signin_error_message("default")) << t;
  }
  EXPECT_EQ(signin_error_message("default"), "Unable to sign in.");
  EXPECT_EQ(signin_error_message("credentialssignin"), "Unable to sign in.");  // exact match only
}

// Every string field of the page data is fed the same payload; none may come out as markup.
TEST(PagesInjectionTest, EveryStringFieldIsEscaped) {
  const std::string a(attack);
  signin_page page{
      .providers = {{.id = a,
                     .name = a,
                     .type = "oauth",
                     .signin_url = "/signin/" + a,
                     .authorization_origin = a},
                    {.id = a, .name = a, .type = "email", .signin_url = "/email/" + a},
                    {.id = a,
                     .name = a,
                     .type = "credentials",
                     .callback_url = "/cb/" + a,
                     .fields = {{.name = a, .label = a, .type = a, .placeholder = a}}}},
      .csrf_token = a,
      .callback_url = a,
      .error = a,
      .email = a,
      .theme = {.color_scheme = a, .brand_color = a, .logo = a, .button_text = a},
  };
  const theme t = page.theme;
  const std::vector<rendered> pages = {
      render_signin(page),
      render_signout({.action_url = a, .csrf_token = a, .callback_url = a, .theme = t}),
      render_error({.error = a, .signin_url = a, .home_url = a, .theme = t}),
      render_verify_request({.home_url = a, .provider_name = a, .theme = t}),
  };
  for (const rendered& r : pages) {
    EXPECT_EQ(r.html.find("<script"), std::string::npos) << r.html;
    EXPECT_EQ(r.html.find("\"'>"), std::string::npos) << r.html;
    EXPECT_EQ(r.html.find("'>"), std::string::npos) << r.html;
    EXPECT_EQ(r.content_security_policy.find('<'), std::string::npos);
    EXPECT_EQ(r.content_security_policy.find("script"), std::string::npos);
    expect_sound_page(r);
  }
  // Escaped, the payload is still shown where it is legitimate data (the provider name).
  EXPECT_NE(
      pages[0].html.find("Sign in with &quot;&apos;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
      std::string::npos);
  EXPECT_NE(pages[0].html.find(R"(name="callbackUrl" value="&quot;&apos;&gt;&lt;script&gt;)"),
            std::string::npos);
}

TEST(PagesInjectionTest, AttributeBreakoutInCallbackUrl) {
  const rendered r = render_signout({.action_url = "/api/auth/signout",
                                     .csrf_token = "t",
                                     .callback_url = R"x(/x" onfocus="alert(1)" autofocus=")x"});
  EXPECT_EQ(r.html.find("\" onfocus"), std::string::npos);
  EXPECT_NE(r.html.find("/x&quot; onfocus=&quot;alert(1)&quot;"), std::string::npos);
}

TEST(PagesInjectionTest, ScriptUrlsNeverBecomeLinks) {
  for (std::string_view url : {"javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:x",
                               "data:text/html,x", " javascript:alert(1)"}) {
    SCOPED_TRACE(url);
    const rendered e = render_error(
        {.error = "AccessDenied", .signin_url = std::string(url), .home_url = std::string(url)});
    const rendered v = render_verify_request({.home_url = std::string(url)});
    for (const rendered* r : {&e, &v}) {
      EXPECT_EQ(r->html.find("script:"), std::string::npos);
      EXPECT_EQ(r->html.find("data:"), std::string::npos);
      for (const std::string& href : attribute_values(r->html, "href")) {
        EXPECT_EQ(href, "/");
      }
    }
  }
}

// The account page: passkeys and the TOTP state, with actions only after a recent sign-in.
account_page sample_account(bool recent) {
  return {.action_url = "/api/auth/account",
          .csrf_token = "tok",
          .email = "ada@example.com",
          .recent = recent,
          .reauth_url = "/api/auth/signin?callbackUrl=%2Fapi%2Fauth%2Faccount",
          .passkeys_enabled = true,
          .passkey_options_url = "/api/auth/webauthn-options/passkey",
          .passkey_callback_url = "/api/auth/callback/passkey",
          .passkeys = {{.id = "cred-1", .created = "2026-12-01", .last_used = "", .synced = true},
                       {.id = "cred-2", .created = "", .last_used = "2026-12-02"}},
          .totp_enabled = true,
          .totp_confirmed = true,
          .recovery_codes_left = 7};
}

TEST(AccountPageTest, AStaleSignInListsEverythingAndOffersOnlyToSignInAgain) {
  const rendered r = render_account(sample_account(false));
  EXPECT_EQ(r.status, 200);
  expect_sound_page(r);  // no script either: nothing to register
  EXPECT_EQ(r.html.find("<form"), std::string::npos);
  EXPECT_NE(r.html.find(R"(<a class="button primary" href="/api/auth/signin?callbackUrl=)"),
            std::string::npos);
  EXPECT_NE(r.html.find("Synced passkey"), std::string::npos);
  EXPECT_NE(r.html.find("Added 2026-12-01, last used never"), std::string::npos);
  EXPECT_NE(r.html.find("Passkey on one device"), std::string::npos);
  EXPECT_NE(r.html.find("Added (date unknown), last used 2026-12-02"), std::string::npos);
  EXPECT_NE(r.html.find("Recovery codes left: 7."), std::string::npos);
}

TEST(AccountPageTest, ARecentSignInOffersEveryActionWithTheCsrfToken) {
  const rendered r = render_account(sample_account(true));
  EXPECT_EQ(count(r.html, "<form"), 4U);  // remove ×2, add a passkey, turn TOTP off
  EXPECT_EQ(count(r.html, R"(<input type="hidden" name="csrfToken" value="tok">)"), 4U);
  EXPECT_EQ(count(r.html, R"(name="action" value="passkey-remove")"), 2U);
  EXPECT_NE(r.html.find(R"(name="id" value="cred-2")"), std::string::npos);
  EXPECT_NE(r.html.find(R"(aria-label="Remove the Synced passkey added 2026-12-01")"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(data-passkey-action="register")"), std::string::npos);
  EXPECT_NE(r.html.find(R"(<label for="disable-code">)"), std::string::npos);
  EXPECT_NE(r.html.find(R"(id="disable-code")"), std::string::npos);
  EXPECT_EQ(r.html.find("Sign in again"), std::string::npos);
  // Registering a passkey runs the page's script, allowed by its hash alone.
  const auto begin = r.html.find("<script>");
  const auto end = r.html.find("</script>");
  ASSERT_NE(begin, std::string::npos);
  const std::string script = r.html.substr(begin + 8, end - begin - 8);
  EXPECT_NE(r.content_security_policy.find("script-src 'sha256-" +
                                           base64::encode(jose::sha256(script)) + "'"),
            std::string::npos);
}

TEST(AccountPageTest, AnEnrolmentShowsTheQrCodeTheKeyAndALabelledCodeField) {
  account_page page = sample_account(true);
  page.passkeys_enabled = false;
  page.totp_confirmed = false;
  page.enrolment = totp_enrolment_view{
      .qr_svg = "<svg role=\"img\"></svg>", .uri = "otpauth://totp/x", .key = "JBSWY3DPEHPK3PXP"};
  const rendered r = render_account(page);
  expect_sound_page(r);
  EXPECT_NE(r.html.find(R"(<div class="qr"><svg role="img"></svg></div>)"), std::string::npos);
  EXPECT_NE(r.html.find("Key: <code>JBSWY3DPEHPK3PXP</code>"), std::string::npos);
  EXPECT_NE(r.html.find(R"(<label for="confirm-code">Code from the app</label>)"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(id="confirm-code" type="text" name="code" inputmode="numeric" )"
                        R"(autocomplete="one-time-code")"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(name="action" value="totp-confirm")"), std::string::npos);
  // After the sign-in grew stale, the page asks to sign in again rather than offering the form.
  page.recent = false;
  EXPECT_EQ(render_account(page).html.find("totp-confirm"), std::string::npos);
}

TEST(AccountPageTest, ErrorsAreAlertsWithStatus400AndNoticesAreStatusLines) {
  account_page page = sample_account(true);
  page.error = "That code was not accepted.";
  const rendered failed = render_account(page);
  EXPECT_EQ(failed.status, 400);
  EXPECT_NE(failed.html.find(R"(role="alert")"), std::string::npos);
  EXPECT_NE(failed.html.find("That code was not accepted."), std::string::npos);
  page.error.reset();
  page.notice = "Passkey removed.";
  const rendered done = render_account(page);
  EXPECT_EQ(done.status, 200);
  EXPECT_NE(done.html.find(R"(<p class="notice" role="status">Passkey removed.</p>)"),
            std::string::npos);
}

TEST(AccountPageTest, RecoveryCodesAreListedOnlyWhenJustMade) {
  account_page page = sample_account(true);
  EXPECT_EQ(render_account(page).html.find("Your recovery codes"), std::string::npos);
  page.recovery_codes = {"aaaa-bbbb", "cccc-dddd"};
  const rendered r = render_account(page);
  EXPECT_NE(r.html.find(R"(<ul class="codes"><li><code>aaaa-bbbb</code></li><li><code>)"
                        R"(cccc-dddd</code></li></ul>)"),
            std::string::npos);
}

TEST(AccountPageTest, EveryStringFieldIsEscaped) {
  const std::string a(attack);
  account_page page = sample_account(true);
  page.passkeys_enabled = false;  // keeps the page script-free, so any <script is the attack's
  page.email = a;
  page.csrf_token = a;
  page.error = a;
  page.recovery_codes = {a};
  page.totp_confirmed = false;
  page.enrolment = totp_enrolment_view{.qr_svg = "", .uri = a, .key = a};
  const rendered r = render_account(page);
  EXPECT_EQ(r.html.find("<script"), std::string::npos) << r.html;
  EXPECT_EQ(r.html.find("'>"), std::string::npos) << r.html;
  page.passkeys_enabled = true;
  page.passkeys = {{.id = a, .created = a, .last_used = a}};
  const rendered with_passkeys = render_account(page);
  EXPECT_EQ(count(with_passkeys.html, "<script"), 1U);  // the page's own
  EXPECT_EQ(with_passkeys.html.find("'>"), std::string::npos);
  // URLs that are not links are never made into one.
  page.reauth_url = "javascript:alert(1)";
  page.recent = false;
  EXPECT_EQ(render_account(page).html.find("javascript:"), std::string::npos);
}

TEST(SignoutPageTest, ConfirmsAndPostsTheToken) {
  const rendered r = render_signout({.action_url = "/api/auth/signout",
                                     .csrf_token = "tok",
                                     .callback_url = "http://localhost:3000/bye"});
  EXPECT_EQ(r.status, 200);
  expect_sound_page(r);
  EXPECT_NE(r.html.find("Are you sure you want to sign out?"), std::string::npos);
  EXPECT_NE(r.html.find(R"(<form action="/api/auth/signout" method="post">)"), std::string::npos);
  EXPECT_NE(r.html.find(R"(<input type="hidden" name="csrfToken" value="tok">)"),
            std::string::npos);
  EXPECT_NE(r.html.find(R"(name="callbackUrl" value="http://localhost:3000/bye")"),
            std::string::npos);
}

TEST(ErrorPageTest, StatusPerType) {
  EXPECT_EQ(render_error({.error = "Configuration"}).status, 500);
  EXPECT_EQ(render_error({.error = "AccessDenied"}).status, 403);
  EXPECT_EQ(render_error({.error = "Verification"}).status, 403);
  for (std::string_view other : {"", "Default", "configuration", "CredentialsSignin", "x"}) {
    EXPECT_EQ(render_error({.error = std::string(other)}).status, 200) << other;
  }
}

TEST(ErrorPageTest, MessagesPerType) {
  const rendered c = render_error({.error = "Configuration", .home_url = "http://localhost:3000"});
  EXPECT_NE(c.html.find("There is a problem with the server configuration."), std::string::npos);
  EXPECT_NE(c.html.find(R"(href="http://localhost:3000">Return to localhost:3000</a>)"),
            std::string::npos);
  const rendered v = render_error({.error = "Verification",
                                   .signin_url = "/api/auth/signin",
                                   .home_url = "https://app.example.com/"});
  EXPECT_NE(v.html.find("The sign in link is no longer valid."), std::string::npos);
  EXPECT_NE(v.html.find(R"(href="/api/auth/signin">Sign in</a>)"), std::string::npos);
  EXPECT_NE(v.html.find(">Return to app.example.com</a>"), std::string::npos);
  EXPECT_EQ(error_page_message("AccessDenied"), "You do not have permission to sign in.");
  EXPECT_EQ(error_page_message("Nope"), error_page_message("default"));
  EXPECT_NE(error_page_message("WebAuthnVerificationError").find("passkey could not be verified"),
            std::string_view::npos);
  EXPECT_NE(signin_error_message("AccountNotLinked").find("passkey belongs to another account"),
            std::string_view::npos);
  for (const rendered* r : {&c, &v}) {
    expect_sound_page(*r);
    EXPECT_NE(r->html.find("role=\"alert\""), std::string::npos);
  }
}

TEST(ErrorPageTest, NeverPrintsTheRawType) {
  for (std::string_view error :
       {"Configuration", "AccessDenied", "Verification", "SuperSecretInternalThing",
        "Call 555-0100 for support", R"(<b>bold</b>)"}) {
    SCOPED_TRACE(error);
    const rendered r = render_error({.error = std::string(error), .home_url = "/"});
    EXPECT_EQ(r.html.find(error), std::string::npos);
  }
}

TEST(VerifyRequestPageTest, AsksToCheckEmail) {
  const rendered r = render_verify_request({.home_url = "https://app.example.com"});
  EXPECT_EQ(r.status, 200);
  expect_sound_page(r);
  EXPECT_NE(r.html.find("Check your email"), std::string::npos);
  EXPECT_NE(r.html.find("A sign in link has been sent to your email address."), std::string::npos);
  EXPECT_NE(r.html.find(R"(href="https://app.example.com">Return to app.example.com</a>)"),
            std::string::npos);
}

TEST(ThemeTest, InvalidColoursNeverReachTheStylesheet) {
  for (std::string_view bad : {"red;}body{display:none", "red;", "url(https://x)", "#12345", "#ggg",
                               "Red", "red}", "</style><script>", "expression(alert(1))"}) {
    SCOPED_TRACE(bad);
    const rendered r = render_verify_request(
        {.theme = {.brand_color = std::string(bad), .button_text = std::string(bad)}});
    const std::string css = style_text(r.html);
    EXPECT_EQ(css.find(bad), std::string::npos);
    EXPECT_NE(css.find("--brand:#4f46e5;"), std::string::npos);
    expect_sound_page(r);
  }
}

TEST(ThemeTest, ValidColoursAreUsed) {
  for (std::string_view good : {"#f00", "#ff000080", "#AbCdEf", "rebeccapurple"}) {
    SCOPED_TRACE(good);
    const rendered r =
        render_verify_request({.theme = {.brand_color = std::string(good), .button_text = "#fff"}});
    EXPECT_NE(style_text(r.html).find("--brand:" + std::string(good) + ";--brand-text:#fff;"),
              std::string::npos);
  }
}

TEST_F(SigninPageTest, ProviderButtonsTakeTheProvidersColours) {
  page_.providers[0].bg = "#24292f";
  page_.providers[0].text = "#fff";
  const rendered r = render_signin(page_);
  EXPECT_NE(r.html.find(R"(class="button provider-0">Sign in with GitHub)"), std::string::npos);
  EXPECT_NE(style_text(r.html).find(".button.provider-0{background:#24292f;color:#fff;"),
            std::string::npos);
  // Google names no colours: the theme's button.
  EXPECT_NE(r.html.find(R"(class="button">Sign in with Google)"), std::string::npos);
  expect_sound_page(r);  // the CSP's hash covers the added rule
}

TEST_F(SigninPageTest, InvalidProviderColoursNeverReachTheStylesheet) {
  page_.providers[0].bg = "red;}body{display:none";
  page_.providers[0].text = "#fff";
  const rendered r = render_signin(page_);
  EXPECT_EQ(style_text(r.html).find("body{display:none"), std::string::npos);
  EXPECT_EQ(r.html.find("provider-0"), std::string::npos);
  expect_sound_page(r);
}

TEST(ThemeTest, ButtonTextFollowsBrandLuminance) {
  EXPECT_NE(style_text(render_verify_request({.theme = {.brand_color = "#fde047"}}).html)
                .find("--brand-text:#111111;"),
            std::string::npos);
  EXPECT_NE(style_text(render_verify_request({.theme = {.brand_color = "#1e3a8a"}}).html)
                .find("--brand-text:#ffffff;"),
            std::string::npos);
}

TEST(ThemeTest, ColorScheme) {
  const std::string auto_css = style_text(render_verify_request({}).html);
  EXPECT_NE(auto_css.find("@media (prefers-color-scheme:dark)"), std::string::npos);
  const std::string light = style_text(render_verify_request({.theme = {"light"}}).html);
  EXPECT_EQ(light.find("color-scheme:dark"), std::string::npos);
  const std::string dark = style_text(render_verify_request({.theme = {"dark"}}).html);
  EXPECT_EQ(dark.find("prefers-color-scheme"), std::string::npos);
  EXPECT_NE(dark.find("color-scheme:dark"), std::string::npos);
}

TEST(ThemeTest, OnlyHttpsLogosAreShownAndAllowed) {
  const rendered ok = render_verify_request({.theme = {.logo = "https://cdn.example.com/l.svg"}});
  EXPECT_NE(ok.html.find(R"(<img class="logo" src="https://cdn.example.com/l.svg" alt="">)"),
            std::string::npos);
  EXPECT_NE(ok.content_security_policy.find("img-src https://cdn.example.com;"), std::string::npos);
  expect_sound_page(ok);
  for (std::string_view bad :
       {"http://cdn.example.com/l.svg", "//cdn.example.com/l.svg", "/logo.svg",
        "javascript:alert(1)", "data:image/svg+xml,<svg/>", R"(https://x.com/" onerror="a)",
        "https://user@x.com/l.png", "https://x.com;script-src *", "https:///l.png"}) {
    SCOPED_TRACE(bad);
    const rendered r = render_verify_request({.theme = {.logo = std::string(bad)}});
    EXPECT_EQ(r.html.find("<img"), std::string::npos);
    EXPECT_EQ(r.content_security_policy.find("img-src"), std::string::npos);
  }
}

}  // namespace
}  // namespace authpp::pages
