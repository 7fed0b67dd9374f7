// The engine alone, no sockets: what one request costs in CPU. Run with the `bench` preset:
//   cmake --preset bench && cmake --build --preset bench && build/bench/bench/engine_bench
#include <authpp/auth/auth.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/form.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace authpp;

auth make_engine() {
  auth_config c;
  c.secrets = {"benchmark-secret-benchmark-secret"};
  c.url = "http://localhost:3000";
  credentials_provider p;
  p.fields = {{"username", "Username", "text", "", true}};
  p.authorize = [](const authorize_request& r) {
    return authorize_result::accept({.id = "1",
                                     .name = r.credentials.value("username", ""),
                                     .email = "a@example.com",
                                     .image = {},
                                     .extra = json::object()});
  };
  c.providers.push_back(std::move(p));
  c.log_level = log_level::error;
  return auth::create(std::move(c)).value();
}

std::string cookie_pairs(const http::response& res) {
  std::string out;
  for (std::string_view line : res.headers.get_all("Set-Cookie")) {
    auto c = http::parse_set_cookie(line);
    if (!c || c->value.empty()) continue;
    if (!out.empty()) out += "; ";
    out += std::string(line.substr(0, line.find(';')));
  }
  return out;
}

// sign_in_request returns a credentials sign-in POST as next-auth/react sends it, with the CSRF
// cookie and token of a fresh GET /csrf.
http::request sign_in_request(const auth& a) {
  const auto c = a.handle(http::request{"GET", "/api/auth/csrf", {}, "", false});
  http::url_search_params form;
  form.append("username", "Ada");
  form.append("csrfToken", json::parse(c.body)["csrfToken"].get<std::string>());
  return http::request{"POST",
                       "/api/auth/callback/credentials",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"X-Auth-Return-Redirect", "1"},
                        {"Cookie", cookie_pairs(c)}},
                       form.to_string(),
                       false};
}

// signed_in_cookies signs in once and returns the Cookie header a browser would then send.
std::string signed_in_cookies(const auth& a) {
  const http::request post = sign_in_request(a);
  return std::string(post.headers.get("Cookie").value_or("")) + "; " + cookie_pairs(a.handle(post));
}

void BM_GetSessionWithValidCookie(benchmark::State& state) {
  const auth a = make_engine();
  http::request req{"GET", "/api/auth/session", {{"Cookie", signed_in_cookies(a)}}, "", false};
  for (auto _ : state) {
    auto res = a.handle(req);
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_GetSessionWithValidCookie);

void BM_GetCsrf(benchmark::State& state) {
  const auth a = make_engine();
  http::request req{"GET", "/api/auth/csrf", {}, "", false};
  for (auto _ : state) {
    auto res = a.handle(req);
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_GetCsrf);

void BM_CredentialsSignIn(benchmark::State& state) {
  const auth a = make_engine();
  const http::request post = sign_in_request(a);
  for (auto _ : state) {
    auto res = a.handle(post);
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_CredentialsSignIn);

// A hostile JSON body: 8000 distinct names in 64 KiB (issue 12). The library's own reader looks
// each name up among those before it; ours indexes them.
std::string many_names_body() {
  std::string body = "{";
  for (int i = 0; i < 8000; ++i) body += "\"" + std::to_string(i) + "\":0,";
  body += "\"csrfToken\":\"x\"}";
  return body;
}

void BM_JsonManyNames(benchmark::State& state) {
  const std::string body = many_names_body();
  for (auto _ : state) {
    auto v = parse_json(body);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_JsonManyNames);

void BM_JsonManyNamesLibrary(benchmark::State& state) {
  const std::string body = many_names_body();
  for (auto _ : state) {
    auto v = json::parse(body);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_JsonManyNamesLibrary);

}  // namespace

BENCHMARK_MAIN();
