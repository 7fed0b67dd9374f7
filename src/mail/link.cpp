#include "link.hpp"

#include <authpp/http/url.hpp>

#include "address.hpp"

namespace authpp::mail {

result<void> check_link(const sign_in_link& link) {
  if (!is_addr_spec(link.to)) {
    return auth_error{errc::malformed_input,
                      "to: not a single address of the form local@domain (no name, comma, angle "
                      "bracket, CR or LF)"};
  }
  if (!http::parse_absolute_url(link.url)) {
    return auth_error{errc::invalid_url, "the sign-in link is not an absolute http(s) URL"};
  }
  return {};
}

}  // namespace authpp::mail
