#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>
#include <authpp/webauthn/cbor.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

// COSE keys (RFC 9052 §7, RFC 9053) as WebAuthn credential public keys (WebAuthn L2 §6.5.1.1),
// and signature checks with them. Three algorithms, the ones Auth.js's passkey provider
// (@simplewebauthn/server's default supportedAlgorithmIDs) offers: EdDSA, ES256 and RS256.
namespace authpp::webauthn {

// cose_algorithm is a COSE `alg` value (IANA COSE Algorithms registry).
enum class cose_algorithm : std::int64_t {
  es256 = -7,    // ECDSA P-256 with SHA-256; WebAuthn signatures are DER (X9.62), not R‖S
  eddsa = -8,    // Ed25519 (RFC 8032)
  rs256 = -257,  // RSASSA-PKCS1-v1_5 with SHA-256, modulus of 2048 to 8192 bits
};

// parse_cose_algorithm returns the supported algorithm numbered `alg`, nullopt for any other.
std::optional<cose_algorithm> parse_cose_algorithm(std::int64_t alg) noexcept;

// to_string returns the algorithm's name: "ES256", "EdDSA", "RS256".
std::string_view to_string(cose_algorithm alg) noexcept;

namespace detail {
struct cose_key_material;  // an OpenSSL key (src/webauthn/openssl_internal.hpp)
struct cose_key_access;
}  // namespace detail

// max_cose_key_size bounds an encoded COSE_Key (an RSA-8192 key is about 1.1 KB).
inline constexpr std::size_t max_cose_key_size = 2048;

// cose_key is a checked public key for one algorithm. Immutable; copies share the key; safe to
// share between threads.
class cose_key {
 public:
  // from_cbor reads a COSE_Key map: kty (1), alg (3) and the key's parameters. The algorithm must
  // be one of cose_algorithm and match the key: ES256 needs kty EC2 (2), crv P-256 (1), x (-2) and
  // y (-3) of 32 bytes each, a point on the curve; EdDSA needs kty OKP (1), crv Ed25519 (6), x of
  // 32 bytes; RS256 needs kty RSA (3), n (-1) of 2048 to 8192 bits, e (-2) odd, above 1 and at most
  // 8 bytes. Other labels (kid, key_ops) are ignored. It fails with
  //   errc::malformed_input        unless `key` is a map with integer kty and alg,
  //   errc::unsupported_algorithm  if alg is not one of cose_algorithm,
  //   errc::invalid_key            if kty or crv does not match alg, a parameter is missing, of
  //                                the wrong type or size, the point is not on the curve, the RSA
  //                                modulus or exponent is out of bounds, or private parameters
  //                                (d, or RSA's p, q …) are present,
  //   errc::crypto_failure         if OpenSSL fails.
  [[nodiscard]] static result<cose_key> from_cbor(const cbor_value& key);

  // parse decodes `encoded` (one COSE_Key, nothing after it, at most max_cose_key_size bytes)
  // and calls from_cbor. It fails as from_cbor does, with errc::limit_exceeded for the size, and
  // errc::malformed_input when the CBOR does not decode.
  [[nodiscard]] static result<cose_key> parse(byte_view encoded);

  cose_algorithm algorithm() const noexcept { return alg_; }

  // verify checks `signature` over `message` under algorithm(): ES256 a DER ECDSA-Sig-Value
  // (WebAuthn L2 §6.5.6; R‖S is refused), RS256 PKCS #1 v1.5 with SHA-256, EdDSA Ed25519. It
  // fails with
  //   errc::invalid_signature  if the signature does not verify or is not of the algorithm's form,
  //   errc::crypto_failure     if OpenSSL fails.
  [[nodiscard]] result<void> verify(byte_view message, byte_view signature) const;

 private:
  friend struct detail::cose_key_access;
  cose_key(std::shared_ptr<const detail::cose_key_material> material, cose_algorithm alg) noexcept;
  std::shared_ptr<const detail::cose_key_material> material_;
  cose_algorithm alg_;
};

}  // namespace authpp::webauthn
