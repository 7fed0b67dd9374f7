#pragma once

#include <optional>
#include <string_view>

// Auth.js's error types (packages/core/src/errors.ts, server-flows.md §14), as one enum shared by
// the engine, which raises them, and the pages, which explain them. A type travels to the browser
// by name in `?error=`; only the client-safe ones do, every other one as `Configuration`.
namespace authpp {

enum class authjs_error {
  // Raised by the engine.
  access_denied,             // AccessDenied: the signIn callback said no
  callback_route_error,      // CallbackRouteError: a callback failed (authorize, a provider, …)
  configuration,             // Configuration: what the browser sees for every unsafe type
  credentials_signin,        // CredentialsSignin: wrong credentials (with a `code`)
  event_error,               // EventError: an event handler threw (logged only)
  invalid_callback_url,      // InvalidCallbackUrl
  invalid_check,             // InvalidCheck: a PKCE, state or nonce cookie missing or forged
  invalid_provider,          // InvalidProvider: no such provider, or not for this action
  missing_csrf,              // MissingCSRF: no or a wrong CSRF token
  oauth_account_not_linked,  // OAuthAccountNotLinked
  oauth_callback_error,      // OAuthCallbackError: the provider answered an error
  oauth_signin_error,        // OAuthSignInError
  email_signin_error,        // EmailSignInError
  unknown_action,            // UnknownAction
  untrusted_host,            // UntrustedHost
  verification,              // Verification: a used or expired e-mail link
  account_not_linked,        // AccountNotLinked
  webauthn_verification,     // WebAuthnVerificationError
  // Older names that links and the pages still know (next-auth v4 and the built-in pages).
  signin,                // Signin
  oauth_signin,          // OAuthSignin
  oauth_create_account,  // OAuthCreateAccount
  email_create_account,  // EmailCreateAccount
  callback,              // Callback
  email_signin,          // EmailSignin
  session_required,      // SessionRequired (last: tests walk the enum up to it)
};

// name returns the type's Auth.js spelling, e.g. "CredentialsSignin".
std::string_view name(authjs_error type) noexcept;

// parse_authjs_error reads a type's Auth.js spelling (exact, case-sensitive); nullopt for any
// other text, which is how an untrusted `?error=` value is read.
std::optional<authjs_error> parse_authjs_error(std::string_view text) noexcept;

// client_safe tells whether Auth.js shows the type to the browser; every other one is shown as
// Configuration.
bool client_safe(authjs_error type) noexcept;

// sign_in_kind tells whether the type sends the user back to the sign-in page (Auth.js's kind
// "signIn"), rather than to the error page.
bool sign_in_kind(authjs_error type) noexcept;

}  // namespace authpp
