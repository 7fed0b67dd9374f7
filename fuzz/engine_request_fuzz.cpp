// Fuzzes auth::handle end to end: an arbitrary request through limits, router, origin, body and
// cookie parsing, init and the actions, with rate limits on. Input: the first byte picks the
// method (GET, POST, HEAD, PUT); then the target up to the first newline; then header lines
// "name: value" up to an empty line; the rest is the body. Invariants:
//   - a 5xx is a documented one: 500 only with the InvalidCallbackUrl assertion logged (as
//     Auth.js answers it), 503 only with the store unavailable (never here); never an
//     InternalError (a thrown exception);
//   - no response field holds CR, LF or NUL (response splitting);
//   - every redirect, in Location or in the {"url"} body, stays on the configured origin.
#include <authpp/auth/auth.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace authpp;

constexpr std::string_view origin = "http://localhost:3000";

struct harness {
  std::string logged;  // the codes the engine logged while handling the current input
  auth engine = make();

  auth make() {
    auth_config c;
    c.secrets = {"fuzz-secret-0123456789abcdef0123456789abcdef"};
    c.url = std::string(origin);
    credentials_provider p;
    p.fields = {{"username", "Username", "text", "", true}};
    p.authorize = [](const authorize_request& r) {
      const auto it = r.credentials.find("username");
      if (it != r.credentials.end() && it->is_string() && *it == "alice") {
        return authorize_result::accept(
            {.id = "1", .name = "Alice", .email = {}, .image = {}, .extra = json::object()});
      }
      return authorize_result::reject();
    };
    c.providers.push_back(std::move(p));
    // Limits on, but high enough that POSTs keep reaching the actions: with the default, all but
    // the first 60 a minute would stop at the limiter.
    c.rate_limits.store = make_memory_counter_store(1024);
    c.rate_limits.posts_per_minute = 1U << 30;
    c.log_level = log_level::debug;
    c.logger = [this](log_level, std::string_view code, std::string_view) {
      logged.append(code).append(" ");
    };
    return auth::create(std::move(c)).value();
  }
};

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool on_origin(std::string_view url) {
  return url == origin ||
         (url.starts_with(origin) && url.size() > origin.size() && url[origin.size()] == '/');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static harness h;
  std::string_view in(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (in.empty()) return 0;
  static constexpr const char* methods[] = {"GET", "POST", "HEAD", "PUT"};
  http::request req;
  req.method = methods[static_cast<unsigned char>(in.front()) % 4];
  in.remove_prefix(1);
  const auto line = [&in]() {
    const std::size_t end = in.find('\n');
    const std::string_view l = in.substr(0, end);
    in.remove_prefix(end == std::string_view::npos ? in.size() : end + 1);
    return l;
  };
  req.target = std::string(line());
  while (!in.empty()) {
    const std::string_view l = line();
    if (l.empty()) break;
    const std::size_t colon = l.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = l.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.add(std::string(l.substr(0, colon)), std::string(value));
  }
  req.body = std::string(in);
  req.client_address = "203.0.113.9";

  h.logged.clear();
  const http::response res = h.engine.handle(req);
  if (h.logged.find("InternalError") != std::string::npos) std::abort();
  if (res.status >= 500) {
    const bool documented =
        res.status == 500 && h.logged.find("InvalidCallbackUrl") != std::string::npos;
    if (!documented) std::abort();
  }
  for (const auto& f : res.headers) {
    if (has_line_break(f.name) || has_line_break(f.value)) std::abort();
  }
  if (const auto location = res.headers.get("Location"); location && !on_origin(*location)) {
    std::abort();
  }
  if (res.body.starts_with("{\"url\":")) {
    const auto body = parse_json(res.body);
    if (!body || !body->contains("url") || !(*body)["url"].is_string() ||
        !on_origin((*body)["url"].get<std::string>())) {
      std::abort();
    }
  }
  return 0;
}
