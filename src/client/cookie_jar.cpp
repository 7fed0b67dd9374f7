#include <authpp/client/cookie_jar.hpp>
#include <authpp/http/cookie.hpp>
#include <authpp/http/url.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace authpp::client {
namespace {

using time_point = std::chrono::system_clock::time_point;

constexpr std::size_t max_cookie_file_bytes = 4 * 1024 * 1024;

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// is_loopback_host says whether `host` (as url_parts holds it: lowercase, IPv6 in brackets) is
// one that browsers treat as a potentially trustworthy origin (Secure Contexts §3.1), so that
// Secure cookies set by a development server on http://localhost work as they do over https:
// "localhost", a name ending in ".localhost", an IPv4 address in 127.0.0.0/8, ::1, or ::1's
// IPv4-mapped form ::ffff:127.x.y.z. Addresses are parsed strictly, with inet_pton: a name that
// merely starts with "127." ("127.evil.example") is a DNS name anyone can point anywhere. The
// short and numeric forms that inet_aton and WHATWG URLs read as 127.0.0.1 ("127.1",
// "0x7f.0.0.1", "2130706433") are refused too; that errs on the safe side.
bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  const std::string text(bracketed ? host.substr(1, host.size() - 2) : host);
  in_addr v4{};
  if (!bracketed && ::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

bool secure_origin(const http::url_parts& url) {
  return url.scheme == "https" || is_loopback_host(url.host);
}

// has_ctl finds the bytes that RFC 6265 §4.1.1 keeps out of cookies (CTLs: 0x00-0x1f and 0x7f).
// The Netscape file separates fields with tabs and lines with newlines, so a stored field with
// one of them would corrupt the jar file.
bool has_ctl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// RFC 6265 §5.1.4.
std::string default_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "/";
  const std::size_t last = path.rfind('/');
  if (last == 0) return "/";
  return std::string(path.substr(0, last));
}

bool path_match(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

bool expired(const stored_cookie& c, time_point now) { return c.expires && *c.expires <= now; }

bool same_key(const stored_cookie& a, const stored_cookie& b) {
  return a.name == b.name && a.domain == b.domain && a.path == b.path;
}

auth_error rejected(std::string detail) {
  return auth_error{errc::cookie_rejected, std::move(detail)};
}

// parse_netscape_line reads one cookie line of a Netscape cookie file (the `#HttpOnly_` prefix
// included, the line break not). It fails with errc::malformed_input, the detail saying why but
// never quoting the line, which may hold a session token.
result<stored_cookie> parse_netscape_line(std::string_view line, time_point now) {
  const auto bad = [](std::string why) {
    return auth_error{errc::malformed_input, std::move(why)};
  };
  stored_cookie c;
  if (line.starts_with("#HttpOnly_")) {
    c.http_only = true;
    line.remove_prefix(10);
  }
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  // curl omits nothing but writes an empty value as an empty last field; accept 6 fields too.
  if (fields.size() == 6) fields.emplace_back();
  if (fields.size() != 7) return bad("expected 7 tab-separated fields");
  // The same rule as store(): a CR here would end up inside the Cookie header.
  if (std::any_of(fields.begin(), fields.end(), has_ctl)) return bad("control character");
  std::string_view domain = fields[0];
  if (domain.starts_with('.')) domain.remove_prefix(1);
  if (domain.empty() || fields[5].empty()) return bad("empty domain or name");
  if ((fields[1] != "TRUE" && fields[1] != "FALSE") ||
      (fields[3] != "TRUE" && fields[3] != "FALSE")) {
    return bad("flags must be TRUE or FALSE");
  }
  long long expiry = 0;
  const auto [end, ec] =
      std::from_chars(fields[4].data(), fields[4].data() + fields[4].size(), expiry);
  if (ec != std::errc{} || end != fields[4].data() + fields[4].size() || expiry < 0) {
    return bad("expiry is not a number of seconds");
  }
  c.domain = std::string(domain);
  for (char& ch : c.domain) ch = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch;
  c.host_only = fields[1] == "FALSE";
  c.path = fields[2].empty() ? "/" : std::string(fields[2]);
  c.secure = fields[3] == "TRUE";
  if (expiry != 0) {
    // Clamp in seconds before converting: a year-9999 expiry would overflow nanoseconds.
    const long long cap = to_unix_seconds(now) + 400LL * 86400;
    c.expires = time_point(std::chrono::seconds(std::min(expiry, cap)));
  }
  c.name = std::string(fields[5]);
  c.value = std::string(fields[6]);
  c.created = now;
  return c;
}

}  // namespace

cookie_jar::cookie_jar(const authpp::clock& clock, cookie_jar_limits limits)
    : clock_(&clock), limits_(limits) {}

result<void> cookie_jar::store(std::string_view set_cookie_header, std::string_view request_url) {
  auto url = http::parse_absolute_url(request_url);
  if (!url) return url.error();
  // The attributes come from the shared parser; the value is re-read raw because a user agent
  // replays the bytes it was given, whereas parse_set_cookie decodes them for the engine.
  auto parsed = http::parse_set_cookie(set_cookie_header);
  if (!parsed) return parsed.error();
  const std::string_view pair = set_cookie_header.substr(0, set_cookie_header.find(';'));
  const std::string_view raw_value = trim(pair.substr(pair.find('=') + 1));

  // parse_set_cookie already ignores cookies with a CTL other than HTAB (RFC 6265bis §5.6), but a
  // tab inside the name, value, Domain or Path would survive into the tab-separated jar file and
  // make it unreadable. RFC 6265 cookie-octets exclude every CTL, and curl drops such cookies
  // too ("invalid octets in name/value, cookie dropped"); tabs around them are whitespace.
  if (has_ctl(parsed->name) || has_ctl(raw_value) || (parsed->domain && has_ctl(*parsed->domain)) ||
      (parsed->path && has_ctl(*parsed->path))) {
    return auth_error{errc::malformed_input, "control character in a cookie field"};
  }

  stored_cookie c;
  c.name = parsed->name;
  c.value = std::string(raw_value);
  if (c.name.size() + c.value.size() > limits_.max_cookie_bytes) {
    return rejected("name and value exceed " + std::to_string(limits_.max_cookie_bytes) + " bytes");
  }
  const time_point now = clock_->now();
  c.created = now;
  // §5.3 step 3: Max-Age wins over Expires; a non-positive Max-Age means "already expired".
  // RFC 6265bis §5.5 caps lifetimes at 400 days, which also keeps the arithmetic in range.
  constexpr std::chrono::seconds max_lifetime = std::chrono::days(400);
  if (parsed->max_age) {
    c.expires = *parsed->max_age <= 0
                    ? time_point::min()
                    : now + std::min(std::chrono::seconds(*parsed->max_age), max_lifetime);
  } else if (parsed->expires) {
    c.expires = std::min(*parsed->expires, now + max_lifetime);
  }
  // §5.3 steps 4-6: Domain.
  if (parsed->domain) {
    const std::string& domain = *parsed->domain;
    const bool one_label = domain.find('.') == std::string::npos && domain != "localhost";
    if (one_label && domain != url->host) {
      // Without a public-suffix list, treat every one-label domain as a public suffix ("com").
      return rejected("Domain is a top-level domain");
    }
    if (!http::domain_match(url->host, domain)) return rejected("Domain does not match the host");
    c.domain = domain;
    c.host_only = one_label;  // a public suffix equal to the host degrades to host-only
  } else {
    c.domain = url->host;
  }
  // §5.3 step 7: Path, or the default path of the request.
  c.path = parsed->path ? *parsed->path : default_path(url->path);
  c.secure = parsed->secure;
  c.http_only = parsed->http_only;

  const bool from_secure = secure_origin(*url);
  if (c.secure && !from_secure) return rejected("Secure cookie from an insecure origin");
  // RFC 6265bis §4.1.3: cookie prefixes (matched case-insensitively, as current browsers do).
  if (iequals_prefix(c.name, "__Secure-") && !c.secure) {
    return rejected("__Secure- cookie without Secure");
  }
  if (iequals_prefix(c.name, "__Host-") &&
      (!c.secure || parsed->domain || !parsed->path || *parsed->path != "/")) {
    return rejected("__Host- cookie needs Secure, Path=/ and no Domain");
  }

  std::lock_guard lock(mutex_);
  // RFC 6265bis §5.7 step 16: an insecure origin may not shadow a Secure cookie.
  if (!c.secure && !from_secure) {
    for (const stored_cookie& old : cookies_) {
      if (old.secure && old.name == c.name &&
          (http::domain_match(old.domain, c.domain) || http::domain_match(c.domain, old.domain)) &&
          path_match(old.path, c.path)) {
        return rejected("would shadow a Secure cookie");
      }
    }
  }
  if (expired(c, now)) {
    // A past expiry is how servers delete cookies (Auth.js signs out with Max-Age=0).
    std::erase_if(cookies_, [&](const stored_cookie& old) { return same_key(old, c); });
    return {};
  }
  upsert_locked(std::move(c));
  return {};
}

void cookie_jar::upsert_locked(stored_cookie c) {
  // §5.3 step 11: a replacement keeps the creation time of the cookie it replaces.
  for (stored_cookie& old : cookies_) {
    if (same_key(old, c)) {
      c.created = old.created;
      old = std::move(c);
      return;
    }
  }
  const std::string domain = c.domain;
  cookies_.push_back(std::move(c));
  evict_locked(domain);
}

void cookie_jar::evict_locked(const std::string& domain) {
  const time_point now = clock_->now();
  const auto count_domain = [&] {
    return static_cast<std::size_t>(
        std::count_if(cookies_.begin(), cookies_.end(),
                      [&](const stored_cookie& c) { return c.domain == domain; }));
  };
  if (cookies_.size() <= limits_.max_cookies && count_domain() <= limits_.max_cookies_per_domain) {
    return;
  }
  // §5.3 "The user agent SHOULD evict": expired cookies first, then the oldest ones.
  std::erase_if(cookies_, [&](const stored_cookie& c) { return expired(c, now); });
  while (count_domain() > limits_.max_cookies_per_domain) {
    cookies_.erase(std::find_if(cookies_.begin(), cookies_.end(),
                                [&](const stored_cookie& c) { return c.domain == domain; }));
  }
  while (cookies_.size() > limits_.max_cookies) cookies_.erase(cookies_.begin());
}

std::string cookie_jar::cookie_header_for(std::string_view url_text) const {
  auto url = http::parse_absolute_url(url_text);
  if (!url) return {};
  const bool secure = secure_origin(*url);
  const time_point now = clock_->now();
  std::vector<const stored_cookie*> selected;
  std::lock_guard lock(mutex_);
  for (const stored_cookie& c : cookies_) {
    if (expired(c, now)) continue;
    const bool host_ok =
        c.host_only ? url->host == c.domain : http::domain_match(url->host, c.domain);
    if (!host_ok || !path_match(url->path, c.path) || (c.secure && !secure)) continue;
    selected.push_back(&c);
  }
  // §5.4 step 2: longer paths first, then earlier creation times (stable: load order breaks ties).
  std::stable_sort(selected.begin(), selected.end(), [](const auto* a, const auto* b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    return a->created < b->created;
  });
  std::string out;
  for (const stored_cookie* c : selected) {
    if (!out.empty()) out += "; ";
    out += c->name;
    out += '=';
    out += c->value;
  }
  return out;
}

std::vector<stored_cookie> cookie_jar::cookies() const {
  const time_point now = clock_->now();
  std::lock_guard lock(mutex_);
  std::vector<stored_cookie> out;
  std::copy_if(cookies_.begin(), cookies_.end(), std::back_inserter(out),
               [&](const stored_cookie& c) { return !expired(c, now); });
  return out;
}

std::size_t cookie_jar::size() const {
  std::lock_guard lock(mutex_);
  return cookies_.size();
}

void cookie_jar::clear() {
  std::lock_guard lock(mutex_);
  cookies_.clear();
}

void cookie_jar::clear_session() {
  std::lock_guard lock(mutex_);
  std::erase_if(cookies_, [](const stored_cookie& c) { return !c.expires; });
}

std::string cookie_jar::to_netscape() const {
  std::string out =
      "# Netscape HTTP Cookie File\n"
      "# Written by authpp; curl reads it with -b and writes it with -c.\n\n";
  for (const stored_cookie& c : cookies()) {
    if (c.http_only) out += "#HttpOnly_";
    if (!c.host_only) out += '.';
    out += c.domain;
    out += c.host_only ? "\tFALSE\t" : "\tTRUE\t";
    out += c.path;
    out += c.secure ? "\tTRUE\t" : "\tFALSE\t";
    // Session cookies are written with expiry 0, as curl does.
    const long long expiry = c.expires ? std::max(1LL, to_unix_seconds(*c.expires)) : 0;
    out += std::to_string(expiry);
    out += '\t';
    out += c.name;
    out += '\t';
    out += c.value;
    out += '\n';
  }
  return out;
}

result<std::vector<skipped_line>> cookie_jar::load_netscape(std::string_view text) {
  if (text.size() > max_cookie_file_bytes) {
    return auth_error{errc::limit_exceeded, "cookie file larger than 4 MiB"};
  }
  // Files that curl and authpp write start with one of these comments.
  const bool has_header =
      text.starts_with("# Netscape HTTP Cookie File") || text.starts_with("# HTTP Cookie File");
  const time_point now = clock_->now();
  std::vector<stored_cookie> loaded;
  std::vector<skipped_line> skipped;
  bool any_cookie_line = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.starts_with("#HttpOnly_") && (trim(line).empty() || line.front() == '#')) continue;
    auto c = parse_netscape_line(line, now);
    if (!c) {
      skipped.push_back({line_no, c.error().detail});
      continue;
    }
    any_cookie_line = true;
    if (c->name.size() + c->value.size() > limits_.max_cookie_bytes || expired(*c, now)) continue;
    loaded.push_back(std::move(*c));
  }
  // Skipping a damaged line, as curl does, keeps one bad line from failing every later call that
  // loads the jar; the caller can report the skipped lines, and the next save drops them. But a
  // file with no cookie line and no cookie-file header is probably not a jar at all (a mistyped
  // --jar), and a caller that loads and then saves would replace it: refuse it.
  if (!skipped.empty() && !any_cookie_line && !has_header) {
    return auth_error{errc::malformed_input, "not a cookie file: line " +
                                                 std::to_string(skipped.front().line) + ": " +
                                                 skipped.front().reason};
  }
  std::lock_guard lock(mutex_);
  for (stored_cookie& c : loaded) upsert_locked(std::move(c));
  return skipped;
}

result<std::vector<skipped_line>> cookie_jar::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<skipped_line>{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return auth_error{errc::storage_unavailable, "cannot open " + path.string()};
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_cookie_file_bytes) {
      return auth_error{errc::limit_exceeded, path.string() + " is larger than 4 MiB"};
    }
  }
  if (in.bad()) return auth_error{errc::storage_unavailable, "cannot read " + path.string()};
  return load_netscape(text);
}

result<void> cookie_jar::save(const std::filesystem::path& path) const {
  const std::string text = to_netscape();
  // The temporary file sits next to the jar, so that rename() replaces it atomically, under a
  // name nobody can predict, created by mkostemp with O_CREAT|O_EXCL (plus O_NOFOLLOW): a file
  // or symlink planted at a guessable name (it once was "<jar>.tmp.<pid>") would otherwise get
  // the session cookies or redirect the write into another of the user's files. mkostemp creates
  // it with mode 0600; fchmod makes that exact whatever the umask, since the jar holds
  // credentials.
  const std::string pattern = path.string() + ".tmp.XXXXXX";
  std::string tmp = pattern;
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return auth_error{errc::storage_unavailable, pattern + ": " + std::strerror(errno)};
  }
  const auto fail = [&](int fd_to_close) -> auth_error {
    const std::string why = std::strerror(errno);
    if (fd_to_close >= 0) ::close(fd_to_close);
    ::unlink(tmp.c_str());
    return auth_error{errc::storage_unavailable, path.string() + ": " + why};
  };
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail(fd);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return fail(fd);
    done += static_cast<std::size_t>(n);
  }
  // fsync before rename: otherwise a crash can leave the new name on an empty file.
  if (::fsync(fd) != 0) return fail(fd);
  if (::close(fd) != 0) return fail(-1);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(-1);
  return {};
}

}  // namespace authpp::client
