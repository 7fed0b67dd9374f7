#pragma once

#include <authpp/core/bytes.hpp>

#include <string>

// JSON Web Keys (RFC 7517), as far as session tokens need them: the thumbprint of a symmetric key,
// which Auth.js puts in the JWE `kid` (client-wire.md §6.2).
namespace authpp::jose {

// jwk_thumbprint_oct returns the RFC 7638 thumbprint of the symmetric JWK holding `key`: the
// unpadded base64url hash of exactly `{"k":"<base64url(key)>","kty":"oct"}` (required members in
// lexicographic order, §3.2). Like Auth.js it hashes with SHA-512 when `key` is 64 bytes
// (A256CBC-HS512) and with SHA-256 otherwise (32 bytes for A256GCM). It cannot fail.
std::string jwk_thumbprint_oct(byte_view key);

}  // namespace authpp::jose
