#include "engine.hpp"

namespace authpp::detail {
namespace {

// sign_in_claims is the token Auth.js builds for a new session: name, email, picture, sub, with
// absent values left out.
json sign_in_claims(const user& u) {
  json token = json::object();
  if (u.name) token["name"] = *u.name;
  if (u.email) token["email"] = *u.email;
  if (u.image) token["picture"] = *u.image;
  token["sub"] = *u.id;
  return token;
}

outcome missing_csrf(const request_context& ctx) {
  return fail(ctx, {authjs_error::missing_csrf, "credentials sign-in without a valid CSRF token"});
}

outcome authorize_threw(const request_context& ctx, const std::exception& e) {
  return fail(ctx,
              {authjs_error::callback_route_error, std::string("authorize threw: ") + e.what()});
}

// credentials_decided finishes a credentials sign-in once `authorize` has answered: the same steps
// whether the answer came at once (handle) or was awaited (handle_async).
outcome credentials_decided(request_context& ctx, const credentials_provider& provider,
                            std::optional<authorize_result> decision) {
  if (decision->is_unavailable()) {
    // The user store is down: say so (503) instead of calling good credentials wrong.
    ctx.engine.log(log_level::error, "ServiceUnavailable", *decision->failure());
    outcome out = json_outcome(
        json{{"message", "The sign-in service is temporarily unavailable. Try again shortly."}},
        503);
    out.headers.add("Retry-After", "5");
    out.failed = true;
    return out;
  }
  if (decision->failure()) {
    return fail(ctx,
                {authjs_error::callback_route_error, "authorize failed: " + *decision->failure()});
  }
  record_sign_in(ctx, provider, decision->accepted().has_value());
  if (!decision->accepted()) {
    return fail(ctx, {authjs_error::credentials_signin, "authorize refused the credentials",
                      decision->code()});
  }

  user u = *decision->accepted();
  if (!u.id || u.id->empty()) {
    auto id = random_uuid(*ctx.engine.random);
    if (!id) return fail(ctx, {authjs_error::callback_route_error, id.error().message()});
    u.id = std::move(*id);
  }
  const account acct{provider.id, "credentials", *u.id};
  return complete_sign_in(ctx, u, acct, &ctx.body, nullptr);
}

outcome credentials_callback(request_context& ctx, const credentials_provider& provider) {
  if (!ctx.csrf_verified) return missing_csrf(ctx);
  if (auto locked = sign_in_lock(ctx, provider)) return std::move(*locked);
  std::optional<authorize_result> decision;
  try {
    decision = provider.authorize(authorize_request{ctx.body, ctx.request});
  } catch (const std::exception& e) {
    return authorize_threw(ctx, e);
  }
  return credentials_decided(ctx, provider, std::move(decision));
}

}  // namespace

outcome complete_sign_in(request_context& ctx, const user& u, const account& acct,
                         const json* credentials, const json* profile) {
  const auto& config = ctx.config();
  if (config.callbacks.sign_in) {
    std::optional<sign_in_decision> verdict;
    try {
      verdict = config.callbacks.sign_in(sign_in_params{u, acct, credentials, profile});
    } catch (const std::exception& e) {
      return fail(ctx,
                  {authjs_error::access_denied, std::string("signIn callback threw: ") + e.what()});
    }
    if (verdict->denied())
      return fail(ctx, {authjs_error::access_denied, "signIn callback refused"});
    if (!verdict->allowed()) {
      auto target = resolve_redirect(ctx, verdict->redirect_url());
      if (!target)
        return fail(ctx, {authjs_error::invalid_callback_url, "signIn callback URL refused"});
      outcome out;
      out.redirect = std::move(*target);
      return out;
    }
  }

  std::optional<json> token = sign_in_claims(u);
  if (config.callbacks.jwt) {
    try {
      token = config.callbacks.jwt(
          jwt_params{std::move(*token), &u, &acct, jwt_trigger::sign_in, nullptr, profile});
    } catch (const std::exception& e) {
      return fail(ctx, {authjs_error::callback_route_error,
                        std::string("jwt callback threw: ") + e.what()});
    }
  }
  outcome out;
  if (token) {
    auto encoded = encode_token(ctx, std::move(*token));
    if (!encoded) return fail(ctx, {authjs_error::callback_route_error, encoded.error().message()});
    out.cookies = session_cookie_writes(ctx, *encoded);
  } else {
    out.cookies = session_cookie_clears(ctx);
  }
  fire(ctx, config.events.sign_in, sign_in_event{u, acct, profile});
  out.redirect = ctx.callback_url;
  return out;
}

const credentials_provider* awaited_credentials(const route& r, std::string_view method,
                                                const provider* p) {
  if (r.action != action::callback || method != "POST" || p == nullptr) return nullptr;
  const auto* c = std::get_if<credentials_provider>(p);
  return c != nullptr && c->authorize_async ? c : nullptr;
}

boost::asio::awaitable<outcome> credentials_callback_async(request_context& ctx,
                                                           const credentials_provider& provider) {
  // CSRF first: a request without it must not cost a password check.
  if (!ctx.csrf_verified) co_return missing_csrf(ctx);
  if (auto locked = sign_in_lock(ctx, provider)) co_return std::move(*locked);
  std::optional<authorize_result> decision;
  try {
    decision = co_await provider.authorize_async(authorize_request{ctx.body, ctx.request});
  } catch (const std::exception& e) {
    co_return authorize_threw(ctx, e);
  }
  co_return credentials_decided(ctx, provider, std::move(decision));
}

// /callback/{provider}: the end of a sign-in. Credentials providers POST here with the form.
outcome callback_action(request_context& ctx) {
  if (!ctx.provider)
    return fail(ctx, {authjs_error::invalid_provider, "callback without a provider id"});
  if (const auto* c = std::get_if<credentials_provider>(ctx.provider)) {
    if (ctx.request.method != "POST") {
      return fail(ctx, {authjs_error::invalid_provider,
                        "credentials providers only accept POST callbacks"});
    }
    return credentials_callback(ctx, *c);
  }
  return fail(ctx, {authjs_error::invalid_provider, "provider type has no callback"});
}

}  // namespace authpp::detail
