#include "provider_flow.hpp"

#include "engine.hpp"

namespace authpp::detail {

outcome provider_flow::signin(request_context& ctx) const {
  outcome out;
  out.redirect = ctx.base_url() + "/signin";
  return out;
}

// Most kinds fetch nothing ahead of a request.
boost::asio::awaitable<void> provider_flow::refresh(net::http_client&) const { co_return; }

boost::asio::awaitable<result<adapters::account_tokens>> provider_flow::renew_tokens(
    const adapters::account_record&, net::http_client&) const {
  co_return auth_error{errc::invalid_config, "provider " + id() + " issues no access tokens"};
}

}  // namespace authpp::detail
