#include "provider_flow.hpp"

namespace authpp::detail {

// Most kinds fetch nothing ahead of a request.
boost::asio::awaitable<void> provider_flow::refresh(net::http_client&) const { co_return; }

}  // namespace authpp::detail
