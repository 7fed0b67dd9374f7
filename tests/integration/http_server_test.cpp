// The HTTP front on real sockets: keep-alive, limits, timeouts, connection cap, handler failures
// and graceful shutdown. Timeouts are asserted as upper bounds on a blocking read, never by
// sleeping.
#include <authpp/server/http_server.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration/raw_client.hpp"

namespace authpp::server {
namespace {

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

}  // namespace
}  // namespace authpp::server
