// Forward authentication for reverse proxies: the original URL from a trusted proxy's fields,
// the session from auth::session, the decision as the proxies' protocols want it.
#include <authpp/http/form.hpp>
#include <authpp/http/url.hpp>
#include <authpp/server/forward_auth.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace authpp::server {
namespace {

http::response answer(int status, std::string_view text) {
  http::response res;
  res.status = status;
  res.headers.add("Content-Type", "text/plain; charset=utf-8");
  res.headers.add("Cache-Control", "no-store");
  res.body = std::string(text) + "\n";
  return res;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// original_url is the URL the proxy asks about: nginx's X-Original-URL, or Caddy's and
// Traefik's X-Forwarded-Proto, -Host and -Uri.
std::optional<std::string> original_url(const http::request& req) {
  if (auto url = req.headers.get("X-Original-URL")) return std::string(http::trim_ows(*url));
  const auto proto = req.headers.get("X-Forwarded-Proto");
  const auto host = req.headers.get("X-Forwarded-Host");
  const auto uri = req.headers.get("X-Forwarded-Uri");
  if (!proto || !host || !uri) return std::nullopt;
  return std::string(http::trim_ows(*proto)) + "://" + std::string(http::trim_ows(*host)) +
         std::string(http::trim_ows(*uri));
}

// own_host is the host of authpp's own origin: the configured url's, else the request's Host.
std::string own_host(const authpp::auth& engine, const http::request& req) {
  std::string origin = engine.config().url.value_or("");
  if (origin.empty()) origin = "http://" + std::string(req.headers.get("Host").value_or(""));
  auto url = http::parse_absolute_url(origin);
  return url ? url->host : std::string();
}

bool host_allowed(const forward_auth_options& o, const std::string& host, const std::string& own) {
  if (o.allowed_hosts.empty()) return host == own;
  return std::any_of(o.allowed_hosts.begin(), o.allowed_hosts.end(), [&](const std::string& p) {
    const std::string pattern = lower(p);
    if (pattern.starts_with("*.")) {
      const std::string_view suffix = std::string_view(pattern).substr(1);  // ".example.com"
      return host.size() > suffix.size() && host.ends_with(suffix);
    }
    return host == pattern;
  });
}

std::string user_field(const json& user, const char* key) {
  const auto it = user.find(key);
  return it != user.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool user_allowed(const forward_auth_options& o, const json& user) {
  if (o.emails.empty() && o.email_domains.empty()) return true;
  const std::string email = lower(user_field(user, "email"));
  if (email.empty()) return false;
  if (std::any_of(o.emails.begin(), o.emails.end(),
                  [&](const std::string& e) { return lower(e) == email; })) {
    return true;
  }
  const std::size_t at = email.rfind('@');
  if (at == std::string::npos) return false;
  const std::string domain = email.substr(at + 1);
  return std::any_of(o.email_domains.begin(), o.email_domains.end(),
                     [&](const std::string& d) { return lower(d) == domain; });
}

// header_safe keeps a value on one header line: control characters (CR, LF, NUL, …) are dropped,
// so that a name chosen by the user cannot add a header of its own.
std::string header_safe(std::string value) {
  std::erase_if(value, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
  return value;
}

bool wants_redirect(const http::request& req) {
  const std::string_view target = req.target;
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return false;
  auto query = http::url_search_params::parse(target.substr(q + 1));
  return query && query->get("mode") == "redirect";
}

}  // namespace

std::string forward_auth_path(std::string_view base_path) {
  return std::string(base_path) + "/forward";
}

boost::asio::awaitable<http::response> forward_auth(const authpp::auth& engine,
                                                    const forward_auth_options& options,
                                                    http::request request) {
  const auto original = original_url(request);
  if (!original) {
    co_return answer(400,
                     "forward-auth needs X-Original-URL, or X-Forwarded-Proto, -Host and -Uri, "
                     "from a trusted proxy");
  }
  const auto url = http::parse_absolute_url(*original);
  if (!url) co_return answer(400, "the forwarded original URL is not an absolute http(s) URL");
  if (!host_allowed(options, url->host, own_host(engine, request))) {
    co_return answer(403, "authpp does not guard this host (forward_auth.allowed_hosts)");
  }

  auto who = co_await engine.session_async(request);
  if (!who) {
    if (who.error().code == errc::storage_unavailable) {
      http::response res = answer(503, "the session store cannot answer now");
      res.headers.add("Retry-After", "1");
      co_return res;
    }
    co_return answer(400, "bad request");
  }
  if (!who->session) {
    http::response res;
    if (wants_redirect(request)) {
      auto to = engine.sign_in_url(request, *original);
      if (!to) co_return answer(400, "bad request");
      res = answer(302, "sign in first");
      res.headers.add("Location", std::move(*to));
    } else {
      res = answer(401, "sign in first");
    }
    for (const auto& cookie : who->headers) res.headers.add(cookie.name, cookie.value);
    co_return res;
  }
  const json& session = *who->session;
  const json user =
      session.contains("user") && session["user"].is_object() ? session["user"] : json::object();
  if (!user_allowed(options, user)) {
    co_return answer(403, "signed in, but not allowed here (forward_auth.emails, email_domains)");
  }
  http::response res = answer(200, "ok");
  const std::string email = header_safe(user_field(user, "email"));
  const std::string name = header_safe(user_field(user, "name"));
  res.headers.add("X-Auth-Request-User", email.empty() ? name : email);
  res.headers.add("X-Auth-Request-Email", email);
  res.headers.add("X-Auth-Request-Name", name);
  for (const auto& cookie : who->headers) res.headers.add(cookie.name, cookie.value);
  co_return res;
}

}  // namespace authpp::server
