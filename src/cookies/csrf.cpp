#include <authpp/cookies/csrf.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/jose/digest.hpp>

namespace authpp::cookies {
namespace {

constexpr std::size_t token_bytes = 32;     // randomString(32), server-flows.md §4.3
constexpr std::size_t hex_length = 2 * 32;  // both the token and the SHA-256 hash

}  // namespace

std::string csrf_secret_string(std::span<const std::string> secrets) {
  std::string out;
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (i != 0) out += ',';
    out += secrets[i];
  }
  return out;
}

std::string csrf_hash(std::string_view token, std::string_view secret_string) {
  // server-flows.md §4.3 createHash: lowercase hex SHA-256 of the UTF-8 string token + secret.
  std::string input;
  input.reserve(token.size() + secret_string.size());
  input.append(token);
  input.append(secret_string);
  return hex::encode(jose::sha256(std::string_view(input)));
}

result<csrf_token> create_csrf_token(std::string_view secret_string, const random_source& random) {
  auto raw = random_bytes(random, token_bytes);
  if (!raw) return raw.error();
  csrf_token out;
  out.token = hex::encode(*raw);
  out.cookie_value = out.token + "|" + csrf_hash(out.token, secret_string);
  return out;
}

std::optional<std::string> verified_csrf_cookie(std::string_view cookie_value,
                                                std::string_view secret_string) {
  const std::size_t bar = cookie_value.find('|');
  if (bar == std::string_view::npos) return std::nullopt;
  const std::string_view token = cookie_value.substr(0, bar);
  const std::string_view hash = cookie_value.substr(bar + 1);
  // Auth.js mints exactly 64 + 64 hex; any other shape was not made by a server.
  if (token.size() != hex_length || hash.size() != hex_length) return std::nullopt;
  if (!constant_time_equal(csrf_hash(token, secret_string), hash)) return std::nullopt;
  return std::string(token);
}

result<void> check_csrf(std::optional<std::string_view> cookie_value,
                        std::optional<std::string_view> body_token,
                        std::string_view secret_string) {
  if (!cookie_value || !body_token) {
    return auth_error{errc::missing_csrf, !cookie_value ? "no CSRF cookie" : "no csrfToken field"};
  }
  const auto token = verified_csrf_cookie(*cookie_value, secret_string);
  if (!token) return auth_error{errc::csrf_mismatch, "CSRF cookie hash does not verify"};
  // client-wire.md §5.3: body.csrfToken === token, compared without a timing side channel.
  if (!constant_time_equal(std::string_view(*token), *body_token)) {
    return auth_error{errc::csrf_mismatch, "csrfToken differs from the cookie's token"};
  }
  return {};
}

}  // namespace authpp::cookies
