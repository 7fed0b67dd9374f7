#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {

std::string append_query(std::string url, const http::url_search_params& params) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + params.to_string();
}

namespace {

pages::signin_page signin_page_model(const request_context& ctx) {
  pages::signin_page page;
  for (const auto& flow : ctx.engine.flows) {
    pages::provider_entry entry;
    entry.id = flow->id();
    entry.name = flow->name();
    entry.type = std::string(flow->type());
    entry.signin_url = ctx.base_url() + "/signin/" + entry.id;
    entry.callback_url = ctx.base_url() + "/callback/" + entry.id;
    entry.options_url = ctx.base_url() + "/webauthn-options/" + entry.id;
    flow->describe(ctx, entry);
    page.providers.push_back(std::move(entry));
  }
  page.csrf_token = ctx.csrf_token;
  page.callback_url = ctx.callback_url;
  page.callback_origin = ctx.callback_origin();
  // Only `error` and `email` come from the query: Auth.js spreads every query parameter over the
  // page's props, which lets a link override the hidden callbackUrl or csrfToken.
  page.error = ctx.query.get("error");
  page.email = ctx.query.get("email");
  page.second_factor = second_factor_enabled(ctx.engine) &&
                       ctx.query.get("code") == std::optional<std::string>("totp_required");
  page.theme = ctx.config().theme;
  return page;
}

}  // namespace

// GET /signin: the sign-in page (or a redirect to the application's). POST /signin[/id]: start
// a provider's flow; credentials providers sign in through /callback, so they land on the page.
outcome signin_action(request_context& ctx) {
  if (ctx.request.method == "GET") {
    if (ctx.route.provider_id) {
      return fail(ctx, {authjs_error::unknown_action, "GET /signin/{provider} is not supported"});
    }
    if (const auto& custom = ctx.config().pages.sign_in) {
      http::url_search_params params;
      params.append("callbackUrl", ctx.callback_url);
      if (auto error = ctx.query.get("error")) params.append("error", *error);
      outcome out;
      out.redirect = append_query(*custom, params);
      return out;
    }
    return page_outcome(pages::render_signin(signin_page_model(ctx)));
  }
  if (!ctx.csrf_verified) {
    return fail(ctx, {authjs_error::missing_csrf, "POST /signin without a valid CSRF token"});
  }
  if (ctx.provider) return ctx.provider->signin(ctx);
  outcome out;
  out.redirect = ctx.base_url() + "/signin";
  return out;
}

}  // namespace authpp::detail
