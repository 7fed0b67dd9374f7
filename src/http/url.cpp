#include <authpp/http/url.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "text_internal.hpp"

namespace authpp::http {
namespace {

auth_error invalid(std::string detail) { return auth_error{errc::invalid_url, std::move(detail)}; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = detail::ascii_lower(c);
  return out;
}

std::uint16_t default_port(std::string_view scheme) noexcept {
  return scheme == "https" ? 443 : 80;
}

}  // namespace

std::string url_parts::origin() const {
  std::string out = scheme + "://" + host;
  if (port && *port != default_port(scheme)) {
    out += ':';
    out += std::to_string(*port);
  }
  return out;
}

result<url_parts> parse_absolute_url(std::string_view text) {
  if (text.size() > max_url_bytes) {
    return auth_error{errc::limit_exceeded, "URL too long"};
  }
  // WHATWG would strip or normalise these (tabs, newlines, `\` as `/`), so a string that still
  // contains one is read differently by browsers and by RFC 3986: refuse it outright.
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '\\') return invalid("forbidden character in URL");
  }
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return invalid("not an absolute URI");
  const boost::urls::url_view& u = *parsed;

  url_parts out;
  out.scheme = lowercase(u.scheme());
  if (out.scheme != "http" && out.scheme != "https") return invalid("scheme is not http(s)");
  if (!u.has_authority()) return invalid("no authority");

  switch (u.host_type()) {
    case boost::urls::host_type::ipv6:
      // RFC 5952 canonical text, as the WHATWG IPv6 serializer prints it.
      out.host = "[" + u.host_ipv6_address().to_string() + "]";
      break;
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name: {
      const std::string_view host = u.encoded_host();
      if (host.empty()) return invalid("empty host");
      // A percent-encoded host would be decoded (and IDNA-mapped) by WHATWG; refusing it keeps
      // one reading of the host.
      if (host.find('%') != std::string_view::npos) return invalid("percent-encoded host");
      out.host = lowercase(host);
      break;
    }
    default:
      return invalid("unsupported host");
  }

  if (u.has_port() && !u.port().empty()) {
    // Leading zeros are allowed (WHATWG reads "080" as 80); the value is bounded digit by digit.
    unsigned long value = 0;
    for (const char c : std::string_view(u.port())) {
      if (c < '0' || c > '9') return invalid("port is not a number");
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) return invalid("port out of range");
    }
    if (value != default_port(out.scheme)) out.port = static_cast<std::uint16_t>(value);
  }

  out.path = u.encoded_path();
  // RFC 3986 §3.3: after an authority the path is empty or starts with `/`. Boost.URL 1.81 lets
  // a malformed port spill into the path ("http://h:8o/" → port "8", path "o/"); refuse that.
  if (!out.path.empty() && out.path.front() != '/') return invalid("malformed authority");
  if (out.path.empty()) out.path = "/";  // WHATWG: special schemes always have a path
  if (u.has_query()) out.query = u.encoded_query();
  return out;
}

std::optional<std::string> host_pattern_problem(std::string_view pattern) {
  const std::string_view name = pattern.starts_with("*.") ? pattern.substr(2) : pattern;
  const std::string refusal =
      "expected a host like \"app.example.com\" or \"*.example.com\" "
      "(no scheme, port or path), got \"" +
      std::string(pattern) + "\"";
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {  // an IPv6 literal
    const bool hex = name.find_first_not_of("0123456789abcdefABCDEF:.", 1) == name.size() - 1;
    if (!hex || name.size() != pattern.size()) return refusal;
    return std::nullopt;
  }
  if (name.empty() || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string_view::npos) {
    return refusal;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return refusal;
  }
  return std::nullopt;
}

bool host_matches(std::string_view host, std::string_view pattern) {
  if (host_pattern_problem(pattern)) return false;
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
    return out;
  };
  const std::string p = lower(pattern);
  if (p.starts_with("*.")) {
    const std::string_view suffix = std::string_view(p).substr(1);  // ".example.com"
    return host.size() > suffix.size() && host.ends_with(suffix);
  }
  return host == p;
}

}  // namespace authpp::http
