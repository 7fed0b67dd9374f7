// The engine's asynchronous entry point: the same steps as auth::handle, with the actions that
// wait (a credentials check, an OAuth provider's endpoints) awaited instead of called.
// Everything before and after them is shared (engine.hpp).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "oauth_internal.hpp"

namespace authpp {
namespace detail {
namespace {

boost::asio::awaitable<outcome> awaited_action(request_context& ctx) {
  if (const auto* c = awaited_credentials(ctx.route, ctx.request.method, ctx.provider)) {
    co_return co_await credentials_callback_async(ctx, *c);
  }
  if (const auto* o = awaited_oauth(ctx.route, ctx.request.method, ctx.provider)) {
    auto& client =
        net::shared_client(co_await boost::asio::this_coro::executor, ctx.config().outbound);
    if (ctx.route.action == action::signin) co_return co_await oauth_signin(ctx, *o, client);
    co_return co_await oauth_callback(ctx, *o, client);
  }
  co_return dispatch(ctx);
}

// The coroutine owns the request and a share of the engine: both outlive any suspension.
boost::asio::awaitable<http::response> handle_async_request(
    std::shared_ptr<const engine_state> engine, http::request request) {
  try {
    prepared p = prepare_request(*engine, request);
    if (auto* early = std::get_if<http::response>(&p)) co_return std::move(*early);
    auto& ctx = std::get<request_context>(p);
    co_return finish_request(ctx, co_await awaited_action(ctx));
  } catch (const std::exception& e) {
    co_return internal_error(*engine, e.what());
  }
}

}  // namespace

bool route_awaits(const engine_state& engine, const http::request& request, bool oauth_only) {
  // Cheap tests first: only a POST, or a GET to a callback, can wait.
  const bool get = request.method == "GET";
  if (request.method != "POST" && !get) return false;
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (get && path.find("/callback/") == std::string_view::npos) return false;
  const auto r = parse_route(engine.config.base_path, path);
  if (!r || !r->provider_id) return false;
  const provider* p = engine.find_provider(*r->provider_id);
  return (!oauth_only && awaited_credentials(*r, request.method, p) != nullptr) ||
         awaited_oauth(*r, request.method, p) != nullptr;
}

// handle_blocking answers a request that waits by running the asynchronous path on a private
// event loop: the calling thread blocks, which is what the synchronous API promises.
http::response handle_blocking(const std::shared_ptr<const engine_state>& engine,
                               const http::request& request) {
  boost::asio::io_context io;
  std::optional<http::response> answer;
  boost::asio::co_spawn(io, handle_async_request(engine, request),
                        [&](std::exception_ptr e, http::response res) {
                          answer = e ? internal_error(*engine, "handle failed") : std::move(res);
                          // Pooled connections would keep the loop busy until their idle
                          // timeout: stopping it closes them with the context.
                          io.stop();
                        });
  io.run();
  return std::move(*answer);
}

}  // namespace detail

boost::asio::awaitable<http::response> auth::handle_async(http::request request) const {
  return detail::handle_async_request(state_, std::move(request));
}

bool auth::awaits(const http::request& request) const {
  return detail::route_awaits(*state_, request, false);
}

}  // namespace authpp
