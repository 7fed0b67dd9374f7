#include <authpp/client/client.hpp>
#include <authpp/http/form.hpp>
#include <authpp/http/url.hpp>

#include <algorithm>
#include <iostream>

#include "client_internal.hpp"

namespace authpp::client {

using detail::resolve_url;

namespace {

constexpr std::string_view form_type = "application/x-www-form-urlencoded";

// parse_json reads a response body with core's reader: linear in the number of members (a
// hostile server's many-keyed object costs no more than its size) and bounded in nesting.
std::optional<json> parse_json(std::string_view body) {
  auto j = authpp::parse_json(body);
  if (!j) return std::nullopt;
  return std::move(*j);
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

auth_error bad_status(std::string_view what, int status) {
  return auth_error{errc::http_status, std::string(what) + " answered " + std::to_string(status)};
}

auth_error not_json(std::string_view what, int status) {
  return auth_error{errc::invalid_response,
                    std::string(what) + " is not JSON (status " + std::to_string(status) + ")"};
}

// WHATWG URL path percent-encode set (URL Standard §1.3): what fetch() escapes when the JS client
// interpolates a provider id into the path.
std::string encode_path_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool escape = c <= 0x20 || c >= 0x7F || ch == '"' || ch == '#' || ch == '<' ||
                        ch == '>' || ch == '?' || ch == '`' || ch == '{' || ch == '}';
    if (escape) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

// url_member reads `data.url` as JavaScript would: JSON null is an error (property access on null
// throws), an absent or null member is undefined, a non-string one is refused.
result<std::optional<std::string>> url_member(const json& data, std::string_view what) {
  if (data.is_null()) {
    return auth_error{errc::invalid_response, std::string(what) + " is JSON null"};
  }
  if (!data.is_object()) return std::optional<std::string>{};
  const auto it = data.find("url");
  if (it == data.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) {
    return auth_error{errc::invalid_response, std::string(what) + " has a non-string url"};
  }
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

// url_reply is what sign-in and sign-out read from their POST: the status and `data.url`.
struct url_reply {
  int status = 0;
  std::optional<std::string> url;
};

// post_for_url sends the form POST both sign-in and sign-out make (form body,
// X-Auth-Return-Redirect) and reads the JSON reply's `url`; a body that is not JSON is an error,
// as res.json() rejects.
result<url_reply> post_for_url(const client::state& s, std::string target,
                               const http::url_search_params& form, std::string_view what) {
  http_call call;
  call.method = "POST";
  call.url = std::move(target);
  call.headers.add("Content-Type", std::string(form_type));
  call.headers.add("X-Auth-Return-Redirect", "1");
  call.body = form.to_string();
  auto reply = s.exchange(std::move(call));
  if (!reply) return reply.error();
  const auto data = parse_json(reply->body);
  if (!data) return not_json(what, reply->status);
  auto url = url_member(*data, what);
  if (!url) return url.error();
  return url_reply{reply->status, std::move(*url)};
}

result<http_reply> client::state::exchange(http_call call) const {
  const std::string cookie = jar->cookie_header_for(call.url);
  if (!cookie.empty()) call.headers.add("Cookie", cookie);
  auto reply = net->send(call);
  if (!reply) return reply.error();
  for (const std::string_view line : reply->headers.get_all("Set-Cookie")) {
    // A browser silently ignores a cookie it refuses; we say so at debug level.
    if (auto stored = jar->store(line, call.url); !stored) {
      log(log_level::debug, "cookie ignored: " + stored.error().message());
    }
  }
  return reply;
}

// fetch_data is next-auth's fetchData (client-wire.md §1.3): every request carries
// `Content-Type: application/json`, even a GET; a body makes it a POST.
result<http_reply> client::state::fetch_data(std::string_view path,
                                             const std::optional<json>& body) const {
  http_call call;
  call.method = body ? "POST" : "GET";
  call.url = base + "/" + std::string(path);
  call.headers.add("Content-Type", "application/json");
  if (body) call.body = body->dump();
  return exchange(std::move(call));
}

result<void> client::state::navigate_to(std::string_view url) const {
  auto absolute = resolve_url(current, url);
  if (!absolute) return absolute.error();
  log(log_level::debug, "navigating to " + *absolute);
  if (navigate) return navigate(*absolute);
  return follow(*absolute);
}

void client::state::log(log_level level, const std::string& message) const {
  if (logger_fn) {
    logger_fn(level, message);
  } else if (level >= log_level::warn) {
    std::cerr << "authpp client: " << message << '\n';
  }
}

result<void> client::state::follow(std::string_view start) const {
  auto url = resolve_url(current, start);
  if (!url) return url.error();
  for (int redirects = 0;; ++redirects) {
    // The fragment never leaves the browser.
    std::string target = url->substr(0, url->find('#'));
    http_call call;
    call.url = target;
    call.headers.add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    auto reply = exchange(std::move(call));
    if (!reply) return reply.error();
    const int s = reply->status;
    const auto location = reply->headers.get("Location");
    const bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    if (!redirect || !location) return {};
    if (redirects >= max_redirects) {
      return auth_error{errc::redirect_loop, "more than " + std::to_string(max_redirects) +
                                                 " redirects, last to " + std::string(*location)};
    }
    url = resolve_url(target, *location);
    if (!url) return url.error();
  }
}

result<client> client::create(client_options options) {
  auto s = std::make_shared<state>();
  // next-auth's parseUrl (client-wire.md §1.1).
  std::string base = options.base_url.empty() ? "http://localhost:3000/api/auth" : options.base_url;
  if (!base.starts_with("http")) base = "https://" + base;
  auto parts = http::parse_absolute_url(base);
  if (!parts) return auth_error{errc::invalid_url, "base_url: " + parts.error().message()};
  std::string path = parts->path == "/" ? "/api/auth" : parts->path;
  if (path.size() > 1 && path.ends_with('/')) path.pop_back();
  s->origin = parts->origin();
  s->base = s->origin + path;
  s->current = options.current_url.value_or(s->origin + "/");
  if (auto cur = http::parse_absolute_url(s->current); !cur) {
    return auth_error{errc::invalid_url, "current_url: " + cur.error().message()};
  }
  s->navigate = std::move(options.navigate);
  s->logger_fn = std::move(options.log);
  s->net = options.transport ? std::move(options.transport) : make_curl_transport(options.http);
  s->jar = options.jar ? std::move(options.jar) : std::make_shared<cookie_jar>();
  s->max_redirects = std::max(0, options.max_redirects);
  return client(std::move(s));
}

result<std::optional<json>> client::get_session() const {
  auto reply = state_->fetch_data("session");
  if (!reply) return reply.error();
  if (!is_2xx(reply->status)) return bad_status("GET /session", reply->status);
  auto body = parse_json(reply->body);
  if (!body) return not_json("GET /session", reply->status);
  if (body->is_null()) return std::optional<json>{};
  return std::optional<json>(std::move(*body));
}

result<std::string> client::get_csrf_token() const {
  auto reply = state_->fetch_data("csrf");
  if (!reply) return reply.error();
  if (!is_2xx(reply->status)) return bad_status("GET /csrf", reply->status);
  auto body = parse_json(reply->body);
  if (!body) return not_json("GET /csrf", reply->status);
  if (!body->is_object() || !body->contains("csrfToken") || !(*body)["csrfToken"].is_string()) {
    return auth_error{errc::invalid_response, "GET /csrf has no string csrfToken"};
  }
  return (*body)["csrfToken"].get<std::string>();
}

result<json> client::get_providers() const {
  auto reply = state_->fetch_data("providers");
  if (!reply) return reply.error();
  if (!is_2xx(reply->status)) return bad_status("GET /providers", reply->status);
  auto body = parse_json(reply->body);
  if (!body || !body->is_object()) {
    return auth_error{errc::invalid_response, "GET /providers is not a JSON object"};
  }
  return std::move(*body);
}

// csrf_for_post is getCsrfToken() inside signIn/signOut/update: the JS client posts "" when the
// token could not be fetched and lets the server answer MissingCSRF, so only transport failures
// stop the call here.
result<std::string> client::state::csrf_for_post(const client& self) const {
  auto token = self.get_csrf_token();
  if (token) return token;
  const errc code = token.error().code;
  if (code == errc::transport_failure || code == errc::response_too_large) return token.error();
  log(log_level::warn, "could not read a CSRF token (" + token.error().message() +
                           "); posting an empty one as next-auth/react does");
  return std::string();
}

result<std::optional<json>> client::update_session(json data) const {
  auto token = state_->csrf_for_post(*this);
  if (!token) return token.error();
  json body = json::object();
  body["csrfToken"] = std::move(*token);
  body["data"] = std::move(data);
  auto reply = state_->fetch_data("session", body);
  if (!reply) return reply.error();
  if (reply->status == 400) return std::optional<json>{};
  if (!is_2xx(reply->status)) return bad_status("POST /session", reply->status);
  auto parsed = parse_json(reply->body);
  if (!parsed) return not_json("POST /session", reply->status);
  if (parsed->is_null()) return std::optional<json>{};
  return std::optional<json>(std::move(*parsed));
}

result<std::optional<sign_in_response>> client::sign_in_impl(
    std::string_view provider, bool redirect, const std::optional<std::string>& redirect_to,
    const std::optional<std::string>& callback_url,
    const std::vector<std::pair<std::string, std::string>>& fields,
    const authorization_params& params) const {
  const state& s = *state_;
  if (params.error()) return *params.error();
  if (callback_url) {
    s.log(log_level::warn, "sign_in: callback_url is deprecated, use redirect_to");
  }
  // client-wire.md §2.4: redirectTo ?? callbackUrl ?? window.location.href.
  const std::string callback = redirect_to.value_or(callback_url.value_or(s.current));

  // Step 1-2: /providers on every call; a failed fetch sends the browser to the error page.
  auto providers = get_providers();
  if (!providers) {
    const errc code = providers.error().code;
    if (code == errc::transport_failure || code == errc::response_too_large) {
      return providers.error();
    }
    s.log(log_level::warn, "sign_in: " + providers.error().message());
    if (auto nav = s.navigate_to(s.base + "/error"); !nav) return nav.error();
    return std::optional<sign_in_response>{};
  }
  // Step 3: no provider, or one the server does not offer: the sign-in page lists them all.
  if (provider.empty() || !providers->contains(provider)) {
    http::url_search_params q;
    q.append("callbackUrl", callback);
    if (auto nav = s.navigate_to(s.base + "/signin?" + q.to_string()); !nav) return nav.error();
    return std::optional<sign_in_response>{};
  }
  const json& entry = (*providers)[std::string(provider)];
  const std::string type = entry.is_object() && entry.contains("type") && entry["type"].is_string()
                               ? entry["type"].get<std::string>()
                               : std::string();
  if (type == "webauthn") {
    return auth_error{errc::malformed_input,
                      "provider \"" + std::string(provider) +
                          "\" is a WebAuthn provider, which needs the browser's WebAuthn ceremony"};
  }
  // Step 5: credentials post to the callback directly; every other type starts at signin/{id}.
  const std::string target = s.base + (type == "credentials" ? "/callback/" : "/signin/") +
                             encode_path_segment(provider) + "?" + params.to_string();

  // Step 6-7: the body is URLSearchParams({...fields, csrfToken, callbackUrl}), a JavaScript
  // object: one entry per name, JavaScript's key order.
  auto token = s.csrf_for_post(*this);
  if (!token) return token.error();
  std::vector<std::pair<std::string, std::string>> object;
  const auto put = [&](const std::string& name, std::string value) {
    for (auto& [k, v] : object) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    object.emplace_back(name, std::move(value));
  };
  for (const auto& [name, value] : fields) {
    if (name == "callbackUrl" || name == "redirect" || name == "redirectTo") {
      // In the JS client these names are options, never form fields.
      s.log(log_level::warn, "sign_in: field \"" + name + "\" ignored; it is an option");
      continue;
    }
    put(name, value);
  }
  put("csrfToken", std::move(*token));
  put("callbackUrl", callback);
  std::vector<std::string> keys;
  for (const auto& [k, v] : object) keys.push_back(k);
  http::url_search_params form;
  for (const std::string& k : js_object_key_order(keys)) {
    for (const auto& [name, value] : object) {
      if (name == k) form.append(name, value);
    }
  }

  // Step 8: res.json() rejects on a body that is not JSON.
  auto reply = post_for_url(s, target, form, "sign-in response");
  if (!reply) return reply.error();
  auto& [status, url] = *reply;

  if (redirect) {
    // Step 9: data.url ?? redirectTo.
    if (auto nav = s.navigate_to(url.value_or(callback)); !nav) return nav.error();
    return std::optional<sign_in_response>{};
  }
  // Step 10: new URL(data.url) throws on a missing or relative URL.
  if (!url || !detail::has_scheme(*url)) {
    return auth_error{errc::invalid_response, "sign-in response has no absolute url (status " +
                                                  std::to_string(status) + ")"};
  }
  auto query = detail::url_query(*url);
  if (!query) return query.error();
  sign_in_response out;
  out.error = query->get("error");
  out.code = query->get("code");
  out.status = status;
  out.ok = is_2xx(status);
  // `error ? null : data.url`: an empty error string is falsy in JavaScript.
  if (!out.error || out.error->empty()) out.url = std::move(*url);
  return std::optional<sign_in_response>(std::move(out));
}

result<std::optional<sign_out_response>> client::sign_out_impl(
    bool redirect, const std::optional<std::string>& redirect_to,
    const std::optional<std::string>& callback_url) const {
  const state& s = *state_;
  if (callback_url) {
    s.log(log_level::warn, "sign_out: callback_url is deprecated, use redirect_to");
  }
  const std::string callback = redirect_to.value_or(callback_url.value_or(s.current));
  auto token = s.csrf_for_post(*this);
  if (!token) return token.error();
  http::url_search_params form;
  form.append("csrfToken", std::move(*token));
  form.append("callbackUrl", callback);
  // No `?` after /signout, unlike sign-in (client-wire.md §2.5).
  auto reply = post_for_url(s, s.base + "/signout", form, "sign-out response");
  if (!reply) return reply.error();
  auto& [status, url] = *reply;
  if (redirect) {
    if (auto nav = s.navigate_to(url.value_or(callback)); !nav) return nav.error();
    return std::optional<sign_out_response>{};
  }
  // The JS client returns the parsed body unchanged; ours must at least hold `url`.
  if (!url) {
    return auth_error{errc::invalid_response,
                      "sign-out response has no url (status " + std::to_string(status) + ")"};
  }
  return std::optional<sign_out_response>(sign_out_response{std::move(*url)});
}

result<void> client::follow(std::string_view url) const { return state_->follow(url); }

std::future<result<std::optional<json>>> client::get_session_async() const {
  return std::async(std::launch::async, [self = *this] { return self.get_session(); });
}
std::future<result<std::string>> client::get_csrf_token_async() const {
  return std::async(std::launch::async, [self = *this] { return self.get_csrf_token(); });
}
std::future<result<json>> client::get_providers_async() const {
  return std::async(std::launch::async, [self = *this] { return self.get_providers(); });
}
std::future<result<std::optional<json>>> client::update_session_async(json data) const {
  return std::async(std::launch::async, [self = *this, data = std::move(data)]() mutable {
    return self.update_session(std::move(data));
  });
}

const std::string& client::base_url() const noexcept { return state_->base; }
const std::string& client::current_url() const noexcept { return state_->current; }
cookie_jar& client::jar() const noexcept { return *state_->jar; }

}  // namespace authpp::client
