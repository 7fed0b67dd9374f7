// beast_app: a Boost.Beast application with authpp. One thread, one coroutine per connection;
// authpp::beast::handle answers the Auth.js endpoints under /api/auth (awaiting password checks
// and OAuth calls instead of blocking), and the page at `/` needs a signed-in user: a signed-out
// visitor is sent to sign in and comes back. One user, ada@example.com / "correct horse", stands
// in for your own user lookup.
//   AUTH_SECRET=… beast_app [PORT]      (default: any free port; prints the address)
#include <authpp/beast/adapter.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/http/html.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

authpp::beast::response page(const authpp::beast::request& req, const authpp::json& session) {
  authpp::beast::response res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "text/html; charset=utf-8");
  res.body() = "<!doctype html><title>Dashboard</title><h1>Hello " +
               authpp::http::escape_html(session["user"].value("name", "")) +
               "</h1><p><a href=\"/api/auth/signout\">Sign out</a>";
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

authpp::beast::response not_found(const authpp::beast::request& req) {
  authpp::beast::response res{bhttp::status::not_found, req.version()};
  res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  res.body() = "Not found.\n";
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

asio::awaitable<void> serve(tcp::socket socket, const authpp::auth& engine) {
  const std::string peer = socket.remote_endpoint().address().to_string();
  boost::beast::tcp_stream stream(std::move(socket));
  boost::beast::flat_buffer buffer;
  try {
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(16 * 1024);  // untrusted sizes are bounded before parsing
      parser.body_limit(64 * 1024);
      stream.expires_after(std::chrono::seconds(30));
      co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
      const authpp::beast::request req = parser.release();
      authpp::beast::response res;
      if (auto answered = co_await authpp::beast::handle(engine, req, false, peer)) {
        res = std::move(*answered);
      } else if (req.target() == "/") {
        res = co_await authpp::beast::require_session(engine, req, page);
      } else {
        res = not_found(req);
      }
      co_await bhttp::async_write(stream, res, asio::use_awaitable);
      if (!res.keep_alive()) break;
    }
  } catch (const boost::system::system_error&) {
    // The client went away, sent a malformed request or timed out: close the connection.
  }
}

asio::awaitable<void> accept(tcp::acceptor& acceptor, const authpp::auth& engine) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), engine), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* secret = std::getenv("AUTH_SECRET");
  if (secret == nullptr || *secret == '\0') {
    std::cerr << "set AUTH_SECRET (e.g. AUTH_SECRET=$(authpp secret))\n";
    return 2;
  }
  asio::io_context io(1);
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
  const std::string origin = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());

  authpp::auth_config config;
  config.secrets = {secret};
  config.url = origin;
  config.providers.push_back(authpp::credentials_provider{
      .fields = {{.name = "email", .type = "email"}, {.name = "password", .type = "password"}},
      .authorize =
          [](const authpp::authorize_request& r) {
            const auto field = [&r](const char* name) {
              const auto it = r.credentials.find(name);
              return it != r.credentials.end() && it->is_string() ? it->get<std::string>() : "";
            };
            if (field("email") != "ada@example.com" ||
                !authpp::constant_time_equal(field("password"), "correct horse")) {
              return authpp::authorize_result::reject();
            }
            return authpp::authorize_result::accept(
                {.id = "1", .name = "Ada Lovelace", .email = "ada@example.com"});
          },
  });
  auto engine = authpp::auth::create(std::move(config));
  if (!engine) {
    std::cerr << engine.error().message() << '\n';
    return 2;
  }
  asio::co_spawn(io, accept(acceptor, *engine), asio::detached);
  std::cout << "listening on " << origin << std::endl;
  io.run();
  return 0;
}
