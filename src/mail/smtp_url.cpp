#include "smtp_url.hpp"

#include <algorithm>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace authpp::mail {
namespace {

auth_error bad_url(std::string_view why) {
  return auth_error{errc::invalid_config, "email.smtp_url: " + std::string(why)};
}

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

}  // namespace

std::string smtp_endpoint::curl_url() const {
  return std::string(implicit_tls ? "smtps://" : "smtp://") + where() + "/";
}

std::string smtp_endpoint::where() const { return host + ":" + std::to_string(port); }

bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    const std::string inner(host.substr(1, host.size() - 2));
    in6_addr a6{};
    return inet_pton(AF_INET6, inner.c_str(), &a6) == 1 &&
           std::memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
  }
  // inet_pton takes only the dotted-quad form, so "127.1" or "0x7f.1" are names here.
  const std::string text(host);
  in_addr a4{};
  return inet_pton(AF_INET, text.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

result<smtp_endpoint> parse_smtp_url(std::string_view url) {
  if (url.empty()) return bad_url("missing (smtp://host[:port] or smtps://host[:port])");
  if (url.size() > 2048) return bad_url("longer than 2048 bytes");
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > ' ' && c <= '~'; })) {
    return bad_url("has a space, a control character or a non-ASCII byte");
  }
  smtp_endpoint out;
  const std::size_t sep = url.find("://");
  const std::string scheme = to_lower(url.substr(0, sep));
  if (sep == std::string_view::npos || (scheme != "smtp" && scheme != "smtps")) {
    return bad_url("the scheme must be smtp (STARTTLS) or smtps (TLS)");
  }
  out.implicit_tls = scheme == "smtps";
  std::string_view rest = url.substr(sep + 3);
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (end != std::string_view::npos && rest.substr(end) != "/") {
    return bad_url("a path, query or fragment is not allowed");
  }
  if (authority.find('@') != std::string_view::npos) {
    return bad_url("userinfo is not allowed: set email.username and email.password");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url("unclosed '[' in the host");
    out.host = to_lower(authority.substr(0, close + 1));
    const std::string inner(authority.substr(1, close - 1));
    in6_addr a6{};
    if (inet_pton(AF_INET6, inner.c_str(), &a6) != 1) return bad_url("malformed IPv6 address");
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return bad_url("malformed host");
  } else {
    out.host = to_lower(authority.substr(0, authority.find(':')));
    if (out.host.empty() || out.host.size() > 253 ||
        !std::all_of(out.host.begin(), out.host.end(), is_name_char)) {
      return bad_url("the host must be a name or an IP address");
    }
    authority.remove_prefix(std::min(authority.size(), authority.find(':')));
  }
  if (!authority.empty()) {
    port_text = authority.substr(1);  // after ':'
    unsigned long port = 0;
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return bad_url("the port must be a number from 1 to 65535");
    }
    for (char c : port_text) port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port == 0 || port > 65535) return bad_url("the port must be a number from 1 to 65535");
    out.port = static_cast<std::uint16_t>(port);
  } else {
    out.port = out.implicit_tls ? 465 : 25;
  }
  out.loopback = is_loopback_host(out.host);
  return out;
}

}  // namespace authpp::mail
