#include "engine.hpp"

namespace authpp::detail {

std::string_view provider_type(const provider& p) {
  if (const auto* o = std::get_if<oauth_provider>(&p)) {
    return o->type == oauth_kind::oidc ? "oidc" : "oauth";
  }
  return "credentials";
}
const std::string& provider_id(const provider& p) {
  return std::visit([](const auto& v) -> const std::string& { return v.id; }, p);
}
const std::string& provider_name(const provider& p) {
  return std::visit([](const auto& v) -> const std::string& { return v.name; }, p);
}

// GET /csrf: the token of the double-submit cookie (minted by init when missing or forged).
outcome csrf_action(request_context& ctx) {
  outcome out = json_outcome(json{{"csrfToken", ctx.csrf_token}});
  no_store(out);
  return out;
}

// GET /providers: public provider data keyed by id, in configuration order. Auth.js attaches no
// cookies and no cache headers here.
outcome providers_action(request_context& ctx) {
  json body = json::object();
  for (const provider& p : ctx.config().providers) {
    const std::string& id = provider_id(p);
    body[id] = json{{"id", id},
                    {"name", provider_name(p)},
                    {"type", provider_type(p)},
                    {"signinUrl", ctx.base_url() + "/signin/" + id},
                    {"callbackUrl", ctx.base_url() + "/callback/" + id}};
  }
  outcome out = json_outcome(body);
  out.with_init_cookies = false;
  return out;
}

}  // namespace authpp::detail
