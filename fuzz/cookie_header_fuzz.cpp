// Fuzzes http::parse_cookie_header, the first parser every request's Cookie header meets, and
// the session-cookie reassembly and CSRF check that read its output. Properties: no crash, bounded
// output, and every cookie well-formed as the parser documents it.
#include <authpp/cookies/chunking.hpp>
#include <authpp/cookies/csrf.hpp>
#include <authpp/http/cookie.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool is_trim_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);  // NOLINT
  const authpp::http::cookie_limits limits{};
  const auto cookies = authpp::http::parse_cookie_header(header, limits);
  if (cookies.size() > limits.max_cookies) std::abort();
  std::size_t names = 0;
  for (const auto& c : cookies) {
    // A name is the trimmed text before the first `=` of one `;`-piece.
    if (c.name.empty() || c.name.find(';') != std::string::npos ||
        c.name.find('=') != std::string::npos || is_trim_space(c.name.front()) ||
        is_trim_space(c.name.back())) {
      std::abort();
    }
    names += c.name.size();
    if (names > limits.max_bytes) std::abort();  // only pieces within the byte limit are read
    if (authpp::http::find_cookie(cookies, c.name) == nullptr) std::abort();
  }
  (void)authpp::cookies::read_session_cookie("authjs.session-token", cookies);
  if (const auto* csrf = authpp::http::find_cookie(cookies, "authjs.csrf-token")) {
    (void)authpp::cookies::check_csrf(csrf->value, csrf->value, "secret");
  }
  return 0;
}
