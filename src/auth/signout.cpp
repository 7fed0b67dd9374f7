#include "engine.hpp"

namespace authpp::detail {

// GET /signout: the confirmation page. POST /signout: end the session (every chunk of the
// session cookie is cleared, a database session's row deleted; the CSRF and callback-URL cookies
// stay) and go to the callback URL.
outcome signout_action(request_context& ctx) {
  if (ctx.request.method == "GET") {
    if (const auto& custom = ctx.config().pages.sign_out) {
      outcome out;
      out.redirect = *custom;
      return out;
    }
    pages::signout_page page;
    page.action_url = ctx.base_url() + "/signout";
    page.csrf_token = ctx.csrf_token;
    page.callback_url = ctx.callback_url;
    page.callback_origin = ctx.callback_origin();
    page.theme = ctx.config().theme;
    return page_outcome(pages::render_signout(page));
  }
  if (!ctx.csrf_verified) {
    return fail(ctx, {authjs_error::missing_csrf, "POST /signout without a valid CSRF token"});
  }
  if (uses_database(ctx)) {
    end_database_session(ctx);
  } else if (auto claims = read_session_claims(ctx); !claims) {
    ctx.engine.log(log_level::warn, "SignOutError", claims.error().message());
  } else if (*claims) {
    fire(ctx, ctx.config().events.sign_out, sign_out_event{**claims});
  }
  outcome out;
  out.cookies = session_cookie_clears(ctx);
  out.redirect = ctx.callback_url;
  return out;
}

}  // namespace authpp::detail
