#pragma once

#include <authpp/core/result.hpp>
#include <authpp/net/http_client.hpp>

#include <cstdint>
#include <string>
#include <string_view>

// Pure helpers of the outbound client: where a request goes and whether it may be sent. No I/O.
namespace authpp::net::detail {

// target is an absolute http(s) URL read for connecting.
struct target {
  bool tls = false;
  std::string host;         // as in the URL, lowercase; an IPv6 literal keeps its brackets
  std::string bare_host;    // without brackets: what is resolved, sent as SNI, checked in the cert
  bool ip_literal = false;  // bare_host is an IPv4 or IPv6 address (no DNS, no SNI)
  std::uint16_t port = 0;
  std::string host_field;  // the Host field: host, and ":port" unless the scheme's default
  std::string path_and_query;
  std::string origin_key;  // "scheme://host:port": the connection pool's key
  std::string where;       // "host:port", for error details
};

// parse_target reads `url`. It fails with errc::invalid_url unless it is an absolute http(s) URL
// (http::parse_absolute_url; an over-long URL is invalid_url too).
[[nodiscard]] result<target> parse_target(std::string_view url);

// check_request fails with errc::malformed_input if the method or a field name is not an RFC 9110
// token, a field value has a control character other than HTAB, or a field is one the client
// sets itself (Host, Content-Length, Transfer-Encoding, Connection).
[[nodiscard]] result<void> check_request(const outbound_request& request);

}  // namespace authpp::net::detail
