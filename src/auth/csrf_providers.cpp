#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {

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
  for (const auto& flow : ctx.engine.flows) {
    const std::string& id = flow->id();
    body[id] = json{{"id", id},
                    {"name", flow->name()},
                    {"type", flow->type()},
                    {"signinUrl", ctx.base_url() + "/signin/" + id},
                    {"callbackUrl", ctx.base_url() + "/callback/" + id}};
  }
  outcome out = json_outcome(body);
  out.with_init_cookies = false;
  return out;
}

}  // namespace authpp::detail
