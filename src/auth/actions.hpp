#pragma once

// Internal to the engine: the actions, one per route, and what they share about providers and
// events.
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "request.hpp"

namespace authpp::detail {

// ---- actions
// ---------------------------------------------------------------------------------------
outcome csrf_action(request_context& ctx);
outcome providers_action(request_context& ctx);
outcome session_action(request_context& ctx);
outcome signin_action(request_context& ctx);
outcome callback_action(request_context& ctx);
// complete_sign_in is what every provider's sign-in ends with once it has a user: the signIn
// callback, the jwt callback, the session cookie, the signIn event, the redirect.
outcome complete_sign_in(request_context& ctx, const user& u, const account& acct,
                         const json* credentials, const json* profile);
outcome signout_action(request_context& ctx);
outcome error_page_action(request_context& ctx);
outcome verify_request_action(request_context& ctx);

// fire runs an event handler; events only observe, so what they throw is logged and swallowed.
template <class Event>
void fire(const request_context& ctx, const std::function<void(const Event&)>& handler,
          const Event& event) {
  if (!handler) return;
  try {
    handler(event);
  } catch (const std::exception& e) {
    ctx.engine.log(log_level::error, "EventError", e.what());
  } catch (...) {
    ctx.engine.log(log_level::error, "EventError", "non-standard exception");
  }
}

// render_page turns a rendered page into an outcome with its security headers.
outcome page_outcome(const pages::rendered& page);

}  // namespace authpp::detail
