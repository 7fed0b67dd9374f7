#include <authpp/adapters/password.hpp>

#include <array>
#include <cstring>
#include <optional>

#include <sodium.h>

namespace authpp::adapters {
namespace {

constexpr std::string_view argon2id_prefix = "$argon2id$";

// sodium_ready initialises libsodium once; sodium_init is itself idempotent and thread-safe, the
// static only saves the call.
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

// encoded_buffer copies `encoded` into the NUL-terminated, fixed-size buffer libsodium's string
// functions read (they take `const char[crypto_pwhash_STRBYTES]` and stop at the NUL). Anything
// that cannot be a well-formed Argon2id string is refused before libsodium parses it.
using encoded_array = std::array<char, crypto_pwhash_STRBYTES>;
std::optional<encoded_array> encoded_buffer(std::string_view encoded) {
  if (encoded.size() >= crypto_pwhash_STRBYTES || !encoded.starts_with(argon2id_prefix) ||
      encoded.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  encoded_array buf{};
  std::memcpy(buf.data(), encoded.data(), encoded.size());
  return buf;
}

bool params_in_bounds(const argon2_params& params) {
  return params.ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
         params.ops <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
         params.mem_bytes >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
         params.mem_bytes <= crypto_pwhash_argon2id_MEMLIMIT_MAX;
}

}  // namespace

result<std::string> hash_password(std::string_view password, const argon2_params& params) {
  if (password.size() > max_password_size) {
    return auth_error{errc::limit_exceeded, "password is longer than 4096 bytes"};
  }
  if (!params_in_bounds(params)) {
    return auth_error{errc::invalid_config, "argon2 parameters outside libsodium's bounds"};
  }
  if (!sodium_ready()) return auth_error{errc::crypto_failure, "sodium_init failed"};
  encoded_array out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params.ops,
                            params.mem_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return auth_error{errc::crypto_failure, "crypto_pwhash_str_alg failed (out of memory?)"};
  }
  return std::string(out.data());
}

bool verify_password(std::string_view password, std::string_view encoded) {
  if (password.size() > max_password_size || !sodium_ready()) return false;
  const auto buf = encoded_buffer(encoded);
  if (!buf) return false;
  return crypto_pwhash_str_verify(buf->data(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view encoded, const argon2_params& params) {
  if (!sodium_ready()) return true;
  const auto buf = encoded_buffer(encoded);
  if (!buf) return true;
  // 0: same algorithm and parameters; 1: different parameters; -1: not an Argon2id string.
  return crypto_pwhash_str_needs_rehash(buf->data(), params.ops, params.mem_bytes) != 0;
}

const std::string& dummy_password_hash() {
  static const std::string hash = [] {
    std::array<unsigned char, 32> secret{};
    if (sodium_ready()) randombytes_buf(secret.data(), secret.size());
    const std::string_view password(reinterpret_cast<const char*>(secret.data()),  // NOLINT
                                    secret.size());
    auto h = hash_password(password);
    sodium_memzero(secret.data(), secret.size());
    if (h) return std::move(*h);
    // Hashing can only fail for want of 19 MiB. Fall back to a fixed hash made the same way
    // (default parameters, random password thrown away) so the timing defence still holds.
    return std::string(
        "$argon2id$v=19$m=19456,t=2,p=1$mcyccSZOWTiRBPmUUTTkkA$"
        "GLRmz41UVPBlOGtFClYFYNcU5orVc3ogKrwLHTWwjMI");
  }();
  return hash;
}

}  // namespace authpp::adapters
