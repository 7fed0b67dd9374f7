#pragma once

#include <authpp/auth/types.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>
#include <authpp/providers/oauth.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

// Providers describe themselves as data (id, name, type, fields) plus behaviour behind small
// function objects: credentials and e-mail here, OAuth 2 / OIDC in providers/oauth.hpp.
namespace authpp {

// credential_field is one input of a credentials provider's sign-in form.
struct credential_field {
  std::string name;           // form field name, e.g. "username"
  std::string label{};        // visible label; defaults to `name`
  std::string type = "text";  // HTML input type: text, password, email, …
  std::string placeholder{};
  bool required = false;
};

// authorize_result is what a credentials provider's `authorize` decides.
class authorize_result {
 public:
  // accept signs `u` in.
  static authorize_result accept(user u) { return authorize_result(std::move(u)); }
  // reject refuses with Auth.js's CredentialsSignin; `code` reaches the client's
  // SignInResponse.code (default "credentials", as Auth.js).
  static authorize_result reject(std::string code = "credentials") {
    authorize_result r;
    r.code_ = std::move(code);
    return r;
  }
  // fail reports a server-side problem (a database down, …): the client sees `Configuration`,
  // `log_detail` goes to the log only.
  static authorize_result fail(std::string log_detail) {
    authorize_result r;
    r.failure_ = std::move(log_detail);
    return r;
  }

  // unavailable reports that the provider's backing store cannot answer right now: the request
  // fails with 503 Service Unavailable (and Retry-After) rather than an authentication error.
  static authorize_result unavailable(std::string log_detail) {
    authorize_result r;
    r.failure_ = std::move(log_detail);
    r.unavailable_ = true;
    return r;
  }

  const std::optional<user>& accepted() const noexcept { return user_; }
  bool is_unavailable() const noexcept { return unavailable_; }
  const std::string& code() const noexcept { return code_; }
  const std::optional<std::string>& failure() const noexcept { return failure_; }

 private:
  authorize_result() = default;
  explicit authorize_result(user u) : user_(std::move(u)) {}
  std::optional<user> user_;
  std::string code_ = "credentials";
  std::optional<std::string> failure_;
  bool unavailable_ = false;
};

// authorize_request is what `authorize` receives: every submitted field (the whole parsed body,
// csrfToken and callbackUrl included, as Auth.js does), and the request itself (its query carries
// the client's authorization params).
struct authorize_request {
  const json& credentials;
  const http::request& request;
};

// blocking_runner runs blocking work (a password hash, a store call) off the awaiting thread, e.g.
// on a worker pool, and resumes the caller when it has finished. It fails, without running the
// work, when it cannot take it (a full queue: errc::overloaded); the request then gets a 503.
using blocking_runner = std::function<boost::asio::awaitable<result<void>>(std::function<void()>)>;

// credentials_provider signs users in with submitted fields checked by `authorize`.
struct credentials_provider {
  std::string id = "credentials";
  std::string name = "Credentials";
  std::vector<credential_field> fields{};
  std::function<authorize_result(const authorize_request&)> authorize{};
  // authorize_async, when set, is what auth::handle_async awaits in place of `authorize`: a check
  // that would block (a password hash, a database) then runs elsewhere, and the calling thread
  // serves other requests meanwhile. `authorize` is still required: auth::handle calls it.
  std::function<boost::asio::awaitable<authorize_result>(const authorize_request&)>
      authorize_async{};
};

// verification_request is a sign-in link to deliver: what an e-mail provider's sender receives.
struct verification_request {
  std::string identifier;  // the normalised e-mail address
  std::string url;         // the link: {basePath}/callback/{id}?callbackUrl=…&token=…&email=…
  std::chrono::system_clock::time_point expires;
  const http::request& request;  // the request that asked for the link
};

// email_provider signs users in with a link sent to their address (Auth.js's e-mail providers,
// "magic links"). It needs config.adapter, which keeps the users and the links' tokens. A
// token is stored only as sha256(token + secret), and works once, before `max_age` has passed.
// The link opens a confirmation page, and only that page's POST signs in: a mail scanner that
// fetches every link does not use it up.
struct email_provider {
  std::string id = "email";
  std::string name = "Email";
  std::chrono::seconds max_age{86400};
  // send_verification_request delivers the link (SMTP, a file, an API). It may block: the
  // engine calls it where store calls run. An error is logged, and the user is sent to the
  // error page with Configuration, as in Auth.js.
  std::function<result<void>(const verification_request&)> send_verification_request;
  // normalize_identifier replaces the default normalisation of the submitted address (see
  // normalize_email_identifier); nullopt refuses the address.
  std::function<std::optional<std::string>(std::string_view)> normalize_identifier;
  // sends_per_hour bounds the links sent to one address (with config.rate_limits.store; 0 = no
  // bound). Past it, the request is answered as any other, and nothing is sent: the answer tells
  // an attacker nothing, and an inbox cannot be flooded through the form.
  std::uint32_t sends_per_hour = 5;
};

// normalize_email_identifier is the e-mail provider's default normalisation (Auth.js's, minus
// Unicode NFKC): trimmed, ASCII lower-cased, exactly one `@` between a non-empty local part and
// domain, the domain cut at its first `,`. nullopt for anything else, and for addresses that
// could not be one mail recipient: quotes, angle brackets, white space or control characters
// inside, or more than 254 bytes.
std::optional<std::string> normalize_email_identifier(std::string_view email);

// passkey_provider signs users in with passkeys (WebAuthn Level 2), on the wire of Auth.js's
// experimental WebAuthn provider (its Passkey preset): GET {basePath}/webauthn-options/{id} gives
// the browser a challenge (sealed in the `authjs.challenge` cookie), and the ceremony's result is
// posted to /callback/{id} with action=register|authenticate, so that next-auth/webauthn's
// signIn works against authpp. It needs config.adapter, which keeps the users, their linked
// accounts and the passkeys (Auth.js's `authenticators` table). Beyond Auth.js: the CSRF token is
// checked on the callback, a challenge signs in once even if its cookie is replayed, the
// signature counter is compared and set atomically, and attestation `packed` is verified.
struct passkey_provider {
  std::string id = "passkey";
  std::string name = "Passkey";
  // The relying party. Empty: the request's origin (its host name as the RP ID), as Auth.js.
  // Set them behind a proxy that rewrites hosts, or to accept passkeys of a parent domain
  // (rp_id "example.com" with origins {"https://login.example.com"}).
  std::string rp_id{};
  std::string rp_name{};
  std::vector<std::string> origins{};
  // user_verification asks authenticators for a PIN or biometric and refuses assertions without
  // it (the UV flag), as Auth.js's Passkey provider does. Off: presence alone (a touch) is enough.
  bool user_verification = true;
  // allow_sign_up lets a visitor who is not signed in create an account with nothing but a
  // passkey (registration with a new e-mail address). Off: only a signed-in user adds a passkey.
  bool allow_sign_up = true;
  std::chrono::milliseconds timeout{300000};  // what the browser is told to wait (5 minutes)
};

using provider =
    std::variant<credentials_provider, oauth_provider, email_provider, passkey_provider>;

}  // namespace authpp
