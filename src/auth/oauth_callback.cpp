// GET (or form_post POST) {basePath}/callback/{id} for OAuth 2 / OIDC providers (server-flows.md
// §7.4): the checks bound to the browser, the code exchange, the ID token (its signature verified
// against the provider's JWKS, which Auth.js skips), the profile, then the session.
#include <authpp/core/base64url.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/jose/id_token.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "oauth_internal.hpp"

namespace authpp::detail {
namespace {

// flow_error is a failed step: the Auth.js error type the browser sees (through fail()) and the
// log detail.
struct flow_error {
  std::string type;
  std::string detail;
};

// callback_params are the authorization response: the query, or a form_post body.
http::url_search_params callback_params(const request_context& ctx) {
  if (ctx.request.method != "POST") return ctx.query;
  http::url_search_params params;
  for (const auto& [name, value] : ctx.body.items()) {
    if (value.is_string()) params.append(name, value.get<std::string>());
  }
  return params;
}

http::set_cookie cleared(const request_context& ctx, const std::string& name) {
  http::set_cookie c = ctx.cookies_policy->attributes;
  c.name = name;
  c.max_age = 0;
  return c;
}

// printable keeps a provider-sent error code fit for a log line.
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 100))
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

// read_check opens the check cookie `name`, queueing its deletion.
result<std::string> read_check(const request_context& ctx, const jose::session_keyring& ring,
                               const oauth_provider& p, const std::string& name,
                               std::vector<http::set_cookie>& clears) {
  const http::cookie* c = ctx.cookie(name);
  if (!c) return auth_error{errc::invalid_claims, name + " cookie missing"};
  clears.push_back(cleared(ctx, name));
  return open_check(ctx, ring, p, c->value);
}

net::outbound_request token_request(const request_context& ctx, const oauth_provider& p,
                                    const providers::authorization_server& server,
                                    const std::string& code,
                                    const std::optional<std::string>& verifier) {
  http::url_search_params body;
  body.append("redirect_uri", ctx.base_url() + "/callback/" + p.id);
  body.append("code", code);
  if (verifier) body.append("code_verifier", *verifier);
  body.append("grant_type", "authorization_code");
  net::outbound_request request;
  request.method = "POST";
  request.url = server.token_endpoint;
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

// token_set checks a token response as oauth4webapi does: a JSON object with an access token of
// type bearer (or DPoP), `expires_in` a number (a numeric string is read), and an ID token where
// the provider is OIDC.
result<json> token_set(const net::outbound_response& response, const oauth_provider& p) {
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
  if (p.type == oauth_kind::oidc && !tokens->contains("id_token")) {
    return auth_error{errc::invalid_response, "OIDC token response without id_token"};
  }
  return std::move(*tokens);
}

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

// verified_id_token checks the ID token's signature against the provider's keys (fetching them
// again once if it names a key the cached set lacks), then its claims.
boost::asio::awaitable<result<json>> verified_id_token(const request_context& ctx,
                                                       const oauth_provider& p, oauth_runtime& rt,
                                                       const providers::authorization_server& s,
                                                       net::http_client& client,
                                                       const std::string& id_token,
                                                       const std::optional<std::string>& nonce) {
  const auto algs = allowed_algorithms(p, s);
  result<jose::verified_jws> verified = auth_error{errc::no_matching_key, "no keys"};
  for (const bool refresh : {false, true}) {
    auto keys = co_await signing_keys(ctx.engine, rt, s, client, refresh);
    if (!keys) co_return keys.error();
    verified = jose::verify_jws(id_token, *keys, algs);
    if (verified || verified.error().code != errc::no_matching_key) break;
  }
  if (!verified) co_return verified.error();
  jose::id_token_expectations expect;
  expect.issuer = s.issuer;
  expect.client_id = p.client_id;
  expect.nonce = nonce;
  co_return jose::check_id_token_claims(verified->payload, expect, *ctx.engine.clock);
}

// profile_of fetches the profile: the ID token's claims, or the userinfo endpoint (custom or
// standard) whose `sub` must then be the ID token's.
boost::asio::awaitable<result<json>> profile_of(const oauth_provider& p,
                                                const providers::authorization_server& s,
                                                net::http_client& client, const json& tokens,
                                                const std::optional<json>& claims) {
  if (p.type == oauth_kind::oidc && !p.use_userinfo && claims) co_return *claims;
  const std::string access = tokens["access_token"].get<std::string>();
  result<json> profile = json::object();
  if (p.userinfo) {
    const userinfo_input in{p, tokens, [&client, access](std::string url) {
                              return fetch_json(client, std::move(url), access);
                            }};
    profile = co_await p.userinfo(in);
  } else if (s.userinfo_endpoint.empty()) {
    co_return auth_error{errc::invalid_config, "no userinfo endpoint"};
  } else {
    profile = co_await fetch_json(client, s.userinfo_endpoint, access);
  }
  if (!profile) co_return profile;
  if (!profile->is_object())
    co_return auth_error{errc::invalid_response, "profile is not an object"};
  if (claims && p.type == oauth_kind::oidc) {
    const auto sub = profile->find("sub");
    if (sub == profile->end() || *sub != (*claims)["sub"]) {
      co_return auth_error{errc::invalid_response, "userinfo sub differs from the ID token's"};
    }
  }
  co_return profile;
}

}  // namespace

boost::asio::awaitable<outcome> oauth_callback(request_context& ctx, const oauth_provider& p,
                                               oauth_runtime& rt, net::http_client& client) {
  const auto& names = ctx.cookies_policy->names;
  std::vector<http::set_cookie> clears;
  // A failure sets no cookie, as in Auth.js: the check cookies expire on their own, and the
  // provider's code is single-use anyway.
  const auto failed = [&](authjs_error type, std::string detail) {
    return fail(ctx, {type, "provider " + p.id + ": " + std::move(detail)});
  };

  const http::url_search_params params = callback_params(ctx);
  auto server = co_await authorization_server_for(ctx.engine, p, rt, client);
  if (!server) co_return failed(authjs_error::configuration, server.error().message());

  std::optional<std::string> expected_state;
  if (p.checks.state) {
    auto state = read_check(ctx, ctx.cookies_policy->state, p, names.state, clears);
    if (!state) co_return failed(authjs_error::invalid_check, "state: " + state.error().message());
    expected_state = std::move(*state);
  }
  // RFC 9207: a response naming another issuer comes from a mix-up; one without `iss` from a
  // server that promises it is refused too.
  if (const auto iss = params.get("iss")) {
    if (*iss != server->issuer) {
      co_return failed(authjs_error::callback_route_error, "iss differs from the issuer");
    }
  } else if (server->authorization_response_iss_parameter_supported) {
    co_return failed(authjs_error::callback_route_error,
                     "iss missing from the authorization response");
  }
  if (expected_state) {
    const auto state = params.get("state");
    if (!state || !constant_time_equal(*state, *expected_state)) {
      co_return failed(authjs_error::callback_route_error, "state differs from the state cookie");
    }
  }
  if (const auto error = params.get("error")) {
    co_return failed(authjs_error::oauth_callback_error,
                     "the provider answered error=" + printable(*error));
  }
  if (params.has("id_token") || params.has("token")) {
    co_return failed(authjs_error::callback_route_error,
                     "implicit and hybrid responses are not supported");
  }
  const auto code = params.get("code");
  if (!code || code->empty())
    co_return failed(authjs_error::callback_route_error, "no code in the callback");

  std::optional<std::string> verifier;
  if (p.checks.pkce) {
    auto v = read_check(ctx, ctx.cookies_policy->pkce, p, names.pkce_code_verifier, clears);
    if (!v) co_return failed(authjs_error::invalid_check, "PKCE: " + v.error().message());
    verifier = std::move(*v);
  }
  std::optional<std::string> nonce;
  if (p.checks.nonce) {
    auto n = read_check(ctx, ctx.cookies_policy->nonce, p, names.nonce, clears);
    if (!n) co_return failed(authjs_error::invalid_check, "nonce: " + n.error().message());
    nonce = std::move(*n);
  }

  auto response = co_await client.fetch(token_request(ctx, p, *server, *code, verifier));
  if (!response)
    co_return failed(authjs_error::callback_route_error,
                     "token request: " + response.error().message());
  auto tokens = token_set(*response, p);
  if (!tokens) co_return failed(authjs_error::callback_route_error, tokens.error().message());

  std::optional<json> claims;
  if (auto id = tokens->find("id_token"); id != tokens->end()) {
    auto checked =
        co_await verified_id_token(ctx, p, rt, *server, client, id->get<std::string>(), nonce);
    if (!checked)
      co_return failed(authjs_error::callback_route_error,
                       "ID token: " + checked.error().message());
    claims = std::move(*checked);
  }
  auto profile = co_await profile_of(p, *server, client, *tokens, claims);
  if (!profile)
    co_return failed(authjs_error::oauth_callback_error, "profile: " + profile.error().message());

  // expires_at = now + expires_in, for a lifetime a provider could mean (up to ten years): a
  // huge or negative number from a provider must not overflow the sum.
  if (auto e = tokens->find("expires_in"); e != tokens->end() && e->is_number()) {
    const double lifetime = e->get<double>();
    if (lifetime > 0 && lifetime <= 10.0 * 366 * 86400) {
      const auto now = std::chrono::floor<std::chrono::seconds>(ctx.engine.clock->now());
      (*tokens)["expires_at"] = static_cast<long long>(now.time_since_epoch().count()) +
                                static_cast<long long>(std::floor(lifetime));
    }
  }

  user mapped;
  try {
    const profile_input in{*profile, *tokens};
    mapped = p.profile ? p.profile(in) : default_profile(in);
  } catch (const std::exception& e) {
    co_return failed(authjs_error::oauth_callback_error,
                     std::string("profile mapping threw: ") + e.what());
  }
  auto uuid = random_uuid(*ctx.engine.random);
  if (!uuid) co_return failed(authjs_error::callback_route_error, uuid.error().message());
  account acct;
  acct.provider = p.id;
  acct.type = p.type == oauth_kind::oidc ? "oidc" : "oauth";
  acct.provider_account_id = mapped.id && !mapped.id->empty() ? *mapped.id : *uuid;
  acct.tokens = std::move(*tokens);
  // As Auth.js without a database: the session's subject is fresh at each sign-in; the
  // provider's id is the account's providerAccountId.
  user u = std::move(mapped);
  u.id = std::move(*uuid);
  if (u.email) {
    std::transform(u.email->begin(), u.email->end(), u.email->begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  outcome out;
  if (ctx.config().adapter) {
    // The stored user signs in (found, linked or created): adapter calls, off the I/O thread.
    out = co_await run_blocking_action(
        ctx, [&] { return register_and_sign_in(ctx, p, u, acct, &*profile); });
  } else {
    out = complete_sign_in(ctx, u, acct, nullptr, &*profile);
  }
  if (!out.failed) out.cookies.insert(out.cookies.begin(), clears.begin(), clears.end());
  co_return out;
}

}  // namespace authpp::detail
