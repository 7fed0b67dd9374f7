#include <authpp/cookies/chunking.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/url.hpp>
#include <authpp/jose/session_token.hpp>

#include "engine.hpp"

namespace authpp::detail {
namespace {

jose::session_token_options token_options(const request_context& ctx) {
  jose::session_token_options options;
  options.max_age = ctx.config().session.max_age;
  return options;
}

// default_session is Auth.js's session shape: {user:{name,email,image}, expires}, with absent
// claims left out (null is kept, as JSON.stringify keeps it).
json default_session(const request_context& ctx, const json& token) {
  json user = json::object();
  for (const auto& [from, to] :
       {std::pair{"name", "name"}, std::pair{"email", "email"}, std::pair{"picture", "image"}}) {
    if (auto it = token.find(from); it != token.end()) user[to] = *it;
  }
  // Members are moved in (an initializer list would copy them).
  json session = json::object();
  session["user"] = std::move(user);
  session["expires"] = iso_time(ctx.engine.clock->now() + ctx.config().session.max_age);
  return session;
}

}  // namespace

outcome null_session(const request_context& ctx, bool clear, bool cache_headers) {
  outcome out = json_outcome(nullptr);
  if (cache_headers) no_store(out);
  if (clear) out.cookies = session_cookie_clears(ctx);
  return out;
}

namespace {

// session_attributes are the session cookie's: the policy's, with session_cookie_domain as its
// Domain when this request's origin is under it (a browser refuses the cookie otherwise).
http::set_cookie session_attributes(const request_context& ctx) {
  http::set_cookie attributes = ctx.cookies_policy->attributes;
  if (const auto& domain = ctx.config().session_cookie_domain) {
    const auto origin = http::parse_absolute_url(ctx.origin);
    if (origin && http::domain_match(origin->host, *domain)) attributes.domain = *domain;
  }
  return attributes;
}

}  // namespace

std::vector<http::set_cookie> session_cookie_writes(const request_context& ctx,
                                                    std::string_view token) {
  http::set_cookie attributes = session_attributes(ctx);
  attributes.expires = ctx.engine.clock->now() + ctx.config().session.max_age;
  return cookies::write_session_cookie(ctx.cookies_policy->names.session_token, token, ctx.cookies,
                                       attributes);
}

std::vector<http::set_cookie> session_cookie_clears(const request_context& ctx) {
  return cookies::clear_session_cookie(ctx.cookies_policy->names.session_token, ctx.cookies,
                                       session_attributes(ctx));
}

result<std::string> encode_token(const request_context& ctx, json claims) {
  // The salt is the session cookie's name, so a token minted for http does not decrypt as the
  // https (__Secure-) cookie and vice versa.
  return ctx.cookies_policy->sessions.encode(std::move(claims), *ctx.engine.clock,
                                             *ctx.engine.random, token_options(ctx));
}

result<std::optional<json>> read_session_claims(const request_context& ctx) {
  auto token = cookies::read_session_cookie(ctx.cookies_policy->names.session_token, ctx.cookies);
  if (!token) return token.error();
  if (!*token) return std::optional<json>{};
  auto claims = ctx.cookies_policy->sessions.decode(**token, *ctx.engine.clock, token_options(ctx));
  if (!claims) return claims.error();
  return std::optional<json>{std::move(*claims)};
}

const result<std::optional<json>>& session_claims(request_context& ctx) {
  if (!ctx.session_claims_read) ctx.session_claims_read = read_session_claims(ctx);
  return *ctx.session_claims_read;
}

outcome session_action(request_context& ctx) {
  const bool update = !ctx.session_lookup && ctx.request.method == "POST";
  if (update && !ctx.csrf_verified) {
    return fail(ctx, {authjs_error::missing_csrf, "POST /session without a valid CSRF token"});
  }
  if (uses_database(ctx)) return database_session_action(ctx, update);
  const auto& config = ctx.config();
  auto& claims = session_claims(ctx);
  if (!claims) {
    ctx.engine.log(log_level::error, "JWTSessionError", claims.error().message());
    return null_session(ctx, true, !update);
  }
  if (!*claims) return null_session(ctx, false, !update);
  if (session_revoked(ctx, **claims)) {
    ctx.engine.log(log_level::info, "SessionRevoked",
                   "a JWT session of a disabled or signed-out user was refused");
    return null_session(ctx, true, !update);
  }

  const json* data = nullptr;
  if (update) {
    if (auto it = ctx.body.find("data"); it != ctx.body.end()) data = &*it;
  }
  const jwt_trigger trigger = update ? jwt_trigger::update : jwt_trigger::none;
  std::optional<json> token = std::move(*ctx.session_claims_read->value());
  try {
    if (config.callbacks.jwt) {
      token = config.callbacks.jwt(jwt_params{std::move(*token), nullptr, nullptr, trigger, data});
    }
    if (!token) return null_session(ctx, true, !update);
    json session = default_session(ctx, *token);
    if (config.callbacks.session) {
      session = config.callbacks.session(session_params{std::move(session), *token, trigger, data});
    }
    // Only the session event needs the token after this: without one, it can be moved.
    auto encoded = encode_token(ctx, config.events.session ? *token : std::move(*token));
    if (!encoded) {
      ctx.engine.log(log_level::error, "JWTSessionError", encoded.error().message());
      return null_session(ctx, true, !update);
    }
    outcome out = json_outcome(session);
    if (!update) no_store(out);
    out.cookies = session_cookie_writes(ctx, *encoded);
    fire(ctx, config.events.session, session_event{session, *token});
    return out;
  } catch (const std::exception& e) {
    // A throwing jwt/session callback ends the session, as Auth.js's JWTSessionError does.
    ctx.engine.log(log_level::error, "JWTSessionError", e.what());
    return null_session(ctx, true, !update);
  }
}

}  // namespace authpp::detail
