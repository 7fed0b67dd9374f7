#include <tuple>

#include "oauth_internal.hpp"

namespace authpp::detail {
namespace {

// append_query adds `params` to a configured page URL, after `?` or `&` as it already has a query.
std::string append_query(std::string url, const http::url_search_params& params) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + params.to_string();
}

// authorization_origin is where the provider's sign-in form ends up (for the page's CSP): the
// configured or discovered authorization endpoint, else (before discovery) the issuer, a guess.
std::pair<std::string, bool> authorization_origin(const request_context& ctx,
                                                  const oauth_provider& p) {
  if (!p.authorization_endpoint.empty()) return {p.authorization_endpoint, false};
  oauth_runtime& rt = ctx.engine.runtime(p);
  const std::scoped_lock lock(rt.mutex);
  if (rt.server) return {rt.server->authorization_endpoint, false};
  return {p.issuer, true};
}

pages::signin_page signin_page_model(const request_context& ctx) {
  pages::signin_page page;
  for (const provider& p : ctx.config().providers) {
    pages::provider_entry entry;
    entry.id = provider_id(p);
    entry.name = provider_name(p);
    entry.type = std::string(provider_type(p));
    entry.signin_url = ctx.base_url() + "/signin/" + entry.id;
    entry.callback_url = ctx.base_url() + "/callback/" + entry.id;
    if (const auto* c = std::get_if<credentials_provider>(&p)) {
      for (const credential_field& f : c->fields) {
        entry.fields.push_back(
            {f.name, f.label.empty() ? f.name : f.label, f.type, f.placeholder, f.required});
      }
    }
    if (const auto* o = std::get_if<oauth_provider>(&p)) {
      std::tie(entry.authorization_origin, entry.authorization_origin_guessed) =
          authorization_origin(ctx, *o);
      entry.bg = o->style.bg;
      entry.text = o->style.text;
    }
    page.providers.push_back(std::move(entry));
  }
  page.csrf_token = ctx.csrf_token;
  page.callback_url = ctx.callback_url;
  // Only `error` and `email` come from the query: Auth.js spreads every query parameter over the
  // page's props, which lets a link override the hidden callbackUrl or csrfToken.
  page.error = ctx.query.get("error");
  page.email = ctx.query.get("email");
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
  outcome out;
  out.redirect = ctx.base_url() + "/signin";
  return out;
}

}  // namespace authpp::detail
