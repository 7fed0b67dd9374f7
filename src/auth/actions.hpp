#pragma once

// Internal to the engine: the actions, one per route, and what they share about providers and
// events.
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "request.hpp"

namespace authpp::detail {

// ---- actions
// ---------------------------------------------------------------------------------------
outcome csrf_action(request_context& ctx);
outcome providers_action(request_context& ctx);
outcome session_action(request_context& ctx);
outcome signin_action(request_context& ctx);
outcome callback_action(request_context& ctx);
// complete_sign_in is what every provider's sign-in ends with once it has a user: the signIn
// callback (sign_in_verdict), then issue_session.
outcome complete_sign_in(request_context& ctx, const user& u, const account& acct,
                         const json* credentials, const json* profile);
// sign_in_verdict runs the signIn callback: nullopt to go on, else the answer (refused, or
// redirected elsewhere without a session).
std::optional<outcome> sign_in_verdict(request_context& ctx, const user& u, const account& acct,
                                       const json* credentials, const json* profile,
                                       bool verification_request = false);
// linking_rules are what differs between the kinds of linked identities in Auth.js's rules.
struct linking_rules {
  // link_by_email: an identity new to the store, presented by nobody signed in, is linked to
  // the stored user with its e-mail address (OAuth's allow_dangerous_email_account_linking).
  bool link_by_email = false;
  // sign_up: such an identity may create a new user; otherwise AccessDenied.
  bool sign_up = true;
  authjs_error not_linked = authjs_error::oauth_account_not_linked;  // the refusal's type
  // linked runs once the identity is newly linked to the user who signs in (their id), before
  // the session is issued: a passkey stores its authenticator there. Blocking.
  std::function<result<void>(const std::string& user_id)> linked{};
};
// register_and_sign_in ends a sign-in by a linked identity when an adapter stores users: the
// signIn callback, then the user the identity is linked to, the signed-in user (linking it), or
// a new user, by Auth.js's rules (registration.cpp); then issue_session. Blocking: adapter calls.
outcome register_and_sign_in(request_context& ctx, const user& profile_user, const account& acct,
                             const json* profile, const linking_rules& rules);
// The OAuth form: linking by e-mail as the provider allows, refusals OAuthAccountNotLinked.
outcome register_and_sign_in(request_context& ctx, const oauth_provider& provider,
                             const user& profile_user, const account& acct, const json* profile);
// signed_in is the request's current stored user, and its database session token if it has one.
struct signed_in {
  adapters::user_record user;
  std::optional<std::string> session_token;
};
// current_user reads who the request is signed in as (blocking: a store read). Errors count as
// "nobody", as in Auth.js.
std::optional<signed_in> current_user(const request_context& ctx, adapters::adapter& store);
// issue_session gives `u` a session (a JWT through the jwt callback, or a database row; with
// `kept_token`, the database session the request already has), fires the signIn event and
// redirects to the callback URL.
outcome issue_session(request_context& ctx, const user& u, const account& acct, const json* profile,
                      const std::string* kept_token);
outcome signout_action(request_context& ctx);
outcome error_page_action(request_context& ctx);
outcome verify_request_action(request_context& ctx);
// webauthn_options_action is GET /webauthn-options/{id}: the provider's flow answers.
outcome webauthn_options_action(request_context& ctx);
// account_action is GET and POST /account (account.cpp). Blocking: store calls.
outcome account_action(request_context& ctx);
// recent_sign_in_cookie proves that `user_id` signed in just now, for account.recent_sign_in
// (set by issue_session when the account page is on).
result<http::set_cookie> recent_sign_in_cookie(const request_context& ctx,
                                               const std::string& user_id);
// signed_in_recently tells whether the request carries that proof for `user_id`.
bool signed_in_recently(const request_context& ctx, const std::string& user_id);

// fire runs an event handler; events only observe, so what they throw is logged and swallowed.
template <class Event>
void fire(const request_context& ctx, const std::function<void(const Event&)>& handler,
          const Event& event) {
  if (!handler) return;
  try {
    handler(event);
  } catch (const std::exception& e) {
    ctx.engine.log(log_level::error, "EventError", e.what());
  } catch (...) {
    ctx.engine.log(log_level::error, "EventError", "non-standard exception");
  }
}

// observe calls `notify` with the configured observer, if any, logging what it throws.
template <class Notify>
void observe(const request_context& ctx, Notify&& notify) {
  const auto& o = ctx.config().observer;
  if (!o) return;
  try {
    notify(*o);
  } catch (const std::exception& e) {
    ctx.engine.log(log_level::error, "ObserverError", e.what());
  } catch (...) {
    ctx.engine.log(log_level::error, "ObserverError", "non-standard exception");
  }
}

// fire_after queues `fire_event` until finish_request, which runs on the thread that answers the
// request. A step handed to run_blocking runs on a worker thread, and applications tie events to
// the request's thread (authpp serve counts sign-ins that way); `fire_event` must own its data.
inline void fire_after(request_context& ctx, std::function<void()> fire_event) {
  ctx.events_after.push_back(std::move(fire_event));
}

// render_page turns a rendered page into an outcome with its security headers.
outcome page_outcome(const pages::rendered& page);

}  // namespace authpp::detail
