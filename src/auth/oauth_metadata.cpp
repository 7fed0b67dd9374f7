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

// origin_of names where a URL points, for error details (never its path or query).
std::string origin_of(std::string_view url) {
  const auto parts = http::parse_absolute_url(url);
  return parts ? parts->origin() : std::string("(invalid URL)");
}

// fetch_body GETs `url` and returns the body of a 200 answer (any 2xx where `any_2xx`). An error
// names the URL's origin and the status, never the body.
boost::asio::awaitable<result<std::string>> fetch_body(net::http_client& client, std::string url,
                                                       std::string_view accept,
                                                       std::string_view bearer, bool any_2xx) {
  net::outbound_request request;
  request.url = std::move(url);
  request.headers.add("Accept", std::string(accept));
  if (!bearer.empty()) request.headers.add("Authorization", "Bearer " + std::string(bearer));
  const std::string origin = origin_of(request.url);
  auto response = co_await client.fetch(std::move(request));
  if (!response) co_return response.error();
  const bool ok =
      any_2xx ? response->status >= 200 && response->status <= 299 : response->status == 200;
  if (!ok) {
    co_return auth_error{errc::http_status,
                         origin + " answered " + std::to_string(response->status)};
  }
  co_return std::move(response->body);
}

// remembered records a fetch's failure for /healthz and passes it on.
auth_error remembered(oauth_runtime& rt, std::string_view what, const auth_error& error) {
  const std::scoped_lock lock(rt.mutex);
  rt.last_error = std::string(what) + ": " + error.message();
  return error;
}

}  // namespace

boost::asio::awaitable<result<json>> fetch_json(net::http_client& client, std::string url,
                                                std::string bearer) {
  const std::string origin = origin_of(url);
  auto body = co_await fetch_body(client, std::move(url), "application/json", bearer, true);
  if (!body) co_return body.error();
  auto parsed = parse_json(*body, 32);
  if (!parsed) co_return auth_error{errc::invalid_response, origin + " answered non-JSON"};
  co_return std::move(*parsed);
}

boost::asio::awaitable<result<providers::authorization_server>> authorization_server_for(
    const engine_state& engine, const oauth_provider& provider, oauth_runtime& rt,
    net::http_client& client) {
  if (!providers::needs_discovery(provider)) co_return providers::configured_server(provider);
  const auto now = engine.clock->now();
  {
    const std::scoped_lock lock(rt.mutex);
    if (rt.server && now - rt.server_fetched < discovery_ttl) co_return *rt.server;
  }
  auto body = co_await fetch_body(client, providers::discovery_url(provider.issuer),
                                  "application/json", {}, false);
  if (!body) co_return remembered(rt, "discovery", body.error());
  auto server = providers::parse_discovery(*body, provider);
  if (!server) co_return remembered(rt, "discovery", server.error());
  const std::scoped_lock lock(rt.mutex);
  rt.server = *server;
  rt.server_fetched = now;
  rt.last_error.clear();
  co_return server;
}

boost::asio::awaitable<result<jose::jwk_set>> signing_keys(
    const engine_state& engine, oauth_runtime& rt, const providers::authorization_server& server,
    net::http_client& client, bool refresh) {
  const auto now = engine.clock->now();
  {
    const std::scoped_lock lock(rt.mutex);
    // A token naming an unknown key may be a rotation, or an attacker making us fetch: at most
    // one refetch a minute either way.
    const bool fresh_enough = now - rt.keys_fetched < keys_refetch_interval;
    if (rt.keys && (!refresh || fresh_enough)) co_return *rt.keys;
  }
  if (server.jwks_uri.empty()) co_return auth_error{errc::invalid_config, "no jwks_uri"};
  auto body = co_await fetch_body(client, server.jwks_uri,
                                  "application/json, application/jwk-set+json", {}, false);
  if (!body) co_return remembered(rt, "JWKS", body.error());
  // jwk_set::parse bounds the text (64 KiB) before it parses.
  auto keys = jose::jwk_set::parse(*body);
  if (!keys) co_return remembered(rt, "JWKS", keys.error());
  const std::scoped_lock lock(rt.mutex);
  rt.keys = *keys;
  rt.keys_fetched = now;
  rt.last_error.clear();
  co_return keys;
}

}  // namespace authpp::detail
