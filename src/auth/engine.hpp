#pragma once

// Internal to the engine: the immutable state behind `authpp::auth`, the per-request context,
// and the pieces each action uses. Nothing here is part of the public API.
#include <authpp/auth/auth.hpp>
#include <authpp/cookies/names.hpp>
#include <authpp/core/authjs_error.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/form.hpp>
#include <authpp/jose/session_token.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace authpp::detail {

// cookie_policy is everything about cookies that depends only on secure mode: names (after the
// configured overrides), default attributes, and the session keys (the cookie name is their
// salt). The engine builds both policies once; a request picks one.
struct cookie_policy {
  cookies::cookie_names names;
  http::set_cookie attributes;
  jose::session_keyring sessions;
  // The OAuth check cookies are sealed like session tokens, each salted with its own name.
  jose::session_keyring pkce, state, nonce;
};

struct oauth_runtime;  // a provider's cached metadata and keys (oauth_metadata.cpp)

struct engine_state {
  auth_config config;
  std::string csrf_secret;  // the secrets as JavaScript's String(array): "s1,s2"
  const authpp::clock* clock;
  const random_source* random;
  std::string fixed_origin;  // the origin of config.url, parsed once; empty without one

  std::vector<cookie_policy> policies;  // [0]: plain http, [1]: secure cookies
  jose::session_keyring encoded_state;  // the OAuth `state` parameter's own seal

  // One per OAuth provider, in configuration order (nullptr for other providers): the only
  // mutable state of the engine, behind its own lock.
  std::vector<std::unique_ptr<oauth_runtime>> oauth;

  engine_state();
  ~engine_state();
  void log(log_level level, std::string_view code, std::string_view message) const;
  const provider* find_provider(std::string_view id) const;
  oauth_runtime& runtime(const oauth_provider& p) const;
  const cookie_policy& policy(bool secure) const { return policies[secure ? 1 : 0]; }
};

// action is the first path segment after the base path.
enum class action { csrf, providers, session, signin, signout, callback, verify_request, error };

struct route {
  detail::action action;
  std::optional<std::string> provider_id;
};

// parse_route maps a path below `base_path` to an action, as Auth.js does: empty segments are
// dropped, one or two segments, a provider id only for signin and callback, the literal id
// "undefined" means none. nullopt means 400 "Bad request.".
std::optional<route> parse_route(std::string_view base_path, std::string_view path);

// engine_error is a failed flow: the Auth.js error type (the browser sees it only when it is
// client-safe, else Configuration), the log detail, and for CredentialsSignin the `code`.
struct engine_error {
  authjs_error type;
  std::string detail;
  std::string code{};  // CredentialsSignin only
};

// outcome is an action's answer before it becomes an http::response.
struct outcome {
  int status = 200;
  http::headers headers;
  std::string body;
  std::optional<std::string> redirect;
  std::vector<http::set_cookie> cookies;
  bool failed = false;            // an error response: no cookies at all
  bool with_init_cookies = true;  // prepend the CSRF / callback-URL cookies of init
  // A rate limit refused the request: Retry-After, and 429 where the answer is JSON.
  std::optional<std::chrono::seconds> retry_after{};
};

// request_context is everything init computes for one request (Auth.js's lib/init.ts).
struct request_context {
  const engine_state& engine;
  const http::request& request;
  detail::route route;
  std::string origin{};  // scheme://host[:port], no trailing slash
  bool secure = false;
  const cookie_policy* cookies_policy = nullptr;  // set by handle_request before anything else
  std::vector<http::cookie> cookies{};
  http::url_search_params query{};
  json body = json::object();  // POST bodies only: form fields as strings, or a JSON object
  const authpp::provider* provider = nullptr;
  std::string csrf_token{};
  bool csrf_verified = false;
  std::string callback_url{};
  std::vector<http::set_cookie> cookies_out{};  // init cookies: CSRF, callback URL

  const auth_config& config() const { return engine.config; }
  std::string base_url() const { return origin + config().base_path; }
  std::optional<std::string> body_string(std::string_view key) const;
  const http::cookie* cookie(std::string_view name) const;
};

// ---- the way of a request ---------------------------------------------------------------------
// handle and handle_async share every step but the action itself, which handle_async may await.

// prepared is a request made ready for its action (limits, route, origin, body, init), or the
// answer it gets before any action.
using prepared = std::variant<http::response, request_context>;
prepared prepare_request(const engine_state& engine, const http::request& request);
// route_awaits tells whether handle_async would wait for `request`: a credentials check with
// authorize_async (unless `oauth_only`), or an OAuth sign-in or callback.
bool route_awaits(const engine_state& engine, const http::request& request, bool oauth_only);
// handle_blocking answers through handle_async on a private event loop, blocking the caller: the
// synchronous API's way to run an OAuth flow.
http::response handle_blocking(const std::shared_ptr<const engine_state>& engine,
                               const http::request& request);
// dispatch runs the action the route names, synchronously.
outcome dispatch(request_context& ctx);
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
std::optional<std::string> default_redirect(std::string_view url, std::string_view base_url);
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

// ---- rate limits (rate_limit.cpp) --------------------------------------------------------------
// post_limit counts a POST against its client address: an outcome when over the limit.
std::optional<outcome> post_limit(request_context& ctx);
// sign_in_lock refuses a credentials sign-in while its account is locked for this address.
std::optional<outcome> sign_in_lock(request_context& ctx, const credentials_provider& provider);
// record_sign_in counts a refused sign-in (locking past the free failures) or clears the count.
void record_sign_in(request_context& ctx, const credentials_provider& provider, bool accepted);

// ---- actions
// ---------------------------------------------------------------------------------------
outcome csrf_action(request_context& ctx);
outcome providers_action(request_context& ctx);
outcome session_action(request_context& ctx);
outcome signin_action(request_context& ctx);
outcome callback_action(request_context& ctx);
// awaited_credentials returns the credentials provider whose authorize_async handle_async awaits
// for a request (a POST to its callback), or nullptr when the request has nothing to await.
const credentials_provider* awaited_credentials(const route& r, std::string_view method,
                                                const provider* p);
// credentials_callback_async is callback_action for that provider, awaiting authorize_async.
boost::asio::awaitable<outcome> credentials_callback_async(request_context& ctx,
                                                           const credentials_provider& provider);
// complete_sign_in is what every provider's sign-in ends with once it has a user: the signIn
// callback, the jwt callback, the session cookie, the signIn event, the redirect.
outcome complete_sign_in(request_context& ctx, const user& u, const account& acct,
                         const json* credentials, const json* profile);
outcome signout_action(request_context& ctx);
outcome error_page_action(request_context& ctx);
outcome verify_request_action(request_context& ctx);

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

// provider_type returns "credentials" (and later "oauth", "oidc", "email").
std::string_view provider_type(const provider& p);
const std::string& provider_id(const provider& p);
const std::string& provider_name(const provider& p);

// render_page turns a rendered page into an outcome with its security headers.
outcome page_outcome(const pages::rendered& page);

}  // namespace authpp::detail
