#pragma once

#include <authpp/core/clock.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The client's cookie store: the RFC 6265 §5.3 storage model with the RFC 6265bis additions that
// browsers apply (cookie prefixes, no Secure cookies from insecure origins). The client never reads
// cookies itself, it only replays them, exactly as next-auth/react relies on the browser to do
// (client-wire.md §11 item 6).
namespace authpp::client {

// stored_cookie is one cookie as the jar keeps it. `value` is the raw bytes of the Set-Cookie
// header, replayed unchanged (no percent-decoding: a browser does not decode either). `domain` is
// lowercase without a leading dot. `expires` is empty for a session cookie.
struct stored_cookie {
  std::string name{};
  std::string value{};
  std::string domain{};
  std::string path{};
  std::optional<std::chrono::system_clock::time_point> expires{};
  std::chrono::system_clock::time_point created{};
  bool host_only = true;
  bool secure = false;
  bool http_only = false;

  friend bool operator==(const stored_cookie&, const stored_cookie&) = default;
};

// skipped_line is a line of a cookie file that load_netscape could not read: its 1-based number
// and the reason. The reason never quotes the line, which may hold a session token.
struct skipped_line {
  std::size_t line = 0;
  std::string reason{};
};

// cookie_jar_limits bound the jar. RFC 6265 §6.1 asks for at least 4096 bytes per cookie, 50 per
// domain and 3000 in total; browsers use about these numbers.
struct cookie_jar_limits {
  std::size_t max_cookies = 3000;
  std::size_t max_cookies_per_domain = 180;
  std::size_t max_cookie_bytes = 4096;  // name + value
};

// cookie_jar is thread-safe: every member takes an internal mutex, so one jar can serve a client
// shared between threads.
class cookie_jar {
 public:
  // cookie_jar reads "now" from `clock` (which must outlive the jar) for expiry.
  explicit cookie_jar(const authpp::clock& clock = default_clock(), cookie_jar_limits limits = {});

  // store applies one `Set-Cookie` header received in answer to `request_url` (RFC 6265 §5.3).
  // A cookie whose expiry is in the past deletes the stored one with the same name, domain and
  // path. A refused cookie changes nothing; a user agent ignores it, and so may the caller (the
  // client logs it at debug level). It fails with
  //   errc::invalid_url       if `request_url` is not an absolute http(s) URL,
  //   errc::malformed_input   if the header has no `name=` pair, or a control character other
  //                           than HTAB, or a HTAB inside the name, value, Domain or Path (the
  //                           Netscape file could not hold it; curl drops such cookies too),
  //   errc::cookie_rejected   if name + value exceed `max_cookie_bytes`; the Domain does not
  //                           domain-match the request host or is a one-label domain other than
  //                           the host itself (we have no public-suffix list); the cookie is
  //                           Secure (or `__Secure-`/`__Host-`, which require Secure) and the
  //                           request was plain http to a host other than a loopback one
  //                           (`localhost`, `*.localhost`, a dotted-quad IPv4 address in
  //                           127.0.0.0/8, `[::1]` or `[::ffff:127.x.y.z]`; not `127.1`, and
  //                           not a name such as `127.evil.example`); a `__Host-` cookie has a
  //                           Domain or a Path other than "/"; or a non-Secure cookie from http
  //                           would shadow a stored Secure one.
  [[nodiscard]] result<void> store(std::string_view set_cookie_header,
                                   std::string_view request_url);

  // cookie_header_for returns the `Cookie` header a browser sends to `url`: the unexpired cookies
  // whose domain and path match (Secure ones only over https or to a loopback host), longer paths
  // first, then older first (RFC 6265 §5.4); an empty string when none match or `url` is not an
  // absolute http(s) URL.
  std::string cookie_header_for(std::string_view url) const;

  // cookies returns the unexpired cookies, in creation order.
  std::vector<stored_cookie> cookies() const;

  // size counts the stored cookies, expired ones not yet evicted included.
  std::size_t size() const;

  // clear removes every cookie; clear_session removes those without an expiry (a browser restart).
  void clear();
  void clear_session();

  // to_netscape writes the unexpired cookies in the Netscape cookie-file format that curl reads
  // with `-b` and writes with `-c`: one line per cookie, tab-separated domain (with a leading dot
  // when subdomains match), "TRUE"/"FALSE" for subdomains, path, "TRUE"/"FALSE" for Secure, the
  // expiry in Unix seconds (0 for a session cookie), name, value; HttpOnly cookies get the
  // `#HttpOnly_` prefix on the domain.
  std::string to_netscape() const;

  // load_netscape adds the cookies of a Netscape cookie file (comments and blank lines skipped,
  // expired lines dropped), replacing stored ones with the same name, domain and path. A line
  // that is not a cookie (not 7 tab-separated fields, flags other than TRUE/FALSE, an expiry that
  // is not a number, an empty domain or name, a control character) is skipped, as curl skips it,
  // and listed in the result, so that one damaged line does not fail every later load of the jar;
  // the next save drops it. It fails, adding nothing, with
  //   errc::limit_exceeded  if `text` is longer than 4 MiB,
  //   errc::malformed_input if some line is malformed, none is a cookie, and `text` does not
  //                         start with "# Netscape HTTP Cookie File" or "# HTTP Cookie File":
  //                         it is then unlikely to be a cookie file, and a caller that saves
  //                         the jar back would replace it (the message names the first line).
  [[nodiscard]] result<std::vector<skipped_line>> load_netscape(std::string_view text);

  // load reads a Netscape cookie file with load_netscape; a file that does not exist is an empty
  // jar, as for curl. save writes to_netscape() to `path` atomically, through a temporary file
  // with an unpredictable name in the same directory, created exclusively (never through a
  // planted file or symlink) with mode 0600, since session cookies are credentials; it is synced,
  // then renamed over `path` (replacing a symlink there, not following it). Both fail with
  //   errc::storage_unavailable if the file cannot be read or written (save leaves no temporary
  //                             file behind),
  // and load also with load_netscape's errors.
  [[nodiscard]] result<std::vector<skipped_line>> load(const std::filesystem::path& path);
  [[nodiscard]] result<void> save(const std::filesystem::path& path) const;

 private:
  void evict_locked(const std::string& domain);
  void upsert_locked(stored_cookie c);

  const authpp::clock* clock_;
  cookie_jar_limits limits_;
  mutable std::mutex mutex_;
  std::vector<stored_cookie> cookies_;
};

}  // namespace authpp::client
