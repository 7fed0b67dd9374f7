// Database sessions (session.strategy = database, server-flows.md §10.2): the cookie holds an
// opaque random token, and the session store says whose session it is and until when, so a
// session can be ended from the server (sign-out on another device, a disabled user).
#include <authpp/cookies/chunking.hpp>

#include "engine.hpp"

namespace authpp::detail {
namespace {

adapters::session_store& store(const request_context& ctx) { return *ctx.config().adapter; }

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::optional<std::string> database_session_token(const request_context& ctx) {
  auto token = cookies::read_session_cookie(ctx.cookies_policy->names.session_token, ctx.cookies);
  if (!token || !*token || (*token)->empty()) return std::nullopt;
  return std::move(**token);
}

outcome store_unavailable(const request_context& ctx, std::string_view detail) {
  ctx.engine.log(log_level::error, "ServiceUnavailable", detail);
  outcome out = json_outcome(
      json{{"message", "The sign-in service is temporarily unavailable. Try again shortly."}}, 503);
  out.headers.add("Retry-After", "5");
  out.failed = true;
  return out;
}

outcome adapter_failure(const request_context& ctx, const auth_error& e) {
  if (e.code == errc::storage_unavailable) return store_unavailable(ctx, e.message());
  return fail(ctx, {authjs_error::callback_route_error, "adapter: " + e.message()});
}

result<std::vector<http::set_cookie>> start_database_session(const request_context& ctx,
                                                             const user& u) {
  auto token = random_uuid(*ctx.engine.random);
  if (!token) return token.error();
  const auto expires = ctx.engine.clock->now() + ctx.config().session.max_age;
  // The new session replaces the one the browser may carry (a previous sign-in, perhaps of
  // another user): its row goes, so that a copy of the old cookie (planted before sign-in, or
  // left on a shared machine) signs nobody in. Auth.js deletes it only on an e-mail sign-in as
  // a different user. Best effort: the new cookie replaces the old one anyway.
  if (auto previous = database_session_token(ctx)) {
    if (auto deleted = store(ctx).delete_session(*previous); !deleted) {
      ctx.engine.log(log_level::warn, "SessionTokenError", deleted.error().message());
    }
  }
  auto created = store(ctx).create_session({*token, u.id.value_or(""), expires});
  if (!created) {
    auth_error e = created.error();
    if (e.code == errc::not_found) {
      e.detail =
          "the signed-in user is not in the session store (database sessions need the "
          "users that sign in to be stored there)";
    }
    return e;
  }
  return session_cookie_writes(ctx, *token);
}

outcome database_session_action(request_context& ctx, bool update) {
  const auto& config = ctx.config();
  const auto token = database_session_token(ctx);
  if (!token) return null_session(ctx, false, !update);
  auto found = store(ctx).session_and_user(*token);
  if (!found) {
    // The store cannot answer: the session may well be valid, so its cookie stays, and a store
    // that is down for now says so (503, Retry-After) rather than "signed out".
    if (found.error().code == errc::storage_unavailable) {
      return store_unavailable(ctx, found.error().message());
    }
    ctx.engine.log(log_level::error, "SessionTokenError", found.error().message());
    return null_session(ctx, false, !update);
  }
  if (!*found) return null_session(ctx, true, !update);
  const auto& [session, u] = **found;
  const auto now = ctx.engine.clock->now();
  // A disabled user's sessions end at their next read, wherever they were started.
  if (session.expires < now || u.disabled) {
    if (auto deleted = store(ctx).delete_session(*token); !deleted) {
      ctx.engine.log(log_level::error, "SessionTokenError", deleted.error().message());
    }
    return null_session(ctx, true, !update);
  }
  if (session.expires - config.session.max_age + config.session.update_age <= now) {
    if (auto moved = store(ctx).update_session_expiry(*token, now + config.session.max_age);
        !moved) {
      ctx.engine.log(log_level::error, "SessionTokenError", moved.error().message());
    }
  }

  json user_json = json::object();
  user_json["name"] = nullable(u.name);
  user_json["email"] = u.email;
  user_json["image"] = nullable(u.image);
  json body = json::object();
  body["user"] = std::move(user_json);
  // The row's expiry before this read moved it, as Auth.js answers.
  body["expires"] = iso_time(session.expires);
  const json no_token = json::object();
  const json* data = nullptr;
  if (update) {
    if (auto it = ctx.body.find("data"); it != ctx.body.end()) data = &*it;
  }
  try {
    if (config.callbacks.session) {
      body = config.callbacks.session(session_params{
          std::move(body), no_token, update ? jwt_trigger::update : jwt_trigger::none, data, &u});
    }
  } catch (const std::exception& e) {
    ctx.engine.log(log_level::error, "SessionTokenError", e.what());
    return null_session(ctx, false, !update);
  }
  outcome out = json_outcome(body);
  if (!update) no_store(out);
  // The cookie's expiry slides on every read, the row's every update_age (as Auth.js).
  out.cookies = session_cookie_writes(ctx, *token);
  if (config.events.session) {
    fire_after(ctx, [&ctx, body] {
      const json none = json::object();
      fire(ctx, ctx.config().events.session, session_event{body, none});
    });
  }
  return out;
}

void end_database_session(request_context& ctx) {
  const auto token = database_session_token(ctx);
  if (!token) return;
  auto deleted = store(ctx).delete_session(*token);
  if (!deleted) {
    ctx.engine.log(log_level::warn, "SignOutError", deleted.error().message());
    return;
  }
  if (!ctx.config().events.sign_out) return;
  fire_after(ctx, [&ctx, session = std::move(*deleted)] {
    const json none = json::object();
    fire(ctx, ctx.config().events.sign_out, sign_out_event{none, session ? &*session : nullptr});
  });
}

}  // namespace authpp::detail
