// GET (or form_post POST) {basePath}/callback/{id} for OAuth 2 / OIDC providers (server-flows.md
// §7.4): the checks bound to the browser, the code exchange, the ID token (its signature verified
// against the provider's JWKS, which Auth.js skips), the profile, then the session.
#include <authpp/core/constant_time.hpp>

#include <algorithm>
#include <cctype>

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

// read_check opens the check cookie `name`, queueing its deletion.
result<std::string> read_check(const request_context& ctx, const jose::session_keyring& ring,
                               const oauth_provider& p, const std::string& name,
                               std::vector<http::set_cookie>& clears) {
  const http::cookie* c = ctx.cookie(name);
  if (!c) return auth_error{errc::invalid_claims, name + " cookie missing"};
  clears.push_back(cleared_cookie(ctx, name));
  return open_check(ctx, ring, p.id, c->value);
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
  return token_endpoint_request(p, server.token_endpoint, std::move(body));
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
  auto tokens = token_set(*response, p, true);
  if (!tokens) co_return failed(authjs_error::callback_route_error, tokens.error().message());

  std::optional<json> claims;
  if (auto id = tokens->find("id_token"); id != tokens->end()) {
    auto checked = co_await verified_id_token(ctx.engine, p, rt, *server, client,
                                              id->get<std::string>(), nonce);
    if (!checked)
      co_return failed(authjs_error::callback_route_error,
                       "ID token: " + checked.error().message());
    claims = std::move(*checked);
  }
  auto profile = co_await profile_of(p, *server, client, *tokens, claims);
  if (!profile)
    co_return failed(authjs_error::oauth_callback_error, "profile: " + profile.error().message());

  if (auto at = expires_at(*tokens, ctx.engine.clock->now())) (*tokens)["expires_at"] = *at;

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
