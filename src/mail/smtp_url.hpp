#pragma once

#include <authpp/core/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace authpp::mail {

// smtp_endpoint is a parsed smtp_options::url.
struct smtp_endpoint {
  bool implicit_tls = false;  // smtps://: TLS from the first byte
  std::string host;           // lowercase; an IPv6 literal keeps its brackets
  std::uint16_t port = 0;     // the given port, or 25 (smtp) or 465 (smtps)
  bool loopback = false;      // is_loopback_host(host)

  // curl_url is the URL handed to libcurl, rebuilt from the parts.
  std::string curl_url() const;
  // where is "host:port", the only thing error details say about the server.
  std::string where() const;
};

// parse_smtp_url accepts smtp://host[:port] and smtps://host[:port], with an optional "/" at
// the end. The host is a name of letters, digits, dots and hyphens, or an IPv6 literal in
// brackets. It fails with errc::invalid_config, the detail starting "email.smtp_url" and never
// repeating the URL (it may hold a password): another scheme, userinfo, a path, a query or a
// fragment, an empty or malformed host, a port outside 1–65535, or a character outside visible
// ASCII.
[[nodiscard]] result<smtp_endpoint> parse_smtp_url(std::string_view url);

// is_loopback_host tells whether `host`, as written, is "localhost", an IPv4 address in
// 127.0.0.0/8, or "[::1]". Names are not resolved: what DNS says may change, and the decision is
// whether links and credentials may travel in clear text.
bool is_loopback_host(std::string_view host) noexcept;

}  // namespace authpp::mail
