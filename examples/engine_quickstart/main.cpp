// engine_quickstart: the Auth.js endpoints inside your own program, with no server and no
// network. It builds an engine with one credentials provider, then plays a browser's part by
// hand: fetch a CSRF token, sign in, read the session. Whatever HTTP stack you use converts its
// requests to authpp::http::request and sends back the authpp::http::response.
//   engine_quickstart        prints the session a signed-in browser would read
#include <authpp/auth/auth.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/http/form.hpp>

#include <iostream>
#include <string>

namespace {

// A browser's cookie jar, reduced to what this walk-through needs: every cookie set so far.
struct browser {
  std::string cookies;

  authpp::http::response send(const authpp::auth& engine, authpp::http::request req) {
    req.headers.set("Host", "localhost:3000");
    if (!cookies.empty()) req.headers.set("Cookie", cookies);
    authpp::http::response res = engine.handle(req);
    for (std::string_view set_cookie : res.headers.get_all("Set-Cookie")) {
      if (!cookies.empty()) cookies += "; ";
      cookies += set_cookie.substr(0, set_cookie.find(';'));
    }
    return res;
  }
};

}  // namespace

int main() {
  authpp::auth_config config;
  config.secrets = {"engine-quickstart-secret-0123456789abcdef"};  // AUTH_SECRET in a real app
  config.url = "http://localhost:3000";
  config.providers.push_back(authpp::credentials_provider{
      .fields = {{.name = "email"}, {.name = "password", .type = "password"}},
      .authorize =
          [](const authpp::authorize_request& r) {
            // Your user lookup goes here; authpp::adapters has stores with Argon2id passwords.
            const auto field = [&r](const char* name) {
              const auto it = r.credentials.find(name);
              return it != r.credentials.end() && it->is_string() ? it->get<std::string>() : "";
            };
            const bool known = field("email") == "ada@example.com" &&
                               authpp::constant_time_equal(field("password"), "correct horse");
            if (!known) return authpp::authorize_result::reject();
            return authpp::authorize_result::accept(
                {.id = "1", .name = "Ada", .email = "ada@example.com"});
          },
  });
  auto engine = authpp::auth::create(std::move(config));
  if (!engine) {
    std::cerr << engine.error().message() << '\n';
    return 2;
  }

  browser b;
  const auto csrf = authpp::json::parse(b.send(*engine, {.target = "/api/auth/csrf"}).body);
  const std::string token = csrf["csrfToken"].get<std::string>();

  authpp::http::request sign_in{.method = "POST", .target = "/api/auth/callback/credentials"};
  sign_in.headers.set("Content-Type", "application/x-www-form-urlencoded");
  sign_in.body = "email=ada%40example.com&password=" + authpp::http::form_encode("correct horse") +
                 "&csrfToken=" + token;
  const auto signed_in = b.send(*engine, sign_in);
  std::cout << "sign-in: " << signed_in.status << " to "
            << signed_in.headers.get("Location").value_or("?") << '\n';

  const auto session = b.send(*engine, {.target = "/api/auth/session"});
  std::cout << "session: " << session.body << '\n';
  return session.body.find("ada@example.com") == std::string::npos ? 1 : 0;
}
