#pragma once

// Internal to the engine: the way of a request (prepare, act, finish) and the helpers every
// action uses. The state, the request context and the actions have headers of their own.
#include <authpp/jose/session_token.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "actions.hpp"
#include "engine_state.hpp"
#include "request.hpp"

namespace authpp::detail {

// ---- the way of a request ---------------------------------------------------------------------
// handle and handle_async share every step but the action itself, which handle_async may await.

// prepared is a request made ready for its action (limits, route, origin, body, init), or the
// answer it gets before any action.
using prepared = std::variant<http::response, request_context>;
// With `count_now` false it stops before a POST is counted and init runs: handle_async counts
// off the I/O thread when counting waits (counting_waits), then calls admit_request.
prepared prepare_request(const engine_state& engine, const http::request& request,
                         bool count_now = true);
// admit_request counts a POST against its address and runs init: the answer when either
// refuses the request.
std::optional<http::response> admit_request(request_context& ctx);
// route_waits tells whether handle_async would wait for `request`, and whether handle must (see
// provider_flow::waits).
enum class waiting;
waiting route_waits(const engine_state& engine, const http::request& request);
// run_privately runs `work` to completion on an event loop of its own, blocking the caller: the
// synchronous API's way to run an asynchronous step. `if_thrown` answers when `work` throws. The
// loop is stopped at the answer: pooled connections would keep it busy until their idle timeout,
// and go with it.
template <class T>
T run_privately(boost::asio::awaitable<T> work, const std::function<T()>& if_thrown) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    out = e ? if_thrown() : std::move(value);
    io.stop();
  });
  io.run();
  return std::move(*out);
}
// handle_blocking answers through handle_async on a private event loop, blocking the caller: the
// synchronous API's way to run an OAuth flow.
http::response handle_blocking(const std::shared_ptr<const engine_state>& engine,
                               const http::request& request);
// dispatch runs the action the route names, synchronously.
outcome dispatch(request_context& ctx);
// awaited_action runs the action as handle_async does: awaiting a provider's endpoints, and the
// store off the calling thread (run_blocking).
boost::asio::awaitable<outcome> awaited_action(request_context& ctx);
// app_request_context is the context of one of the application's own requests, for
// auth::session and auth::sign_in_url: route /session, session_lookup set, no init. An error when
// the request has no usable origin.
std::variant<auth_error, request_context> app_request_context(const engine_state& engine,
                                                              const http::request& request);
// finish_request adds init's cookies and turns the outcome into the response.
http::response finish_request(request_context& ctx, outcome out);
// internal_error logs `what` and answers 500 as a configuration error: what a thrown exception
// (a bug, bad_alloc) becomes.
http::response internal_error(const engine_state& engine, std::string_view what);

// ---- helpers shared by the actions -------------------------------------------------------------

// json_text serialises like JSON.stringify; invalid UTF-8 is replaced, never thrown on.
std::string json_text(const json& value);
outcome json_outcome(const json& value, int status = 200);
// no_store adds the three no-cache headers Auth.js puts on /csrf and /session.
void no_store(outcome& out);
// iso_time formats `t` as JavaScript's Date.toISOString(): 2026-12-27T03:40:04.587Z.
std::string iso_time(clock::time_point t);

// default_redirect is Auth.js's default redirect callback, stricter (see docs/security.md).
// Callback URLs on `redirect_hosts` (auth_config::redirect_hosts) are kept too.
std::optional<std::string> default_redirect(std::string_view url, std::string_view base_url,
                                            const std::vector<std::string>& redirect_hosts = {});
// append_query adds `params` to a page URL, after `?` or `&` as it already has a query.
std::string append_query(std::string url, const http::url_search_params& params);
// sign_in_page_url is the sign-in page (the configured pages.sign_in, or the built-in one) with
// `callback_url` (already resolved) as its callbackUrl.
std::string sign_in_page_url(const request_context& ctx, const std::string& callback_url);
// resolve_redirect runs the configured redirect callback (or the default); nullopt = refused.
std::optional<std::string> resolve_redirect(const request_context& ctx, std::string_view url);
// acceptable_callback_url is the up-front check on query and cookie callback URLs: a path or an
// absolute http(s) URL (Auth.js's InvalidCallbackUrl assertion).
bool acceptable_callback_url(std::string_view url);

// fail turns an error into Auth.js's error response (redirect to the sign-in or error page with
// ?error=TYPE[&code=CODE], cookies dropped; 400 null for POST /session) and logs it.
outcome fail(const request_context& ctx, const engine_error& error);
// error_url is the page fail() redirects to: the sign-in page for sign-in errors, else the error
// page, with ?error=TYPE (Configuration unless client-safe) and, for CredentialsSignin, &code=.
std::string error_url(const request_context& ctx, const engine_error& error);
// configuration_failure answers an assertion failure (UntrustedHost, InvalidCallbackUrl, …) that
// happens before any action: 500 JSON, or the HTML error page for the page actions.
http::response configuration_failure(const engine_state& engine, const http::request& request,
                                     const std::optional<route>& route, std::string_view origin,
                                     const engine_error& error);
// to_response applies X-Auth-Return-Redirect and serialises cookies.
http::response to_response(const http::request& request, outcome out);

// ---- session cookie
// ------------------------------------------------------------------------------

// session_cookie_writes returns the Set-Cookies that store `token` (chunked, stale chunks removed).
std::vector<http::set_cookie> session_cookie_writes(const request_context& ctx,
                                                    std::string_view token);
// session_cookie_clears returns deletions of every session chunk in the request.
std::vector<http::set_cookie> session_cookie_clears(const request_context& ctx);
// encode_token encodes claims for the session cookie with the first secret.
result<std::string> encode_token(const request_context& ctx, json claims);
// read_session_claims reads and decrypts the session cookie; nullopt when there is none.
result<std::optional<json>> read_session_claims(const request_context& ctx);
// session_claims is read_session_claims, read once per request (kept in the context).
const result<std::optional<json>>& session_claims(request_context& ctx);
// null_session answers /session with `null`, clearing the session cookie when `clear`.
outcome null_session(const request_context& ctx, bool clear, bool cache_headers);

// ---- check cookies (check_cookies.cpp) ---------------------------------------------------------
// A sign-in's round trip (an OAuth provider, a WebAuthn ceremony) keeps its check values in
// sealed cookies for this long (Auth.js: 15 minutes).
inline constexpr std::chrono::seconds check_cookie_max_age{900};
// seal_check / open_check store a check value in its cookie and read it back, bound to the
// provider (server-flows.md §7.3: the JWE of {"value", "provider"}, salted with the cookie name).
result<std::string> seal_check(const request_context& ctx, const jose::session_keyring& ring,
                               std::string_view provider_id, std::string value);
result<std::string> open_check(const request_context& ctx, const jose::session_keyring& ring,
                               std::string_view provider_id, std::string_view sealed);
// check_cookie carries a sealed check value: Expires (and Max-Age when `with_max_age`, as Auth.js
// sets per cookie) a check_cookie_max_age from now. `form_post`: SameSite=None; Secure, for a
// callback that comes back as a cross-site POST.
http::set_cookie check_cookie(const request_context& ctx, std::string name, std::string value,
                              bool with_max_age, bool form_post);
// cleared_cookie deletes the cookie `name` (same attributes, Max-Age=0).
http::set_cookie cleared_cookie(const request_context& ctx, const std::string& name);

// ---- revocation of JWT sessions (revocation.cpp) ------------------------------------------------
// checks_revocation: JWT sessions are checked against the store (an adapter and a
// session.jwt_revocation_bound are configured, and sessions are not in the database).
bool checks_revocation(const engine_state& engine);
// stale_session_user is the user id whose stored state must be read before the JWT session with
// `claims` can be judged, or nullopt when the remembered state answers (or nothing needs it).
std::optional<std::string> stale_session_user(const request_context& ctx, const json& claims);
// load_user_state reads the user's state from the store (a blocking call) and remembers it.
void load_user_state(const request_context& ctx, const std::string& user_id);
// remember_signed_in remembers the state of a stored user who just signed in (they were read
// from the store a moment ago, and are not disabled), sparing the first reads a store call.
void remember_signed_in(const request_context& ctx, const user& u);
// session_revoked tells whether the JWT session with `claims` was ended by revocation, reading the
// store at once when the remembered state is stale (the synchronous path).
bool session_revoked(const request_context& ctx, const json& claims);

// stored_user is the engine's user for a stored one: id, profile and session version
// (registration.cpp).
user stored_user(const adapters::user_record& r);

// ---- database sessions (database_session.cpp) ---------------------------------------------------
// uses_database tells whether sessions live in config.adapter (session.strategy = database).
inline bool uses_database(const request_context& ctx) { return ctx.engine.database_sessions(); }
// database_session_token is the session cookie's value (a database session's token), if any.
std::optional<std::string> database_session_token(const request_context& ctx);
// start_database_session stores a new session for `u` and returns the cookie that carries it.
result<std::vector<http::set_cookie>> start_database_session(const request_context& ctx,
                                                             const user& u);
// database_session_action is /session (GET, or POST when `update`) for database sessions.
outcome database_session_action(request_context& ctx, bool update);
// end_database_session deletes the request's session, if any, and fires the signOut event.
void end_database_session(request_context& ctx);
// store_unavailable answers 503 with Retry-After: the store cannot answer right now, which is not
// the user's fault (their credentials or session may be fine).
outcome store_unavailable(const request_context& ctx, std::string_view detail);
// run_blocking_action runs `action` through config.run_blocking (off the I/O thread), or at once
// when none is set; 503 when it cannot be run. Pass a named std::function, not a lambda converted
// inside the co_await expression: GCC 12 mishandles that temporary's lifetime, and a lambda that
// owned a string corrupted the heap (EngineRevocationTest caught it).
// adapter_failure answers a failed adapter call: 503 when the store is only unavailable, else
// Auth.js's CallbackRouteError (the detail goes to the log).
outcome adapter_failure(const request_context& ctx, const auth_error& e);
boost::asio::awaitable<outcome> run_blocking_action(request_context& ctx,
                                                    std::function<outcome()> action);

// run_blocking_step runs `step` as run_blocking_action runs an action, for a step that answers
// nothing itself (a count made off the I/O thread): nullopt once it ran, or the 503 of a pool
// that could not run it.
boost::asio::awaitable<std::optional<outcome>> run_blocking_step(request_context& ctx,
                                                                 std::function<void()> step);

// ---- rate limits (rate_limit.cpp) --------------------------------------------------------------
// counting_waits: the counter store waits for I/O (Redis), so counts are made off the I/O thread.
inline bool counting_waits(const engine_state& engine) {
  const auto& store = engine.config.rate_limits.store;
  return store && store->waits_for_io();
}
// post_limit counts a POST against its client address: an outcome when over the limit.
std::optional<outcome> post_limit(request_context& ctx);
// sign_in_lock refuses a credentials sign-in while its account is locked for this address.
std::optional<outcome> sign_in_lock(request_context& ctx, const credentials_provider& provider);
// record_sign_in counts a refused sign-in (locking past the free failures) or clears the count.
void record_sign_in(request_context& ctx, const credentials_provider& provider, bool accepted);

// ---- second factor (second_factor.cpp) ---------------------------------------------------------
// second_factor_enabled: credentials sign-ins check TOTP enrolments in the adapter (store calls).
inline bool second_factor_enabled(const engine_state& engine) {
  return engine.config.totp.enabled && engine.config.adapter;
}
// second_factor_check runs after `authorize` accepted `u`: nullopt to go on, or the refusal
// (CredentialsSignin, code "totp_required") when the user's confirmed TOTP asks for a code that
// the form lacks or got wrong. Blocking: it reads and writes the store.
std::optional<outcome> second_factor_check(request_context& ctx,
                                           const credentials_provider& provider, const user& u);
// second_factor_code_accepted checks `typed` against the user's TOTP enrolment (using its time
// step up, so that a code works once) or their unused recovery codes (using the code up): true,
// false, or the answer to a failure (the store, a secret that no longer opens). Blocking.
std::variant<bool, outcome> second_factor_code_accepted(request_context& ctx,
                                                        const std::string& user_id,
                                                        const adapters::totp_record& enrolment,
                                                        const std::string& typed);

}  // namespace authpp::detail
