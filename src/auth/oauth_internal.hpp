#pragma once

// Internal to the engine: the OAuth 2 / OIDC flows (oauth_signin.cpp, oauth_callback.cpp) and the
// per-provider cache of metadata and keys they share (oauth_metadata.cpp).
#include <authpp/jose/jws.hpp>
#include <authpp/net/http_client.hpp>
#include <authpp/providers/authorization_server.hpp>

#include <mutex>
#include <optional>
#include <string>

#include "engine.hpp"

namespace authpp::detail {

// oauth_runtime caches what a provider's flows fetch: discovery for an hour, the JWKS until a
// token names a key it lacks (refetched at most once a minute). A failure is remembered for
// /healthz and retried on the next request, so a provider down at start-up recovers on its own.
struct oauth_runtime {
  std::mutex mutex;
  std::optional<providers::authorization_server> server;
  clock::time_point server_fetched{};
  std::optional<jose::jwk_set> keys;
  clock::time_point keys_fetched{};
  std::string last_error;  // empty while the provider answers
};

// oauth_state_max_age bounds a sign-in's round trip through the provider (Auth.js: 15 minutes).
inline constexpr std::chrono::seconds oauth_state_max_age{900};

// authorization_server_for returns the provider's metadata: its configuration, completed by
// discovery when it leaves endpoints out. Fails with the fetch's or the document's error.
boost::asio::awaitable<result<providers::authorization_server>> authorization_server_for(
    const engine_state& engine, const oauth_provider& provider, oauth_runtime& rt,
    net::http_client& client);

// signing_keys returns the provider's JWKS; `refresh` fetches it again (a token named a key the
// cached set lacks), unless it was fetched in the last minute.
boost::asio::awaitable<result<jose::jwk_set>> signing_keys(
    const engine_state& engine, oauth_runtime& rt, const providers::authorization_server& server,
    net::http_client& client, bool refresh);

// fetch_json GETs `url` (with `bearer` as the access token when not empty) and parses a 2xx JSON
// answer; anything else is an error naming the URL's host and the status, never the body.
boost::asio::awaitable<result<json>> fetch_json(net::http_client& client, std::string url,
                                                std::string bearer = {});

// oauth_signin starts a sign-in at the provider: the authorization URL, and the check cookies.
boost::asio::awaitable<outcome> oauth_signin(request_context& ctx, const oauth_provider& provider,
                                             oauth_runtime& rt, net::http_client& client);
// oauth_callback finishes it: checks, code exchange, ID token, profile, session.
boost::asio::awaitable<outcome> oauth_callback(request_context& ctx, const oauth_provider& provider,
                                               oauth_runtime& rt, net::http_client& client);

// seal_check / open_check store a check value in its cookie and read it back, bound to the
// provider (server-flows.md §7.3: the JWE of {"value", "provider"}).
result<std::string> seal_check(const request_context& ctx, const jose::session_keyring& ring,
                               const oauth_provider& provider, std::string value);
result<std::string> open_check(const request_context& ctx, const jose::session_keyring& ring,
                               const oauth_provider& provider, std::string_view sealed);

}  // namespace authpp::detail
