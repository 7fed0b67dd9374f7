#include <authpp/http/url.hpp>

#include <array>

#include <boost/asio/ip/address.hpp>

#include "target_internal.hpp"

namespace authpp::net::detail {
namespace {

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
// / "`" / "|" / "~" / DIGIT / ALPHA.
bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// RFC 9110 §5.5: a field value is visible characters, SP, HTAB and obs-text. CR and LF would
// split the request (header injection); other control characters are refused with them.
bool is_field_value(std::string_view s) noexcept {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return false;
  }
  return true;
}

auth_error malformed(std::string detail) {
  return auth_error{errc::malformed_input, std::move(detail)};
}

}  // namespace

result<target> parse_target(std::string_view url) {
  auto parts = http::parse_absolute_url(url);
  if (!parts) return auth_error{errc::invalid_url, parts.error().message()};

  target t;
  t.tls = parts->scheme == "https";
  t.host = parts->host;
  t.bare_host = t.host;
  if (t.bare_host.size() >= 2 && t.bare_host.front() == '[') {
    t.bare_host = t.bare_host.substr(1, t.bare_host.size() - 2);
  }
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(t.bare_host, ec);
  t.ip_literal = !ec;
  t.port = parts->port.value_or(t.tls ? 443 : 80);
  t.host_field = t.host;
  if (parts->port) t.host_field += ":" + std::to_string(*parts->port);
  t.path_and_query = parts->path;
  if (!parts->query.empty()) t.path_and_query += "?" + parts->query;
  t.where = t.host + ":" + std::to_string(t.port);
  t.origin_key = parts->scheme + "://" + t.where;
  return t;
}

result<void> check_request(const outbound_request& request) {
  if (!is_token(request.method)) return malformed("request method is not a token");
  static constexpr std::array<std::string_view, 4> managed = {"Host", "Content-Length",
                                                              "Transfer-Encoding", "Connection"};
  for (const auto& field : request.headers) {
    // Field names are ours or the caller's constants, so naming one is safe; values never are.
    if (!is_token(field.name)) return malformed("request field name is not a token");
    for (const std::string_view m : managed) {
      if (http::iequals(field.name, m)) {
        return malformed("request field " + std::string(m) + " is set by the client");
      }
    }
    if (!is_field_value(field.value)) {
      return malformed("request field " + field.name + " has a control character");
    }
  }
  return {};
}

}  // namespace authpp::net::detail
