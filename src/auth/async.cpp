// The engine's asynchronous entry point: the same steps as auth::handle, with the one action that
// waits awaited instead of called. Everything before and after it is shared (engine.hpp).
#include <boost/asio/use_awaitable.hpp>

#include "engine.hpp"

namespace authpp {
namespace detail {
namespace {

// The coroutine owns the request and a share of the engine: both outlive any suspension.
boost::asio::awaitable<http::response> handle_async_request(
    std::shared_ptr<const engine_state> engine, http::request request) {
  try {
    prepared p = prepare_request(*engine, request);
    if (auto* early = std::get_if<http::response>(&p)) co_return std::move(*early);
    auto& ctx = std::get<request_context>(p);
    if (const auto* c = awaited_credentials(ctx.route, ctx.request.method, ctx.provider)) {
      co_return finish_request(ctx, co_await credentials_callback_async(ctx, *c));
    }
    co_return finish_request(ctx, dispatch(ctx));
  } catch (const std::exception& e) {
    co_return internal_error(*engine, e.what());
  }
}

}  // namespace
}  // namespace detail

boost::asio::awaitable<http::response> auth::handle_async(http::request request) const {
  return detail::handle_async_request(state_, std::move(request));
}

bool auth::awaits(const http::request& request) const {
  // Cheap tests first: only a POST to a callback can wait.
  if (request.method != "POST") return false;
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const auto r = detail::parse_route(state_->config.base_path, path);
  if (!r || !r->provider_id) return false;
  return detail::awaited_credentials(*r, request.method, state_->find_provider(*r->provider_id)) !=
         nullptr;
}

}  // namespace authpp
