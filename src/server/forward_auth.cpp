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
  return std::any_of(o.allowed_hosts.begin(), o.allowed_hosts.end(),
                     [&](const std::string& pattern) { return http::host_matches(host, pattern); });
}

std::string user_field(const json& user, const char* key) {
  const auto it = user.find(key);
  return it != user.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// in_list tells whether `email` (lower-case) is in `members`: an address, or "@domain".
bool in_list(const std::vector<std::string>& members, const std::string& email) {
  const std::size_t at = email.rfind('@');
  return std::any_of(members.begin(), members.end(), [&](const std::string& m) {
    const std::string member = lower(m);
    if (member.starts_with("@")) return at != std::string::npos && email.substr(at) == member;
    return member == email;
  });
}

bool user_allowed(const forward_auth_options& o, const json& user) {
  if (o.emails.empty() && o.email_domains.empty()) return true;
  const std::string email = lower(user_field(user, "email"));
  if (email.empty()) return false;
  if (in_list(o.emails, email)) return true;
  const std::size_t at = email.rfind('@');
  if (at == std::string::npos) return false;
  const std::string domain = email.substr(at + 1);
  return std::any_of(o.email_domains.begin(), o.email_domains.end(),
                     [&](const std::string& d) { return lower(d) == domain; });
}

// in_any_group tells whether the user is a member of one of `groups` (none asked: yes).
bool in_any_group(const forward_auth_options& o, const std::vector<std::string>& groups,
                  const json& user) {
  if (groups.empty()) return true;
  const std::string email = lower(user_field(user, "email"));
  return !email.empty() && std::any_of(groups.begin(), groups.end(), [&](const std::string& g) {
    return in_list(o.groups.at(g), email);
  });
}

// ambiguous_path finds what an application could read as another path than a plain comparison
// does: dot segments ("/static/../admin"), and encoded slashes, backslashes and dots.
bool ambiguous_path(std::string_view path) {
  const std::string p = lower(path);
  if (p.find('\\') != std::string::npos || p.find("%2f") != std::string::npos ||
      p.find("%5c") != std::string::npos || p.find("%2e") != std::string::npos) {
    return true;
  }
  std::size_t start = 0;
  while (start < p.size()) {
    std::size_t end = p.find('/', start + 1);
    if (end == std::string::npos) end = p.size();
    const std::string_view segment = std::string_view(p).substr(start + 1, end - start - 1);
    if (segment == "." || segment == "..") return true;
    start = end;
  }
  return false;
}

// path_public tells whether `path` (encoded, from the original URL) is one of public_paths.
bool path_public(const forward_auth_options& o, std::string_view path) {
  if (o.public_paths.empty() || ambiguous_path(path)) return false;
  return std::any_of(o.public_paths.begin(), o.public_paths.end(), [&](const std::string& p) {
    if (p.ends_with("/*")) return path.starts_with(std::string_view(p).substr(0, p.size() - 1));
    return path == p;
  });
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

// question is what the proxy's request-target asks: `mode=redirect` and `group=…`.
struct question {
  bool redirect = false;
  std::vector<std::string> groups;
};

std::optional<question> read_question(const http::request& req) {
  question q;
  const std::string_view target = req.target;
  const std::size_t mark = target.find('?');
  if (mark == std::string_view::npos) return q;
  auto query = http::url_search_params::parse(target.substr(mark + 1));
  if (!query) return std::nullopt;
  q.redirect = query->get("mode") == "redirect";
  for (auto& group : query->get_all("group")) q.groups.emplace_back(group);
  return q;
}

// identity is the 200 that lets the request through, with who the user is (empty for a
// visitor on a public path, so that identity headers a client forged are overwritten).
http::response identity(const json& user, std::string_view text) {
  http::response res = answer(200, text);
  const std::string email = header_safe(user_field(user, "email"));
  const std::string name = header_safe(user_field(user, "name"));
  res.headers.add("X-Auth-Request-User", email.empty() ? name : email);
  res.headers.add("X-Auth-Request-Email", email);
  res.headers.add("X-Auth-Request-Name", name);
  return res;
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

  const auto asked = read_question(request);
  if (!asked) co_return answer(400, "the request-target's query is malformed");
  for (const std::string& group : asked->groups) {
    if (!options.groups.contains(group)) {
      co_return answer(500, "forward_auth.groups has no group \"" + header_safe(group) + "\"");
    }
  }
  const bool is_public = path_public(options, url->path);

  auto who = co_await engine.session_async(request);
  if (!who) {
    if (who.error().code == errc::storage_unavailable) {
      http::response res = answer(503, "the session store cannot answer now");
      res.headers.add("Retry-After", "1");
      co_return res;
    }
    co_return answer(400, "bad request");
  }
  const auto with_cookies = [&who](http::response res) {
    for (const auto& cookie : who->headers) res.headers.add(cookie.name, cookie.value);
    return res;
  };
  if (!who->session) {
    if (is_public) co_return with_cookies(identity(json::object(), "public"));
    if (!asked->redirect) co_return with_cookies(answer(401, "sign in first"));
    auto to = engine.sign_in_url(request, *original);
    if (!to) co_return answer(400, "bad request");
    http::response res = answer(302, "sign in first");
    res.headers.add("Location", std::move(*to));
    co_return with_cookies(std::move(res));
  }
  const json& session = *who->session;
  const json user =
      session.contains("user") && session["user"].is_object() ? session["user"] : json::object();
  if (!user_allowed(options, user) || !in_any_group(options, asked->groups, user)) {
    if (is_public) co_return with_cookies(identity(json::object(), "public"));
    co_return answer(
        403, "signed in, but not allowed here (forward_auth.emails, email_domains, groups)");
  }
  co_return with_cookies(identity(user, "ok"));
}

}  // namespace authpp::server
