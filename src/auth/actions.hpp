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
// awaited_credentials returns the credentials provider whose authorize_async handle_async awaits
// for a request (a POST to its callback), or nullptr when the request has nothing to await.
const credentials_provider* awaited_credentials(const route& r, std::string_view method,
                                                const provider* p);
// credentials_callback_async is callback_action for that provider, awaiting authorize_async.
boost::asio::awaitable<outcome> credentials_callback_async(request_context& ctx,
                                                           const credentials_provider& provider);
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

// provider_type returns "credentials" (and later "oauth", "oidc", "email").
std::string_view provider_type(const provider& p);
const std::string& provider_id(const provider& p);
const std::string& provider_name(const provider& p);

// render_page turns a rendered page into an outcome with its security headers.
outcome page_outcome(const pages::rendered& page);

}  // namespace authpp::detail
