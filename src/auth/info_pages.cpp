#include <authpp/http/uri_component.hpp>

#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {

// GET /error?error=TYPE: the error page (500 for Configuration, 403 for AccessDenied and
// Verification, 200 otherwise), or a redirect to the application's.
outcome error_page_action(request_context& ctx) {
  const std::string type = ctx.query.get("error").value_or("undefined");
  if (const auto& custom = ctx.config().pages.error) {
    outcome out;
    // Auth.js pastes the type unencoded; encoding it keeps the Location header well-formed.
    out.redirect = *custom + (custom->find('?') == std::string::npos ? "?" : "&") +
                   "error=" + http::encode_uri_component(type);
    return out;
  }
  pages::error_page page;
  page.error = type;
  page.signin_url = ctx.base_url() + "/signin";
  page.home_url = ctx.origin;
  page.theme = ctx.config().theme;
  return page_outcome(pages::render_error(page));
}

// GET /verify-request: "check your e-mail" after a magic link was sent.
outcome verify_request_action(request_context& ctx) {
  if (const auto& custom = ctx.config().pages.verify_request) {
    outcome out;
    const auto q = ctx.request.target.find('?');
    out.redirect = *custom + (q == std::string::npos ? "" : ctx.request.target.substr(q));
    return out;
  }
  pages::verify_request_page page;
  page.home_url = ctx.origin;
  if (auto id = ctx.query.get("provider")) {
    if (const auto* p = ctx.engine.find_provider(*id)) page.provider_name = p->name();
  }
  page.theme = ctx.config().theme;
  return page_outcome(pages::render_verify_request(page));
}

}  // namespace authpp::detail
