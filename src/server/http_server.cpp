#include <authpp/server/http_server.hpp>
#include <authpp/server/trusted_proxies.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <sys/resource.h>
#include <sys/socket.h>

#include "request_framing.hpp"

namespace authpp::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

class session_registry;

// connection_base is what the server needs to know of a connection to shut it down, and what a
// responder delivers to.
class connection_base : public responder::target {
 public:
  // drain closes the connection if it is idle; a busy one closes after its current response.
  virtual void drain() = 0;
};

}  // namespace

namespace {

using context_list = std::vector<std::unique_ptr<asio::io_context>>;

context_list make_contexts(unsigned threads) {
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  context_list out;
  // Each context is run by one thread only: the hint lets Asio skip waking other threads.
  for (unsigned i = 0; i < threads; ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

}  // namespace

// throttle lets one line of a kind through per second and counts the rest, so a flood of
// refused connections or failed accepts cannot flood the log.
class throttle {
 public:
  // admit returns the number of lines held back since the last one let through, or nullopt when
  // this line is to be held back too.
  std::optional<std::size_t> admit() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(1)) {
      ++held_;
      return std::nullopt;
    }
    last_ = now;
    return std::exchange(held_, 0);
  }

 private:
  std::chrono::steady_clock::time_point last_{};
  std::size_t held_ = 0;
};

struct http_server::impl {
  // What a connection touches when it ends comes first, so that it is destroyed last: the
  // io_contexts below destroy the handlers still queued on them, and with those the connections.
  server_options options;
  async_request_handler handle;
  server_hooks hooks;
  std::atomic<long long> open{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> finished{false};  // the threads are joined: nothing may be posted any more
  std::mutex mutex;                   // guards connections and per_client
  std::set<std::weak_ptr<connection_base>, std::owner_less<>> connections;
  std::unordered_map<std::string, std::size_t> per_client;  // open connections by peer address
  std::once_flag joined;
  std::uint16_t port = 0;
  std::optional<asio::ssl::context> tls;  // TLS streams hold its SSL_CTX
  trusted_proxies proxies;

  // One io_context per thread, and a connection stays on the one it was accepted onto: a request
  // then never hands work to another thread, which with a shared io_context costs a wake-up (a
  // futex and a context switch) per completion, more than the engine's work on a request.
  context_list contexts{make_contexts(options.threads)};
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  // The acceptor, the timers and what they use live on one strand, so stop() from any
  // thread never races an accept completion.
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(*contexts.front())};
  std::size_t next_context = 0;  // round robin
  tcp::acceptor acceptor{control};
  std::optional<asio::steady_timer> deadline;
  asio::steady_timer accept_pause{control};
  std::chrono::milliseconds accept_backoff{0};
  throttle refused_log, accept_log;
  std::vector<std::thread> threads;

  explicit impl(server_options o, async_request_handler h, server_hooks k)
      : options(std::move(o)), handle(std::move(h)), hooks(std::move(k)) {}

  void error(std::string_view message) const {
    if (hooks.on_error) hooks.on_error(message);
  }
  void warn(std::string_view message) const {
    if (hooks.on_warning) hooks.on_warning(message);
  }
  void report(throttle& t, const std::string& message) {
    if (auto held = t.admit()) {
      error(*held == 0 ? message
                       : message + " (" + std::to_string(*held) + " more like it held back)");
    }
  }

  // admit counts a new connection from `peer`, or refuses it when the server or that peer is at
  // its cap. Only the control strand calls it.
  bool admit(const std::string& peer) {
    if (static_cast<std::size_t>(open.load()) >= options.max_connections) {
      report(refused_log, "connection refused: max_connections reached");
      return false;
    }
    // A trusted proxy speaks for many clients: its connections are not capped per address.
    if (!proxies.contains(peer)) {
      std::lock_guard lock(mutex);
      std::size_t& n = per_client[peer];
      if (options.max_connections_per_client != 0 && n >= options.max_connections_per_client) {
        if (n == 0) per_client.erase(peer);
        report(refused_log, "connection refused: max_connections_per_client reached for " + peer);
        return false;
      }
      ++n;
    }
    const long long n = ++open;
    if (hooks.on_connections) hooks.on_connections(n);
    return true;
  }
  void closed(const std::string& peer) {
    {
      std::lock_guard lock(mutex);
      if (auto it = per_client.find(peer); it != per_client.end() && --it->second == 0) {
        per_client.erase(it);
      }
    }
    const long long n = --open;
    if (hooks.on_connections) hooks.on_connections(n);
    // The last connection gone during a shutdown: no need to wait for the deadline.
    if (n == 0 && stopping && !finished) {
      asio::post(control, [this] {
        if (deadline) deadline->cancel();
      });
    }
  }

  void add(const std::shared_ptr<connection_base>& c) {
    std::lock_guard lock(mutex);
    connections.insert(c);
  }
  void remove(const connection_base* c) {
    std::lock_guard lock(mutex);
    std::erase_if(connections, [c](const std::weak_ptr<connection_base>& w) {
      auto p = w.lock();
      return !p || p.get() == c;
    });
  }

  void accept();
  void accept_failed(error_code ec);
  void begin_stop();
};

namespace {

bool bodiless(int status) { return status < 200 || status == 204 || status == 304; }

bool header_text_ok(std::string_view s) {
  // One pass (find_first_of would search the three characters once per byte of a long cookie).
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// wire_response renders `res` as the bytes of an HTTP/1.x response in one buffer: one write,
// without building a second message object field by field. The server owns the framing: the
// handler's Content-Length, Transfer-Encoding and Connection fields are replaced by its own. A
// CR, LF or NUL in a field would split the response, so such a response becomes a 500. The answer
// to a HEAD has the headers of the GET, body length included, and never a body: bytes after it
// would be read as the next response on the connection.
std::string wire_response(const http::response& res, unsigned version, bool keep_alive, bool head) {
  const bool headers_ok = std::all_of(res.headers.begin(), res.headers.end(), [](const auto& h) {
    return header_text_ok(h.name) && header_text_ok(h.value);
  });
  if (!headers_ok || res.status < 100 || res.status > 999) {
    return wire_response(
        http::response{500, {{"Content-Type", "application/json"}}, "\"Internal error.\""}, version,
        keep_alive, head);
  }
  std::string out;
  out.reserve(256 + res.body.size());
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(res.status)).append(" ");
  out.append(bhttp::obsolete_reason(static_cast<bhttp::status>(res.status))).append("\r\n");
  for (const auto& h : res.headers) {
    if (beast::iequals(h.name, "Content-Length") || beast::iequals(h.name, "Connection") ||
        beast::iequals(h.name, "Transfer-Encoding")) {
      continue;
    }
    append_header(out, h.name, h.value);
  }
  const bool body = !bodiless(res.status);
  if (body) append_header(out, "Content-Length", std::to_string(res.body.size()));
  // HTTP/1.1 connections persist unless closed; HTTP/1.0 ones close unless kept (RFC 9112 §9.3).
  if (version == 10 && keep_alive) append_header(out, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) append_header(out, "Connection", "close");
  out.append("\r\n");
  if (body && !head) out.append(res.body);
  return out;
}

// connection serves one client: wait (idle timeout) → read one request (read timeout, limits)
// → handle → write → repeat while keep-alive. `Derived` provides stream() and tls-specific steps
// (CRTP, as Beast's flex server), so plain and TLS share every line of HTTP logic.
template <class Derived>
class connection : public connection_base {
 public:
  connection(http_server::impl& server, std::string peer)
      : server_(server), buffer_(detail::buffer_limit(server.options)) {
    exchange_.peer = std::move(peer);
  }

  ~connection() override { server_.closed(exchange_.peer); }

  void drain() override {
    asio::post(derived().stream().get_executor(), [self = derived().shared_from_this()] {
      self->draining_ = true;
      if (self->idle_) self->close();
    });
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  // wait_for_request waits for the next request's first bytes for up to idle_timeout. Only then
  // does the (shorter) read timeout start, so a slow sender gets read_timeout for the whole
  // request while a quiet keep-alive connection may idle longer. Reading (rather than polling
  // the socket) also sees bytes TLS read ahead during the handshake.
  void wait_for_request() {
    if (draining_) return close();
    idle_ = true;
    if (buffer_.size() > 0) return read_request();
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.idle_timeout);
    derived().stream().async_read_some(
        buffer_.prepare(4096), [self = derived().shared_from_this()](error_code ec, std::size_t n) {
          self->buffer_.commit(n);
          if (ec) return self->close();
          self->read_request();
        });
  }

  void read_request() {
    idle_ = false;
    detail::start_parser(parser_, server_.options);
    started_ = std::chrono::steady_clock::now();
    // A request usually arrives whole in one read: parse what is buffered in place, and start an
    // asynchronous read (a timer and a round through the scheduler) only for the rest.
    if (const error_code ec = detail::parse_buffered(*parser_, buffer_)) return on_read(ec);
    if (parser_->is_done()) return on_read({});
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.read_timeout);
    bhttp::async_read(
        derived().stream(), buffer_, *parser_,
        [self = derived().shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) {
      const auto refused = detail::refusal_for(ec);
      return refused ? reply_error(*refused) : close();
    }
    auto req = parser_->release();
    if (const auto refused = detail::framing_refusal(req)) return reply_error(*refused);
    version_ = req.version();
    keep_alive_ = req.keep_alive() && !draining_;
    head_ = req.method() == bhttp::verb::head;
    exchange_.method = std::string(req.method_string());
    const std::string_view request_target = req.target();
    exchange_.path = std::string(request_target.substr(0, request_target.find('?')));

    // The handler answers through `respond`, now or later; the connection reads nothing more
    // until then. Nothing may follow the call: a handler answering at once has already written.
    const responder respond(derived().shared_from_this());
    answered_ = false;
    try {
      http::request request =
          detail::to_request(std::move(req), Derived::tls, server_.proxies, exchange_.peer);
      exchange_.remote = request.client_address;
      server_.handle(std::move(request), respond);
    } catch (const std::exception& e) {
      // One request's failure answers 500 and is logged; the server stays up. (A responder
      // already used ignores this.)
      server_.error(std::string("handler failed: ") + e.what());
      respond(http::response{500, {{"Content-Type", "application/json"}}, "\"Internal error.\""});
    }
    if (!answered_) watch_peer();
  }

  void deliver(http::response res) override {
    answered_ = true;
    watch_.emit(asio::cancellation_type::terminal);  // stop watching the peer, if we were
    write(res.status, res.body.size(), wire_response(res, version_, keep_alive_, head_),
          keep_alive_);
  }

  boost::asio::any_io_executor executor() override { return derived().stream().get_executor(); }

  asio::cancellation_slot cancellation_slot() override { return request_gone_.slot(); }

  // watch_peer waits, while a handler works on the request, for the client to go away: the
  // socket turns readable and a peek finds the end of the stream (or an error). The work is then
  // cancelled through the responder's slot. Bytes instead (a pipelined request) end the watch:
  // they are read as usual after the response. The wait reads nothing and has a slot of its own,
  // so it neither consumes bytes nor disturbs the stream's other operations.
  void watch_peer() {
    auto& socket = beast::get_lowest_layer(derived().stream()).socket();
    socket.async_wait(tcp::socket::wait_read,
                      asio::bind_cancellation_slot(
                          watch_.slot(), [self = derived().shared_from_this()](error_code ec) {
                            if (ec || self->answered_) return;
                            auto& s = beast::get_lowest_layer(self->stream()).socket();
                            char byte = 0;
                            const ssize_t n =
                                ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
                            if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
                              return;
                            }
                            self->request_gone_.emit(asio::cancellation_type::terminal);
                          }));
  }

  void reply_error(const detail::refusal& refused) {
    exchange_.method = "-";
    exchange_.path = "-";
    exchange_.remote = exchange_.peer;
    http::response res{
        refused.status, {{"Content-Type", "application/json"}}, std::string(refused.body)};
    write(res.status, res.body.size(), wire_response(res, 11, false, false), false);
  }

  void write(int status, std::size_t body_bytes, std::string wire, bool keep_alive) {
    wire_ = std::move(wire);
    keep_alive_ = keep_alive;
    exchange_.status = status;
    exchange_.response_bytes = body_bytes;
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.read_timeout);
    asio::async_write(
        derived().stream(), asio::buffer(wire_),
        [self = derived().shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    exchange_.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    if (server_.hooks.on_exchange) server_.hooks.on_exchange(exchange_);
    wire_.clear();
    if (ec || !keep_alive_) return close();
    wait_for_request();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    server_.remove(this);
    derived().shutdown();
  }

  http_server::impl& server_;
  beast::flat_buffer buffer_;
  std::optional<detail::request_parser> parser_;
  std::string wire_;       // the response being written
  unsigned version_ = 11;  // of the request being answered
  bool keep_alive_ = false;
  bool head_ = false;
  bool answered_ = true;                    // the current request has its response
  asio::cancellation_signal watch_;         // stops watch_peer's wait
  asio::cancellation_signal request_gone_;  // the client left before its response
  exchange exchange_;
  std::chrono::steady_clock::time_point started_;
  bool idle_ = false;
  bool draining_ = false;
  bool closed_ = false;
};

class plain_connection : public connection<plain_connection>,
                         public std::enable_shared_from_this<plain_connection> {
 public:
  static constexpr bool tls = false;
  plain_connection(http_server::impl& server, std::string peer, tcp::socket&& socket)
      : connection(server, std::move(peer)), stream_(std::move(socket)) {}
  beast::tcp_stream& stream() { return stream_; }
  void start() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->wait_for_request(); });
  }
  void shutdown() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }
  using std::enable_shared_from_this<plain_connection>::shared_from_this;

 private:
  beast::tcp_stream stream_;
};

class tls_connection : public connection<tls_connection>,
                       public std::enable_shared_from_this<tls_connection> {
 public:
  static constexpr bool tls = true;
  tls_connection(http_server::impl& server, std::string peer, tcp::socket&& socket,
                 asio::ssl::context& ctx)
      : connection(server, std::move(peer)), stream_(std::move(socket), ctx) {}
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(self->server_.options.read_timeout);
      self->stream_.async_handshake(asio::ssl::stream_base::server, [self](error_code ec) {
        if (ec) return self->close();
        self->wait_for_request();
      });
    });
  }
  // shutdown closes the TCP connection without a TLS close_notify: a read may be pending on the
  // stream, and every response carries its length, so nothing can be truncated unnoticed.
  void shutdown() {
    error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).socket().close(ec);
  }
  using std::enable_shared_from_this<tls_connection>::shared_from_this;

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

}  // namespace

void http_server::impl::accept() {
  asio::io_context& target = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(target.get_executor(), [this](error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (ec) return accept_failed(ec);
    accept_backoff = std::chrono::milliseconds(0);
    error_code peer_error;
    const auto endpoint = socket.remote_endpoint(peer_error);
    std::string peer = peer_error ? std::string() : endpoint.address().to_string();
    if (peer_error || !admit(peer)) {
      // Gone already, or over a cap: drop this one connection, keep serving the others.
      socket.close(peer_error);
      return accept();
    }
    if (tls) {
      auto t = std::make_shared<tls_connection>(*this, std::move(peer), std::move(socket), *tls);
      add(t);
      t->start();
    } else {
      auto p = std::make_shared<plain_connection>(*this, std::move(peer), std::move(socket));
      add(p);
      p->start();
    }
    accept();
  });
}

// accept_failed: when the process is out of descriptors or memory, accepting again at once fails
// again at once, a core spins and the log floods. The server pauses instead, from 10 ms doubling
// to a second, and meanwhile closing connections give their descriptors back.
void http_server::impl::accept_failed(error_code ec) {
  namespace sys = boost::system;
  const bool exhausted = ec == sys::errc::too_many_files_open ||
                         ec == sys::errc::too_many_files_open_in_system ||
                         ec == sys::errc::not_enough_memory || ec == sys::errc::no_buffer_space;
  if (!exhausted) {
    report(accept_log, "accept failed: " + ec.message());
    return accept();
  }
  accept_backoff = std::clamp(accept_backoff * 2, std::chrono::milliseconds(10),
                              std::chrono::milliseconds(1000));
  report(accept_log, "accept failed: " + ec.message() + "; pausing accepts for " +
                         std::to_string(accept_backoff.count()) + " ms");
  if (hooks.on_accept_paused) hooks.on_accept_paused(accept_backoff);
  accept_pause.expires_after(accept_backoff);
  accept_pause.async_wait([this](error_code e) {
    if (!e && !stopping) accept();
  });
}

void http_server::impl::begin_stop() {
  if (stopping.exchange(true)) return;
  error_code ec;
  acceptor.close(ec);
  accept_pause.cancel();
  std::vector<std::shared_ptr<connection_base>> live;
  {
    std::lock_guard lock(mutex);
    for (const auto& w : connections) {
      if (auto c = w.lock()) live.push_back(std::move(c));
    }
  }
  for (const auto& c : live) c->drain();
  // Each thread now ends once its connections have closed.
  keep_running.clear();
  if (open == 0) return;
  // Requests still running after the grace period are cut off.
  deadline.emplace(control, options.shutdown_timeout);
  deadline->async_wait([this](error_code e) {
    if (e) return;
    for (auto& c : contexts) c->stop();
  });
}

namespace {

// fit_descriptor_limit makes room for max_connections descriptors: it raises the soft
// RLIMIT_NOFILE (often 1024) as far as the hard limit allows, and lowers max_connections, with a
// warning, when even that is too few. Past the limit every accept would fail.
void fit_descriptor_limit(http_server::impl& server) {
  // Descriptors that are not connections: the listener, each thread's epoll and eventfd, timers,
  // the database and its journal, log files, outbound calls.
  constexpr rlim_t reserve = 128;
  std::size_t& cap = server.options.max_connections;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(cap) + reserve;
  if (limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur >= wanted) return;
  const std::size_t fits =
      limit.rlim_cur > 2 * reserve ? limit.rlim_cur - reserve : limit.rlim_cur / 2;
  server.warn("max_connections lowered from " + std::to_string(cap) + " to " +
              std::to_string(fits) + ": the open-file limit (RLIMIT_NOFILE) is " +
              std::to_string(limit.rlim_cur) +
              "; raise it (ulimit -n, LimitNOFILE=) to serve more");
  cap = fits;
}

}  // namespace

struct responder::state {
  std::shared_ptr<target> to;
  std::atomic<bool> used{false};
};

responder::responder(std::shared_ptr<target> to) : state_(std::make_shared<state>()) {
  state_->to = std::move(to);
}

void responder::operator()(http::response response) const {
  if (state_->used.exchange(true)) return;
  // Run at once when already on the connection's thread (a handler answering synchronously),
  // else queued there.
  asio::dispatch(state_->to->executor(), [to = state_->to, r = std::move(response)]() mutable {
    to->deliver(std::move(r));
  });
}

asio::any_io_executor responder::executor() const { return state_->to->executor(); }

asio::cancellation_slot responder::cancellation_slot() const {
  return state_->to->cancellation_slot();
}

result<std::unique_ptr<http_server>> http_server::start(const server_options& options,
                                                        request_handler handler,
                                                        server_hooks hooks) {
  return start(
      options,
      [h = std::move(handler)](http::request request, responder respond) { respond(h(request)); },
      std::move(hooks));
}

result<std::unique_ptr<http_server>> http_server::start(const server_options& options,
                                                        async_request_handler handler,
                                                        server_hooks hooks) {
  auto state = std::make_unique<impl>(options, std::move(handler), std::move(hooks));
  auto proxies = trusted_proxies::parse(options.trusted_proxies);
  if (!proxies)
    return auth_error{errc::invalid_config, "trusted_proxies: " + proxies.error().detail};
  state->proxies = std::move(*proxies);
  fit_descriptor_limit(*state);
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (options.tls) {
    state->tls.emplace(asio::ssl::context::tls_server);
    state->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
    error_code ec;
    state->tls->use_certificate_chain_file(options.tls->certificate_file, ec);
    if (ec) {
      return auth_error{
          errc::invalid_config,
          "server.tls.certificate: " + options.tls->certificate_file + ": " + ec.message()};
    }
    state->tls->use_private_key_file(options.tls->private_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return auth_error{
          errc::invalid_config,
          "server.tls.private_key: " + options.tls->private_key_file + ": " + ec.message()};
    }
  }
  error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) return auth_error{errc::invalid_config, where + ": invalid address"};
  const tcp::endpoint endpoint{address, options.port};
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return auth_error{errc::invalid_config, where + ": " + ec.message()};
  state->port = state->acceptor.local_endpoint().port();

  // Asio creates a loop's epoll instance with its first socket: left for the first connection, it
  // would be created (and throw) just when descriptors have run out.
  for (auto& context : state->contexts) tcp::socket{*context};
  state->accept();
  for (auto& context : state->contexts) {
    state->keep_running.push_back(asio::make_work_guard(*context));
    state->threads.emplace_back([c = context.get()] { c->run(); });
  }
  return std::unique_ptr<http_server>(new http_server(std::move(state)));
}

http_server::http_server(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

http_server::~http_server() {
  stop();
  wait();
}

std::uint16_t http_server::port() const { return impl_->port; }

void http_server::stop() {
  asio::post(impl_->control, [s = impl_.get()] { s->begin_stop(); });
}

void http_server::wait() {
  std::call_once(impl_->joined, [this] {
    for (auto& t : impl_->threads) t.join();
    impl_->finished = true;
  });
}

}  // namespace authpp::server
