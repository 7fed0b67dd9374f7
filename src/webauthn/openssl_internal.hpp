#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>
#include <authpp/webauthn/cose.hpp>

#include <memory>
#include <utility>

#include <openssl/err.h>

#include "openssl_handles.hpp"

// Private to authpp::webauthn: owning handles for OpenSSL objects, the key behind cose_key, and
// the one signature check that both credential keys and attestation certificates use.
namespace authpp::webauthn::detail {

using openssl::bn_ptr;
using openssl::md_ctx_ptr;
using openssl::param_bld_ptr;
using openssl::params_ptr;
using openssl::pkey_ctx_ptr;
using openssl::pkey_ptr;
using openssl::x509_ptr;

inline const unsigned char* uchars(byte_view b) noexcept {
  return reinterpret_cast<const unsigned char*>(b.data());  // NOLINT
}

struct cose_key_material {
  pkey_ptr pkey;
};

// cose_key_access builds and opens cose_key, whose constructor is private so that every key in
// circulation went through from_cbor's checks.
struct cose_key_access {
  static cose_key make(pkey_ptr pkey, cose_algorithm alg) {
    return {std::make_shared<const cose_key_material>(cose_key_material{std::move(pkey)}), alg};
  }
};

// openssl_error clears this thread's OpenSSL error queue and returns errc::crypto_failure.
inline auth_error openssl_error(const char* what) {
  ERR_clear_error();
  return {errc::crypto_failure, what};
}

// key_fits tells whether `pkey` is the kind of key `alg` needs: P-256 for ES256, Ed25519 for
// EdDSA, RSA of 2048 to 8192 bits for RS256. Certificates bring keys of any kind.
bool key_fits(EVP_PKEY* pkey, cose_algorithm alg) noexcept;

// verify_signature checks `signature` over `message` with `pkey` under `alg` (cose_key::verify's
// forms and failures). Precondition: key_fits(pkey, alg).
result<void> verify_signature(EVP_PKEY* pkey, cose_algorithm alg, byte_view message,
                              byte_view signature);

}  // namespace authpp::webauthn::detail
