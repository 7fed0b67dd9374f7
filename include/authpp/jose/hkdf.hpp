#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>

#include <cstddef>

// HKDF (RFC 5869), the key derivation Auth.js applies to `AUTH_SECRET` before using it as a JWE
// key (client-wire.md §6.1).
namespace authpp::jose {

// hkdf_sha256_max_length is the longest output HKDF-SHA-256 can produce: 255 * HashLen
// (RFC 5869 §2.3).
inline constexpr std::size_t hkdf_sha256_max_length = 255 * 32;

// hkdf_sha256 returns `length` bytes of HKDF-Extract-then-Expand with SHA-256 (RFC 5869 §2).
// An empty `salt` means HashLen zero bytes (§2.2); `ikm` and `info` may be empty. It fails with
//   errc::invalid_key     if `length` is 0 or above hkdf_sha256_max_length,
//   errc::limit_exceeded  if `info` is longer than 1024 bytes (OpenSSL 3.0's bound),
//   errc::crypto_failure  if OpenSSL fails.
[[nodiscard]] result<bytes> hkdf_sha256(byte_view ikm, byte_view salt, byte_view info,
                                        std::size_t length);

}  // namespace authpp::jose
