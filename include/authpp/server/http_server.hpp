#pragma once

#include <authpp/core/result.hpp>
#include <authpp/http/message.hpp>
#include <authpp/server/config.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>

// http_server is the only socket code in authpp: an asynchronous HTTP/1.1 server on Boost.Beast
// that turns bytes into `http::request` values, calls a handler, and writes its `http::response`.
namespace authpp::server {

// exchange describes one finished request for logs and metrics. It holds no header, cookie,
// query or body: nothing secret can leak through it.
struct exchange {
  std::string method;
  std::string path;  // the target without its query string
  int status = 0;
  std::size_t response_bytes = 0;
  std::chrono::microseconds duration{0};
  std::string remote;  // the client's address (behind trusted proxies, the forwarded one)
  std::string peer;    // the address the connection came from
};

// server_hooks observe the server. Each is optional and must be thread-safe: I/O threads call
// them concurrently.
struct server_hooks {
  std::function<void(const exchange&)> on_exchange;
  std::function<void(long long open)> on_connections;        // after every open/close
  std::function<void(std::string_view message)> on_error;    // one line, no secrets
  std::function<void(std::string_view message)> on_warning;  // likewise: a setting was adjusted
  // Out of descriptors or memory, the server stops accepting for `pause` (logged as an error).
  std::function<void(std::chrono::milliseconds pause)> on_accept_paused;
};

// responder delivers a handler's response to the connection that asked. Call it once, from any
// thread: the response is written on the connection's own thread, and later calls are ignored.
class responder {
 public:
  // target is what a responder delivers to: a connection, or a test's stand-in.
  class target {
   public:
    virtual ~target() = default;
    virtual void deliver(http::response response) = 0;  // called on executor() only
    virtual boost::asio::any_io_executor executor() = 0;
    virtual boost::asio::cancellation_slot cancellation_slot() = 0;
  };

  explicit responder(std::shared_ptr<target> to);

  void operator()(http::response response) const;

  // executor is the connection's: work resumed there for this request (a coroutine awaiting a
  // worker pool or an outbound call) needs no other thread's wake-up.
  boost::asio::any_io_executor executor() const;

  // cancellation_slot is signalled (terminal cancellation, on executor()) when the client goes
  // away before the response: bind it to the work done for the request (co_spawn with
  // bind_cancellation_slot) and queued or outbound work is dropped. Use it on executor() only.
  boost::asio::cancellation_slot cancellation_slot() const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

// A handler answers now (request_handler) or later, through its responder
// (async_request_handler), which lets it wait for slow work without holding the I/O thread.
using request_handler = std::function<http::response(const http::request&)>;
using async_request_handler = std::function<void(http::request request, responder respond)>;

class http_server {
 public:
  // start binds `options.host:options.port` (port 0 picks a free one) and starts the I/O threads.
  // It fails with errc::invalid_config when the address cannot be bound ("127.0.0.1:3000: address
  // already in use") or the TLS files cannot be loaded.
  static result<std::unique_ptr<http_server>> start(const server_options& options,
                                                    async_request_handler handler,
                                                    server_hooks hooks = {});
  static result<std::unique_ptr<http_server>> start(const server_options& options,
                                                    request_handler handler,
                                                    server_hooks hooks = {});
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // port is the bound port (useful with port 0).
  std::uint16_t port() const;

  // stop shuts down gracefully: stop accepting, close idle connections, let requests in flight
  // finish (at most `shutdown_timeout`), then stop the threads. Safe to call from any thread and
  // from a signal watcher; idempotent.
  void stop();

  // wait blocks until the server has stopped.
  void wait();

  struct impl;

 private:
  explicit http_server(std::unique_ptr<impl> impl);
  std::unique_ptr<impl> impl_;
};

}  // namespace authpp::server
