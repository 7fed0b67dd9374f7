#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {
namespace {

// sign_in_claims is the token Auth.js builds for a new session: name, email, picture, sub, with
// absent values left out; and, when sessions are revocable, the user's session version.
json sign_in_claims(const request_context& ctx, const user& u) {
  json token = json::object();
  if (u.name) token["name"] = *u.name;
  if (u.email) token["email"] = *u.email;
  if (u.image) token["picture"] = *u.image;
  token["sub"] = *u.id;
  if (u.session_version && checks_revocation(ctx.engine)) {
    token["session_version"] = *u.session_version;
  }
  return token;
}

// fire_sign_in_after marks the request signed in, and queues the signIn event with copies of
// what it names: the action may be running on a worker thread, and its locals are gone by the
// time the event fires.
void fire_sign_in_after(request_context& ctx, const user& u, const account& acct,
                        const json* profile) {
  ctx.signed_in = true;
  if (!ctx.config().events.sign_in) return;
  fire_after(ctx, [&ctx, u, acct,
                   profile = profile ? std::optional<json>(*profile) : std::nullopt] {
    fire(ctx, ctx.config().events.sign_in, sign_in_event{u, acct, profile ? &*profile : nullptr});
  });
}

// prove_recent_sign_in adds the account page's proof of a fresh sign-in, when the page is on.
void prove_recent_sign_in(const request_context& ctx, const user& u, outcome& out) {
  if (!ctx.config().account.enabled || !u.id) return;
  auto proof = recent_sign_in_cookie(ctx, *u.id);
  if (!proof) {
    ctx.engine.log(log_level::error, "RecentSignIn", proof.error().message());
    return;
  }
  out.cookies.push_back(std::move(*proof));
}

}  // namespace

std::optional<outcome> sign_in_verdict(request_context& ctx, const user& u, const account& acct,
                                       const json* credentials, const json* profile,
                                       bool verification_request) {
  const auto& config = ctx.config();
  if (!config.callbacks.sign_in) return std::nullopt;
  std::optional<sign_in_decision> verdict;
  try {
    verdict = config.callbacks.sign_in(
        sign_in_params{u, acct, credentials, profile, verification_request});
  } catch (const std::exception& e) {
    return fail(ctx,
                {authjs_error::access_denied, std::string("signIn callback threw: ") + e.what()});
  }
  if (verdict->denied()) return fail(ctx, {authjs_error::access_denied, "signIn callback refused"});
  if (verdict->allowed()) return std::nullopt;
  auto target = resolve_redirect(ctx, verdict->redirect_url());
  if (!target)
    return fail(ctx, {authjs_error::invalid_callback_url, "signIn callback URL refused"});
  outcome out;
  out.redirect = std::move(*target);
  return out;
}

outcome issue_session(request_context& ctx, const user& u, const account& acct, const json* profile,
                      const std::string* kept_token) {
  const auto& config = ctx.config();
  if (uses_database(ctx)) {
    // The session is a row; the jwt callback has no token to shape (as in Auth.js).
    outcome out;
    if (kept_token) {
      out.cookies = session_cookie_writes(ctx, *kept_token);
    } else {
      auto cookies = start_database_session(ctx, u);
      if (!cookies && cookies.error().code == errc::storage_unavailable) {
        return store_unavailable(ctx, cookies.error().message());
      }
      if (!cookies) {
        return fail(ctx, {authjs_error::callback_route_error, cookies.error().message()});
      }
      out.cookies = std::move(*cookies);
    }
    fire_sign_in_after(ctx, u, acct, profile);
    prove_recent_sign_in(ctx, u, out);
    out.redirect = ctx.callback_url;
    return out;
  }

  std::optional<json> token = sign_in_claims(ctx, u);
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
    remember_signed_in(ctx, u);
    prove_recent_sign_in(ctx, u, out);
  } else {
    out.cookies = session_cookie_clears(ctx);
  }
  fire_sign_in_after(ctx, u, acct, profile);
  out.redirect = ctx.callback_url;
  return out;
}

outcome complete_sign_in(request_context& ctx, const user& u, const account& acct,
                         const json* credentials, const json* profile) {
  if (auto verdict = sign_in_verdict(ctx, u, acct, credentials, profile))
    return std::move(*verdict);
  return issue_session(ctx, u, acct, profile, nullptr);
}

// /callback/{provider}: the end of a sign-in, as the provider's flow defines it.
outcome callback_action(request_context& ctx) {
  if (!ctx.provider)
    return fail(ctx, {authjs_error::invalid_provider, "callback without a provider id"});
  return ctx.provider->callback(ctx);
}

}  // namespace authpp::detail
