#include <authpp/cookies/csrf.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/url.hpp>

#include <iostream>
#include <set>
#include <type_traits>

#include <boost/asio/this_coro.hpp>

#include "engine.hpp"
#include "provider_flow.hpp"
#include "revocation.hpp"

namespace authpp {
namespace detail {
namespace {

constexpr std::string_view bad_request = "\"Bad request.\"";

http::response plain_json(int status, std::string body) {
  http::response res;
  res.status = status;
  res.headers.add("Content-Type", "application/json");
  res.body = std::move(body);
  return res;
}

// resolve_origin decides the origin of every absolute URL the engine builds: the configured public
// URL, else (only when the operator trusts the host) the forwarded or Host header.
result<std::string> resolve_origin(const engine_state& engine, const http::request& req) {
  const auth_config& config = engine.config;
  if (!engine.fixed_origin.empty()) return engine.fixed_origin;
  if (!config.trust_host) {
    return auth_error{errc::invalid_config,
                      "UntrustedHost: set `url` or `trust_host` to accept this request's host"};
  }
  // Each proxy on the way may append to X-Forwarded-*; the left-most entry is whatever the client
  // sent. Without knowing which hops to trust, a list is refused rather than guessed from.
  const auto forwarded = [&req](std::string_view name) -> result<std::optional<std::string_view>> {
    const auto fields = req.headers.get_all(name);
    if (fields.empty()) return std::optional<std::string_view>();
    if (fields.size() > 1 || fields.front().find(',') != std::string_view::npos) {
      return auth_error{errc::malformed_input, std::string(name) + " holds a list"};
    }
    return std::optional(http::trim_ows(fields.front()));
  };
  std::string_view proto = req.tls ? "https" : "http";
  auto fwd_proto = forwarded("X-Forwarded-Proto");
  if (!fwd_proto) return fwd_proto.error();
  if (*fwd_proto == "http" || *fwd_proto == "https") proto = **fwd_proto;
  auto fwd_host = forwarded("X-Forwarded-Host");
  if (!fwd_host) return fwd_host.error();
  std::optional<std::string_view> host = *fwd_host;
  if (!host || host->empty()) host = req.headers.get("Host");
  if (!host || host->empty()) return auth_error{errc::malformed_input, "no Host header"};
  // Only a bare host[:port]: anything else (userinfo, a path, spaces) is header injection.
  for (const char c : *host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return auth_error{errc::malformed_input, "malformed Host header"};
  }
  auto url = http::parse_absolute_url(std::string(proto) + "://" + std::string(*host));
  if (!url) return auth_error{errc::malformed_input, "malformed Host header"};
  return url->origin();
}

// parse_body reads a POST body as Auth.js does: JSON or form fields (last duplicate wins);
// anything else is no body.
result<json> parse_body(const http::request& req) {
  const std::string_view type = req.headers.get("Content-Type").value_or("");
  if (type.find("application/json") != std::string_view::npos) {
    // Nesting is bounded so that a body of a few thousand `[` cannot exhaust the stack.
    auto parsed = parse_json(req.body, 32);
    if (!parsed && parsed.error().code == errc::limit_exceeded) {
      return auth_error{errc::limit_exceeded, "JSON body nested too deeply"};
    }
    if (parsed && parsed->is_object()) return std::move(*parsed);
    return json::object();
  }
  if (type.find("application/x-www-form-urlencoded") != std::string_view::npos) {
    auto form = http::url_search_params::parse(req.body);
    if (!form) return form.error();
    json body = json::object();
    for (const auto& [name, value] : *form) body[name] = value;  // at most limits.max_pairs
    return body;
  }
  return json::object();
}

std::vector<http::cookie> request_cookies(const http::request& req) {
  const auto fields = req.headers.get_all("Cookie");
  if (fields.size() == 1) return http::parse_cookie_header(fields.front());  // the usual case
  // HTTP/2 may split cookies over several fields; they form one list.
  std::string joined;
  for (std::string_view v : fields) {
    if (!joined.empty()) joined += "; ";
    joined += v;
  }
  return http::parse_cookie_header(joined);
}

cookies::cookie_names effective_names(const auth_config& config, bool secure) {
  cookies::cookie_names names = cookies::default_cookie_names(secure);
  if (config.cookies.session_token) names.session_token = *config.cookies.session_token;
  if (config.cookies.callback_url) names.callback_url = *config.cookies.callback_url;
  if (config.cookies.csrf_token) names.csrf_token = *config.cookies.csrf_token;
  return names;
}

// init computes what every action needs: provider, CSRF token, callback URL (lib/init.ts).
std::optional<engine_error> init(request_context& ctx) {
  if (ctx.route.provider_id) {
    ctx.provider = ctx.engine.find_provider(*ctx.route.provider_id);
    if (!ctx.provider)
      return engine_error{authjs_error::invalid_provider, "no provider with this id"};
  }

  const http::cookie* csrf_cookie = ctx.cookie(ctx.cookies_policy->names.csrf_token);
  std::optional<std::string> trusted;
  if (csrf_cookie)
    trusted = cookies::verified_csrf_cookie(csrf_cookie->value, ctx.engine.csrf_secret);
  if (trusted) {
    ctx.csrf_token = std::move(*trusted);
    const auto submitted = ctx.body_string("csrfToken");
    ctx.csrf_verified = ctx.request.method == "POST" && submitted &&
                        constant_time_equal(*submitted, ctx.csrf_token);
  } else {
    auto minted = cookies::create_csrf_token(ctx.engine.csrf_secret, *ctx.engine.random);
    if (!minted) return engine_error{authjs_error::configuration, minted.error().message()};
    ctx.csrf_token = std::move(minted->token);
    http::set_cookie c = ctx.cookies_policy->attributes;
    c.name = ctx.cookies_policy->names.csrf_token;
    c.value = std::move(minted->cookie_value);
    ctx.cookies_out.push_back(std::move(c));
  }

  const http::cookie* callback_cookie = ctx.cookie(ctx.cookies_policy->names.callback_url);
  // Empty values count as absent, as in Auth.js (next-auth/react sends "" for redirectTo: "").
  const auto present = [](std::optional<std::string> v) {
    return v && !v->empty() ? v : std::nullopt;
  };
  std::optional<std::string> candidate = present(ctx.body_string("callbackUrl"));
  if (!candidate) candidate = present(ctx.query.get("callbackUrl"));
  if (!candidate && callback_cookie) candidate = present(callback_cookie->value);
  if (candidate) {
    auto resolved = resolve_redirect(ctx, *candidate);
    if (!resolved) return engine_error{authjs_error::invalid_callback_url, "callback URL refused"};
    ctx.callback_url = std::move(*resolved);
  } else {
    ctx.callback_url = ctx.origin;
  }
  if (!callback_cookie || callback_cookie->value != ctx.callback_url) {
    http::set_cookie c = ctx.cookies_policy->attributes;
    c.name = ctx.cookies_policy->names.callback_url;
    c.value = ctx.callback_url;
    ctx.cookies_out.push_back(std::move(c));
  }
  return std::nullopt;
}

// context_for starts a request's context: its route, origin, cookie policy and cookies.
request_context context_for(const engine_state& engine, const http::request& req, route r,
                            std::string origin) {
  request_context ctx{engine, req, std::move(r)};
  ctx.origin = std::move(origin);
  ctx.secure = engine.config.use_secure_cookies.value_or(ctx.origin.starts_with("https://"));
  ctx.cookies_policy = &engine.policy(ctx.secure);
  ctx.cookies = request_cookies(req);
  return ctx;
}

}  // namespace

std::variant<auth_error, request_context> app_request_context(const engine_state& engine,
                                                              const http::request& req) {
  if (req.headers.byte_size() > engine.config.limits.max_header_bytes) {
    return auth_error{errc::limit_exceeded, "request header fields too large"};
  }
  auto origin = resolve_origin(engine, req);
  if (!origin) return origin.error();
  request_context ctx =
      context_for(engine, req, {action::session, std::nullopt}, std::move(*origin));
  ctx.session_lookup = true;
  return ctx;
}

outcome dispatch(request_context& ctx) {
  const bool get = ctx.request.method == "GET";
  switch (ctx.route.action) {
    case action::csrf:
      if (get) return csrf_action(ctx);
      break;
    case action::providers:
      if (get) return providers_action(ctx);
      break;
    case action::session:
      return session_action(ctx);
    case action::signin:
      return signin_action(ctx);
    case action::signout:
      return signout_action(ctx);
    case action::callback:
      return callback_action(ctx);
    case action::error:
      if (get) return error_page_action(ctx);
      break;
    case action::verify_request:
      if (get) return verify_request_action(ctx);
      break;
    case action::webauthn_options:
      if (get) return webauthn_options_action(ctx);
      break;
    case action::account:
      return account_action(ctx);
  }
  return fail(ctx, {authjs_error::unknown_action, "unsupported method for this action"});
}

prepared prepare_request(const engine_state& engine, const http::request& req, bool count_now) {
  const auth_config& config = engine.config;
  // Limits first, before anything is parsed.
  if (req.headers.byte_size() > config.limits.max_header_bytes) {
    return plain_json(431, "\"Request header fields too large.\"");
  }
  if (req.body.size() > config.limits.max_body_bytes) {
    return plain_json(413, "\"Payload too large.\"");
  }
  if (req.method != "GET" && req.method != "POST") {
    return plain_json(400, std::string(bad_request));
  }
  const std::string_view target = req.target;
  const std::size_t q = target.find('?');
  const std::optional<route> r = parse_route(config.base_path, target.substr(0, q));
  if (!r || (r->action == action::account && !config.account.enabled)) {
    return plain_json(400, std::string(bad_request));  // an unknown path, or a page that is off
  }

  auto origin = resolve_origin(engine, req);
  if (!origin && origin.error().code == errc::invalid_config) {
    return configuration_failure(engine, req, r, "",
                                 {authjs_error::untrusted_host, origin.error().message()});
  }
  if (!origin) {
    // The request's own headers are at fault, not the configuration: a 400, not a 500.
    engine.log(log_level::warn, "BadRequest", origin.error().message());
    return plain_json(400, std::string(bad_request));
  }

  auto query =
      http::url_search_params::parse(q == std::string_view::npos ? "" : target.substr(q + 1));
  if (!query) return plain_json(400, std::string(bad_request));

  request_context ctx = context_for(engine, req, *r, std::move(*origin));
  ctx.query = std::move(*query);
  if (req.method == "POST") {
    auto body = parse_body(req);
    if (!body) {
      return body.error().code == errc::limit_exceeded ? plain_json(413, "\"Payload too large.\"")
                                                       : plain_json(400, std::string(bad_request));
    }
    ctx.body = std::move(*body);
  }

  // Auth.js's assertion: query and cookie callback URLs must be paths or http(s) URLs.
  const auto query_callback = ctx.query.get("callbackUrl");
  const http::cookie* callback_cookie = ctx.cookie(ctx.cookies_policy->names.callback_url);
  // Empty values are absent here too (as init treats them).
  // The cookie usually holds the origin itself, which needs no URL parser.
  const auto refused = [&ctx](std::string_view url) {
    return !url.empty() && url != ctx.origin && !acceptable_callback_url(url);
  };
  if ((query_callback && refused(*query_callback)) ||
      (callback_cookie && refused(callback_cookie->value))) {
    return configuration_failure(
        engine, req, r, ctx.origin,
        {authjs_error::invalid_callback_url, "callbackUrl is not a path or http(s) URL"});
  }

  if (!count_now) return ctx;
  if (auto answer = admit_request(ctx)) return std::move(*answer);
  return ctx;
}

std::optional<http::response> admit_request(request_context& ctx) {
  if (auto limited = post_limit(ctx)) return finish_request(ctx, std::move(*limited));
  if (auto error = init(ctx)) return finish_request(ctx, fail(ctx, *error));
  return std::nullopt;
}

http::response finish_request(request_context& ctx, outcome out) {
  for (const auto& fire_event : ctx.events_after) fire_event();
  if (ctx.route.action == action::callback && (ctx.signed_in || out.failed)) {
    // A view of the route's own string: value_or("") would make a temporary that dies here.
    const std::string_view provider =
        ctx.route.provider_id ? std::string_view(*ctx.route.provider_id) : std::string_view();
    const sign_in_attempt attempt{provider, ctx.signed_in};
    observe(ctx, [&attempt](observer& o) { o.sign_in_attempted(attempt); });
  }
  if (!out.failed && out.with_init_cookies) {
    out.cookies.insert(out.cookies.begin(), ctx.cookies_out.begin(), ctx.cookies_out.end());
  }
  // A page served over https tells the browser to stay on https (a year; subdomains are the
  // operator's to add: they may not all have certificates).
  if (ctx.origin.starts_with("https://") &&
      out.headers.get("Content-Type").value_or("").starts_with("text/html")) {
    out.headers.add("Strict-Transport-Security", "max-age=31536000");
  }
  return to_response(ctx.request, std::move(out));
}

http::response handle_request(const engine_state& engine, const http::request& req) {
  prepared p = prepare_request(engine, req);
  if (auto* early = std::get_if<http::response>(&p)) return std::move(*early);
  auto& ctx = std::get<request_context>(p);
  return finish_request(ctx, dispatch(ctx));
}

namespace {

// validate refuses configurations that could only fail at request time, naming the field.
std::optional<std::string> validate(const auth_config& config) {
  if (config.secrets.empty()) return "secrets: at least one secret is required";
  for (std::size_t i = 0; i < config.secrets.size(); ++i) {
    if (config.secrets[i].empty()) return "secrets[" + std::to_string(i) + "]: empty secret";
  }
  if (auto problem = base_path_problem(config.base_path)) return "base_path: " + *problem;
  if (config.url) {
    auto url = http::parse_absolute_url(*config.url);
    if (!url) return "url: " + url.error().message();
  }
  for (const std::string& pattern : config.redirect_hosts) {
    if (auto problem = http::host_pattern_problem(pattern)) return "redirect_hosts: " + *problem;
  }
  if (const auto& domain = config.session_cookie_domain) {
    if (auto problem = http::cookie_domain_problem(*domain)) {
      return "session_cookie_domain: " + *problem;
    }
    const auto url = http::parse_absolute_url(config.url.value_or(""));
    if (url && !http::domain_match(url->host, *domain)) {
      return "session_cookie_domain: the host of url (" + url->host + ") is not " + *domain +
             " or under it, so browsers would refuse the cookie";
    }
  }
  if (config.session.max_age.count() <= 0) return "session.max_age: must be positive";
  if (config.session.strategy == session_strategy::database && !config.adapter) {
    return "adapter: session.strategy = database needs an adapter to keep the sessions";
  }
  if (config.session.update_age.count() < 0) return "session.update_age: must not be negative";
  if (config.totp.enabled && !config.adapter) {
    return "adapter: totp needs an adapter to keep the enrolments";
  }
  if (config.account.enabled && !config.adapter) {
    return "adapter: the account page needs an adapter for the users' passkeys and TOTP";
  }
  if (config.account.recent_sign_in.count() <= 0) {
    return "account.recent_sign_in: must be positive";
  }
  if (auto valid = mfa::check_totp_params(config.totp.params); !valid) {
    return valid.error().message();
  }
  for (const auto& [name, value] :
       {std::pair{"pages.sign_in", &config.pages.sign_in},
        std::pair{"pages.sign_out", &config.pages.sign_out},
        std::pair{"pages.error", &config.pages.error},
        std::pair{"pages.verify_request", &config.pages.verify_request}}) {
    if (*value && (value->value().empty() || value->value().front() != '/' ||
                   value->value().find_first_of("\r\n\\") != std::string::npos ||
                   value->value().starts_with("//"))) {
      return std::string(name) + ": must be a path on this origin, like /login";
    }
  }
  if (config.limits.max_body_bytes == 0 || config.limits.max_header_bytes == 0) {
    return "limits: must be positive";
  }
  return std::nullopt;
}

}  // namespace

void engine_state::log(log_level level, std::string_view code, std::string_view message) const {
  if (level < config.log_level) return;
  if (config.logger) {
    config.logger(level, code, message);
    return;
  }
  std::cerr << "[auth][" << to_string(level) << "] " << code << ": " << message << '\n';
}

engine_state::engine_state() = default;
engine_state::~engine_state() = default;

const provider_flow* engine_state::find_provider(std::string_view id) const {
  for (const auto& flow : flows) {
    if (flow->id() == id) return flow.get();
  }
  return nullptr;
}

// build_flows gives each configured provider its flow (the one place that tells the kinds
// apart) and refuses ids that could not route and providers that cannot work, naming the field.
std::optional<std::string> build_flows(engine_state& state) {
  std::set<std::string, std::less<>> ids;
  for (std::size_t i = 0; i < state.config.providers.size(); ++i) {
    const provider& p = state.config.providers[i];
    auto flow = std::visit(
        [&state](const auto& kind) -> std::unique_ptr<provider_flow> {
          using kind_t = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<kind_t, credentials_provider>) {
            return credentials_flow(state, kind);
          } else if constexpr (std::is_same_v<kind_t, email_provider>) {
            return email_flow(state, kind);
          } else if constexpr (std::is_same_v<kind_t, passkey_provider>) {
            return passkey_flow(state, kind);
          } else {
            return oauth_flow(state, kind);
          }
        },
        p);
    const std::string field = "providers[" + std::to_string(i) + "]";
    const std::string& id = flow->id();
    if (id.empty() || id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_") != std::string::npos) {
      return field + ".id: must be non-empty [A-Za-z0-9_-]";
    }
    if (!ids.insert(id).second) return field + ".id: duplicate provider id \"" + id + "\"";
    if (auto problem = flow->problem()) return field + "." + *problem;
    state.flows.push_back(std::move(flow));
  }
  return std::nullopt;
}

std::optional<std::string> request_context::body_string(std::string_view key) const {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const http::cookie* request_context::cookie(std::string_view name) const {
  return http::find_cookie(cookies, name);
}

http::response internal_error(const engine_state& engine, std::string_view what) {
  // A bug or bad_alloc: answer like a configuration error and keep the details in the log.
  engine.log(log_level::error, "InternalError", what);
  return plain_json(
      500,
      "{\"message\":\"There was a problem with the server configuration. Check the server "
      "logs for more information.\"}");
}

}  // namespace detail

std::optional<std::string> base_path_problem(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') {
    return "expected an absolute path without a trailing slash, e.g. \"/api/auth\"";
  }
  char previous = '\0';
  for (const char c : path) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (c == '/' && previous == '/') return "an empty segment (\"//\") never matches a request";
    if (!unreserved && c != '/') {
      return "only letters, digits, '-', '.', '_', '~' and '/' match request paths byte for byte";
    }
    previous = c;
  }
  return std::nullopt;
}

result<auth> auth::create(auth_config config) {
  if (auto problem = detail::validate(config)) return auth_error{errc::invalid_config, *problem};
  auto state = std::make_shared<detail::engine_state>();
  state->csrf_secret = cookies::csrf_secret_string(config.secrets);
  state->clock = config.clock ? config.clock : &default_clock();
  state->random = config.random ? config.random : &default_random();
  if (config.url) state->fixed_origin = http::parse_absolute_url(*config.url)->origin();
  const auto ring = [&config](std::string_view salt) {
    // validate() has refused empty secrets, the only way derive fails.
    return jose::session_keyring::derive(config.secrets, salt).value();
  };
  for (const bool secure : {false, true}) {
    cookies::cookie_names names = detail::effective_names(config, secure);
    const std::string prefix = secure ? "__Secure-" : "";
    detail::cookie_policy policy{names,
                                 cookies::default_cookie_attributes(secure),
                                 ring(names.session_token),
                                 ring(names.pkce_code_verifier),
                                 ring(names.state),
                                 ring(names.nonce),
                                 ring(names.webauthn_challenge),
                                 prefix + "authpp.recent-sign-in",
                                 prefix + "authpp.totp-enrolment",
                                 ring(prefix + "authpp.recent-sign-in"),
                                 ring(prefix + "authpp.totp-enrolment")};
    state->policies.push_back(std::move(policy));
  }
  state->encoded_state = ring("encodedState");
  state->encoded_webauthn_challenge = ring("encodedWebauthnChallenge");
  state->config = std::move(config);
  if (auto problem = detail::build_flows(*state)) {
    return auth_error{errc::invalid_config, *problem};
  }
  const auto& session = state->config.session;
  if (state->config.adapter && session.jwt_revocation_bound &&
      session.strategy == session_strategy::jwt) {
    state->user_states = std::make_unique<detail::user_state_cache>();
  }
  return auth(std::move(state));
}

http::response auth::handle(const http::request& request) const {
  try {
    if (detail::route_waits(*state_, request) == detail::waiting::required) {
      return detail::handle_blocking(state_, request);
    }
    return detail::handle_request(*state_, request);
  } catch (const std::exception& e) {
    return detail::internal_error(*state_, e.what());
  } catch (...) {
    return detail::internal_error(*state_, "non-standard exception");
  }
}

bool auth::handles(std::string_view target) const {
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string& base = state_->config.base_path;
  return path.starts_with(base) && (path.size() == base.size() || path[base.size()] == '/');
}

const auth_config& auth::config() const { return state_->config; }

std::vector<auth::provider_status> auth::oauth_status() const {
  std::vector<provider_status> out;
  for (const auto& flow : state_->flows) {
    if (auto status = flow->status()) out.push_back(std::move(*status));
  }
  return out;
}

boost::asio::awaitable<void> auth::check_providers() const {
  const auto state = state_;  // the coroutine keeps the engine alive
  auto& client =
      net::shared_client(co_await boost::asio::this_coro::executor, state->config.outbound);
  for (const auto& flow : state->flows) co_await flow->refresh(client);
}

}  // namespace authpp
