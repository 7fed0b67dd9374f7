#pragma once

#include <authpp/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Absolute http(s) URLs, as Auth.js's redirect checks see them through WHATWG `new URL()`
// (client-wire.md §8). Parsing is done by Boost.URL (RFC 3986), which is stricter than WHATWG: a
// URL it accepts means the same thing to a browser, which is the property redirect checks need.
namespace authpp::http {

// url_parts is an absolute http(s) URL taken apart. `scheme` and `host` are lowercase; `host`
// keeps the brackets of an IPv6 literal; `port` is absent when not given or equal to the scheme's
// default (as WHATWG sets it to null); `path` is the encoded path, "/" when empty; `query` is the
// encoded query without `?`. Userinfo and the fragment are dropped.
struct url_parts {
  std::string scheme;
  std::string host;
  std::optional<std::uint16_t> port;
  std::string path;
  std::string query;

  // origin returns the WHATWG serialisation of the tuple origin: scheme "://" host [":" port].
  std::string origin() const;

  friend bool operator==(const url_parts&, const url_parts&) = default;
};

// max_url_bytes bounds parse_absolute_url's input before parsing.
inline constexpr std::size_t max_url_bytes = 8 * 1024;

// parse_absolute_url parses an absolute http or https URL with an authority. It fails with
//   errc::limit_exceeded if `text` is longer than max_url_bytes,
//   errc::invalid_url    if it has a control character, a space, a backslash or a non-ASCII
//                        byte, is not an RFC 3986 URI, has another scheme, has no or an empty
//                        host (`http:x`, `http:///x`), a percent-encoded or IPvFuture host, or a
//                        port above 65535.
[[nodiscard]] result<url_parts> parse_absolute_url(std::string_view text);

// host_pattern_problem says why `pattern` cannot name hosts, or nullopt when it can: a host
// ("app.example.com", "127.0.0.1", "[::1]"; any case, no port) or "*." and a name
// ("*.example.com": every subdomain of example.com, not example.com itself).
std::optional<std::string> host_pattern_problem(std::string_view pattern);

// host_matches tells whether `host` (lower-case, as url_parts has it) is one that `pattern`
// names; a pattern host_pattern_problem refuses matches nothing.
bool host_matches(std::string_view host, std::string_view pattern);

}  // namespace authpp::http
