#include <authpp/core/authjs_error.hpp>

#include <array>
#include <utility>

namespace authpp {
namespace {

constexpr std::array<std::pair<authjs_error, std::string_view>, 25> names{{
    {authjs_error::access_denied, "AccessDenied"},
    {authjs_error::callback_route_error, "CallbackRouteError"},
    {authjs_error::configuration, "Configuration"},
    {authjs_error::credentials_signin, "CredentialsSignin"},
    {authjs_error::event_error, "EventError"},
    {authjs_error::invalid_callback_url, "InvalidCallbackUrl"},
    {authjs_error::invalid_check, "InvalidCheck"},
    {authjs_error::invalid_provider, "InvalidProvider"},
    {authjs_error::missing_csrf, "MissingCSRF"},
    {authjs_error::oauth_account_not_linked, "OAuthAccountNotLinked"},
    {authjs_error::oauth_callback_error, "OAuthCallbackError"},
    {authjs_error::oauth_signin_error, "OAuthSignInError"},
    {authjs_error::email_signin_error, "EmailSignInError"},
    {authjs_error::unknown_action, "UnknownAction"},
    {authjs_error::untrusted_host, "UntrustedHost"},
    {authjs_error::verification, "Verification"},
    {authjs_error::account_not_linked, "AccountNotLinked"},
    {authjs_error::webauthn_verification, "WebAuthnVerificationError"},
    {authjs_error::signin, "Signin"},
    {authjs_error::oauth_signin, "OAuthSignin"},
    {authjs_error::oauth_create_account, "OAuthCreateAccount"},
    {authjs_error::email_create_account, "EmailCreateAccount"},
    {authjs_error::callback, "Callback"},
    {authjs_error::email_signin, "EmailSignin"},
    {authjs_error::session_required, "SessionRequired"},
}};

}  // namespace

std::string_view name(authjs_error type) noexcept {
  for (const auto& [t, n] : names) {
    if (t == type) return n;
  }
  return "Configuration";
}

std::optional<authjs_error> parse_authjs_error(std::string_view text) noexcept {
  for (const auto& [t, n] : names) {
    if (n == text) return t;
  }
  return std::nullopt;
}

bool client_safe(authjs_error type) noexcept {
  switch (type) {
    case authjs_error::credentials_signin:
    case authjs_error::oauth_account_not_linked:
    case authjs_error::oauth_callback_error:
    case authjs_error::access_denied:
    case authjs_error::verification:
    case authjs_error::missing_csrf:
    case authjs_error::account_not_linked:
    case authjs_error::webauthn_verification:
      return true;
    default:
      return false;
  }
}

bool sign_in_kind(authjs_error type) noexcept {
  switch (type) {
    case authjs_error::credentials_signin:
    case authjs_error::oauth_account_not_linked:
    case authjs_error::oauth_callback_error:
    case authjs_error::oauth_signin_error:
    case authjs_error::email_signin_error:
    case authjs_error::missing_csrf:
    case authjs_error::account_not_linked:
      return true;
    default:
      return false;
  }
}

}  // namespace authpp
