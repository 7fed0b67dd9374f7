// interop_peer exposes authpp's wire primitives on the command line so that the interop tests,
// written in JavaScript next to the real @auth/core, can hand values back and forth. It is a
// test tool, not part of the product.
#include <authpp/cookies/chunking.hpp>
#include <authpp/cookies/csrf.hpp>
#include <authpp/cookies/names.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/random.hpp>
#include <authpp/http/cookie.hpp>

#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

std::string read_all() {
  std::string s{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace authpp;
  CLI::App app{"authpp interop peer"};
  app.require_subcommand(1);
  std::vector<std::string> secrets;
  std::string name = "authjs.session-token";
  std::string request_cookies;
  bool secure = false;
  int rc = 0;

  auto* verify =
      app.add_subcommand("csrf-verify", "stdin: decoded CSRF cookie value; prints token");
  verify->add_option("--secret", secrets)->required();
  verify->callback([&] {
    auto token = cookies::verified_csrf_cookie(read_all(), cookies::csrf_secret_string(secrets));
    if (!token) {
      std::cerr << "csrf cookie not verified\n";
      rc = 1;
      return;
    }
    std::cout << *token << '\n';
  });

  auto* create = app.add_subcommand("csrf-create", "prints {token, set_cookie}");
  create->add_option("--secret", secrets)->required();
  create->add_flag("--secure", secure);
  create->callback([&] {
    auto made = cookies::create_csrf_token(cookies::csrf_secret_string(secrets), default_random());
    if (!made) {
      std::cerr << made.error().message() << '\n';
      rc = 1;
      return;
    }
    http::set_cookie c = cookies::default_cookie_attributes(secure);
    c.name = cookies::default_cookie_names(secure).csrf_token;
    c.value = made->cookie_value;
    std::cout << json{{"token", made->token}, {"set_cookie", http::serialize(c)}}.dump() << '\n';
  });

  auto* chunk = app.add_subcommand("chunk", "stdin: session token; prints Set-Cookie array");
  chunk->add_option("--name", name);
  chunk->add_option("--request-cookies", request_cookies, "Cookie header of the request");
  chunk->add_flag("--secure", secure);
  chunk->callback([&] {
    const auto in_request = http::parse_cookie_header(request_cookies);
    json out = json::array();
    for (const auto& c : cookies::write_session_cookie(
             name, read_all(), in_request, cookies::default_cookie_attributes(secure))) {
      out.push_back(http::serialize(c));
    }
    std::cout << out.dump() << '\n';
  });

  auto* unchunk = app.add_subcommand("unchunk", "stdin: Cookie header; prints the session token");
  unchunk->add_option("--name", name);
  unchunk->callback([&] {
    auto value = cookies::read_session_cookie(name, http::parse_cookie_header(read_all()));
    if (!value || !*value) {
      std::cerr << (value ? "no session cookie" : value.error().message()) << '\n';
      rc = 1;
      return;
    }
    std::cout << **value << '\n';
  });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
