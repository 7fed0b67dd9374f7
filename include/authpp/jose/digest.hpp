#pragma once

#include <authpp/core/bytes.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string_view>

// Message digests and HMAC over OpenSSL's EVP interface. None of these can fail on any input;
// an internal OpenSSL failure (allocation) throws std::bad_alloc.
namespace authpp::jose {

using sha1_digest = std::array<std::byte, 20>;
using sha256_digest = std::array<std::byte, 32>;
using sha512_digest = std::array<std::byte, 64>;

// sha256 returns SHA-256(data) (FIPS 180-4).
sha256_digest sha256(byte_view data);
inline sha256_digest sha256(std::string_view text) { return sha256(as_bytes(text)); }

// sha512 returns SHA-512(data) (FIPS 180-4).
sha512_digest sha512(byte_view data);
inline sha512_digest sha512(std::string_view text) { return sha512(as_bytes(text)); }

// hmac_sha1 returns HMAC-SHA-1(key, data) (RFC 2104), for TOTP (RFC 6238), whose default every
// authenticator app uses. SHA-1's collisions do not weaken HMAC; use it for nothing else.
sha1_digest hmac_sha1(byte_view key, byte_view data);

// hmac_sha256 returns HMAC-SHA-256(key, data) (RFC 2104).
sha256_digest hmac_sha256(byte_view key, byte_view data);

// hmac_sha512 returns HMAC-SHA-512(key, data) (RFC 2104).
sha512_digest hmac_sha512(byte_view key, byte_view data);
// hmac_sha512 over the concatenation of `parts`, without copying them together.
sha512_digest hmac_sha512(byte_view key, std::initializer_list<byte_view> parts);

// hmac_sha512_key is an HMAC-SHA-512 key set up once for many messages (a server's session key):
// the padded key blocks are hashed when it is made, so that mac() hashes the message alone. That
// set-up is most of the cost of authenticating a short token. Immutable once made; copies share
// the prepared state, and mac() may run on many threads at once.
class hmac_sha512_key {
 public:
  explicit hmac_sha512_key(byte_view key);
  // mac returns HMAC-SHA-512(key, concatenation of `parts`).
  [[nodiscard]] sha512_digest mac(std::initializer_list<byte_view> parts) const;

 private:
  struct keyed_context;  // OpenSSL's keyed MAC state, kept out of this header
  std::shared_ptr<const keyed_context> keyed_;  // copied once per thread
  std::uint64_t id_;                            // unique per key made in this process
};

}  // namespace authpp::jose
