#include <authpp/cookies/chunking.hpp>

#include <algorithm>
#include <utility>

namespace authpp::cookies {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}

// The SessionStore's view of the request: each session cookie once (the first occurrence, as
// Auth.js parses cookies into an object) and only with a non-empty value (client-wire.md §5.5).
std::vector<const http::cookie*> session_cookies(std::string_view base_name,
                                                 const std::vector<http::cookie>& request_cookies) {
  std::vector<const http::cookie*> out;
  for (auto it = request_cookies.begin(); it != request_cookies.end(); ++it) {
    if (!starts_with(it->name, base_name)) continue;
    // A request carries a few cookies (the parser caps them), so a scan beats a hash set.
    const bool repeated =
        std::any_of(request_cookies.begin(), it,
                    [&](const http::cookie& earlier) { return earlier.name == it->name; });
    if (!repeated && !it->value.empty()) out.push_back(&*it);
  }
  return out;
}

http::set_cookie deletion(std::string name, const http::set_cookie& attributes) {
  // server-flows.md §3.2: same name and options, empty value, Max-Age=0 (and no Expires, which
  // the reference's options do not carry at clean-up time).
  http::set_cookie c = attributes;
  c.name = std::move(name);
  c.value.clear();
  c.max_age = 0;
  c.expires.reset();
  return c;
}

// parse_chunk_index reads a canonical decimal index below max_chunks, or returns nullopt.
std::optional<std::size_t> parse_chunk_index(std::string_view digits) {
  if (digits.empty() || digits.size() > 2 || (digits.size() > 1 && digits.front() == '0')) {
    return std::nullopt;
  }
  std::size_t n = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

}  // namespace

std::vector<http::set_cookie> clear_session_cookie(std::string_view base_name,
                                                   const std::vector<http::cookie>& request_cookies,
                                                   const http::set_cookie& attributes) {
  std::vector<http::set_cookie> out;
  for (const http::cookie* c : session_cookies(base_name, request_cookies)) {
    // The name comes from the request. One that is not a cookie-name token (a NUL, a control
    // character, a byte above 0x7F, sent by a client through a lenient front end) could not have
    // been set by us, and echoing it would put those bytes in a response header.
    http::set_cookie d = deletion(c->name, attributes);
    if (http::check_set_cookie(d)) out.push_back(std::move(d));
  }
  return out;
}

std::vector<http::set_cookie> write_session_cookie(std::string_view base_name,
                                                   std::string_view value,
                                                   const std::vector<http::cookie>& request_cookies,
                                                   const http::set_cookie& attributes) {
  std::vector<http::set_cookie> out = clear_session_cookie(base_name, request_cookies, attributes);
  const std::size_t n = (value.size() + chunk_size - 1) / chunk_size;
  for (std::size_t i = 0; i < n; ++i) {
    http::set_cookie c = attributes;
    c.name = std::string(base_name);
    if (n > 1) c.name += "." + std::to_string(i);
    c.value = std::string(value.substr(i * chunk_size, chunk_size));
    // A chunk overrides the deletion of the same name in place, as assigning an existing key of
    // a JavaScript object keeps its position.
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const http::set_cookie& d) { return d.name == c.name; });
    if (same != out.end()) {
      *same = std::move(c);
    } else {
      out.push_back(std::move(c));
    }
  }
  return out;
}

result<std::optional<std::string>> read_session_cookie(
    std::string_view base_name, const std::vector<http::cookie>& request_cookies) {
  const std::vector<const http::cookie*> present = session_cookies(base_name, request_cookies);
  const http::cookie* whole = nullptr;
  std::vector<const http::cookie*> suffixed;
  for (const http::cookie* c : present) {
    const std::string_view suffix = std::string_view(c->name).substr(base_name.size());
    if (suffix.empty()) {
      whole = c;
    } else if (suffix.front() == '.') {
      suffixed.push_back(c);
    }
    // Any other name only shares the prefix (`…-token-legacy`): a different cookie.
  }
  if (suffixed.size() > max_chunks) {
    return auth_error{errc::limit_exceeded, "too many session cookie chunks"};
  }
  if (suffixed.empty()) {
    if (whole == nullptr) return std::optional<std::string>{};
    return std::optional<std::string>{whole->value};
  }

  // Chunks are ordered by number, not by header position (TV-14). With at most max_chunks
  // distinct names, "indices are exactly 0…n-1" means every chunk is there.
  std::vector<std::pair<std::size_t, const std::string*>> chunks;
  chunks.reserve(suffixed.size());
  for (const http::cookie* c : suffixed) {
    const auto index = parse_chunk_index(std::string_view(c->name).substr(base_name.size() + 1));
    if (!index) return auth_error{errc::missing_chunk, "session cookie chunk suffix not a number"};
    chunks.emplace_back(*index, &c->value);
  }
  std::sort(chunks.begin(), chunks.end());
  std::string joined;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].first != i) {
      return auth_error{errc::missing_chunk, "session cookie chunk " + std::to_string(i)};
    }
    joined += *chunks[i].second;
  }
  return std::optional<std::string>{std::move(joined)};
}

}  // namespace authpp::cookies
