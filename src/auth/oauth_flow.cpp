// The OAuth 2 / OIDC provider's flow: POST /signin/{id} sends the browser to the provider
// (oauth_signin.cpp), /callback/{id} finishes there (oauth_callback.cpp); both await the
// provider's endpoints, whose metadata and keys the flow caches (oauth_metadata.cpp).
#include <authpp/http/url.hpp>

#include "oauth_internal.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {
namespace {

// oauth_problem names what makes an OAuth provider unusable (Auth.js's InvalidEndpoints and more).
std::optional<std::string> oauth_problem(const oauth_provider& p) {
  if (p.client_id.empty()) return "client_id: required";
  if (p.token_auth != token_auth_method::none && p.client_secret.empty()) {
    return "client_secret: required unless the token endpoint takes no client authentication";
  }
  if (p.type == oauth_kind::oidc && p.issuer.empty()) return "issuer: required for oidc";
  for (const auto& [name, url] :
       {std::pair{"issuer", &p.issuer},
        std::pair{"authorization_endpoint", &p.authorization_endpoint},
        std::pair{"token_endpoint", &p.token_endpoint},
        std::pair{"userinfo_endpoint", &p.userinfo_endpoint}, std::pair{"jwks_uri", &p.jwks_uri}}) {
    if (!url->empty() && !http::parse_absolute_url(*url)) {
      return std::string(name) + ": not an http(s) URL";
    }
  }
  if (p.issuer.empty()) {
    // Without an issuer nothing can be discovered: every endpoint must be given.
    if (p.authorization_endpoint.empty()) return "authorization_endpoint: required without issuer";
    if (p.token_endpoint.empty()) return "token_endpoint: required without issuer";
    if (!p.userinfo && p.userinfo_endpoint.empty()) {
      return "userinfo_endpoint: required without issuer";
    }
  }
  for (const auto& alg : p.id_token_algorithms) {
    if (!jose::parse_jws_algorithm(alg)) return "id_token_algorithms: unsupported \"" + alg + "\"";
  }
  return std::nullopt;
}

class oauth_flow_impl final : public provider_flow {
 public:
  oauth_flow_impl(const engine_state& engine, const oauth_provider& p) : engine_(engine), p_(p) {}

  const std::string& id() const override { return p_.id; }
  const std::string& name() const override { return p_.name; }
  std::string_view type() const override { return p_.type == oauth_kind::oidc ? "oidc" : "oauth"; }
  std::optional<std::string> problem() const override { return oauth_problem(p_); }

  void describe(const request_context&, pages::provider_entry& entry) const override {
    std::tie(entry.authorization_origin, entry.authorization_origin_guessed) =
        authorization_origin();
    entry.bg = p_.style.bg;
    entry.text = p_.style.text;
  }

  waiting waits(action a, std::string_view method) const override {
    if (a == action::signin && method == "POST") return waiting::required;
    if (a == action::callback && (method == "GET" || method == "POST")) return waiting::required;
    return waiting::none;
  }

  outcome callback(request_context& ctx) const override {
    // Every callback method the flow takes waits; what is left is a method it refuses.
    return fail(ctx, {authjs_error::invalid_provider, "OAuth callbacks are GET or POST"});
  }

  boost::asio::awaitable<outcome> act_async(request_context& ctx,
                                            net::http_client& client) const override {
    if (ctx.route.action == action::signin) co_return co_await oauth_signin(ctx, p_, rt_, client);
    co_return co_await oauth_callback(ctx, p_, rt_, client);
  }

  std::optional<auth::provider_status> status() const override {
    const std::scoped_lock lock(rt_.mutex);
    return auth::provider_status{p_.id, rt_.last_error.empty(), rt_.last_error};
  }

  boost::asio::awaitable<result<adapters::account_tokens>> renew_tokens(
      const adapters::account_record& current, net::http_client& client) const override {
    co_return co_await refresh_grant(engine_, p_, rt_, client, current);
  }

  boost::asio::awaitable<void> refresh(net::http_client& client) const override {
    auto server = co_await authorization_server_for(engine_, p_, rt_, client);
    if (server && !server->jwks_uri.empty()) {
      // Only keys never fetched are fetched here: a set in hand is refreshed on demand.
      (void)co_await signing_keys(engine_, rt_, *server, client, false);
    }
  }

 private:
  // authorization_origin is where the provider's sign-in form ends up (for the page's CSP): the
  // configured or discovered authorization endpoint, else (before discovery) the issuer, a guess.
  std::pair<std::string, bool> authorization_origin() const {
    if (!p_.authorization_endpoint.empty()) return {p_.authorization_endpoint, false};
    const std::scoped_lock lock(rt_.mutex);
    if (rt_.server) return {rt_.server->authorization_endpoint, false};
    return {p_.issuer, true};
  }

  const engine_state& engine_;
  const oauth_provider& p_;
  mutable oauth_runtime rt_;  // the flow's only mutable state, behind its own lock
};

}  // namespace

std::unique_ptr<provider_flow> oauth_flow(const engine_state& engine,
                                          const oauth_provider& provider) {
  return std::make_unique<oauth_flow_impl>(engine, provider);
}

}  // namespace authpp::detail
