// The outbound HTTP(S) client (issue 9: a request path that never blocks).
//
// Decision: Boost.Beast's HTTP/1.1 client over Asio and Asio SSL, run as C++20 coroutines on the
// executor of the server's own event loop. There is no second event loop and no libcurl multi
// glue: the server already runs Asio, one io_context per thread, and a fetch is one more
// coroutine on it. Cancellation uses Asio's per-operation cancellation slots: a cancelled caller
// cancels the one socket, timer or TLS operation the fetch is waiting on, and the fetch closes
// its connection and returns errc::cancelled.
//
// Bounds. connect_timeout covers resolve + TCP connect + TLS handshake (the tcp_stream's expiry,
// plus a timer for the resolver, which Asio cannot cancel), total_timeout the whole fetch (the
// tcp_stream's expiry for each I/O). Beast's parser enforces max_response_bytes as it reads:
// header_limit for the fields, body_limit for the body (a Content-Length above it fails before
// any body byte), and the read buffer's own bound.
//
// TLS. The peer is verified against the system's CA store plus `ca_file`; OpenSSL checks the host
// name (or the IP address against IP SANs) during the handshake; SNI is sent for names only;
// TLS 1.2 is the minimum. A TLS connection closed without close_notify mid-response is bad_http:
// a truncation cannot pass for a whole body (so a body delimited only by the close fails over
// TLS when the server omits close_notify).
//
// Pool. A connection whose response allowed keep-alive goes back to an idle list per origin
// (newest reused first, at most max_idle_per_host). While idle it has a 1-byte read pending with
// idle_timeout as its expiry: the server closing it, sending anything, or the timeout ends the
// read, and the connection is dropped at once. To reuse one, the fetch cancels that read and
// waits for its completion (the tcp_stream admits one read at a time).

#include <authpp/net/http_client.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "target_internal.hpp"

namespace authpp::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using steady = std::chrono::steady_clock;
using detail::target;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using request_message = bhttp::request<bhttp::string_body>;

// At most this many 1xx interim responses (100 Continue, 103 Early Hints) before the final one.
constexpr int max_interim_responses = 8;

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// connection is one TCP or TLS connection, owned by a fetch or by the idle pool.
struct connection {
  enum class state { busy, idle, reclaiming, closed };

  connection(const asio::any_io_executor& ex, std::string key, asio::ssl::context* tls_context)
      : origin_key(std::move(key)), reclaimed(ex) {
    if (tls_context != nullptr) {
      tls.emplace(ex, *tls_context);
    } else {
      plain.emplace(ex);
    }
  }

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // with_stream calls `f` with the stream to read and write: the TLS stream or the TCP one.
  template <class F>
  decltype(auto) with_stream(F&& f) {
    return tls ? f(*tls) : f(*plain);
  }

  void close() {
    st = state::closed;
    tcp().close();
  }

  std::optional<beast::tcp_stream> plain;
  std::optional<tls_stream> tls;
  std::string origin_key;
  state st = state::busy;
  // The idle watch: its 1-byte read, how it ended, and the timer a reclaiming fetch waits on.
  char watch_byte = 0;
  bool watch_ended = false;
  error_code watch_result;
  asio::steady_timer reclaimed;
};

using connection_ptr = std::shared_ptr<connection>;

// resolve_job outlives an abandoned resolution: Asio runs getaddrinfo on a background thread
// that no cancellation interrupts, so a timed-out or cancelled fetch returns at once and leaves
// the job to its completion handler, which owns it.
struct resolve_job {
  explicit resolve_job(const asio::any_io_executor& ex) : resolver(ex), done(ex) {}
  asio::ip::tcp::resolver resolver;
  asio::steady_timer done;  // expires at the deadline; cancelled when the resolution ends
  bool finished = false;
  error_code ec;
  asio::ip::tcp::resolver::results_type results;
};

// fetch_scope is what each step of one fetch needs: where it goes, when it must end, and the
// caller's cancellation state, which tells a cancellation from another aborted operation. (One
// handle serves every step: the coroutines a fetch awaits share its cancellation state.)
struct fetch_scope {
  const target& t;
  steady::time_point deadline;
  asio::cancellation_state cancellation;

  bool cancelled() const { return cancellation.cancelled() != asio::cancellation_type::none; }
  auth_error cancelled_error() const {
    return auth_error{errc::cancelled, "fetch from " + t.where + " cancelled"};
  }
};

// exchange_result is a response read whole, and whether its connection may serve another.
struct exchange_result {
  outbound_response response;
  bool reusable = false;
};

bool is_idempotent_for_retry(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

const boost::system::error_category& beast_http_category() {
  return bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

// tls_reason explains a failed handshake: the certificate check's verdict when there is one
// ("hostname mismatch", "unable to get local issuer certificate"), else the TLS error.
std::string tls_reason(tls_stream& s, const error_code& ec) {
  const long verdict = SSL_get_verify_result(s.native_handle());
  if (verdict != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verdict);
  }
  return ec.message();
}

}  // namespace

class http_client::impl : public std::enable_shared_from_this<impl> {
 public:
  impl(asio::any_io_executor executor, client_options options)
      : executor_(std::move(executor)), options_(std::move(options)) {}

  ~impl() { close_idle(); }

  asio::awaitable<result<outbound_response>> fetch(outbound_request request);

  std::size_t idle_count() const noexcept { return idle_count_; }

  // shut_down closes the idle connections and keeps connections still in flight from coming
  // back: the http_client is gone.
  void shut_down() {
    shut_down_ = true;
    close_idle();
  }

 private:
  result<asio::ssl::context*> tls_context();
  asio::awaitable<result<asio::ip::tcp::resolver::results_type>> resolve(
      const fetch_scope& scope, steady::time_point deadline);
  asio::awaitable<result<connection_ptr>> connect(const fetch_scope& scope);
  template <class Stream>
  asio::awaitable<result<exchange_result>> exchange(Stream& stream, beast::tcp_stream& tcp,
                                                    const request_message& message, bool head,
                                                    const fetch_scope& scope,
                                                    bool& nothing_received);
  auth_error io_error(const fetch_scope& scope, const error_code& ec, bool got_bytes) const;

  asio::awaitable<connection_ptr> check_out(const std::string& key);
  void check_in(connection_ptr c);
  void watch(const connection_ptr& c);
  static void on_watch_end(const std::weak_ptr<impl>& self, const connection_ptr& c,
                           const error_code& ec);
  void forget(const connection_ptr& c);
  void close_idle();

  asio::any_io_executor executor_;
  client_options options_;
  std::optional<asio::ssl::context> tls_context_;
  std::optional<auth_error> tls_context_error_;
  std::unordered_map<std::string, std::deque<connection_ptr>> idle_;
  std::size_t idle_count_ = 0;
  bool shut_down_ = false;
};

// ---- TLS -------------------------------------------------------------------------------------

result<asio::ssl::context*> http_client::impl::tls_context() {
  if (tls_context_) return &*tls_context_;
  if (tls_context_error_) return *tls_context_error_;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  // TLS 1.2 and later only; no TLS compression (CRIME).
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  error_code ec;
  ctx.set_default_verify_paths(ec);
  if (ec) {
    tls_context_error_ =
        auth_error{errc::tls_failure, "cannot use the system's CA store: " + ec.message()};
    return *tls_context_error_;
  }
  if (options_.ca_file) {
    ctx.load_verify_file(*options_.ca_file, ec);
    if (ec) {
      tls_context_error_ = auth_error{
          errc::tls_failure, "cannot load ca_file " + *options_.ca_file + ": " + ec.message()};
      return *tls_context_error_;
    }
  }
  tls_context_.emplace(std::move(ctx));
  return &*tls_context_;
}

// ---- connecting ------------------------------------------------------------------------------

asio::awaitable<result<asio::ip::tcp::resolver::results_type>> http_client::impl::resolve(
    const fetch_scope& scope, steady::time_point deadline) {
  const target& t = scope.t;
  using results_type = asio::ip::tcp::resolver::results_type;
  const std::string port = std::to_string(t.port);
  if (t.ip_literal) {
    const auto address = asio::ip::make_address(t.bare_host);
    co_return results_type::create(asio::ip::tcp::endpoint(address, t.port), t.bare_host, port);
  }
  auto job = std::make_shared<resolve_job>(executor_);
  job->done.expires_at(deadline);
  // address_configured (Asio's default): no IPv6 addresses on a host without IPv6, whose
  // connects could stall until connect_timeout before the IPv4 address is tried.
  const auto flags =
      asio::ip::resolver_base::address_configured | asio::ip::resolver_base::numeric_service;
  job->resolver.async_resolve(t.bare_host, port, flags,
                              [job](const error_code& ec, results_type results) {
                                job->finished = true;
                                job->ec = ec;
                                job->results = std::move(results);
                                job->done.cancel();
                              });
  (void)co_await job->done.async_wait(use_tuple);
  if (!job->finished) {
    job->resolver.cancel();  // getaddrinfo itself runs on; its answer will be dropped
    if (scope.cancelled()) co_return scope.cancelled_error();
    co_return auth_error{errc::timed_out, "resolving " + t.host + " did not finish within " +
                                              ms(options_.connect_timeout)};
  }
  if (job->ec || job->results.empty()) {
    co_return auth_error{errc::dns_failure,
                         "cannot resolve " + t.host + ": " +
                             (job->ec ? job->ec.message() : std::string("no address"))};
  }
  co_return std::move(job->results);
}

asio::awaitable<result<connection_ptr>> http_client::impl::connect(const fetch_scope& scope) {
  const target& t = scope.t;
  const steady::time_point connect_deadline =
      std::min(steady::now() + options_.connect_timeout, scope.deadline);
  const bool connect_bound = connect_deadline < scope.deadline;
  auto timed_out = [&](std::string_view what) {
    return auth_error{errc::timed_out,
                      std::string(what) + " " + t.where + " did not finish within " +
                          ms(connect_bound ? options_.connect_timeout : options_.total_timeout)};
  };

  asio::ssl::context* ctx = nullptr;
  if (t.tls) {
    auto c = tls_context();
    if (!c) co_return c.error();
    ctx = *c;
  }
  auto endpoints = co_await resolve(scope, connect_deadline);
  if (!endpoints) co_return endpoints.error();

  auto conn = std::make_shared<connection>(executor_, t.origin_key, ctx);
  conn->tcp().expires_at(connect_deadline);
  const auto [ec, endpoint] = co_await conn->tcp().async_connect(*endpoints, use_tuple);
  (void)endpoint;
  if (ec) {
    conn->close();
    if (ec == beast::error::timeout) co_return timed_out("connecting to");
    if (scope.cancelled()) co_return scope.cancelled_error();
    co_return auth_error{errc::connect_failure,
                         "cannot connect to " + t.where + ": " + ec.message()};
  }
  if (conn->tls) {
    SSL* ssl = conn->tls->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = 1;
    if (t.ip_literal) {
      // RFC 6066 §3: SNI carries host names only; an address is checked against IP SANs.
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, t.bare_host.c_str());
    } else {
      // SSL_set_tlsext_host_name, spelled out: the macro casts in the old style.
      ok = static_cast<int>(SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                     const_cast<char*>(t.bare_host.c_str()))) &&
           SSL_set1_host(ssl, t.bare_host.c_str());
    }
    if (ok != 1) {
      conn->close();
      co_return auth_error{errc::tls_failure, "cannot set up TLS for " + t.where};
    }
    const auto [hec] =
        co_await conn->tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) {
      const std::string reason = tls_reason(*conn->tls, hec);
      conn->close();
      if (hec == beast::error::timeout) co_return timed_out("TLS handshake with");
      if (scope.cancelled()) co_return scope.cancelled_error();
      co_return auth_error{errc::tls_failure,
                           "TLS handshake with " + t.where + " failed: " + reason};
    }
  }
  co_return conn;
}

// ---- one request and its response ----------------------------------------------------------

auth_error http_client::impl::io_error(const fetch_scope& scope, const error_code& ec,
                                       bool got_bytes) const {
  const target& t = scope.t;
  if (ec == beast::error::timeout) {
    return auth_error{errc::timed_out, "no complete response from " + t.where + " within " +
                                           ms(options_.total_timeout)};
  }
  if (scope.cancelled() || ec == asio::error::operation_aborted) return scope.cancelled_error();
  if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit ||
      ec == bhttp::error::buffer_overflow) {
    return auth_error{errc::response_too_large, "the response from " + t.where + " exceeds " +
                                                    std::to_string(options_.max_response_bytes) +
                                                    " bytes"};
  }
  if (ec == bhttp::error::end_of_stream ||
      (ec == asio::ssl::error::stream_truncated && !got_bytes)) {
    return auth_error{errc::connection_closed,
                      t.where + " closed the connection before responding"};
  }
  if (ec == bhttp::error::partial_message || ec == asio::ssl::error::stream_truncated) {
    return auth_error{errc::bad_http, t.where + " closed the connection mid-response"};
  }
  if (ec.category() == beast_http_category()) {
    return auth_error{errc::bad_http,
                      "the response from " + t.where + " is not HTTP/1.x: " + ec.message()};
  }
  // Reset, broken pipe, a TLS alert: the connection failed under the request.
  return auth_error{errc::connection_closed,
                    "the connection to " + t.where + " failed: " + ec.message()};
}

template <class Stream>
asio::awaitable<result<exchange_result>> http_client::impl::exchange(
    Stream& stream, beast::tcp_stream& tcp, const request_message& message, bool head,
    const fetch_scope& scope, bool& nothing_received) {
  const target& t = scope.t;
  nothing_received = true;
  tcp.expires_at(scope.deadline);
  const auto [wec, written] = co_await bhttp::async_write(stream, message, use_tuple);
  (void)written;
  if (wec) co_return io_error(scope, wec, false);

  const std::size_t limit = options_.max_response_bytes;
  // The buffer holds bytes read but not yet parsed (the fields, then body pieces on their way
  // into the body string), so its bound is the response's.
  beast::flat_buffer buffer(limit);
  std::size_t budget = limit;
  for (int interim = 0;; ++interim) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(budget, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(budget);
    if (head) parser.skip(true);  // a response to HEAD has no body, whatever it declares

    const auto [hec, header_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    const bool got_bytes = interim > 0 || parser.got_some() || buffer.size() > 0;
    nothing_received = !got_bytes;
    if (hec) co_return io_error(scope, hec, got_bytes);
    budget -= std::min(budget, header_bytes);

    const int status = parser.get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      // RFC 9110 §15.2: interim responses precede the final one; they are read and dropped.
      if (interim + 1 == max_interim_responses) {
        co_return auth_error{errc::bad_http, t.where + " sent too many 1xx responses"};
      }
      continue;
    }
    // A body follows unless the parser is done already (HEAD, 204, 304): bound it by what the
    // fields left of the budget, before reading any of it.
    if (!parser.is_done()) {
      if (const auto length = parser.content_length(); length && *length > budget) {
        co_return auth_error{errc::response_too_large, "the response from " + t.where +
                                                           " declares " + std::to_string(*length) +
                                                           " body bytes, over the " +
                                                           std::to_string(limit) + " allowed"};
      }
      parser.body_limit(budget);
      const auto [bec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      (void)body_bytes;
      if (bec) co_return io_error(scope, bec, true);
    }

    auto& message_in = parser.get();
    exchange_result out;
    out.response.status = status;
    for (const auto& field : message_in) {
      out.response.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    out.response.body = std::move(message_in.body());
    // Reusable: keep-alive on both sides, the body delimited by its length (not by the close),
    // and nothing sent after it.
    out.reusable = message_in.keep_alive() && (head || !message_in.need_eof()) &&
                   buffer.size() == 0 && status != 101 && message.keep_alive();
    co_return out;
  }
}

// ---- the pool ------------------------------------------------------------------------------

asio::awaitable<connection_ptr> http_client::impl::check_out(const std::string& key) {
  for (;;) {
    const auto it = idle_.find(key);
    if (it == idle_.end()) co_return nullptr;
    connection_ptr c = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty()) idle_.erase(it);
    --idle_count_;

    c->st = connection::state::reclaiming;
    c->reclaimed.expires_at(asio::steady_timer::time_point::max());
    c->tcp().cancel();  // ends the idle watch; its completion cancels `reclaimed`
    (void)co_await c->reclaimed.async_wait(use_tuple);
    if (!c->watch_ended) {  // our wait itself was cancelled: the fetch is being cancelled
      c->close();
      co_return nullptr;
    }
    if (c->watch_result == asio::error::operation_aborted) {
      c->st = connection::state::busy;
      co_return c;
    }
    c->close();  // it died while idle: the server closed it, sent something, or it timed out
  }
}

void http_client::impl::check_in(connection_ptr c) {
  if (shut_down_ || options_.max_idle_per_host == 0) {
    c->close();
    return;
  }
  auto& list = idle_[c->origin_key];
  list.push_back(c);
  ++idle_count_;
  watch(c);
  if (list.size() > options_.max_idle_per_host) {
    connection_ptr oldest = std::move(list.front());
    list.pop_front();
    --idle_count_;
    oldest->close();  // its watch ends with an error and finds it closed
  }
}

void http_client::impl::watch(const connection_ptr& c) {
  c->st = connection::state::idle;
  c->watch_ended = false;
  c->tcp().expires_after(options_.idle_timeout);
  std::weak_ptr<impl> self = weak_from_this();
  c->with_stream([&](auto& stream) {
    stream.async_read_some(
        asio::buffer(&c->watch_byte, 1),
        [self, c](const error_code& ec, std::size_t) { on_watch_end(self, c, ec); });
  });
}

void http_client::impl::on_watch_end(const std::weak_ptr<impl>& self, const connection_ptr& c,
                                     const error_code& ec) {
  c->watch_ended = true;
  c->watch_result = ec;
  switch (c->st) {
    case connection::state::reclaiming:
      c->reclaimed.cancel();  // the fetch that took it decides
      return;
    case connection::state::idle:
      // The server closed it or sent something unasked, or idle_timeout passed.
      c->close();
      if (auto client = self.lock()) client->forget(c);
      return;
    case connection::state::busy:
    case connection::state::closed:
      return;
  }
}

void http_client::impl::forget(const connection_ptr& c) {
  const auto it = idle_.find(c->origin_key);
  if (it == idle_.end()) return;
  auto& list = it->second;
  const auto pos = std::find(list.begin(), list.end(), c);
  if (pos == list.end()) return;
  list.erase(pos);
  --idle_count_;
  if (list.empty()) idle_.erase(it);
}

void http_client::impl::close_idle() {
  for (auto& [key, list] : idle_) {
    for (auto& c : list) c->close();
  }
  idle_.clear();
  idle_count_ = 0;
}

// ---- fetch -----------------------------------------------------------------------------------

asio::awaitable<result<outbound_response>> http_client::impl::fetch(outbound_request request) {
  auto parsed = detail::parse_target(request.url);
  if (!parsed) co_return parsed.error();
  const target& t = *parsed;
  if (auto checked = detail::check_request(request); !checked) co_return checked.error();

  // co_await stays out of braced initialisers, `?:` and call arguments here: GCC 12 destroys
  // temporaries twice or miscompiles in those spots.
  const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
  const fetch_scope scope{t, steady::now() + options_.total_timeout, cancellation};
  const bool head = request.method == "HEAD";
  const bool may_retry = is_idempotent_for_retry(request.method);

  request_message message;
  message.version(11);
  message.method_string(request.method);
  message.target(t.path_and_query);
  message.set(bhttp::field::host, t.host_field);
  if (!request.headers.contains("User-Agent")) message.set(bhttp::field::user_agent, "authpp");
  for (const auto& field : request.headers) message.insert(field.name, field.value);
  const bool body_expected =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() || body_expected) message.content_length(request.body.size());
  message.body() = std::move(request.body);
  if (options_.max_idle_per_host == 0) message.keep_alive(false);

  for (int attempt = 0;; ++attempt) {
    // The retry goes to a new connection: the others idle for this origin are likely dead too.
    connection_ptr c;
    if (attempt == 0) c = co_await check_out(t.origin_key);
    const bool reused = c != nullptr;
    if (scope.cancelled()) {
      if (c) c->close();
      co_return scope.cancelled_error();
    }
    if (!c) {
      auto fresh = co_await connect(scope);
      if (!fresh) co_return fresh.error();
      c = std::move(*fresh);
    }
    bool nothing_received = true;
    beast::tcp_stream& tcp = c->tcp();
    auto exchange_op = c->with_stream([&](auto& stream) {
      return exchange(stream, tcp, message, head, scope, nothing_received);
    });
    auto exchanged = co_await std::move(exchange_op);
    if (exchanged) {
      if (exchanged->reusable) {
        check_in(std::move(c));
      } else {
        c->close();
      }
      co_return std::move(exchanged->response);
    }
    c->close();
    // A reused connection the server had closed meanwhile: nothing was processed, so a GET or
    // HEAD is safe to send again. Other methods might have been acted upon; they fail.
    const bool retry = reused && attempt == 0 && may_retry && nothing_received &&
                       exchanged.error().code == errc::connection_closed;
    if (!retry) co_return exchanged.error();
  }
}

// ---- http_client -----------------------------------------------------------------------------

http_client::http_client(asio::any_io_executor executor, client_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

http_client::~http_client() {
  if (impl_) impl_->shut_down();
}

http_client::http_client(http_client&&) noexcept = default;

http_client& http_client::operator=(http_client&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->shut_down();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

asio::awaitable<result<outbound_response>> http_client::fetch(outbound_request request) {
  // Asio makes co_await throw once the caller's coroutine is cancelled (throw_if_cancelled, on by
  // default for the whole coroutine stack). fetch reports that as errc::cancelled instead, so
  // it turns the throwing off while it runs and gives the caller back its setting.
  std::shared_ptr<impl> self = impl_;  // keeps the pool alive if the http_client goes first
  const bool throws = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  std::optional<result<outbound_response>> out;
  std::exception_ptr failure;  // bad_alloc, or a bug: passed on once the setting is restored
  try {
    auto fetched = co_await self->fetch(std::move(request));
    out.emplace(std::move(fetched));
  } catch (...) {
    failure = std::current_exception();
  }
  co_await asio::this_coro::throw_if_cancelled(throws);
  if (failure) std::rethrow_exception(failure);
  co_return std::move(*out);
}

std::size_t http_client::idle_connections() const noexcept {
  return impl_ ? impl_->idle_count() : 0;
}

namespace {

// client_service keeps an execution context's shared clients, one per distinct set of options,
// and destroys them (closing their connections) when the context shuts down: before the sockets'
// context goes away, as http_client requires.
class client_service : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;  // NOLINT: Asio's service registry key
  explicit client_service(asio::execution_context& context) : service(context) {}

  http_client& get(const asio::any_io_executor& executor, const client_options& options) {
    std::string options_key = std::to_string(options.connect_timeout.count()) + '/' +
                              std::to_string(options.total_timeout.count()) + '/' +
                              std::to_string(options.max_response_bytes) + '/' +
                              std::to_string(options.max_idle_per_host) + '/' +
                              std::to_string(options.idle_timeout.count()) + '/' +
                              options.ca_file.value_or("");
    const std::scoped_lock lock(mutex_);
    auto& slot = clients_[std::move(options_key)];
    if (!slot) slot = std::make_unique<http_client>(executor, options);
    return *slot;
  }

 private:
  void shutdown() override {
    const std::scoped_lock lock(mutex_);
    clients_.clear();
  }
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<http_client>> clients_;
};

}  // namespace

http_client& shared_client(const asio::any_io_executor& executor, const client_options& options) {
  auto& context = asio::query(executor, asio::execution::context);
  return asio::use_service<client_service>(context).get(executor, options);
}

}  // namespace authpp::net
