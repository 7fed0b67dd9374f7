// httplib_app: a cpp-httplib application with authpp. The Auth.js endpoints are mounted under
// /api/auth (so next-auth/react, the C++ client or a browser form can sign in), and the page at
// `/` needs a signed-in user: a signed-out visitor is sent to sign in and comes back. One user,
// ada@example.com / "correct horse", stands in for your own user lookup.
//   AUTH_SECRET=… httplib_app [PORT]      (default: any free port; prints the address)
#include <authpp/core/constant_time.hpp>
#include <authpp/cpphttplib/adapter.hpp>
#include <authpp/http/html.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const char* secret = std::getenv("AUTH_SECRET");
  if (secret == nullptr || *secret == '\0') {
    std::cerr << "set AUTH_SECRET (e.g. AUTH_SECRET=$(authpp secret))\n";
    return 2;
  }
  httplib::Server server;
  server.set_payload_max_length(64 * 1024);  // bodies are read whole before any handler
  const int port =
      argc > 1 ? server.bind_to_port("127.0.0.1", std::atoi(argv[1])) ? std::atoi(argv[1]) : -1
               : server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::cerr << "cannot listen on 127.0.0.1" << (argc > 1 ? std::string(":") + argv[1] : "")
              << '\n';
    return 1;
  }
  const std::string origin = "http://127.0.0.1:" + std::to_string(port);

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

  authpp::cpphttplib::mount(server, *engine);
  server.Get("/", authpp::cpphttplib::require_session(
                      *engine, [](const httplib::Request&, httplib::Response& res,
                                  const authpp::json& session) {
                        const std::string name = session["user"].value("name", "");
                        res.set_content("<!doctype html><title>Dashboard</title><h1>Hello " +
                                            authpp::http::escape_html(name) +
                                            "</h1><p><a href=\"/api/auth/signout\">Sign out</a>",
                                        "text/html; charset=utf-8");
                      }));
  std::cout << "listening on " << origin << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
