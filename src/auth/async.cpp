// The engine's asynchronous entry point: the same steps as auth::handle, with the actions that
// wait (a credentials check, an OAuth provider's endpoints) awaited instead of called.
// Everything before and after them is shared (engine.hpp).
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp {
namespace detail {
namespace {

// reads_sessions_store: with database sessions, /session and a sign-out read or write the store.
bool reads_sessions_store(const engine_state& engine, const route& r, std::string_view method) {
  return engine.database_sessions() &&
         (r.action == action::session || (r.action == action::signout && method == "POST"));
}

// reads_account_store: the account page reads (and its actions write) the store.
bool reads_account_store(const engine_state& engine, const route& r) {
  return r.action == action::account && engine.config.account.enabled;
}

// checks_jwt_session: a JWT /session read that may need the store for its revocation check.
bool checks_jwt_session(const engine_state& engine, const route& r) {
  return r.action == action::session && checks_revocation(engine);
}

// The coroutine owns the request and a share of the engine: both outlive any suspension.
boost::asio::awaitable<http::response> handle_async_request(
    std::shared_ptr<const engine_state> engine, http::request request) {
  try {
    // A POST is counted against its address first; with Redis that is a round trip, made off
    // the I/O thread like a store call.
    const bool count_off_thread = request.method == "POST" && counting_waits(*engine);
    prepared p = prepare_request(*engine, request, !count_off_thread);
    if (auto* early = std::get_if<http::response>(&p)) co_return std::move(*early);
    auto& ctx = std::get<request_context>(p);
    if (count_off_thread) {
      std::optional<http::response> refused;
      std::function<void()> admit = [&refused, &ctx] { refused = admit_request(ctx); };
      if (auto full = co_await run_blocking_step(ctx, std::move(admit))) {
        co_return finish_request(ctx, std::move(*full));
      }
      if (refused) co_return std::move(*refused);
    }
    co_return finish_request(ctx, co_await awaited_action(ctx));
  } catch (const std::exception& e) {
    co_return internal_error(*engine, e.what());
  }
}

}  // namespace

boost::asio::awaitable<outcome> awaited_action(request_context& ctx) {
  if (checks_jwt_session(ctx.engine, ctx.route)) {
    // The claims are read here, on the I/O thread. Only a stale revocation check waits, like
    // every store call, off it; a remembered one costs nothing more.
    const auto& claims = session_claims(ctx);
    if (claims && *claims) {
      if (auto id = stale_session_user(ctx, **claims)) {
        std::function<outcome()> check_then_answer = [&ctx, user = std::move(*id)] {
          load_user_state(ctx, user);
          return dispatch(ctx);
        };
        co_return co_await run_blocking_action(ctx, std::move(check_then_answer));
      }
    }
    co_return dispatch(ctx);
  }
  if (ctx.provider && ctx.provider->waits(ctx.route.action, ctx.request.method) != waiting::none) {
    auto& client =
        net::shared_client(co_await boost::asio::this_coro::executor, ctx.config().outbound);
    co_return co_await ctx.provider->act_async(ctx, client);
  }
  if (reads_sessions_store(ctx.engine, ctx.route, ctx.request.method) ||
      reads_account_store(ctx.engine, ctx.route)) {
    std::function<outcome()> answer = [&ctx] { return dispatch(ctx); };
    co_return co_await run_blocking_action(ctx, std::move(answer));
  }
  co_return dispatch(ctx);
}

boost::asio::awaitable<outcome> run_blocking_action(request_context& ctx,
                                                    std::function<outcome()> action) {
  const auto& run = ctx.config().run_blocking;
  if (!run) co_return action();
  std::optional<outcome> out;
  auto ran = co_await run([&out, &action] { out = action(); });
  if (!ran) co_return store_unavailable(ctx, ran.error().message());
  co_return std::move(*out);
}

namespace {

waiting action_waits(const engine_state& engine, const http::request& request) {
  // Cheap tests first: only a POST, or a GET to a callback, to WebAuthn options or to the
  // account page (or, with database sessions or JWT revocation, to /session), can wait.
  const bool get = request.method == "GET";
  if (request.method != "POST" && !get) return waiting::none;
  const bool database = engine.database_sessions();
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const bool revocable = checks_revocation(engine);
  if (get && !database && !revocable && path.find("/callback/") == std::string_view::npos &&
      path.find("/webauthn-options/") == std::string_view::npos &&
      path.find("/account") == std::string_view::npos) {
    return waiting::none;
  }
  const auto r = parse_route(engine.config.base_path, path);
  if (!r) return waiting::none;
  if (reads_sessions_store(engine, *r, request.method) || reads_account_store(engine, *r)) {
    return waiting::preferred;
  }
  // A JWT session's revocation check may read the store: only when there is a session cookie
  // (by either policy's name, which configuration may have changed; chunks share the prefix).
  if (checks_jwt_session(engine, *r)) {
    const auto cookie = request.headers.get("Cookie");
    if (!cookie) return waiting::none;
    for (const bool secure : {false, true}) {
      if (cookie->find(engine.policy(secure).names.session_token) != std::string_view::npos) {
        return waiting::preferred;
      }
    }
    return waiting::none;
  }
  if (!r->provider_id) return waiting::none;
  const provider_flow* p = engine.find_provider(*r->provider_id);
  return p ? p->waits(r->action, request.method) : waiting::none;
}

}  // namespace

boost::asio::awaitable<std::optional<outcome>> run_blocking_step(request_context& ctx,
                                                                 std::function<void()> step) {
  std::function<outcome()> action = [&step] {
    step();
    return outcome{};
  };
  outcome ran = co_await run_blocking_action(ctx, std::move(action));
  if (ran.failed) co_return std::move(ran);
  co_return std::nullopt;
}

waiting route_waits(const engine_state& engine, const http::request& request) {
  const waiting w = action_waits(engine, request);
  // Counting a POST in Redis waits too, whatever the action.
  if (w == waiting::none && request.method == "POST" && counting_waits(engine)) {
    return waiting::preferred;
  }
  return w;
}

// handle_blocking answers a request that waits by running the asynchronous path on a private
// event loop: the calling thread blocks, which is what the synchronous API promises.
http::response handle_blocking(const std::shared_ptr<const engine_state>& engine,
                               const http::request& request) {
  return run_privately<http::response>(handle_async_request(engine, request), [&engine] {
    return internal_error(*engine, "handle failed");
  });
}

}  // namespace detail

boost::asio::awaitable<http::response> auth::handle_async(http::request request) const {
  return detail::handle_async_request(state_, std::move(request));
}

bool auth::awaits(const http::request& request) const {
  return detail::route_waits(*state_, request) != detail::waiting::none;
}

}  // namespace authpp
