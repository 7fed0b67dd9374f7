#pragma once

// Internal to the engine: one request on its way through it: the route, the context init
// computes, and the outcome an action answers with.
#include <authpp/core/authjs_error.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/form.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_state.hpp"

namespace authpp::detail {

// action is the first path segment after the base path.
enum class action {
  csrf,
  providers,
  session,
  signin,
  signout,
  callback,
  verify_request,
  error,
  webauthn_options,
  account,  // authpp's own: the account page
};

struct route {
  detail::action action;
  std::optional<std::string> provider_id;
};

// parse_route maps a path below `base_path` to an action, as Auth.js does: empty segments are
// dropped, one or two segments, a provider id only for signin and callback, the literal id
// "undefined" means none. nullopt means 400 "Bad request.". A provider id is taken by signin,
// callback and webauthn-options.
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
  const provider_flow* provider = nullptr;  // the route's provider, if it names one
  std::string csrf_token{};
  bool csrf_verified = false;
  std::string callback_url{};
  std::vector<http::set_cookie> cookies_out{};  // init cookies: CSRF, callback URL
  // Events of the action, fired by finish_request on the thread that answers (fire_after).
  std::vector<std::function<void()>> events_after{};
  // The session cookie's claims, once read: the asynchronous path reads them first to know
  // whether a revocation check must wait for the store (session_claims() in engine.hpp).
  std::optional<result<std::optional<json>>> session_claims_read{};
  // A session read for auth::session on any request of the application: never an update, and
  // no CSRF or callback-URL cookie (init does not run).
  bool session_lookup = false;
  // A sign-in completed: a session was issued (the observer's sign_in_attempted).
  bool signed_in = false;

  const auth_config& config() const { return engine.config; }
  std::string base_url() const { return origin + config().base_path; }
  // callback_origin is the callback URL's origin when it is another site's (a sibling host of
  // redirect_hosts), else empty: the pages add it to their CSP form-action.
  std::string callback_origin() const;
  std::optional<std::string> body_string(std::string_view key) const;
  const http::cookie* cookie(std::string_view name) const;
};

}  // namespace authpp::detail
