#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>
#include <authpp/jose/jws.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "openssl_internal.hpp"

// Private to authpp::jose: the OpenSSL key behind public_key and private_key, and the JWK member
// reading that both key types share.
namespace authpp::jose::detail {

struct key_material {
  pkey_ptr pkey;
  key_type type;
};

// key_access builds and opens the key types of jws.hpp, whose constructors are private so that
// every key in circulation went through a checked import.
struct key_access {
  static public_key make_public(pkey_ptr pkey, key_type type) {
    return public_key(std::make_shared<const key_material>(key_material{std::move(pkey), type}));
  }
  static private_key make_private(pkey_ptr pkey, key_type type, std::optional<jws_algorithm> alg) {
    return private_key(std::make_shared<const key_material>(key_material{std::move(pkey), type}),
                       alg);
  }
  // OpenSSL's EVP calls take a non-const key; they only read it (and take their own reference).
  static EVP_PKEY* pkey(const public_key& key) noexcept { return key.material_->pkey.get(); }
  static EVP_PKEY* pkey(const private_key& key) noexcept { return key.material_->pkey.get(); }
};

// key_type_for returns the type of key that makes and checks `alg` signatures (key_fits).
key_type key_type_for(jws_algorithm alg) noexcept;

// curve describes an elliptic curve of key_type: its JWK `crv`, OpenSSL group or key name, and
// the size in bytes of a coordinate (EC) or of the key (Ed25519).
struct curve {
  key_type type;
  std::string_view crv;
  const char* openssl_name;
  std::size_t size;
};
// curve_by_crv returns the curve named `crv` in a JWK of `kty`, nullptr if authpp has none.
const curve* curve_by_crv(std::string_view kty, std::string_view crv) noexcept;
// curve_of returns the curve of a non-RSA key type.
const curve& curve_of(key_type type) noexcept;

// secret_bytes holds decoded private key material and wipes it when destroyed.
class secret_bytes {
 public:
  secret_bytes() = default;
  explicit secret_bytes(bytes b) noexcept : b_(std::move(b)) {}
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;
  secret_bytes(secret_bytes&& other) noexcept : b_(std::move(other.b_)) {}
  secret_bytes& operator=(secret_bytes&& other) noexcept;
  ~secret_bytes();
  byte_view view() const noexcept { return b_; }

 private:
  bytes b_;
};

// public_members are the decoded public members of a JWK, checked for size: RSA `n`, `e`; EC `x`,
// `y`; Ed25519 `x` (in `x`).
struct public_members {
  key_type type;
  bytes n, e, x, y;
};

// read_public_members reads `kty`, `crv` and the public members of `jwk` (a JSON object) and
// checks their sizes (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2). It fails with errc::invalid_key.
result<public_members> read_public_members(const json& jwk);

// read_secret reads the base64url member `name` of `jwk`. It fails with errc::invalid_key if the
// member is missing, not a string or not canonical base64url (the detail names the member only).
result<secret_bytes> read_secret(const json& jwk, const char* name);

// import_public builds an OpenSSL public key from checked members, then checks that an EC point
// is on its curve. It fails with errc::invalid_key, or errc::crypto_failure.
result<pkey_ptr> import_public(const public_members& members);

// public_jwk_members returns the required public members of `pkey` (RFC 7638 §3.2), names in
// lexicographic order. It throws std::bad_alloc if OpenSSL fails (it cannot on a valid key).
json public_jwk_members(EVP_PKEY* pkey, key_type type);

// openssl_error clears this thread's OpenSSL error queue and returns errc::crypto_failure.
auth_error openssl_error(const char* what);

// pkey_from_params builds a key of OpenSSL type `name` ("RSA", "EC") from the parameters in
// `builder`, for `selection` (EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR). It fails with
// errc::invalid_key if OpenSSL refuses the values, errc::crypto_failure if it cannot start.
result<pkey_ptr> pkey_from_params(const char* name, int selection, const param_bld_ptr& builder);

// rsa_params is a parameter builder with an RSA key's `n` and `e` pushed, and the numbers it
// points to: OpenSSL reads them only when the parameters are built, so they travel together.
struct rsa_params {
  param_bld_ptr builder;
  bn_ptr n, e;
};
// rsa_public_params starts the import of an RSA key from its public members; the private ones
// (if any) are pushed on the same builder. It fails with errc::crypto_failure.
result<rsa_params> rsa_public_params(const public_members& members);

// uncompressed_point returns the SEC 1 §2.3.3 uncompressed form of an EC point: 0x04 ‖ x ‖ y.
bytes uncompressed_point(const public_members& members);

// bn_from returns a BIGNUM holding the big-endian unsigned `b`, in OpenSSL's secure heap when
// `secret` (so that it is cleared when freed); null if OpenSSL fails.
bn_ptr bn_from(byte_view b, bool secret);

}  // namespace authpp::jose::detail
