#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Cookies on the wire: the `Cookie` request header (RFC 6265 §5.4, as browsers really send it)
// and the `Set-Cookie` response header, serialised exactly as Auth.js does (client-wire.md §5.2,
// server-flows.md §3.3).
namespace authpp::http {

// cookie is one name/value pair of a `Cookie` request header, value already decoded.
struct cookie {
  std::string name{};
  std::string value{};

  friend bool operator==(const cookie&, const cookie&) = default;
};

// cookie_limits bounds the work spent on one `Cookie` header. Browsers cap a header near 8 KB
// (RFC 6265 §6.1 asks for at least 4096 bytes per cookie and 50 cookies per domain).
struct cookie_limits {
  std::size_t max_bytes = 16 * 1024;
  std::size_t max_cookies = 128;
};

// parse_cookie_header splits a `Cookie` header into its pairs, in header order, keeping
// duplicates (see find_cookie). Browsers and proxies send many shapes, so it is tolerant: pieces
// are separated by `;` with or without spaces; a piece without `=` or with an empty name is
// skipped; the first `=` splits name from value; ASCII whitespace around names and values is
// trimmed; a value wrapped in one pair of double quotes loses them; a value containing `%` is
// percent-decoded when decode_uri_component accepts it and kept as sent otherwise (client-wire.md
// §3.2). It never fails: over the limits it IGNORES the excess instead, reading only the pieces
// that end within the first `limits.max_bytes` bytes and only the first `limits.max_cookies`
// cookies. Dropping data is safe here: a missing or cut session chunk fails to decrypt, and a
// missing CSRF cookie is reissued.
std::vector<cookie> parse_cookie_header(std::string_view header, const cookie_limits& limits = {});

// find_cookie returns the first cookie named `name`, or nullptr. Auth.js keeps the first
// occurrence of a duplicated name (client-wire.md §3.2). The pointer lives as long as `cookies`.
const cookie* find_cookie(const std::vector<cookie>& cookies, std::string_view name);

// same_site is the SameSite attribute (RFC 6265bis §4.1.2.7).
enum class same_site { strict, lax, none };

// set_cookie is one `Set-Cookie` header. The defaults are Auth.js's cookie options: Path=/,
// HttpOnly, SameSite=Lax; `secure` is off by default because Auth.js sets it only over https.
// Every member has an initializer so that designated initializers can name only what differs.
struct set_cookie {
  std::string name{};
  std::string value{};
  std::optional<long long> max_age{};
  std::optional<std::string> domain{};
  std::optional<std::string> path = "/";
  std::optional<std::chrono::system_clock::time_point> expires{};
  bool http_only = true;
  bool secure = false;
  bool partitioned = false;
  std::optional<http::same_site> same_site = http::same_site::lax;

  friend bool operator==(const set_cookie&, const set_cookie&) = default;
};

// serialize returns the `Set-Cookie` header value byte-for-byte as Auth.js's vendored `cookie`
// serialize (client-wire.md §5.2): `name=encodeURIComponent(value)`, then only when set and in
// this order `; Max-Age=n`, `; Domain=d`, `; Path=p`, `; Expires=<IMF-fixdate>`, `; HttpOnly`,
// `; Secure`, `; Partitioned`, `; SameSite=Strict|Lax|None`. The value is always encoded, so it
// cannot inject attributes; the name, domain and path come from configuration and must pass
// check_set_cookie (serialize does not check them again).
std::string serialize(const set_cookie& cookie);

// check_set_cookie validates the parts serialize writes unencoded. It fails with
//   errc::malformed_input if the name is not an RFC 9110 token, or the domain or path contains a
//                         control character or `;` (any of which would let the
//                         configuration inject attributes or headers).
[[nodiscard]] result<void> check_set_cookie(const set_cookie& cookie);

// domain_match is RFC 6265 §5.1.3: `host` is `domain`, or a name under it ("app.example.com"
// under "example.com"; an IP address is under nothing). Both lower-case, as url_parts has them.
bool domain_match(std::string_view host, std::string_view domain);

// cookie_domain_problem says why `domain` cannot be the Domain of a cookie a server sets, or
// nullopt when it can: a lower-case DNS name of letters, digits and hyphens, with at least two
// labels (a one-label domain is a top-level domain, which browsers refuse), no leading or trailing
// dot, no port and no IP address.
std::optional<std::string> cookie_domain_problem(std::string_view domain);

// max_set_cookie_bytes bounds parse_set_cookie's input: browsers refuse cookies above 4096 bytes
// of name and value (RFC 6265 §6.1), attributes included this leaves ample room.
inline constexpr std::size_t max_set_cookie_bytes = 8 * 1024;

// parse_set_cookie reads a `Set-Cookie` header value as a user agent does (RFC 6265 §5.2): the
// name=value pair first (both trimmed; the value percent-decoded if decode_uri_component accepts
// it), then `;`-separated attributes matched case-insensitively. Unknown attributes, a Max-Age
// that is not an integer, an Expires that is not an IMF-fixdate and an unknown SameSite are
// ignored. Unlike a default-constructed set_cookie, the result has only the attributes present
// (no Path, no HttpOnly, no SameSite unless sent). It fails with
//   errc::limit_exceeded  if `text` is longer than max_set_cookie_bytes,
//   errc::malformed_input if it contains a control character (RFC 6265bis §5.6 step 1), has no
//                         `=` in its first piece, or has an empty name.
[[nodiscard]] result<set_cookie> parse_set_cookie(std::string_view text);

}  // namespace authpp::http
