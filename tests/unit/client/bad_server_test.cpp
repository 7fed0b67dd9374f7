// Issue 5 "Bad input": a server answering garbage, truncated JSON, a 500, an endless body,
// nothing at all, or redirects forever. Each ends in a clear error within the configured bounds,
// never a crash or a hang. The real libcurl transport talks to a scripted socket server.
#include <authpp/client/client.hpp>

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"
#include "unit/client/raw_server.hpp"

namespace authpp::client {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using test::raw_server;
using ::testing::HasSubstr;

class BadServerTest : public ::testing::Test {
 protected:
  client make(const raw_server& server, transport_options http = {}) {
    client_options o;
    o.base_url = server.url("/api/auth");
    o.http = http;
    o.log = [](log_level, std::string_view) {};
    return client::create(std::move(o)).value();
  }
  static raw_server::handler always(std::string bytes) {
    return [bytes](const std::string&, raw_server::connection& c) { c.write(bytes); };
  }
};

TEST_F(BadServerTest, GarbageIsAnInvalidResponse) {
  raw_server server(always(raw_server::response(200, "\x01\xffnot json at all", "", "text/html")));
  const client c = make(server);
  EXPECT_EQ(error_of(c.get_session()), errc::invalid_response);
  EXPECT_EQ(error_of(c.get_providers()), errc::invalid_response);
}

TEST_F(BadServerTest, NotHttpAtAllIsATransportFailure) {
  raw_server server(always("SSH-2.0-OpenSSH_9.2\r\n"));
  const client c = make(server);
  const auto r = c.get_csrf_token();
  ASSERT_EQ(error_of(r), errc::transport_failure);
  EXPECT_THAT(r.error().message(), HasSubstr("/api/auth/csrf"));
}

TEST_F(BadServerTest, TruncatedJsonIsAnError) {
  // Complete HTTP, cut JSON: invalid_response.
  raw_server cut(always(raw_server::response(200, R"({"user":{"name":"A)")));
  EXPECT_EQ(error_of(make(cut).get_session()), errc::invalid_response);
  // The connection closes before Content-Length bytes: curl's partial-file error.
  raw_server closed(always(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"u"));
  EXPECT_EQ(error_of(make(closed).get_session()), errc::transport_failure);
}

TEST_F(BadServerTest, ServerErrorIsAnHttpStatusError) {
  raw_server server(always(raw_server::response(500, R"({"message":"boom"})")));
  const client c = make(server);
  EXPECT_EQ(error_of(c.get_session()), errc::http_status);
  // sign_in with redirect off: the POST's 500 has no url (but providers already failed: the
  // client navigates to the error page, which also answers 500, and reports no response).
  const auto r = c.sign_in<false>("credentials");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_THAT(server.requests().back(), HasSubstr("GET /api/auth/error "));
}

TEST_F(BadServerTest, EndlessBodyStopsAtTheSizeLimit) {
  raw_server server([](const std::string&, raw_server::connection& c) {
    if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n")) {
      return;
    }
    const std::string chunk = "4000\r\n" + std::string(0x4000, ' ') + "\r\n";
    for (int i = 0; i < 100000 && c.write(chunk); ++i) {
    }
  });
  const client c = make(server, {.max_response_bytes = 256 * 1024});
  EXPECT_EQ(error_of(c.get_session()), errc::response_too_large);
  // A declared Content-Length above the limit fails before the body is read.
  raw_server declared(always("HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n{"));
  EXPECT_EQ(error_of(make(declared, {.max_response_bytes = 1024}).get_session()),
            errc::response_too_large);
}

TEST_F(BadServerTest, SlowServerTimesOutWithinTheBound) {
  raw_server server([](const std::string&, raw_server::connection& c) {
    c.wait_for(10s);  // never answers in time; returns at once when the test ends
  });
  const client c = make(server, {.timeout = 300ms});
  const auto start = std::chrono::steady_clock::now();
  const auto r = c.get_session();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(error_of(r), errc::transport_failure);
  EXPECT_THAT(r.error().message(), HasSubstr("imed out"));
  EXPECT_LT(elapsed, 3s);
}

TEST_F(BadServerTest, RefusedConnectionIsATransportFailure) {
  std::string url;
  {
    raw_server gone(always(""));
    url = gone.url("/api/auth");
  }
  client_options o;
  o.base_url = url;
  const client c = client::create(std::move(o)).value();
  EXPECT_EQ(error_of(c.get_session()), errc::transport_failure);
}

TEST_F(BadServerTest, RedirectLoopDuringNavigationIsAnError) {
  raw_server server([](const std::string& request, raw_server::connection& c) {
    if (request.starts_with("GET /api/auth/providers")) {
      c.write(raw_server::response(200, R"({"credentials":{"type":"credentials"}})"));
    } else if (request.starts_with("GET /api/auth/csrf")) {
      c.write(raw_server::response(200, R"({"csrfToken":"t"})"));
    } else if (request.starts_with("POST ")) {
      c.write(raw_server::response(200, R"({"url":"/loop"})"));
    } else {
      c.write(
          "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n"
          "Set-Cookie: n=1; Path=/\r\nConnection: close\r\n\r\n");
    }
  });
  client_options o;
  o.base_url = server.url("/api/auth");
  o.max_redirects = 5;
  const client c = client::create(std::move(o)).value();
  EXPECT_EQ(error_of(c.follow(server.url("/start"))), errc::redirect_loop);
  // 1 + 5 redirects followed, then the 6th Location is refused.
  EXPECT_EQ(server.requests().size(), 6u);
  EXPECT_THAT(server.requests().back(), HasSubstr("Cookie: n=1\r\n"));
  // The same through sign_in: the default navigator follows the returned url, which loops.
  EXPECT_EQ(error_of(c.sign_in("credentials", {.redirect_to = "/x"})), errc::redirect_loop);
}

}  // namespace
}  // namespace authpp::client
