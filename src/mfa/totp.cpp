#include <authpp/core/constant_time.hpp>
#include <authpp/http/uri_component.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/mfa/totp.hpp>

#include <algorithm>
#include <array>

namespace authpp::mfa {
namespace {

constexpr std::array<std::uint32_t, 9> powers_of_ten = {1,      10,      100,      1000,     10000,
                                                        100000, 1000000, 10000000, 100000000};

// mac returns HMAC(secret, message) with the algorithm's digest.
bytes mac(totp_algorithm algorithm, byte_view secret, byte_view message) {
  switch (algorithm) {
    case totp_algorithm::sha256: {
      const auto d = jose::hmac_sha256(secret, message);
      return bytes(d.begin(), d.end());
    }
    case totp_algorithm::sha512: {
      const auto d = jose::hmac_sha512(secret, message);
      return bytes(d.begin(), d.end());
    }
    case totp_algorithm::sha1:
      break;
  }
  const auto d = jose::hmac_sha1(secret, message);
  return bytes(d.begin(), d.end());
}

std::string_view algorithm_name(totp_algorithm algorithm) {
  switch (algorithm) {
    case totp_algorithm::sha256:
      return "SHA256";
    case totp_algorithm::sha512:
      return "SHA512";
    case totp_algorithm::sha1:
      break;
  }
  return "SHA1";
}

// digits_only returns `code` without spaces if what is left is exactly `digits` ASCII digits.
std::optional<std::string> digits_only(std::string_view code, int digits) {
  std::string out;
  for (const char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9' || out.size() == static_cast<std::size_t>(digits)) return std::nullopt;
    out.push_back(c);
  }
  if (out.size() != static_cast<std::size_t>(digits)) return std::nullopt;
  return out;
}

}  // namespace

std::string hotp(byte_view secret, std::uint64_t counter, totp_algorithm algorithm, int digits) {
  std::array<std::byte, 8> message{};
  for (int i = 7; i >= 0; --i, counter >>= 8) {
    message[static_cast<std::size_t>(i)] = static_cast<std::byte>(counter & 0xff);
  }
  const bytes h = mac(algorithm, secret, message);
  // RFC 4226 §5.3, dynamic truncation: four bytes at the offset named by the last nibble.
  const auto offset = static_cast<std::size_t>(std::to_integer<unsigned>(h.back()) & 0x0f);
  const std::uint32_t binary = (std::to_integer<std::uint32_t>(h[offset]) & 0x7f) << 24 |
                               std::to_integer<std::uint32_t>(h[offset + 1]) << 16 |
                               std::to_integer<std::uint32_t>(h[offset + 2]) << 8 |
                               std::to_integer<std::uint32_t>(h[offset + 3]);
  const auto n = static_cast<std::size_t>(digits);
  std::string code = std::to_string(binary % powers_of_ten.at(n));
  code.insert(0, n - std::min(n, code.size()), '0');
  return code;
}

std::uint64_t totp_step(std::chrono::system_clock::time_point t, std::chrono::seconds period) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch());
  if (since_epoch.count() < 0 || period.count() <= 0) return 0;
  return static_cast<std::uint64_t>(since_epoch.count() / period.count());
}

std::string totp(byte_view secret, std::chrono::system_clock::time_point t,
                 const totp_params& params) {
  return hotp(secret, totp_step(t, params.period), params.algorithm, params.digits);
}

result<void> check_totp_params(const totp_params& params) {
  if (params.digits < 6 || params.digits > 8) {
    return auth_error{errc::invalid_config, "totp: digits must be 6 to 8"};
  }
  if (params.period.count() < 1) {
    return auth_error{errc::invalid_config, "totp: period must be at least one second"};
  }
  if (params.window < 0 || params.window > 10) {
    return auth_error{errc::invalid_config, "totp: window must be 0 to 10 steps"};
  }
  return {};
}

std::optional<std::uint64_t> verify_totp(byte_view secret, std::string_view code,
                                         std::chrono::system_clock::time_point now,
                                         const totp_params& params,
                                         std::optional<std::uint64_t> last_used_step) {
  if (secret.empty() || !check_totp_params(params)) return std::nullopt;
  const auto typed = digits_only(code, params.digits);
  if (!typed) return std::nullopt;
  const std::uint64_t current = totp_step(now, params.period);
  const auto window = static_cast<std::uint64_t>(params.window);
  const std::uint64_t first = current > window ? current - window : 0;
  std::optional<std::uint64_t> matched;
  // Every step of the window is computed and compared, whether or not one matched already.
  for (std::uint64_t step = first; step <= current + window; ++step) {
    const bool fresh = !last_used_step || step > *last_used_step;
    const bool equal =
        constant_time_equal(hotp(secret, step, params.algorithm, params.digits), *typed);
    if (equal && fresh && !matched) matched = step;
  }
  return matched;
}

result<bytes> new_totp_secret(const random_source& source) { return random_bytes(source, 20); }

std::string base32(byte_view data) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::byte b : data) {
    buffer = (buffer << 8) | std::to_integer<std::uint32_t>(b);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(alphabet[(buffer >> bits) & 0x1f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, byte_view secret,
                        const totp_params& params) {
  // The label's colon separates issuer and account, so each part is encoded on its own.
  const std::string encoded_issuer = http::encode_uri_component(issuer);
  std::string uri = "otpauth://totp/" + encoded_issuer + ":" + http::encode_uri_component(account);
  uri += "?secret=" + base32(secret);
  uri += "&issuer=" + encoded_issuer;
  uri += "&algorithm=" + std::string(algorithm_name(params.algorithm));
  uri += "&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.period.count());
  return uri;
}

}  // namespace authpp::mfa
