#include <authpp/server/http_server.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace authpp::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

class session_registry;

// connection_base is what the server needs to know of a connection to shut it down.
class connection_base {
 public:
  virtual ~connection_base() = default;
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

struct http_server::impl {
  server_options options;
  request_handler handle;
  server_hooks hooks;
  // One io_context per thread, and a connection stays on the one it was accepted onto: a request
  // then never hands work to another thread, which with a shared io_context costs a wake-up (a
  // futex and a context switch) per completion, more than the engine's work on a request.
  context_list contexts{make_contexts(options.threads)};
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_context = 0;  // round robin; only the control strand touches it
  // The acceptor, the signal set and the shutdown deadline live on one strand, so stop() from a
  // signal or another thread never races an accept completion.
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(*contexts.front())};
  std::optional<asio::ssl::context> tls;
  tcp::acceptor acceptor{control};
  std::optional<asio::signal_set> signals;
  std::vector<std::thread> threads;
  std::atomic<long long> open{0};
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // guards connections
  std::set<std::weak_ptr<connection_base>, std::owner_less<>> connections;
  std::once_flag joined;
  std::uint16_t port = 0;
  std::optional<asio::steady_timer> deadline;

  explicit impl(server_options o, request_handler h, server_hooks k)
      : options(std::move(o)), handle(std::move(h)), hooks(std::move(k)) {}

  void error(std::string_view message) const {
    if (hooks.on_error) hooks.on_error(message);
  }
  void opened() {
    const long long n = ++open;
    if (hooks.on_connections) hooks.on_connections(n);
  }
  void closed() {
    const long long n = --open;
    if (hooks.on_connections) hooks.on_connections(n);
    // The last connection gone during a shutdown: no need to wait for the deadline.
    if (n == 0 && stopping) {
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
  void begin_stop();
};

namespace {

std::string peer_of(const tcp::socket& socket) {
  error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  return ec ? std::string() : ep.address().to_string();
}

// to_request converts Beast's parsed message to the engine's value type.
http::request to_request(bhttp::request<bhttp::string_body>&& req, bool tls) {
  http::request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.tls = tls;
  return out;
}

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
// CR, LF or NUL in a field would split the response, so such a response becomes a 500.
std::string wire_response(const http::response& res, unsigned version, bool keep_alive) {
  const bool headers_ok = std::all_of(res.headers.begin(), res.headers.end(), [](const auto& h) {
    return header_text_ok(h.name) && header_text_ok(h.value);
  });
  if (!headers_ok || res.status < 100 || res.status > 999) {
    return wire_response(
        http::response{500, {{"Content-Type", "application/json"}}, "\"Internal error.\""}, version,
        keep_alive);
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
  if (body) out.append(res.body);
  return out;
}

// connection serves one client: wait (idle timeout) → read one request (read timeout, limits)
// → handle → write → repeat while keep-alive. `Derived` provides stream() and tls-specific steps
// (CRTP, as Beast's flex server), so plain and TLS share every line of HTTP logic.
template <class Derived>
class connection : public connection_base {
 public:
  connection(http_server::impl& server, beast::flat_buffer buffer)
      : server_(server), buffer_(std::move(buffer)) {}

  ~connection() override { server_.closed(); }

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
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    started_ = std::chrono::steady_clock::now();
    // A request usually arrives whole in one read: parse what is buffered in place, and start an
    // asynchronous read (a timer and a round through the scheduler) only for the rest.
    while (!parser_->is_done() && buffer_.size() > 0) {
      error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) break;
      if (ec) return on_read(ec);
      if (used == 0) break;  // no progress: let the asynchronous read take over
    }
    if (parser_->is_done()) return on_read({});
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.read_timeout);
    bhttp::async_read(
        derived().stream(), buffer_, *parser_,
        [self = derived().shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return close();
    }
    if (ec == bhttp::error::header_limit) {
      return reply_error(bhttp::status::request_header_fields_too_large,
                         "\"Request header fields too large.\"");
    }
    if (ec == bhttp::error::body_limit) {
      return reply_error(bhttp::status::payload_too_large, "\"Payload too large.\"");
    }
    if (ec) return reply_error(bhttp::status::bad_request, "\"Bad request.\"");

    auto req = parser_->release();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive() && !draining_;
    exchange_.method = std::string(req.method_string());
    const std::string_view target = req.target();
    exchange_.path = std::string(target.substr(0, target.find('?')));
    // The peer cannot change on a connection: ask the kernel once, not per request.
    if (exchange_.remote.empty()) {
      exchange_.remote = peer_of(beast::get_lowest_layer(derived().stream()).socket());
    }

    http::response res;
    try {
      res = server_.handle(to_request(std::move(req), Derived::tls));
    } catch (const std::exception& e) {
      // One request's failure answers 500 and is logged; the server stays up.
      server_.error(std::string("handler failed: ") + e.what());
      res = http::response{500, {{"Content-Type", "application/json"}}, "\"Internal error.\""};
    }
    write(res.status, res.body.size(), wire_response(res, version, keep_alive), keep_alive);
  }

  void reply_error(bhttp::status status, std::string_view body) {
    exchange_.method = "-";
    exchange_.path = "-";
    http::response res{
        static_cast<int>(status), {{"Content-Type", "application/json"}}, std::string(body)};
    write(res.status, res.body.size(), wire_response(res, 11, false), false);
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
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string wire_;  // the response being written
  bool keep_alive_ = false;
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
  plain_connection(http_server::impl& server, tcp::socket&& socket)
      : connection(server, beast::flat_buffer{}), stream_(std::move(socket)) {}
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
  tls_connection(http_server::impl& server, tcp::socket&& socket, asio::ssl::context& ctx)
      : connection(server, beast::flat_buffer{}), stream_(std::move(socket), ctx) {}
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
    if (ec) {
      if (!stopping) {
        error(std::string("accept failed: ") + ec.message());
        accept();
      }
      return;
    }
    if (stopping) return;
    if (static_cast<std::size_t>(open.load()) >= options.max_connections) {
      // Over the limit: refuse this one connection, keep serving the others.
      error_code ignored;
      socket.close(ignored);
      error("connection refused: max_connections reached");
      return accept();
    }
    opened();
    std::shared_ptr<connection_base> c;
    if (tls) {
      auto t = std::make_shared<tls_connection>(*this, std::move(socket), *tls);
      c = t;
      add(c);
      t->start();
    } else {
      auto p = std::make_shared<plain_connection>(*this, std::move(socket));
      c = p;
      add(c);
      p->start();
    }
    accept();
  });
}

void http_server::impl::begin_stop() {
  if (stopping.exchange(true)) return;
  error_code ec;
  acceptor.close(ec);
  if (signals) signals->cancel(ec);
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

result<std::unique_ptr<http_server>> http_server::start(const server_options& options,
                                                        request_handler handler,
                                                        server_hooks hooks) {
  auto state = std::make_unique<impl>(options, std::move(handler), std::move(hooks));
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
  });
}

void http_server::stop_on_signals() {
  asio::post(impl_->control, [s = impl_.get()] {
    if (s->stopping) return;
    s->signals.emplace(s->control, SIGINT, SIGTERM);
    s->signals->async_wait([s](error_code ec, int) {
      if (!ec) s->begin_stop();
    });
  });
}

}  // namespace authpp::server
