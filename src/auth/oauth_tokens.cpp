// The provider's token endpoint: the requests the engine sends there (the code exchange of a
// sign-in, the refresh_token grant that renews a stored access token), the checks a token
// response must pass, and the verification of the ID tokens it carries.
#include <authpp/core/base64url.hpp>
#include <authpp/jose/id_token.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "oauth_internal.hpp"

namespace authpp::detail {
namespace {

// allowed_algorithms: the provider's list, else discovery's, else RS256 (OIDC Core §3.1.3.7).
std::vector<jose::jws_algorithm> allowed_algorithms(const oauth_provider& p,
                                                    const providers::authorization_server& s) {
  const auto& names = !p.id_token_algorithms.empty() ? p.id_token_algorithms
                                                     : s.id_token_signing_alg_values_supported;
  std::vector<jose::jws_algorithm> algs;
  for (const auto& name : names) {
    if (auto alg = jose::parse_jws_algorithm(name)) algs.push_back(*alg);
  }
  if (names.empty()) algs.push_back(jose::jws_algorithm::rs256);
  return algs;
}

// unverified_claims reads a stored ID token's payload. It was verified when it was stored; only
// the claims a renewed token must repeat are read from it.
std::optional<json> unverified_claims(const std::optional<std::string>& id_token) {
  if (!id_token) return std::nullopt;
  const auto first = id_token->find('.');
  const auto second = id_token->find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return std::nullopt;
  auto payload =
      base64url::decode(std::string_view(*id_token).substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  auto claims = parse_json(
      std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size()), 16);
  if (!claims || !claims->is_object()) return std::nullopt;
  return std::move(*claims);
}

std::optional<std::string> string_claim(const std::optional<json>& claims, const char* name) {
  if (!claims) return std::nullopt;
  const auto it = claims->find(name);
  if (it == claims->end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 100))
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

net::outbound_request token_endpoint_request(const oauth_provider& p, std::string token_endpoint,
                                             http::url_search_params body) {
  net::outbound_request request;
  request.method = "POST";
  request.url = std::move(token_endpoint);
  request.headers.add("Accept", "application/json");
  request.headers.add("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8");
  switch (p.token_auth) {
    case token_auth_method::client_secret_basic:
      request.headers.add("Authorization",
                          "Basic " + base64::encode(as_bytes(http::form_encode(p.client_id) + ":" +
                                                             http::form_encode(p.client_secret))));
      break;
    case token_auth_method::client_secret_post:
      body.append("client_id", p.client_id);
      body.append("client_secret", p.client_secret);
      break;
    case token_auth_method::none:
      body.append("client_id", p.client_id);
      break;
  }
  request.body = body.to_string();
  return request;
}

result<json> token_set(const net::outbound_response& response, const oauth_provider& p,
                       bool id_token_required) {
  if (response.status != 200) {
    std::string detail = "token endpoint answered " + std::to_string(response.status);
    if (auto body = parse_json(response.body, 8); body && body->is_object()) {
      if (auto e = body->find("error"); e != body->end() && e->is_string()) {
        detail += " error=" + printable(e->get_ref<const std::string&>());
      }
    }
    return auth_error{errc::http_status, detail};
  }
  auto tokens = parse_json(response.body, 16);
  if (!tokens || !tokens->is_object()) {
    return auth_error{errc::invalid_response, "token response is not a JSON object"};
  }
  const auto access = tokens->find("access_token");
  if (access == tokens->end() || !access->is_string() ||
      access->get_ref<const std::string&>().empty()) {
    return auth_error{errc::invalid_response, "token response without access_token"};
  }
  const auto type = tokens->find("token_type");
  if (type == tokens->end() || !type->is_string()) {
    return auth_error{errc::invalid_response, "token response without token_type"};
  }
  std::string lower = type->get<std::string>();
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower != "bearer" && lower != "dpop") {
    return auth_error{errc::invalid_response, "token_type is neither bearer nor DPoP"};
  }
  *type = lower;
  if (auto e = tokens->find("expires_in"); e != tokens->end() && !e->is_null()) {
    if (e->is_string()) {
      try {
        *e = std::stoll(e->get<std::string>());
      } catch (const std::exception&) {
        return auth_error{errc::invalid_response, "expires_in is not a number"};
      }
    }
    if (!e->is_number()) return auth_error{errc::invalid_response, "expires_in is not a number"};
  }
  for (const char* name : {"refresh_token", "scope", "id_token"}) {
    if (auto m = tokens->find(name); m != tokens->end() && !m->is_string()) {
      return auth_error{errc::invalid_response, std::string(name) + " is not a string"};
    }
  }
  if (id_token_required && p.type == oauth_kind::oidc && !tokens->contains("id_token")) {
    return auth_error{errc::invalid_response, "OIDC token response without id_token"};
  }
  return std::move(*tokens);
}

std::optional<long long> expires_at(const json& tokens, clock::time_point now) {
  const auto e = tokens.find("expires_in");
  if (e == tokens.end() || !e->is_number()) return std::nullopt;
  // Only a lifetime a provider could mean (up to ten years): a huge or negative number from a
  // provider must not overflow the sum.
  const double lifetime = e->get<double>();
  if (!(lifetime > 0 && lifetime <= 10.0 * 366 * 86400)) return std::nullopt;
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  return static_cast<long long>(seconds) + static_cast<long long>(std::floor(lifetime));
}

boost::asio::awaitable<result<json>> verified_id_token(const engine_state& engine,
                                                       const oauth_provider& p, oauth_runtime& rt,
                                                       const providers::authorization_server& s,
                                                       net::http_client& client,
                                                       const std::string& id_token,
                                                       const std::optional<std::string>& nonce) {
  const auto algs = allowed_algorithms(p, s);
  result<jose::verified_jws> verified = auth_error{errc::no_matching_key, "no keys"};
  for (const bool refresh : {false, true}) {
    auto keys = co_await signing_keys(engine, rt, s, client, refresh);
    if (!keys) co_return keys.error();
    verified = jose::verify_jws(id_token, *keys, algs);
    if (verified || verified.error().code != errc::no_matching_key) break;
  }
  if (!verified) co_return verified.error();
  jose::id_token_expectations expect;
  expect.issuer = s.issuer;
  expect.client_id = p.client_id;
  expect.nonce = nonce;
  co_return jose::check_id_token_claims(verified->payload, expect, *engine.clock);
}

boost::asio::awaitable<result<adapters::account_tokens>> refresh_grant(
    const engine_state& engine, const oauth_provider& p, oauth_runtime& rt,
    net::http_client& client, const adapters::account_record& current) {
  if (!current.refresh_token || current.refresh_token->empty()) {
    co_return auth_error{errc::reauthentication_required,
                         "provider " + p.id + ": the account has no refresh token"};
  }
  auto server = co_await authorization_server_for(engine, p, rt, client);
  if (!server) co_return server.error();
  http::url_search_params grant;
  grant.append("grant_type", "refresh_token");
  grant.append("refresh_token", *current.refresh_token);
  auto response =
      co_await client.fetch(token_endpoint_request(p, server->token_endpoint, std::move(grant)));
  if (!response) co_return response.error();
  auto tokens = token_set(*response, p, false);
  if (!tokens) {
    // RFC 6749 §5.2: invalid_grant is a refresh token expired, revoked or used already. Only a
    // new sign-in helps; anything else (a 5xx, a timeout) may pass.
    if (response->status == 400 || response->status == 401) {
      const auto body = parse_json(response->body, 8);
      // Compared as JSON: an `error` that is not a string is simply not invalid_grant.
      const bool invalid_grant = body && body->is_object() && body->contains("error") &&
                                 body->at("error") == "invalid_grant";
      if (invalid_grant) {
        co_return auth_error{errc::reauthentication_required,
                             "provider " + p.id + " refused the refresh token (invalid_grant)"};
      }
    }
    co_return auth_error{tokens.error().code, "provider " + p.id + ": " + tokens.error().detail};
  }

  // The renewed tokens replace the stored ones; what the response leaves out is kept (most
  // providers send no new ID token, and one that does not rotate sends no refresh token).
  adapters::account_tokens next = adapters::tokens_of(current);
  next.access_token = (*tokens)["access_token"].get<std::string>();
  next.token_type = (*tokens)["token_type"].get<std::string>();
  next.expires_at = expires_at(*tokens, engine.clock->now());
  if (auto r = tokens->find("refresh_token"); r != tokens->end()) next.refresh_token = *r;
  if (auto s = tokens->find("scope"); s != tokens->end()) next.scope = *s;
  if (auto id = tokens->find("id_token"); id != tokens->end()) {
    // OIDC Core §12.2: a renewed ID token is verified like the first, and is about the same
    // user: its `sub` is the stored token's, and a `nonce`, if it has one, too.
    const auto before = unverified_claims(current.id_token);
    const std::string token = id->get<std::string>();
    const auto sent = unverified_claims(token);
    std::optional<std::string> nonce;
    if (string_claim(sent, "nonce")) nonce = string_claim(before, "nonce").value_or("");
    auto claims = co_await verified_id_token(engine, p, rt, *server, client, token, nonce);
    if (!claims) {
      co_return auth_error{claims.error().code,
                           "provider " + p.id + ": renewed ID token: " + claims.error().detail};
    }
    if (const auto sub = string_claim(before, "sub"); sub && (*claims)["sub"] != *sub) {
      co_return auth_error{errc::invalid_claims,
                           "provider " + p.id + ": the renewed ID token names another subject"};
    }
    next.id_token = token;
  }
  co_return next;
}

}  // namespace authpp::detail
