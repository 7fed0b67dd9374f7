#pragma once

// Internal to the engine: the OAuth 2 / OIDC flows (oauth_signin.cpp, oauth_callback.cpp) and the
// per-provider cache of metadata and keys they share (oauth_metadata.cpp).
#include <authpp/adapters/account_store.hpp>
#include <authpp/http/form.hpp>
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
inline constexpr std::chrono::seconds oauth_state_max_age = check_cookie_max_age;

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

// The token endpoint (oauth_tokens.cpp).
// token_endpoint_request POSTs the form `body` to `token_endpoint`, with the provider's client
// authentication (RFC 6749 §2.3).
net::outbound_request token_endpoint_request(const oauth_provider& p, std::string token_endpoint,
                                             http::url_search_params body);
// token_set checks a token response as oauth4webapi does: a JSON object with an access token of
// type bearer (or DPoP), `expires_in` a number (a numeric string is read), and an ID token where
// the provider is OIDC and `id_token_required` (a sign-in; a refresh may leave it out).
result<json> token_set(const net::outbound_response& response, const oauth_provider& p,
                       bool id_token_required);
// expires_at is now + the response's `expires_in`, in seconds since the epoch, when it is a
// lifetime a provider could mean.
std::optional<long long> expires_at(const json& tokens, clock::time_point now);
// verified_id_token checks the ID token's signature against the provider's keys (fetching them
// again once if it names a key the cached set lacks), then its claims.
boost::asio::awaitable<result<json>> verified_id_token(const engine_state& engine,
                                                       const oauth_provider& p, oauth_runtime& rt,
                                                       const providers::authorization_server& s,
                                                       net::http_client& client,
                                                       const std::string& id_token,
                                                       const std::optional<std::string>& nonce);
// refresh_grant renews `current`'s access token with its refresh token (RFC 6749 §6) and
// returns the tokens to store. It fails with errc::reauthentication_required when there is no
// refresh token or the provider refuses it (invalid_grant), or with the fetch's error.
boost::asio::awaitable<result<adapters::account_tokens>> refresh_grant(
    const engine_state& engine, const oauth_provider& p, oauth_runtime& rt,
    net::http_client& client, const adapters::account_record& current);
// printable keeps a provider-sent error code fit for a log line.
std::string printable(std::string_view s);

// oauth_signin starts a sign-in at the provider: the authorization URL, and the check cookies.
boost::asio::awaitable<outcome> oauth_signin(request_context& ctx, const oauth_provider& provider,
                                             oauth_runtime& rt, net::http_client& client);
// oauth_callback finishes it: checks, code exchange, ID token, profile, session.
boost::asio::awaitable<outcome> oauth_callback(request_context& ctx, const oauth_provider& provider,
                                               oauth_runtime& rt, net::http_client& client);

}  // namespace authpp::detail
