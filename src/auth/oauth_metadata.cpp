// The per-provider cache of discovery documents and JWKS. Auth.js fetches discovery on every
// sign-in and every callback; one fetch an hour does the same job without the latency or the
// dependency on the provider being up for each step.
#include <authpp/http/url.hpp>

#include <boost/asio/this_coro.hpp>

#include "oauth_internal.hpp"

namespace authpp::detail {
namespace {

constexpr std::chrono::hours discovery_ttl{1};
constexpr std::chrono::minutes keys_refetch_interval{1};
constexpr std::size_t max_jwks_bytes = 64 * 1024;

std::string host_of(std::string_view url) {
  auto parts = http::parse_absolute_url(url);
  return parts ? parts->origin() : std::string("(invalid URL)");
}

void remember_error(oauth_runtime& rt, std::string error) {
  const std::scoped_lock lock(rt.mutex);
  rt.last_error = std::move(error);
}

}  // namespace

boost::asio::awaitable<result<json>> fetch_json(net::http_client& client, std::string url,
                                                std::string bearer) {
  net::outbound_request request;
  request.url = std::move(url);
  request.headers.add("Accept", "application/json");
  if (!bearer.empty()) request.headers.add("Authorization", "Bearer " + bearer);
  const std::string host = host_of(request.url);
  auto response = co_await client.fetch(std::move(request));
  if (!response) co_return response.error();
  if (response->status < 200 || response->status > 299) {
    co_return auth_error{errc::http_status, host + " answered " + std::to_string(response->status)};
  }
  auto body = parse_json(response->body, 32);
  if (!body) co_return auth_error{errc::invalid_response, host + " answered non-JSON"};
  co_return std::move(*body);
}

boost::asio::awaitable<result<providers::authorization_server>> authorization_server_for(
    const engine_state& engine, const oauth_provider& provider, net::http_client& client) {
  if (!providers::needs_discovery(provider)) co_return providers::configured_server(provider);
  oauth_runtime& rt = engine.runtime(provider);
  const auto now = engine.clock->now();
  {
    const std::scoped_lock lock(rt.mutex);
    if (rt.server && now - rt.server_fetched < discovery_ttl) co_return *rt.server;
  }
  net::outbound_request request;
  request.url = providers::discovery_url(provider.issuer);
  request.headers.add("Accept", "application/json");
  const std::string host = host_of(request.url);
  auto response = co_await client.fetch(std::move(request));
  result<providers::authorization_server> server =
      !response                 ? result<providers::authorization_server>(response.error())
      : response->status != 200 ? result<providers::authorization_server>(auth_error{
                                      errc::http_status, "discovery: " + host + " answered " +
                                                             std::to_string(response->status)})
                                : providers::parse_discovery(response->body, provider);
  if (!server) {
    remember_error(rt, server.error().message());
    co_return server;
  }
  const std::scoped_lock lock(rt.mutex);
  rt.server = *server;
  rt.server_fetched = now;
  rt.last_error.clear();
  co_return server;
}

boost::asio::awaitable<result<jose::jwk_set>> signing_keys(
    const engine_state& engine, const oauth_provider& provider,
    const providers::authorization_server& server, net::http_client& client, bool refresh) {
  oauth_runtime& rt = engine.runtime(provider);
  const auto now = engine.clock->now();
  {
    const std::scoped_lock lock(rt.mutex);
    // A token naming an unknown key may be a rotation, or an attacker making us fetch: at most
    // one refetch a minute either way.
    const bool fresh_enough = now - rt.keys_fetched < keys_refetch_interval;
    if (rt.keys && (!refresh || fresh_enough)) co_return *rt.keys;
  }
  if (server.jwks_uri.empty()) co_return auth_error{errc::invalid_config, "no jwks_uri"};
  net::outbound_request request;
  request.url = server.jwks_uri;
  request.headers.add("Accept", "application/json, application/jwk-set+json");
  const std::string host = host_of(request.url);
  auto response = co_await client.fetch(std::move(request));
  if (!response) {
    remember_error(rt, response.error().message());
    co_return response.error();
  }
  if (response->status != 200) {
    auth_error e{errc::http_status,
                 "JWKS: " + host + " answered " + std::to_string(response->status)};
    remember_error(rt, e.message());
    co_return e;
  }
  if (response->body.size() > max_jwks_bytes) {
    auth_error e{errc::limit_exceeded, "JWKS: " + host + " sent more than 64 KiB"};
    remember_error(rt, e.message());
    co_return e;
  }
  auto keys = jose::jwk_set::parse(response->body);
  if (!keys) {
    remember_error(rt, "JWKS: " + keys.error().message());
    co_return keys.error();
  }
  const std::scoped_lock lock(rt.mutex);
  rt.keys = *keys;
  rt.keys_fetched = now;
  rt.last_error.clear();
  co_return keys;
}

}  // namespace authpp::detail

namespace authpp {

std::vector<auth::provider_status> auth::oauth_status() const {
  std::vector<provider_status> out;
  for (const provider& p : state_->config.providers) {
    const auto* o = std::get_if<oauth_provider>(&p);
    if (!o) continue;
    detail::oauth_runtime& rt = state_->runtime(*o);
    const std::scoped_lock lock(rt.mutex);
    out.push_back({o->id, rt.last_error.empty(), rt.last_error});
  }
  return out;
}

boost::asio::awaitable<void> auth::check_providers() const {
  const auto state = state_;  // the coroutine keeps the engine alive
  auto& client =
      net::shared_client(co_await boost::asio::this_coro::executor, state->config.outbound);
  for (const provider& p : state->config.providers) {
    const auto* o = std::get_if<oauth_provider>(&p);
    if (!o) continue;
    auto server = co_await detail::authorization_server_for(*state, *o, client);
    if (server && !server->jwks_uri.empty()) {
      // Only keys never fetched are fetched here: a set in hand is refreshed on demand.
      (void)co_await detail::signing_keys(*state, *o, *server, client, false);
    }
  }
}

}  // namespace authpp
