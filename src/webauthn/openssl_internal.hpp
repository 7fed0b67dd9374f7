#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>
#include <authpp/webauthn/cose.hpp>

#include <memory>
#include <utility>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

// Private to authpp::webauthn: owning handles for OpenSSL objects, the key behind cose_key, and
// the one signature check that both credential keys and attestation certificates use.
namespace authpp::webauthn::detail {

struct pkey_deleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct pkey_ctx_deleter {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct bn_deleter {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct param_bld_deleter {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct params_deleter {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct x509_deleter {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_deleter>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, param_bld_deleter>;
using params_ptr = std::unique_ptr<OSSL_PARAM, params_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

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
