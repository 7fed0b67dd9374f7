#pragma once

#include <authpp/auth/config.hpp>
#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>

#include <memory>

#include <boost/asio/awaitable.hpp>

namespace authpp {

namespace detail {
struct engine_state;
}

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

  const auth_config& config() const;

 private:
  explicit auth(std::shared_ptr<const detail::engine_state> state) : state_(std::move(state)) {}
  std::shared_ptr<const detail::engine_state> state_;
};

}  // namespace authpp
