#pragma once

#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

// The outbound HTTP(S) client: OAuth discovery, JWKS, token exchange and userinfo calls made from
// the server's event loop without blocking it. HTTP/1.1 over TCP or TLS, one request at a time
// per connection, with a bounded pool of keep-alive connections per origin.
namespace authpp::net {

// outbound_request is one request to send. `url` is an absolute http or https URL; its fragment
// and userinfo are dropped. The client sets Host, Content-Length (for a body, and for POST, PUT
// and PATCH) and `User-Agent: authpp` (unless `headers` has one); `headers` must not name Host,
// Content-Length, Transfer-Encoding or Connection.
struct outbound_request {
  std::string method = "GET";
  std::string url{};
  http::headers headers{};
  std::string body{};
};

// outbound_response is the final response: status, fields in the order received, whole body.
struct outbound_response {
  int status = 0;
  http::headers headers{};
  std::string body{};
};

// client_options bounds every fetch. The defaults suit calls to an identity provider. Every
// member has an initialiser, so designated initialisers may name any subset.
struct client_options {
  // connect_timeout bounds DNS resolution, the TCP connect and the TLS handshake together.
  std::chrono::milliseconds connect_timeout{5000};
  // total_timeout bounds the whole fetch, connecting included.
  std::chrono::milliseconds total_timeout{10000};
  // max_response_bytes bounds a response's header fields plus its (decoded) body; it is enforced
  // while reading, so no more than this is ever buffered.
  std::size_t max_response_bytes = 1 << 20;
  // max_idle_per_host bounds the idle keep-alive connections kept per (scheme, host, port); 0
  // closes every connection after its response.
  std::size_t max_idle_per_host = 4;
  // idle_timeout: an idle pooled connection is closed after this long unused.
  std::chrono::milliseconds idle_timeout{30000};
  // ca_file names a PEM file of extra trusted CAs (a private identity provider), trusted besides
  // the system's default store.
  std::optional<std::string> ca_file{};
};

// http_client fetches URLs with C++20 coroutines on one executor. The server has one io_context
// per thread, and one http_client per io_context: it is not thread-safe, and must be used only
// from its executor. It must be destroyed before its execution context; a fetch in flight keeps
// the client's internals alive, so the http_client object itself may go first.
class http_client {
 public:
  explicit http_client(boost::asio::any_io_executor executor, client_options options = {});
  ~http_client();
  http_client(http_client&&) noexcept;
  http_client& operator=(http_client&&) noexcept;
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // fetch sends `request` and reads the whole response. Redirects are not followed (a 3xx is
  // returned as it came); any status is a value, not an error. A keep-alive connection is reused
  // when one is idle for the same origin; if a reused connection turns out closed before any
  // response byte, a GET or HEAD is sent again once on a new connection. Cancelling the awaiting
  // operation (a cancellation slot bound to co_spawn, or awaitable_operators `||`) stops it
  // promptly and closes its connection. The detail of an error names the host and port and the
  // reason, never a header value or a body. It fails with
  //   errc::invalid_url         unless `request.url` is an absolute http(s) URL (url.hpp),
  //   errc::malformed_input     if the method is not a token, a field name is not a token, a
  //                             field value has CR, LF or NUL, or a field is one the client sets,
  //   errc::dns_failure         if the host does not resolve,
  //   errc::connect_failure     if no address accepts a TCP connection,
  //   errc::tls_failure         if the certificate is not trusted or not for the host, or the
  //                             handshake fails otherwise (also when `ca_file` cannot be loaded),
  //   errc::timed_out           if connect_timeout or total_timeout elapses first,
  //   errc::connection_closed   if the server closes or resets the connection before responding,
  //   errc::bad_http            if the reply is not HTTP/1.x or ends before its declared length,
  //   errc::response_too_large  if the response exceeds max_response_bytes,
  //   errc::cancelled           if the awaiting operation is cancelled.
  // With GCC 12, pass a named request (`co_await client.fetch(std::move(request))`): GCC 12
  // destroys an aggregate temporary built inside a co_await expression twice
  // (`co_await client.fetch({.url = u})` double-frees; Clang 14 is fine).
  [[nodiscard]] boost::asio::awaitable<result<outbound_response>> fetch(outbound_request request);

  // idle_connections counts the pooled keep-alive connections, over every origin.
  [[nodiscard]] std::size_t idle_connections() const noexcept;

 private:
  class impl;
  std::shared_ptr<impl> impl_;
};

// shared_client returns the http_client that `executor`'s execution context keeps for `options`:
// made on first use, destroyed when the context shuts down, so pooled connections are reused by
// every request served on that context. Like any http_client it must be used from one thread at
// a time: the server runs one io_context per thread. Thread-safe to call.
http_client& shared_client(const boost::asio::any_io_executor& executor,
                           const client_options& options = {});

}  // namespace authpp::net
