// What the engine answers about the application's own requests: who is signed in (auth::session,
// Auth.js's auth(), read by the /session action itself so that both always agree, then handed
// over as values), and where a visitor who must sign in goes (auth::sign_in_url).
#include <authpp/http/cookie.hpp>
#include <authpp/http/form.hpp>

#include "engine.hpp"

namespace authpp {
namespace detail {
namespace {

// session_result_of turns the /session action's answer into auth::session's: the session JSON,
// and the cookies it would have set.
result<session_result> session_result_of(request_context& ctx, outcome out) {
  for (const auto& fire_event : ctx.events_after) fire_event();
  if (out.status == 503) {
    return auth_error{errc::storage_unavailable, "the session store cannot answer now"};
  }
  session_result r;
  auto body = parse_json(out.body);
  if (body && body->is_object()) r.session = std::move(*body);
  if (!out.failed) {
    for (const auto& c : out.cookies) r.headers.add("Set-Cookie", http::serialize(c));
  }
  return r;
}

result<session_result> engine_failed(const engine_state& engine, std::string_view what) {
  engine.log(log_level::error, "InternalError", what);
  return auth_error{errc::engine_failure, "the session could not be read; see the engine's log"};
}

// The coroutine owns the request and a share of the engine: both outlive any suspension.
boost::asio::awaitable<result<session_result>> session_lookup_async(
    std::shared_ptr<const engine_state> engine, http::request request) {
  try {
    auto context = app_request_context(*engine, request);
    if (auto* refused = std::get_if<auth_error>(&context)) co_return std::move(*refused);
    auto& ctx = std::get<request_context>(context);
    outcome out = co_await awaited_action(ctx);
    co_return session_result_of(ctx, std::move(out));
  } catch (const std::exception& e) {
    co_return engine_failed(*engine, e.what());
  }
}

}  // namespace
}  // namespace detail

result<session_result> auth::session(const http::request& request) const {
  try {
    auto context = detail::app_request_context(*state_, request);
    if (auto* refused = std::get_if<auth_error>(&context)) return std::move(*refused);
    auto& ctx = std::get<detail::request_context>(context);
    return detail::session_result_of(ctx, detail::dispatch(ctx));
  } catch (const std::exception& e) {
    return detail::engine_failed(*state_, e.what());
  }
}

boost::asio::awaitable<result<session_result>> auth::session_async(http::request request) const {
  return detail::session_lookup_async(state_, std::move(request));
}

namespace detail {

std::string sign_in_page_url(const request_context& ctx, const std::string& callback_url) {
  http::url_search_params params;
  params.append("callbackUrl", callback_url);
  const auto& custom = ctx.config().pages.sign_in;
  return append_query(custom ? ctx.origin + *custom : ctx.base_url() + "/signin", params);
}

}  // namespace detail

result<std::string> auth::sign_in_url(const http::request& request,
                                      std::string_view callback_url) const {
  auto context = detail::app_request_context(*state_, request);
  if (auto* refused = std::get_if<auth_error>(&context)) return std::move(*refused);
  const auto& ctx = std::get<detail::request_context>(context);
  if (callback_url.empty()) {
    callback_url = request.target;
    // Only origin-form targets ("/path?query") name a page of this origin.
    if (!callback_url.starts_with('/') || callback_url.starts_with("//")) {
      return auth_error{errc::malformed_input, "the request-target is not a path"};
    }
  }
  const auto resolved = detail::resolve_redirect(ctx, callback_url);
  if (!resolved) return auth_error{errc::invalid_url, "the redirect callback refused the URL"};
  return detail::sign_in_page_url(ctx, *resolved);
}

result<http::response> auth::sign_in_redirect(const http::request& request) const {
  auto url = sign_in_url(request);
  if (!url) return url.error();
  http::response res;
  res.status = 302;
  res.headers.add("Location", std::move(*url));
  res.headers.add("Cache-Control", "private, no-store");
  return res;
}

}  // namespace authpp
