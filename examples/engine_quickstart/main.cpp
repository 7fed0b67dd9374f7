// engine_quickstart: the Auth.js endpoints inside your own program, with no server and no
// network. It builds an engine with one credentials provider, then plays a browser's part by
// hand: visit a protected page signed out (sent to sign in), fetch a CSRF token, sign in, visit
// the page again. Whatever HTTP stack you use converts its requests to authpp::http::request and
// sends back the authpp::http::response.
//   engine_quickstart        prints each step, and the session the page sees
#include <authpp/auth/auth.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/http/form.hpp>

#include <iostream>
#include <string>

namespace {

// A browser's cookie jar, reduced to what this walk-through needs: every cookie set so far.
struct browser {
  std::string cookies;

  authpp::http::request make(authpp::http::request req) const {
    req.headers.set("Host", "localhost:3000");
    if (!cookies.empty()) req.headers.set("Cookie", cookies);
    return req;
  }
  void keep(const authpp::http::headers& headers) {
    for (std::string_view set_cookie : headers.get_all("Set-Cookie")) {
      if (!cookies.empty()) cookies += "; ";
      cookies += set_cookie.substr(0, set_cookie.find(';'));
    }
  }
  authpp::http::response send(const authpp::auth& engine, authpp::http::request req) {
    authpp::http::response res = engine.handle(make(std::move(req)));
    keep(res.headers);
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

  // A page of your own that needs a signed-in user: auth::session is Auth.js's auth().
  const auto dashboard = [&engine](browser& visitor) -> authpp::http::response {
    const auto request = visitor.make({.target = "/dashboard"});
    auto who = engine->session(request);
    if (!who) return {.status = 503, .headers = {}, .body = who.error().message()};
    if (!who->session) return engine->sign_in_redirect(request).value();
    authpp::http::response page{.status = 200, .headers = who->headers, .body = {}};
    page.body = "Hello " + (*who->session)["user"]["name"].get<std::string>() +
                ", your session: " + who->session->dump();
    return page;
  };

  browser b;
  const auto first = dashboard(b);
  std::cout << "signed out, /dashboard: " << first.status << " to "
            << first.headers.get("Location").value_or("?") << '\n';

  const auto csrf = authpp::json::parse(b.send(*engine, {.target = "/api/auth/csrf"}).body);
  const std::string token = csrf["csrfToken"].get<std::string>();

  authpp::http::request sign_in{.method = "POST", .target = "/api/auth/callback/credentials"};
  sign_in.headers.set("Content-Type", "application/x-www-form-urlencoded");
  sign_in.body = "email=ada%40example.com&password=" + authpp::http::form_encode("correct horse") +
                 "&csrfToken=" + token;
  const auto signed_in = b.send(*engine, sign_in);
  std::cout << "sign-in: " << signed_in.status << " to "
            << signed_in.headers.get("Location").value_or("?") << '\n';

  const auto page = dashboard(b);
  b.keep(page.headers);  // the session cookie slides on every visit
  std::cout << "signed in, /dashboard: " << page.status << ": " << page.body << '\n';
  return page.body.find("ada@example.com") == std::string::npos ? 1 : 0;
}
