#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The built-in HTML pages of the engine (server-flows.md §12, client-wire.md §4.9): sign-in,
// sign-out confirmation, error and verify-request. Pure functions: values in, a complete HTML
// document and its Content-Security-Policy out; no I/O, no external assets except an optional
// https logo, and no JavaScript except the passkey form's own script (allowed by its hash). Every
// string that reaches the HTML is escaped, and strings that are attacker-controlled (the `?error=`
// type) are never shown at all: they only select a message.
namespace authpp::pages {

// Every member below has a default member initializer so that callers can use designated
// initializers naming only what they set (GCC 12 warns about omitted members otherwise).

// is_css_color is the rule theme colours follow: #rgb, #rgba, #rrggbb, #rrggbbaa or a plain
// named colour ([a-z]{1,32}), nothing that could close a declaration or a rule. The pages drop
// any other value; a configuration loader uses it to refuse one instead.
bool is_css_color(std::string_view value) noexcept;

// theme is the branding shared by every page. Invalid values are ignored, never emitted.
struct theme {
  // color_scheme is "auto" (follow prefers-color-scheme), "light" or "dark"; anything else is
  // treated as "auto".
  std::string color_scheme = "auto";
  // brand_color colours primary buttons and links. Accepted: #rgb, #rgba, #rrggbb, #rrggbbaa or a
  // named colour ([a-z]+); anything else is dropped so that no arbitrary text reaches the CSS.
  std::string brand_color{};
  // logo is shown above the card. Only an absolute https URL is used (and allowed by img-src).
  std::string logo{};
  // button_text is the text colour on brand buttons, validated like brand_color. When empty, a
  // readable colour is chosen from the brand colour's luminance.
  std::string button_text{};
};

// credential_field is one input of a credentials provider's form.
struct credential_field {
  std::string name{};   // form field name, e.g. "username"
  std::string label{};  // visible label; `name` is used when empty
  // type is the input type: text, email, password, tel, number or url (anything else is text).
  std::string type = "text";
  std::string placeholder{};
  bool required = false;
};

// provider_entry is one provider as listed on the sign-in page.
struct provider_entry {
  std::string id{};
  std::string name{};
  // type is "credentials" | "oauth" | "oidc" | "email" | "webauthn"; other types are not listed.
  std::string type{};
  // signin_url is where OAuth/OIDC and email forms post ({basePath}/signin/{id}).
  std::string signin_url{};
  // callback_url is where the credentials and passkey forms post ({basePath}/callback/{id}).
  std::string callback_url{};
  // options_url is where a passkey form's script asks for WebAuthn options
  // ({basePath}/webauthn-options/{id}).
  std::string options_url{};
  std::vector<credential_field> fields{};  // credentials only
  // authorization_origin is where the OAuth/OIDC sign-in POST redirects to: the authorization
  // endpoint, or just its origin (e.g. "https://github.com"; http is accepted for local IdPs).
  // Browsers apply CSP form-action to the redirects that follow a form submission (Chromium
  // blocks the 302 under form-action 'self'), so its origin is added to form-action. When an
  // OAuth/OIDC entry leaves it empty or invalid (an endpoint not discovered yet), form-action
  // also allows https: so that sign-in still works.
  std::string authorization_origin{};
  // authorization_origin_guessed says the origin is a guess (the issuer's, before discovery has
  // named the endpoint): form-action then allows https: as well.
  bool authorization_origin_guessed = false;
  // bg and text colour an OAuth/OIDC provider's button (#rgb…#rrggbbaa or a colour name); the
  // theme's colours apply unless both are valid.
  std::string bg{};
  std::string text{};
};

// signin_page is the data of `GET {basePath}/signin`.
struct signin_page {
  std::vector<provider_entry> providers{};  // listed in this order
  std::string csrf_token{};
  std::string callback_url{};  // posted with OAuth/OIDC forms when not empty
  // callback_origin is the callback URL's origin when it is not this site's (an app on a sibling
  // host, auth_config::redirect_hosts), else empty. Browsers apply CSP form-action to the
  // redirect that follows a form's POST, so it is added there.
  std::string callback_origin{};
  std::optional<std::string> error{};  // Auth.js error type from ?error= (untrusted)
  std::optional<std::string> email{};  // prefills the email provider's input (from ?email=)
  // second_factor: the last sign-in needs a TOTP code (?code=totp_required with TOTP on). The
  // credentials forms gain an "Authentication code" field, posted with the password as `totp`.
  bool second_factor = false;
  pages::theme theme{};
};

// signout_page is the data of `GET {basePath}/signout`.
struct signout_page {
  std::string action_url{};  // {basePath}/signout
  std::string csrf_token{};
  std::string callback_url{};     // posted along when not empty
  std::string callback_origin{};  // as signin_page::callback_origin
  pages::theme theme{};
};

// error_page is the data of `GET {basePath}/error?error=X`.
struct error_page {
  std::string error{};  // Auth.js error type; untrusted, only ever used to pick a message
  std::string signin_url{};
  std::string home_url{};
  pages::theme theme{};
};

// verify_request_page is the data of `GET {basePath}/verify-request`.
struct verify_request_page {
  std::string home_url{};
  // provider_name names the email provider that sent the link. Like Auth.js' page, the page does
  // not show it; it is kept so that a custom renderer has the same data.
  std::string provider_name{};
  pages::theme theme{};
};

// email_confirm_page is the data of `GET {basePath}/callback/{email provider}`: the page a
// sign-in link opens. Only its form's POST uses the link, so that a mail scanner that fetches
// every link in a message does not use the token up (or sign anyone in).
struct email_confirm_page {
  std::string action_url{};  // {basePath}/callback/{id}
  std::string csrf_token{};
  std::string email{};            // from the link (untrusted): shown, and posted back
  std::string token{};            // from the link (untrusted): posted back
  std::string callback_url{};     // posted along when not empty
  std::string callback_origin{};  // as signin_page::callback_origin
  pages::theme theme{};
};

// account_passkey is one of the user's passkeys as the account page lists it.
struct account_passkey {
  std::string id{};         // the credential id (base64), posted back to remove it
  std::string created{};    // a date ("2026-12-03"), or empty when unknown
  std::string last_used{};  // a date, or empty for never
  bool synced = false;      // a multi-device (synced) passkey
};

// totp_enrolment_view is a TOTP enrolment in progress: what the user scans or types.
struct totp_enrolment_view {
  std::string qr_svg{};  // pages::to_svg of the URI (trusted markup, made by the engine)
  std::string uri{};     // otpauth://…
  std::string key{};     // the secret in base32, for typing
};

// account_page is the data of `GET {basePath}/account` (beyond Auth.js): the signed-in user's
// passkeys and TOTP second factor, with forms that post back to action_url.
struct account_page {
  std::string action_url{};  // {basePath}/account
  std::string csrf_token{};
  std::string email{};
  std::string name{};
  // recent: the user signed in recently enough to change anything; otherwise the page lists what
  // there is and offers reauth_url (the sign-in page, coming back here) instead of the actions.
  bool recent = false;
  std::string reauth_url{};
  bool passkeys_enabled = false;
  std::string passkey_options_url{};   // {basePath}/webauthn-options/{id}
  std::string passkey_callback_url{};  // {basePath}/callback/{id}
  std::vector<account_passkey> passkeys{};
  bool totp_enabled = false;
  bool totp_confirmed = false;
  std::optional<totp_enrolment_view> enrolment{};
  std::vector<std::string> recovery_codes{};  // just made: shown this once
  std::size_t recovery_codes_left = 0;
  std::optional<std::string> notice{};  // what the last action did (a status line)
  std::optional<std::string> error{};   // why it did nothing (an alert)
  pages::theme theme{};
};

// rendered is a finished page: send `html` with status `status`, `Content-Type: text/html;
// charset=utf-8` and `Content-Security-Policy: content_security_policy`.
struct rendered {
  int status = 200;
  std::string html{};
  std::string content_security_policy{};
};

// render_signin renders the sign-in page (status 200). OAuth/OIDC providers become buttons
// posting csrfToken and callbackUrl to their signin_url, email providers an email form posting to
// signin_url, credentials providers a labelled form posting to their callback_url, passkey
// (webauthn) providers a form whose script runs the ceremony and posts it to their callback_url;
// providers of any other type are skipped.
rendered render_signin(const signin_page& page);

// render_signout renders the sign-out confirmation (status 200).
rendered render_signout(const signout_page& page);

// render_error renders the error page: status 500 for Configuration, 403 for AccessDenied and
// Verification, 200 otherwise (client-wire.md §4.9).
rendered render_error(const error_page& page);

// render_verify_request renders the "check your email" page (status 200).
rendered render_verify_request(const verify_request_page& page);

// render_email_confirm renders the "sign in as …" confirmation of a sign-in link (status 200).
rendered render_email_confirm(const email_confirm_page& page);

// render_account renders the account page (status 200; 400 when `error` is set).
rendered render_account(const account_page& page);

// signin_error_message returns the message the sign-in page shows for the Auth.js error type
// `type`; unknown types get the generic "Unable to sign in." message.
std::string_view signin_error_message(std::string_view type) noexcept;

// error_page_message returns the message the error page shows for `type`; unknown types get a
// generic message.
std::string_view error_page_message(std::string_view type) noexcept;

}  // namespace authpp::pages
