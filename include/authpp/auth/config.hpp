#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/auth/provider.hpp>
#include <authpp/auth/rate_limit.hpp>
#include <authpp/auth/types.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/random.hpp>
#include <authpp/mfa/totp.hpp>
#include <authpp/net/http_client.hpp>
#include <authpp/pages/pages.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// auth_config mirrors Auth.js's configuration where it applies. Defaults match Auth.js (with the
// `next-auth` base path); `auth::create` refuses an invalid configuration with a message naming the
// field.
namespace authpp {

// sign_in_decision is what the `sign_in` callback returns.
class sign_in_decision {
 public:
  static sign_in_decision allow() { return sign_in_decision(kind::allow, {}); }
  // deny refuses with AccessDenied.
  static sign_in_decision deny() { return sign_in_decision(kind::deny, {}); }
  // redirect_to stops the sign-in and sends the user to `url` (through the redirect callback),
  // without a session.
  static sign_in_decision redirect_to(std::string url) {
    return sign_in_decision(kind::redirect, std::move(url));
  }
  bool allowed() const noexcept { return kind_ == kind::allow; }
  bool denied() const noexcept { return kind_ == kind::deny; }
  const std::string& redirect_url() const noexcept { return url_; }

 private:
  enum class kind { allow, deny, redirect };
  sign_in_decision(kind k, std::string url) : kind_(k), url_(std::move(url)) {}
  kind kind_;
  std::string url_;
};

struct sign_in_params {
  const authpp::user& user;
  const authpp::account& account;
  const json* credentials;        // the submitted fields, for credentials providers
  const json* profile = nullptr;  // the provider's profile, for OAuth providers
  // verification_request: an e-mail sign-in asks for a link (true), or uses one (false).
  bool verification_request = false;
};

struct jwt_params {
  json token;                      // the claims so far (without iat/exp/jti on sign-in)
  const authpp::user* user;        // set on sign-in
  const authpp::account* account;  // set on sign-in
  jwt_trigger trigger;
  const json* session;            // the client's data on update
  const json* profile = nullptr;  // on an OAuth sign-in: the provider's profile
};

struct session_params {
  json session;       // {user:{name,email,image}, expires}
  const json& token;  // the JWT's claims; an empty object with database sessions
  jwt_trigger trigger;
  const json* new_session;                      // the client's data on update
  const adapters::user_record* user = nullptr;  // database sessions: the session's user
};

// callbacks customise the flows; an empty function means Auth.js's default.
struct callbacks {
  std::function<sign_in_decision(const sign_in_params&)> sign_in;
  // redirect resolves a callback URL against `base_url` (the origin). Returning nullopt refuses
  // it, which is a Configuration error. The default keeps same-origin URLs only (see
  // docs/security.md for what it refuses beyond Auth.js).
  std::function<std::optional<std::string>(std::string_view url, std::string_view base_url)>
      redirect;
  // jwt returns the token to store, or nullopt to end the session.
  std::function<std::optional<json>(const jwt_params&)> jwt;
  // session returns the JSON sent to the client by /session.
  std::function<json(const session_params&)> session;
};

struct sign_in_event {
  const authpp::user& user;
  const authpp::account& account;
  const json* profile = nullptr;  // OAuth sign-ins
};
struct sign_out_event {
  const json& token;                                  // JWT sessions; empty with database ones
  const adapters::session_record* session = nullptr;  // database sessions: the deleted row
};
struct session_event {
  const json& session;
  const json& token;
};
// create_user_event: a provider's sign-in made a new stored user (Auth.js's createUser).
struct create_user_event {
  const authpp::user& user;
};
// link_account_event: an account was linked to a stored user: a new user's first, a signed-in
// user's next, or an existing user's by a trusted e-mail (Auth.js's linkAccount).
struct link_account_event {
  const authpp::user& user;
  const authpp::account& account;
  const json* profile = nullptr;
};

// events observe the flows; exceptions they throw are logged and swallowed.
// rate_limited_event tells which limit refused a request: "posts" (per address) or "sign_in"
// (an account locked for an address after failed sign-ins).
struct rate_limited_event {
  std::string_view limit;
  std::string_view client_address;
};

struct events {
  std::function<void(const rate_limited_event&)> rate_limited;
  std::function<void(const sign_in_event&)> sign_in;
  std::function<void(const sign_out_event&)> sign_out;
  std::function<void(const session_event&)> session;
  // With an adapter: fired in this order, before sign_in, once the rows are stored.
  std::function<void(const create_user_event&)> create_user;
  std::function<void(const link_account_event&)> link_account;
};

// sign_in_attempt is a finished request to a callback route that either signed a user in or was
// refused (a wrong password, a provider's error, a rate limit, a store that cannot answer).
// Requests refused before routing (a malformed request, an oversized body) are not attempts.
struct sign_in_attempt {
  std::string_view provider;  // the route's provider id
  bool succeeded = false;
};

// observer watches what the engine does, for an operator's metrics or audit trail, beside the
// application's `events` and without taking their place (authpp serve's /metrics counts through
// one). Its functions run on the thread that answers the request, once the answer is decided;
// they must be safe to call from many threads at once. An exception they throw is logged and
// swallowed.
class observer {
 public:
  virtual ~observer() = default;
  virtual void sign_in_attempted(const sign_in_attempt&) {}
  virtual void rate_limited(const rate_limited_event&) {}
};

// page_urls replace the built-in pages with the application's own (paths like "/login").
struct page_urls {
  std::optional<std::string> sign_in;
  std::optional<std::string> sign_out;
  std::optional<std::string> error;
  std::optional<std::string> verify_request;
};

// session_strategy is where a session lives: in the cookie (an encrypted JWT, Auth.js's
// default), or in a session store with only its token in the cookie (Auth.js's "database").
enum class session_strategy { jwt, database };

struct session_options {
  session_strategy strategy = session_strategy::jwt;
  std::chrono::seconds max_age{2592000};   // 30 days
  std::chrono::seconds update_age{86400};  // 1 day (database sessions only)
  // jwt_revocation_bound makes JWT sessions revocable, beyond Auth.js. With an adapter, a read
  // of a JWT session whose user is disabled, deleted, or had their sessions ended
  // (adapters::user_store::bump_session_version) is refused, at the latest this long after the
  // change: what the store says about a user is remembered that long. 0 asks the store at every
  // read; nullopt never asks (Auth.js's behaviour). While the store cannot answer, sessions are
  // let through (it is retried every 5 s), so that JWT sessions outlive a database outage.
  std::optional<std::chrono::seconds> jwt_revocation_bound;
};

// totp_options turn on TOTP as a second factor for credentials sign-ins, beyond Auth.js. A user
// whose enrolment is confirmed (adapters::second_factor_store) is signed in only when the same
// form post carries a valid code in the field `totp` (or an unused recovery code); until then the
// sign-in fails with CredentialsSignin and code "totp_required", which the client's
// SignInResponse.code carries. A wrong code counts as a failed sign-in for the rate limits. Needs
// an adapter.
struct totp_options {
  bool enabled = false;
  std::string issuer = "authpp";  // what authenticator apps show next to the account
  mfa::totp_params params{};
};

// account_options turn on the account page, beyond Auth.js: GET {basePath}/account shows the
// signed-in user's passkeys and TOTP second factor, with actions to add and remove them (POSTs to
// the same URL, CSRF-checked). The actions, and adding a passkey while signed in, need a sign-in
// less than `recent_sign_in` old: a stolen session cookie cannot plant a factor that outlives it.
// A sign-in proves itself with a sealed cookie of that lifetime (authpp.recent-sign-in), set
// only when this is on. Needs an adapter.
struct account_options {
  bool enabled = false;
  std::chrono::seconds recent_sign_in{600};
};

// cookie_name_overrides renames the engine's cookies; attributes follow the secure-cookie policy.
struct cookie_name_overrides {
  std::optional<std::string> session_token;
  std::optional<std::string> callback_url;
  std::optional<std::string> csrf_token;
};

// request_limits bound what the engine parses. A body above the limit answers 413, headers above
// theirs 431: before any parsing.
struct request_limits {
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 32 * 1024;
};

// log_sink receives the engine's log lines. `code` is an Auth.js error type or warning code;
// messages never contain secrets, tokens, passwords or cookie values.
using log_sink =
    std::function<void(log_level level, std::string_view code, std::string_view message)>;

// base_path_problem says why `path` cannot be a base path, or nullopt when it can: "/seg/seg" of
// unreserved characters (RFC 3986 §2.3), no empty segment, no trailing slash. Request paths are
// matched against it byte for byte, so anything else would never match. auth::create and the
// configuration loader apply this one rule.
std::optional<std::string> base_path_problem(std::string_view path);

struct auth_config {
  std::vector<provider> providers;
  // secrets: the first encrypts; all may decrypt (rotation). Required.
  std::vector<std::string> secrets;
  std::string base_path = "/api/auth";
  // url is the public URL (AUTH_URL). When set, its origin is the origin of every absolute URL
  // the engine builds and Host / X-Forwarded-* headers are ignored.
  std::optional<std::string> url;
  // redirect_hosts are the hosts besides the origin's that callback URLs may lead to, on the
  // origin's scheme, for apps on sibling hosts that send their users here to sign in
  // (forward-auth): "app.example.com", or "*.example.com" for its subdomains
  // (http::host_pattern_problem). Empty: the origin only. Used by the default redirect callback.
  std::vector<std::string> redirect_hosts{};
  // trust_host lets the engine build its origin from Host and X-Forwarded-Host/-Proto when no
  // `url` is set. Without either, every request fails with UntrustedHost, as in Auth.js.
  bool trust_host = false;
  // use_secure_cookies defaults to "the origin is https".
  std::optional<bool> use_secure_cookies;
  cookie_name_overrides cookies;
  // session_cookie_domain gives the session cookie a Domain, so that one sign-in holds on every
  // subdomain: with "example.com", on app.example.com and admin.example.com alike (apps behind
  // forward-auth, or sharing the session). Only the session cookie: the CSRF, callback-URL and
  // OAuth check cookies stay on the host that set them. A DNS name, no port or leading dot
  // (http::cookie_domain_problem); `url`'s host must be it or under it. With trust_host, a
  // request whose host is not under it gets a host-only cookie.
  std::optional<std::string> session_cookie_domain;
  session_options session;
  // adapter stores users, linked accounts and database sessions (Auth.js's adapter). With it,
  // an OAuth sign-in finds or creates its user and links the provider account by Auth.js's rules
  // (OAuthAccountNotLinked, allow_dangerous_email_account_linking), and session.strategy =
  // database keeps sessions in it. Credentials users must be in it for database sessions.
  std::shared_ptr<adapters::adapter> adapter;
  // run_blocking runs a blocking store call (and the step of the request around it) off the
  // awaiting thread in handle_async, e.g. on a worker pool; it fails when it cannot (a full
  // queue: the request then gets 503 with Retry-After). Unset, such calls run on the calling
  // thread. handle always runs them on the calling thread.
  blocking_runner run_blocking;
  authpp::callbacks callbacks;
  authpp::events events;
  std::shared_ptr<authpp::observer> observer;  // none by default
  page_urls pages;
  pages::theme theme;
  request_limits limits;
  rate_limit_options rate_limits;  // off unless a store is set
  totp_options totp;               // off by default
  account_options account;         // off by default
  // outbound bounds the calls to OAuth providers (discovery, JWKS, token, userinfo): timeouts,
  // response size, an extra CA file for a private identity provider.
  net::client_options outbound;
  log_sink logger;  // default: lines on stderr
  authpp::log_level log_level = authpp::log_level::warn;
  const authpp::clock* clock = nullptr;   // default: the system clock
  const random_source* random = nullptr;  // default: the system CSPRNG
};

}  // namespace authpp
