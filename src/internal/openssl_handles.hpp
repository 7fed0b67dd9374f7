#pragma once

// Owning handles for OpenSSL objects (BoringSSL's UniquePtr idea), so that every early return
// frees what it allocated. Private to the modules that call OpenSSL directly (jose, webauthn):
// never installed, never in a public header.
#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

namespace authpp::openssl {

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { Free(p); }
};

using cipher_ctx_ptr =
    std::unique_ptr<EVP_CIPHER_CTX, deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, deleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;
using kdf_ptr = std::unique_ptr<EVP_KDF, deleter<EVP_KDF, EVP_KDF_free>>;
using kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
// BIGNUMs may hold private key parts: always cleared before they are freed.
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_clear_free>>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
// OSSL_PARAM_free clears the block that holds secure BIGNUMs (BN_secure_new) before freeing it.
using params_ptr = std::unique_ptr<OSSL_PARAM, deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;

}  // namespace authpp::openssl
