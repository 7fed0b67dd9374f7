// The load test of issue 12: GET /session from many browsers at a fixed rate, while a
// credential-stuffing client posts guesses at full speed from the same address, on loopback.
//
// The /session side is an open loop: each connection has a schedule (rate / connections
// requests a second, staggered), and a request's latency counts from when it was due, not from
// when it could be sent, so a stalled server cannot hide its stall by slowing the client down
// (coordinated omission). The stuffing side is a closed loop per connection, as fast as the
// server answers, each guess for another account.
//
// Prints the figures, and exits 1 when a goal is missed: /session p99 under --p99-goal-ms, no
// 5xx on either side, and no more guesses answered (rather than refused with 429) than
// --posts-per-minute allows over the run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using steady = std::chrono::steady_clock;
using asio::use_awaitable;

struct options {
  unsigned short port = 0;
  std::string base_path = "/api/auth";
  std::string cookie;       // the signed-in browser's cookies, for /session
  std::string csrf_cookie;  // the stuffing client's CSRF cookie (NAME=VALUE) and its token
  std::string csrf_token;
  int connections = 256;
  double rate = 2000;  // /session requests a second, over all connections
  int stuffers = 8;
  double seconds = 10;
  double p99_goal_ms = 10;
  int posts_per_minute = 60;
};

struct session_figures {
  std::vector<steady::duration> latencies;
  std::size_t server_errors = 0;  // 5xx
  std::size_t other_answers = 0;  // neither 200 nor 5xx
  std::size_t broken = 0;         // connections lost
};

struct stuffing_figures {
  std::size_t sent = 0;
  std::size_t throttled = 0;  // 429
  std::size_t answered = 0;   // reached the password check
  std::size_t server_errors = 0;
  std::size_t reconnects = 0;
};

asio::ip::tcp::endpoint target(const options& o) {
  return {asio::ip::make_address_v4("127.0.0.1"), o.port};
}

asio::awaitable<void> poll_session(const options& o, steady::time_point start,
                                   steady::time_point end, steady::duration period,
                                   steady::duration offset, session_figures& out) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(target(o), use_awaitable);
  http::request<http::empty_body> req{http::verb::get, o.base_path + "/session", 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(o.port));
  req.set(http::field::cookie, o.cookie);
  beast::flat_buffer buffer;
  asio::steady_timer timer(stream.get_executor());
  for (auto due = start + offset; due < end; due += period) {
    timer.expires_at(due);
    co_await timer.async_wait(use_awaitable);
    http::response<http::string_body> res;
    try {
      co_await http::async_write(stream, req, use_awaitable);
      co_await http::async_read(stream, buffer, res, use_awaitable);
    } catch (const boost::system::system_error&) {
      ++out.broken;
      co_return;
    }
    out.latencies.push_back(steady::now() - due);
    if (res.result_int() >= 500) {
      ++out.server_errors;
    } else if (res.result_int() != 200) {
      ++out.other_answers;
    }
  }
}

asio::awaitable<void> stuff(const options& o, steady::time_point end, int index,
                            stuffing_figures& out) {
  const auto executor = co_await asio::this_coro::executor;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  for (std::size_t n = 0; steady::now() < end; ++n) {
    if (!stream) {
      stream.emplace(executor);
      co_await stream->async_connect(target(o), use_awaitable);
      buffer.clear();
    }
    http::request<http::string_body> req{http::verb::post, o.base_path + "/callback/credentials",
                                         11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(o.port));
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.set(http::field::cookie, o.csrf_cookie);
    req.set("X-Auth-Return-Redirect", "1");
    // A different account every time, as a stuffing list would: the per-account lock never
    // trips, so only the per-address limit can stop it.
    req.body() = "email=victim" + std::to_string(index) + "-" + std::to_string(n) +
                 "%40example.com&password=guess" + std::to_string(n) + "&csrfToken=" + o.csrf_token;
    req.prepare_payload();
    http::response<http::string_body> res;
    try {
      co_await http::async_write(*stream, req, use_awaitable);
      co_await http::async_read(*stream, buffer, res, use_awaitable);
    } catch (const boost::system::system_error&) {
      stream.reset();  // the server closed a kept-alive connection: reconnect and go on
      ++out.reconnects;
      continue;
    }
    ++out.sent;
    if (res.result_int() == 429) {
      ++out.throttled;
    } else if (res.result_int() >= 500) {
      ++out.server_errors;
    } else {
      ++out.answered;
    }
    if (!res.keep_alive()) stream.reset();
  }
}

double ms(steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

steady::duration percentile(const std::vector<steady::duration>& sorted, double p) {
  if (sorted.empty()) return {};
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

// run_loop runs one loop to its end; a coroutine's failure (the server refused a connection)
// ends the run with a message rather than terminating the process.
bool run_loop(asio::io_context& loop, const char* name) {
  try {
    loop.run();
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return false;
  }
}

void rethrow(const std::exception_ptr& e) {
  if (e) std::rethrow_exception(e);
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App cli{"GET /session at a fixed rate beside a credential-stuffing flood (issue 12)"};
  cli.add_option("--port", o.port, "authpp serve's loopback port")->required();
  cli.add_option("--cookie", o.cookie, "Cookie header of a signed-in browser")->required();
  cli.add_option("--csrf-cookie", o.csrf_cookie, "the stuffer's CSRF cookie, NAME=VALUE")
      ->required();
  cli.add_option("--csrf-token", o.csrf_token, "the stuffer's CSRF token")->required();
  cli.add_option("--connections", o.connections, "connections polling /session");
  cli.add_option("--rate", o.rate, "/session requests a second, over all connections");
  cli.add_option("--stuffers", o.stuffers, "stuffing connections");
  cli.add_option("--seconds", o.seconds, "length of the run");
  cli.add_option("--p99-goal-ms", o.p99_goal_ms, "the /session p99 goal");
  cli.add_option("--posts-per-minute", o.posts_per_minute, "the server's per-address limit");
  CLI11_PARSE(cli, argc, argv);

  // Two loops on two threads, so that the flood's replies never delay a due /session request
  // in the client itself.
  asio::io_context session_loop(1);
  asio::io_context stuffing_loop(1);
  session_figures sessions;
  stuffing_figures stuffing;
  const auto run_for =
      std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.seconds));
  const auto start = steady::now() + std::chrono::milliseconds(200);  // connect first
  const auto end = start + run_for;
  const auto period = std::chrono::duration_cast<steady::duration>(
      std::chrono::duration<double>(o.connections / o.rate));
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(session_loop,
                   poll_session(o, start, end, period, period * i / o.connections, sessions),
                   rethrow);
  }
  for (int i = 0; i < o.stuffers; ++i) {
    asio::co_spawn(stuffing_loop, stuff(o, end, i, stuffing), rethrow);
  }
  bool flood_ran = false;
  std::thread flood([&] { flood_ran = run_loop(stuffing_loop, "stuffing"); });
  const bool sessions_ran = run_loop(session_loop, "/session");
  flood.join();
  if (!flood_ran || !sessions_ran) return 2;

  auto& l = sessions.latencies;
  std::sort(l.begin(), l.end());
  const double seconds = o.seconds;
  const auto p99 = percentile(l, 0.99);
  std::printf("GET /session: %d connections, %.0f req/s offered, %zu answered (%.0f req/s)\n",
              o.connections, o.rate, l.size(), static_cast<double>(l.size()) / seconds);
  std::printf(
      "  latency from due time: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, "
      "max %.2f ms\n",
      ms(percentile(l, 0.5)), ms(percentile(l, 0.9)), ms(p99), ms(percentile(l, 0.999)),
      ms(l.empty() ? steady::duration{} : l.back()));
  std::printf("  5xx %zu, other non-200 %zu, connections lost %zu\n", sessions.server_errors,
              sessions.other_answers, sessions.broken);
  // A fixed window per address: a run of S seconds touches at most ceil(S / 60) + 1 windows.
  const auto windows = static_cast<std::size_t>(seconds / 60) + 2;
  const std::size_t allowance = windows * static_cast<std::size_t>(o.posts_per_minute);
  std::printf(
      "stuffing: %d connections, %zu guesses sent (%.0f /s): %zu refused with 429, "
      "%zu reached a password check (allowance %zu), 5xx %zu, reconnects %zu\n",
      o.stuffers, stuffing.sent, static_cast<double>(stuffing.sent) / seconds, stuffing.throttled,
      stuffing.answered, allowance, stuffing.server_errors, stuffing.reconnects);

  bool met = true;
  const auto goal = [&met](bool ok, const char* what) {
    if (!ok) std::printf("GOAL MISSED: %s\n", what);
    met = met && ok;
  };
  goal(ms(p99) < o.p99_goal_ms, "/session p99 under the goal");
  goal(sessions.server_errors + stuffing.server_errors == 0, "zero 5xx");
  goal(sessions.broken == 0, "no /session connection lost");
  goal(stuffing.answered <= allowance, "stuffing throttled to the configured rate");
  goal(stuffing.throttled > 0, "the flood was refused with 429");
  return met ? 0 : 1;
}
