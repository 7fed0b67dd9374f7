// POST {basePath}/signin/{id} for OAuth 2 / OIDC providers: the authorization URL, and the check
// values (PKCE verifier, state, nonce) sealed into cookies for the callback (server-flows.md
// §7.3). The URL's parameters come in Auth.js's order, so either server can finish the flow.
#include <authpp/core/base64url.hpp>
#include <authpp/jose/digest.hpp>

#include "oauth_internal.hpp"

namespace authpp::detail {
namespace {

constexpr std::string_view default_scope = "openid profile email";

// random_value is oauth4webapi's: 32 random bytes, base64url (43 characters).
result<std::string> random_value(const request_context& ctx) {
  auto raw = random_bytes(*ctx.engine.random, 32);
  if (!raw) return raw.error();
  return base64url::encode(*raw);
}

// configured_params are the provider's own parameters in Auth.js's order: an explicit `scope`
// (a preset's, like GitHub's), the authorization_params, then the default scope where neither
// names one. A provider with neither an endpoint nor parameters gets its scope last of all
// (below), as Auth.js does for a purely discovered one.
std::vector<std::pair<std::string, std::string>> configured_params(const oauth_provider& p) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!p.scope.empty()) params.emplace_back("scope", p.scope);
  params.insert(params.end(), p.authorization_params.begin(), p.authorization_params.end());
  const bool names_scope =
      std::any_of(params.begin(), params.end(), [](const auto& kv) { return kv.first == "scope"; });
  if (!names_scope && (!p.authorization_endpoint.empty() || !p.authorization_params.empty())) {
    params.emplace_back("scope", std::string(default_scope));
  }
  return params;
}

}  // namespace

boost::asio::awaitable<outcome> oauth_signin(request_context& ctx, const oauth_provider& p,
                                             oauth_runtime& rt, net::http_client& client) {
  if (!ctx.csrf_verified) {
    co_return fail(ctx, {authjs_error::missing_csrf, "OAuth sign-in without a valid CSRF token"});
  }
  auto server = co_await authorization_server_for(ctx.engine, p, rt, client);
  if (!server) {
    co_return fail(
        ctx, {authjs_error::configuration, "provider " + p.id + ": " + server.error().message()});
  }
  if (server->authorization_endpoint.empty()) {
    co_return fail(
        ctx, {authjs_error::configuration, "provider " + p.id + ": no authorization endpoint"});
  }

  // The endpoint's own query stays first; `set` keeps a parameter where it already is.
  const std::string& endpoint = server->authorization_endpoint;
  const std::size_t q = endpoint.find('?');
  const std::size_t hash = endpoint.find('#');
  const std::string base = endpoint.substr(0, std::min(q, hash));
  auto params = http::url_search_params::parse(
      q == std::string::npos ? "" : std::string_view(endpoint).substr(q + 1, hash - q - 1));
  if (!params) co_return fail(ctx, {authjs_error::configuration, "authorization endpoint query"});
  const auto own = configured_params(p);
  if (!p.authorization_endpoint.empty()) {
    for (const auto& [k, v] : own) params->set(k, v);
  }
  params->set("response_type", "code");
  params->set("client_id", p.client_id);
  params->set("redirect_uri", ctx.base_url() + "/callback/" + p.id);
  for (const auto& [k, v] : own) params->set(k, v);
  // Every query parameter of the sign-in request goes on: that is how clients pass
  // SignInAuthorizationParams (prompt, login_hint, …).
  for (const auto& [k, v] : ctx.query) params->set(k, v);

  const bool form_post = params->get("response_mode") == "form_post";
  outcome out;
  if (p.checks.state) {
    auto random = random_value(ctx);
    if (!random) co_return fail(ctx, {authjs_error::configuration, random.error().message()});
    jose::session_token_options options;
    options.max_age = oauth_state_max_age;
    auto state = ctx.engine.encoded_state.encode(json{{"random", *random}}, *ctx.engine.clock,
                                                 *ctx.engine.random, options);
    if (!state) co_return fail(ctx, {authjs_error::configuration, state.error().message()});
    auto sealed = seal_check(ctx, ctx.cookies_policy->state, p.id, *state);
    if (!sealed) co_return fail(ctx, {authjs_error::configuration, sealed.error().message()});
    params->set("state", *state);
    out.cookies.push_back(
        check_cookie(ctx, ctx.cookies_policy->names.state, std::move(*sealed), true, form_post));
  }
  if (p.checks.pkce) {
    auto verifier = random_value(ctx);
    if (!verifier) co_return fail(ctx, {authjs_error::configuration, verifier.error().message()});
    params->set("code_challenge", base64url::encode(byte_view(jose::sha256(*verifier))));
    params->set("code_challenge_method", "S256");
    auto sealed = seal_check(ctx, ctx.cookies_policy->pkce, p.id, std::move(*verifier));
    if (!sealed) co_return fail(ctx, {authjs_error::configuration, sealed.error().message()});
    out.cookies.push_back(check_cookie(ctx, ctx.cookies_policy->names.pkce_code_verifier,
                                       std::move(*sealed), true, false));
  }
  if (p.checks.nonce) {
    auto nonce = random_value(ctx);
    if (!nonce) co_return fail(ctx, {authjs_error::configuration, nonce.error().message()});
    params->set("nonce", *nonce);
    auto sealed = seal_check(ctx, ctx.cookies_policy->nonce, p.id, std::move(*nonce));
    if (!sealed) co_return fail(ctx, {authjs_error::configuration, sealed.error().message()});
    out.cookies.push_back(
        check_cookie(ctx, ctx.cookies_policy->names.nonce, std::move(*sealed), false, form_post));
  }
  if (p.type == oauth_kind::oidc && !params->has("scope")) {
    params->set("scope", std::string(default_scope));
  }
  out.redirect = base + "?" + params->to_string();
  co_return out;
}

}  // namespace authpp::detail
