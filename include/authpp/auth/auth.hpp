#pragma once

#include <authpp/auth/config.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace authpp {

namespace detail {
struct engine_state;
}

// session_result is who is signed in on a request (auth::session, Auth.js's auth()).
struct session_result {
  // session is what GET {base_path}/session would answer: Auth.js's {user, expires} after the
  // jwt and session callbacks; nullopt when nobody is signed in.
  std::optional<json> session{};
  // headers are the Set-Cookie fields to send with the response to this request: the session
  // cookie with its expiry moved on (every read slides it), or the clearing of a cookie that is
  // invalid, expired or revoked. Often empty; sending them is what keeps an active user signed in.
  http::headers headers{};
};

// auth is the engine: every Auth.js endpoint under the configured base path, as a pure
// request -> response function. It holds no sockets and no global state; one instance is safe to
// call from many threads at once (the configuration is immutable once built). Copies share it.
class auth {
 public:
  // create validates `config` and builds the engine. It fails with errc::invalid_config and a
  // message naming the offending field ("secrets: at least one secret is required").
  static result<auth> create(auth_config config);

  // handle answers one request. It never throws: a failing callback or an internal error becomes
  // Auth.js's `Configuration` error response, and is logged. An OAuth sign-in or callback calls
  // the provider: handle then blocks the calling thread for it (handle_async does not).
  http::response handle(const http::request& request) const;

  // handle_async answers exactly as handle does, but awaits the steps that wait (a provider's
  // authorize_async, an OAuth provider's endpoints) instead of blocking the calling thread. The
  // engine stays alive until the answer is ready, even if this `auth` object does not. Outbound
  // calls use net::shared_client of the awaiting coroutine's execution context, which must be
  // run by one thread at a time (as the server's loops are).
  boost::asio::awaitable<http::response> handle_async(http::request request) const;

  // awaits tells whether handle_async would wait for `request` (a credentials sign-in with
  // authorize_async, an OAuth sign-in or callback); for any other request handle answers at once
  // and costs less.
  bool awaits(const http::request& request) const;

  // handles tells whether `target` (a request-target) lies under the base path, i.e. whether a
  // server should pass the request to this engine (even a bad one: it answers 400 like Auth.js).
  bool handles(std::string_view target) const;

  // session tells who is signed in on `request`, any request of the application (Auth.js's
  // auth()): it reads the request's session cookie exactly as GET {base_path}/session would
  // (callbacks, the session event, revocation checks, database sessions), but sets no CSRF or
  // callback-URL cookie and never updates the session, whatever the request's method. Blocking
  // like handle when the store is read (database sessions, a stale revocation check). Fails with
  //   errc::storage_unavailable  the store cannot answer now: the session may be valid, so
  //                              answer 503 rather than treat the user as signed out,
  //   errc::invalid_config       no `url` is configured and the host is not trusted,
  //   errc::malformed_input      a Host or X-Forwarded-* header that cannot be an origin,
  //   errc::limit_exceeded       header fields beyond limits.max_header_bytes,
  //   errc::engine_failure       anything else (a bug; the detail is logged).
  result<session_result> session(const http::request& request) const;
  // session_async answers as session does, awaiting the store off the calling thread (through
  // config.run_blocking) instead of blocking it.
  boost::asio::awaitable<result<session_result>> session_async(http::request request) const;

  // sign_in_url is where to send a visitor who must sign in first: the sign-in page
  // (pages.sign_in, or {base_path}/signin) with callbackUrl, by default the request's own URL,
  // passed through the redirect callback like every callback URL (a foreign one becomes the
  // origin). It fails as session does for a request without a trusted origin, with
  // errc::malformed_input when the request-target is not a path, and with errc::invalid_url when
  // the redirect callback refuses the URL.
  result<std::string> sign_in_url(const http::request& request,
                                  std::string_view callback_url = {}) const;
  // sign_in_redirect is a 302 to sign_in_url(request), not cached: the answer to a signed-out
  // visitor of a page that needs a session.
  result<http::response> sign_in_redirect(const http::request& request) const;

  const auth_config& config() const;

  // fresh_tokens returns the tokens of the account `user_id` linked at the OAuth provider
  // `provider_id`, with an access token still valid `min_validity` from now: one that expires
  // sooner is first renewed with the provider's refresh_token grant (RFC 6749 §6), and the new
  // tokens are stored (Auth.js leaves this to every app). Callers racing on one account renew
  // it once (account_store::refresh_account; with PostgreSQL, across a fleet): a provider that
  // rotates refresh tokens takes a second use of one as theft and ends the grant. Tokens without
  // an expiry are returned as stored. Blocking: the store, then the provider's token endpoint
  // (bounded by config.outbound). It fails with
  //   errc::invalid_config            without an adapter, or unless `provider_id` is OAuth,
  //   errc::not_found                 if the user has no account at the provider,
  //   errc::reauthentication_required if the token expired and cannot be renewed (no refresh
  //                                   token, or the provider refused it: the user must sign in
  //                                   with the provider again),
  // the store's errors (errc::storage_unavailable, …) or the outbound call's (errc::timed_out,
  // errc::http_status, errc::invalid_signature for a renewed ID token that fails its checks, …).
  result<adapters::account_tokens> fresh_tokens(
      std::string_view user_id, std::string_view provider_id,
      std::chrono::seconds min_validity = std::chrono::seconds{60}) const;
  // fresh_tokens_async is fresh_tokens run through config.run_blocking (off the I/O thread).
  boost::asio::awaitable<result<adapters::account_tokens>> fresh_tokens_async(
      std::string user_id, std::string provider_id,
      std::chrono::seconds min_validity = std::chrono::seconds{60}) const;

  // provider_status is an OAuth provider's health: whether its discovery document and keys
  // could be fetched last time they were needed, and why not.
  struct provider_status {
    std::string id;
    bool available = true;
    std::string problem{};  // the last failure (no secrets), empty while available
  };
  // oauth_status reports every OAuth provider, in configuration order.
  std::vector<provider_status> oauth_status() const;
  // check_providers fetches each OAuth provider's discovery document and keys where they are
  // missing, stale or failed last time: a server calls it at start and then now and again, so
  // that a provider unreachable at start-up is reported, and recovers on its own. Outbound calls
  // use net::shared_client of the awaiting coroutine's execution context.
  boost::asio::awaitable<void> check_providers() const;

 private:
  explicit auth(std::shared_ptr<const detail::engine_state> state) : state_(std::move(state)) {}
  std::shared_ptr<const detail::engine_state> state_;
};

}  // namespace authpp
