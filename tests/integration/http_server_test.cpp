// The HTTP front on real sockets: keep-alive, limits, timeouts, connection cap, handler failures
// and graceful shutdown. Timeouts are asserted as upper bounds on a blocking read, never by
// sleeping.
#include <authpp/server/http_server.hpp>
#include <authpp/server/metrics.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "integration/raw_client.hpp"

namespace authpp::server {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

using test::get_request;
using test::raw_client;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class HttpServerTest : public ::testing::Test {
 protected:
  server_options options() {
    server_options o;
    o.port = 0;
    o.threads = 2;
    o.read_timeout = std::chrono::seconds(1);
    o.idle_timeout = std::chrono::seconds(2);
    o.shutdown_timeout = std::chrono::seconds(5);
    o.max_header_bytes = 4096;
    o.max_body_bytes = 1024;
    return o;
  }

  std::unique_ptr<http_server> start(server_options o, request_handler h) {
    auto s = http_server::start(o, std::move(h), hooks_);
    EXPECT_TRUE(s) << (s ? "" : s.error().message());
    return std::move(*s);
  }

  static http::response echo(const http::request& r) {
    http::response res;
    res.headers.add("Content-Type", "text/plain");
    res.headers.add("Set-Cookie", "a=1");
    res.headers.add("Set-Cookie", "b=2");
    res.body = r.method + " " + r.target + " " + r.body;
    return res;
  }

  server_hooks hooks_;
};

TEST_F(HttpServerTest, ServesKeepAliveRequestsWithSeveralSetCookies) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send(get_request("/x?i=" + std::to_string(i))));
    const auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_THAT(*res, StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(*res, HasSubstr("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"));
    EXPECT_THAT(*res, HasSubstr("GET /x?i=" + std::to_string(i)));
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  ASSERT_TRUE(c.send(get_request("/one") + get_request("/two")));
  EXPECT_THAT(c.read_response().value_or(""), HasSubstr("GET /one"));
  EXPECT_THAT(c.read_response().value_or(""), HasSubstr("GET /two"));
}

// A request in pieces: whatever part is buffered is parsed in place, the rest read later.
TEST_F(HttpServerTest, RequestInPiecesIsAnswered) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  ASSERT_TRUE(c.send("POST /pieces HTTP/1.1\r\nHo"));
  ASSERT_TRUE(c.send("st: h\r\nContent-Length: 5\r\n\r\nab"));
  ASSERT_TRUE(c.send("cde" + get_request("/after")));
  EXPECT_THAT(c.read_response().value_or(""), HasSubstr("POST /pieces abcde"));
  EXPECT_THAT(c.read_response().value_or(""), HasSubstr("GET /after"));
}

// Resource exhaustion: oversized headers and bodies are refused with their status codes.
TEST_F(HttpServerTest, OversizedHeaderIs431AndBodyIs413) {
  auto server = start(options(), echo);
  raw_client a(server->port());
  a.send(get_request("/", "X-Big: " + std::string(5000, 'x') + "\r\n"));
  EXPECT_THAT(a.read_response().value_or(""), StartsWith("HTTP/1.1 431"));
  raw_client b(server->port());
  b.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'y'));
  EXPECT_THAT(b.read_response().value_or(""), StartsWith("HTTP/1.1 413"));
}

TEST_F(HttpServerTest, GarbageIs400) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  c.send("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_THAT(c.read_response().value_or(""), StartsWith("HTTP/1.1 400"));
}

// Slowloris: a request trickling in is cut off after the read timeout.
TEST_F(HttpServerTest, SlowRequestIsCutOffAfterReadTimeout) {
  auto server = start(options(), echo);
  raw_client c(server->port(), std::chrono::seconds(5));
  const auto t0 = std::chrono::steady_clock::now();
  c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ");
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
}

// A silent connection is closed after the idle timeout.
TEST_F(HttpServerTest, IdleConnectionIsClosed) {
  auto server = start(options(), echo);
  raw_client c(server->port(), std::chrono::seconds(6));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer());
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(1500));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

// The server writes the framing itself: Content-Length from the body, Connection as the
// version needs, and never the handler's own framing fields.
TEST_F(HttpServerTest, FramingIsTheServersOwn) {
  auto server = start(options(), [](const http::request&) {
    http::response res;
    res.headers.add("Content-Length", "999");
    res.headers.add("Connection", "upgrade");
    res.headers.add("X-Kept", "yes");
    res.body = "four";
    return res;
  });
  raw_client c(server->port());
  ASSERT_TRUE(c.send(get_request("/")));
  const std::string res = c.read_response().value_or("");
  EXPECT_THAT(res, HasSubstr("X-Kept: yes\r\nContent-Length: 4\r\n\r\nfour"));
  EXPECT_THAT(res, Not(HasSubstr("999")));
  EXPECT_THAT(res, Not(HasSubstr("Connection")));
  // HTTP/1.0 asks to keep the connection and is told so; the connection then serves again.
  raw_client ten(server->port());
  ASSERT_TRUE(ten.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_THAT(ten.read_response().value_or(""),
              AllOf(StartsWith("HTTP/1.0 200 OK\r\n"), HasSubstr("Connection: keep-alive\r\n")));
  ASSERT_TRUE(ten.send("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_THAT(ten.read_response().value_or(""), Not(HasSubstr("Connection:")));
  EXPECT_TRUE(ten.closed_by_peer());
  // HTTP/1.1 with Connection: close gets it back and the connection ends.
  raw_client close(server->port());
  ASSERT_TRUE(close.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(close.read_response().value_or(""), HasSubstr("Connection: close\r\n"));
  EXPECT_TRUE(close.closed_by_peer());
}

// Response splitting: a handler that lets CR/LF into a header cannot inject a second header or
// response; the client gets a 500 instead.
TEST_F(HttpServerTest, HeaderWithLineBreakBecomes500) {
  auto server = start(options(), [](const http::request& r) {
    http::response res;
    res.headers.add("Location",
                    r.target == "/lf" ? "/x\nSet-Cookie: evil=1" : "/x\r\n\r\nHTTP/1.1");
    return res;
  });
  for (const char* path : {"/lf", "/crlf"}) {
    raw_client c(server->port());
    ASSERT_TRUE(c.send(get_request(path)));
    const std::string res = c.read_response().value_or("");
    EXPECT_THAT(res, StartsWith("HTTP/1.1 500 Internal Server Error\r\n")) << path;
    EXPECT_THAT(res, Not(HasSubstr("evil"))) << path;
  }
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndServerStaysUp) {
  auto server = start(options(), [](const http::request& r) -> http::response {
    if (r.target == "/boom") throw std::runtime_error("boom");
    return http::response{};
  });
  raw_client c(server->port());
  c.send(get_request("/boom"));
  EXPECT_THAT(c.read_response().value_or(""), StartsWith("HTTP/1.1 500"));
  raw_client d(server->port());
  d.send(get_request("/fine"));
  EXPECT_THAT(d.read_response().value_or(""), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, ConnectionsAboveTheCapAreRefused) {
  auto o = options();
  o.max_connections = 2;
  std::atomic<long long> open{0};
  hooks_.on_connections = [&open](long long n) { open = n; };
  auto server = start(o, echo);
  raw_client a(server->port()), b(server->port());
  a.send(get_request("/a"));
  b.send(get_request("/b"));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(b.read_response());
  raw_client c(server->port(), std::chrono::seconds(3));
  c.send(get_request("/c"));
  EXPECT_FALSE(c.read_response());
  EXPECT_EQ(open.load(), 2);
}

// Graceful shutdown: new connections are refused, the request in flight still gets its answer.
TEST_F(HttpServerTest, StopLetsInFlightRequestFinish) {
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  auto server = start(options(), [&](const http::request& r) {
    if (r.target == "/slow") {
      entered.set_value();
      released.wait();
    }
    return http::response{200, {}, "done"};
  });
  const auto port = server->port();
  raw_client busy(port);
  busy.send(get_request("/slow"));
  entered.get_future().wait();
  server->stop();
  // The listener is closed promptly.
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    raw_client probe(port, std::chrono::seconds(1));
    refused = !probe.connected() || !probe.read_response();
    if (!refused) std::this_thread::yield();
  }
  EXPECT_TRUE(refused);
  release.set_value();
  const auto res = busy.read_response();
  ASSERT_TRUE(res);
  EXPECT_THAT(*res, HasSubstr("done"));
  EXPECT_TRUE(busy.closed_by_peer());  // and then the connection is closed
  server->wait();
}

TEST_F(HttpServerTest, PortInUseIsAClearError) {
  auto first = start(options(), echo);
  auto o = options();
  o.port = first->port();
  auto second = http_server::start(o, echo);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, errc::invalid_config);
  EXPECT_THAT(second.error().detail, HasSubstr(std::to_string(first->port())));
  EXPECT_THAT(second.error().detail, HasSubstr("in use"));
}

TEST_F(HttpServerTest, ExchangesAreReportedWithoutQuery) {
  std::mutex m;
  std::vector<exchange> seen;
  hooks_.on_exchange = [&](const exchange& e) {
    std::lock_guard lock(m);
    seen.push_back(e);
  };
  auto server = start(options(), echo);
  raw_client c(server->port());
  c.send(get_request("/path?token=secret"));
  ASSERT_TRUE(c.read_response());
  server->stop();
  server->wait();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/path");
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_EQ(seen[0].remote, "127.0.0.1");
}

// Defects found in review (issue 12). Each test names the attack it stops.

// Memory exhaustion: a chunk extension that never ends grew the read buffer without bound (17 MiB
// to 578 MiB in 6 s). The buffer is bounded: the request is refused with 400 and the connection
// closed long before the flood ends.
TEST_F(HttpServerTest, EndlessChunkExtensionIs400AndClosed) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  ASSERT_TRUE(
      c.send("POST /api/auth/session HTTP/1.1\r\nHost: h\r\n"
             "Transfer-Encoding: chunked\r\n\r\n1;x="));
  const std::size_t sent = c.flood(std::string(64 * 1024, 'a'), 64 * 1024 * 1024);
  EXPECT_LT(sent, 64u * 1024 * 1024) << "the server kept reading the extension";
  EXPECT_THAT(c.read_response().value_or(""), StartsWith("HTTP/1.1 400"));
}

TEST_F(HttpServerTest, EndlessTrailerIs400AndClosed) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  ASSERT_TRUE(
      c.send("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
             "1\r\na\r\n0\r\nX-Trailer: "));
  const std::size_t sent = c.flood(std::string(64 * 1024, 'b'), 64 * 1024 * 1024);
  EXPECT_LT(sent, 64u * 1024 * 1024) << "the server kept reading the trailer";
  EXPECT_THAT(c.read_response().value_or(""), StartsWith("HTTP/1.1 400"));
}

// The bound leaves ordinary chunked bodies alone, many small chunks and a trailer included.
TEST_F(HttpServerTest, ChunkedBodyIsRead) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  std::string req = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 200; ++i) req += "2;n=v\r\nab\r\n";
  req += "0\r\nX-T: 1\r\n\r\n";
  ASSERT_TRUE(c.send(req + get_request("/after")));
  EXPECT_THAT(c.read_response().value_or(""), HasSubstr("POST /c " + [] {
                std::string s;
                for (int i = 0; i < 200; ++i) s += "ab";
                return s;
              }()));
  EXPECT_THAT(c.read_response().value_or(""), HasSubstr("GET /after"));
}

// Response desynchronisation: a HEAD answered with a body put bytes on the connection that a
// keep-alive proxy reads as the next response. HEAD gets the GET's headers and no body.
TEST_F(HttpServerTest, HeadHasHeadersButNoBody) {
  auto server = start(options(), echo);
  raw_client c(server->port());
  ASSERT_TRUE(c.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n" + get_request("/next")));
  const std::string head = c.read_head().value_or("");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: " + std::to_string(std::string("HEAD /h ").size())));
  const std::string next = c.read_response().value_or("");
  EXPECT_THAT(next, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(next, HasSubstr("GET /next"));
}

// Request smuggling: a Transfer-Encoding other than one final `chunked` was read as "no body",
// the connection kept, and the bytes after it served as a second request. Now: 400 and close,
// and the hidden request is never served.
TEST_F(HttpServerTest, TransferEncodingOtherThanChunkedIs400AndCloses) {
  std::atomic<int> smuggled{0};
  auto server = start(options(), [&](const http::request& r) {
    if (r.target == "/smuggled") ++smuggled;
    return echo(r);
  });
  for (const char* te : {"gzip", "chunked, gzip", "gzip, chunked", "chunked, chunked", "identity",
                         "chunked\r\nTransfer-Encoding: gzip"}) {
    SCOPED_TRACE(te);
    raw_client c(server->port());
    ASSERT_TRUE(c.send(std::string("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ") + te +
                       "\r\n\r\n0\r\n\r\n" + get_request("/smuggled")));
    EXPECT_THAT(c.read_response().value_or(""),
                AllOf(StartsWith("HTTP/1.1 400"), HasSubstr("Connection: close\r\n")));
    EXPECT_FALSE(c.read_response());
  }
  // HTTP/1.0 has no transfer codings.
  raw_client ten(server->port());
  ASSERT_TRUE(ten.send("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  EXPECT_THAT(ten.read_response().value_or(""), StartsWith("HTTP/1.1 400"));
  EXPECT_EQ(smuggled.load(), 0);
  // Upper case is still chunked.
  raw_client ok(server->port());
  ASSERT_TRUE(
      ok.send("POST /y HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
              "3\r\nabc\r\n0\r\n\r\n"));
  EXPECT_THAT(ok.read_response().value_or(""), HasSubstr("POST /y abc"));
}

// One address cannot take every connection: past max_connections_per_client its new connections
// are closed at once, while another address is still served, and a closed connection frees its
// place.
TEST_F(HttpServerTest, ConnectionsPerClientAreCapped) {
  auto o = options();
  o.max_connections_per_client = 2;
  std::mutex m;
  std::vector<std::string> errors;
  hooks_.on_error = [&](std::string_view e) {
    std::lock_guard lock(m);
    errors.emplace_back(e);
  };
  auto server = start(o, echo);
  std::optional<raw_client> a(std::in_place, server->port());
  raw_client b(server->port());
  ASSERT_TRUE(a->send(get_request("/a")) && b.send(get_request("/b")));
  ASSERT_TRUE(a->read_response());
  ASSERT_TRUE(b.read_response());
  {
    raw_client third(server->port(), std::chrono::seconds(3));
    third.send(get_request("/c"));
    EXPECT_FALSE(third.read_response());
  }
  {
    std::lock_guard lock(m);
    ASSERT_FALSE(errors.empty());
    EXPECT_THAT(errors.front(), HasSubstr("max_connections_per_client reached for 127.0.0.1"));
  }
  raw_client other(server->port(), std::chrono::seconds(3), "127.0.0.2");
  ASSERT_TRUE(other.send(get_request("/other")));
  EXPECT_THAT(other.read_response().value_or(""), HasSubstr("GET /other"));
  a.reset();
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {  // until the server has seen the close
    raw_client again(server->port(), std::chrono::seconds(3));
    again.send(get_request("/again"));
    served = again.read_response().has_value();
  }
  EXPECT_TRUE(served);
}

// A trusted proxy speaks for many clients: its connections are not capped per address (else a
// busy reverse proxy would lock everyone behind it out), while other addresses still are.
TEST_F(HttpServerTest, TrustedProxyIsExemptFromThePerClientCap) {
  auto o = options();
  o.max_connections_per_client = 1;
  o.trusted_proxies = {"127.0.0.1"};
  auto server = start(o, echo);
  std::vector<std::unique_ptr<raw_client>> through_proxy;
  for (int i = 0; i < 4; ++i) {
    through_proxy.push_back(std::make_unique<raw_client>(server->port()));
    ASSERT_TRUE(through_proxy.back()->send(get_request("/p" + std::to_string(i))));
    EXPECT_THAT(through_proxy.back()->read_response().value_or(""),
                HasSubstr("GET /p" + std::to_string(i)));
  }
  raw_client first(server->port(), std::chrono::seconds(3), "127.0.0.2");
  ASSERT_TRUE(first.send(get_request("/first")));
  ASSERT_TRUE(first.read_response());
  raw_client second(server->port(), std::chrono::seconds(3), "127.0.0.2");
  second.send(get_request("/second"));
  EXPECT_FALSE(second.read_response());  // 127.0.0.2 is no proxy: its second connection is refused
}

// fill_descriptors_but holds every free descriptor number below the current highest one and sets
// the soft open-file limit so that exactly `room` more can be opened; restore() undoes both.
class descriptor_squeeze {
 public:
  explicit descriptor_squeeze(int room) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    int highest = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      highest = std::max(highest, std::stoi(entry.path().filename().string()));
    }
    while (true) {
      const int d = ::dup(0);
      if (d < 0) break;
      if (d > highest) {
        ::close(d);
        break;
      }
      held_.push_back(d);
    }
    rlimit low = saved_;
    low.rlim_cur = static_cast<rlim_t>(highest) + 1 + static_cast<rlim_t>(room);
    ok_ = ::setrlimit(RLIMIT_NOFILE, &low) == 0;
  }
  ~descriptor_squeeze() { restore(); }
  descriptor_squeeze(const descriptor_squeeze&) = delete;
  descriptor_squeeze& operator=(const descriptor_squeeze&) = delete;
  bool ok() const { return ok_; }
  void restore() {
    for (const int d : held_) ::close(d);
    held_.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> held_;
  bool ok_ = false;
};

// Descriptor exhaustion: when accept failed with EMFILE the loop retried at once, at 100 % CPU
// with a line logged per try. Now it pauses (10 ms, doubling), logs at most a line a second, and
// serves again once descriptors are back.
TEST_F(HttpServerTest, AcceptPausesWhenDescriptorsRunOut) {
  auto o = options();
  o.max_connections_per_client = 0;
  std::atomic<int> logged{0};
  std::atomic<int> pauses{0};
  hooks_.on_error = [&](std::string_view e) {
    if (e.find("accept failed") != std::string_view::npos) ++logged;
  };
  hooks_.on_accept_paused = [&](std::chrono::milliseconds) { ++pauses; };
  auto server = start(o, echo);
  // Room for one client, the server's socket for it, and one more client.
  descriptor_squeeze squeeze(3);
  ASSERT_TRUE(squeeze.ok());
  std::optional<raw_client> first(std::in_place, server->port());
  ASSERT_TRUE(first->send(get_request("/first")));
  ASSERT_TRUE(first->read_response());
  // Connected in the backlog, but the server has no descriptor to accept it with.
  raw_client waiting(server->port());
  ASSERT_TRUE(waiting.connected());
  ASSERT_TRUE(waiting.send(get_request("/waiting")));
  const auto t0 = std::chrono::steady_clock::now();
  while (pauses.load() < 4) std::this_thread::yield();
  // Four failed accepts took at least the three pauses between them (10 + 20 + 40 ms); a loop
  // retrying at once fails four times within microseconds.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(70));
  first.reset();  // the server gets its descriptor back when it sees the close
  const auto res = waiting.read_response();
  squeeze.restore();
  ASSERT_TRUE(res);
  EXPECT_THAT(*res, HasSubstr("GET /waiting"));
  EXPECT_LE(logged.load(), 2);
}

// Runs in a death-test child: a hard open-file limit of 300 cannot be raised again.
[[noreturn]] void start_under_hard_limit(const server_options& o) {
  rlimit hard{300, 300};
  if (::setrlimit(RLIMIT_NOFILE, &hard) != 0) std::_Exit(3);
  server_hooks h;
  h.on_warning = [](std::string_view w) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(w.size()), w.data());
  };
  auto s = http_server::start(
      o, [](const http::request&) { return http::response{}; }, h);
  std::_Exit(s ? 0 : 4);
}

// The open-file limit is raised to fit max_connections, or max_connections is lowered with a
// warning when the hard limit is too low.
TEST_F(HttpServerTest, OpenFileLimitFitsMaxConnections) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_GE(saved.rlim_max, 2000u) << "the test needs a hard limit of 2000 descriptors";
  rlimit low = saved;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  auto o = options();
  o.max_connections = 1000;
  std::string warning;
  hooks_.on_warning = [&](std::string_view w) { warning = w; };
  {
    auto server = start(o, echo);
    rlimit now{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
    EXPECT_GE(now.rlim_cur, 1000u);
    EXPECT_EQ(warning, "");
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_EXIT(start_under_hard_limit(o), ::testing::ExitedWithCode(0),
              "max_connections lowered from 1000 to 172: the open-file limit \\(RLIMIT_NOFILE\\) "
              "is 300");
}

// Shutdown while busy: the server is destroyed with a request still in its handler when the
// (zero) shutdown deadline stops the loops. The completions still queued then end their
// connections while the server is torn down, and must find what they touch alive: the counters,
// the hooks and the control strand were destroyed before them (ASan: heap-use-after-free).
TEST_F(HttpServerTest, DestroyedWhileBusy) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    std::promise<void> entered;
    std::promise<void> release;
    auto released = release.get_future().share();
    auto o = options();
    o.shutdown_timeout = std::chrono::seconds(0);
    auto server = start(o, [&](const http::request& r) {
      if (r.target == "/slow") {
        entered.set_value();
        released.wait();
      }
      return echo(r);
    });
    // The first connection lands on the thread that runs the shutdown, the busy one on the other.
    raw_client idle(server->port());
    ASSERT_TRUE(idle.send(get_request("/idle")));
    ASSERT_TRUE(idle.read_response());
    raw_client busy(server->port());
    ASSERT_TRUE(busy.send(get_request("/slow") + get_request("/queued")));
    entered.get_future().wait();
    server->stop();
    EXPECT_TRUE(idle.closed_by_peer());  // the shutdown has begun
    std::thread destroy([&] { server.reset(); });
    // Not a timing assertion: it lets the zero deadline stop the loops before the handler
    // returns, so that its completions are left queued, the path under test.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    release.set_value();
    destroy.join();
  }
}

// A client that leaves before its answer cancels the work done for it (a queued password check,
// an outbound call), through the responder's cancellation slot; a pipelined request behind a
// slow one is not mistaken for leaving.
TEST_F(HttpServerTest, ClientGoneCancelsTheWorkItWaitsFor) {
  std::promise<error_code> ended;
  std::atomic<int> answered{0};
  auto server = http_server::start(
      options(),
      [&](http::request req, responder respond) {
        auto timer = std::make_shared<asio::steady_timer>(respond.executor());
        timer->expires_after(req.target == "/slow" ? std::chrono::hours(1)
                                                   : std::chrono::milliseconds(20));
        timer->async_wait(asio::bind_cancellation_slot(respond.cancellation_slot(),
                                                       [&, timer, respond, req](error_code ec) {
                                                         // Counted before the test wakes.
                                                         ++answered;
                                                         if (req.target == "/slow")
                                                           ended.set_value(ec);
                                                         respond(echo(req));
                                                       }));
      },
      hooks_);
  ASSERT_TRUE(server);
  {
    raw_client pipelined((*server)->port());
    ASSERT_TRUE(pipelined.send(get_request("/first") + get_request("/second")));
    EXPECT_THAT(pipelined.read_response().value_or(""), HasSubstr("GET /first"));
    EXPECT_THAT(pipelined.read_response().value_or(""), HasSubstr("GET /second"));
  }
  auto gone = ended.get_future();
  {
    raw_client leaving((*server)->port());
    ASSERT_TRUE(leaving.send(get_request("/slow")));
  }  // closed before the hour is up
  ASSERT_EQ(gone.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(gone.get(), asio::error::operation_aborted);
  EXPECT_EQ(answered.load(), 3);
}

// The client address reaches the handler and the access log: the peer, or behind a trusted
// proxy the address it forwarded; a client that is not a proxy cannot forward anything.
TEST_F(HttpServerTest, ClientAddressIsThePeerOrWhatATrustedProxyForwarded) {
  auto o = options();
  o.trusted_proxies = {"127.0.0.1"};
  std::mutex m;
  std::vector<exchange> seen;
  hooks_.on_exchange = [&](const exchange& e) {
    std::lock_guard lock(m);
    seen.push_back(e);
  };
  auto server = start(o, [](const http::request& r) {
    return http::response{
        200,
        {},
        r.client_address + "|" + std::string(r.headers.get("X-Forwarded-Host").value_or(""))};
  });
  const std::string forwarded =
      "X-Forwarded-For: 6.6.6.6, 198.51.100.7\r\nX-Forwarded-Host: evil.example, app.example\r\n";
  raw_client proxy(server->port());
  ASSERT_TRUE(proxy.send(get_request("/via-proxy", forwarded)));
  EXPECT_THAT(proxy.read_response().value_or(""), HasSubstr("\r\n\r\n198.51.100.7|app.example"));
  raw_client direct(server->port(), std::chrono::seconds(10), "127.0.0.2");
  ASSERT_TRUE(direct.send(get_request("/direct", forwarded)));
  EXPECT_THAT(direct.read_response().value_or(""), HasSubstr("\r\n\r\n127.0.0.2|"));
  server->stop();
  server->wait();
  std::lock_guard lock(m);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].remote, "198.51.100.7");
  EXPECT_EQ(seen[0].peer, "127.0.0.1");
  EXPECT_EQ(seen[1].remote, "127.0.0.2");
  EXPECT_EQ(access_log_line(seen[0], {}).find("\"peer\":\"127.0.0.1\"") != std::string::npos, true);
}

TEST_F(HttpServerTest, BadTrustedProxiesAreAConfigurationError) {
  auto o = options();
  o.trusted_proxies = {"10.0.0.0/40"};
  auto s = http_server::start(o, echo);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, errc::invalid_config);
  EXPECT_NE(s.error().detail.find("10.0.0.0/40"), std::string::npos);
}

}  // namespace
}  // namespace authpp::server
