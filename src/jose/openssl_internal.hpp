#pragma once

#include <authpp/core/bytes.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

// Private to authpp::jose: owning handles for OpenSSL objects (BoringSSL's UniquePtr idea), so
// that every early return frees what it allocated, and the casts OpenSSL's C API needs.
namespace authpp::jose::detail {

struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct kdf_deleter {
  void operator()(EVP_KDF* p) const noexcept { EVP_KDF_free(p); }
};
struct kdf_ctx_deleter {
  void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};

using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;
struct mac_ctx_deleter {
  void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};
using mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter>;
using kdf_ptr = std::unique_ptr<EVP_KDF, kdf_deleter>;
using kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, kdf_ctx_deleter>;

// Asymmetric keys (JWS, JWKS).
struct pkey_deleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct pkey_ctx_deleter {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
// BIGNUMs may hold private key parts: always cleared before they are freed.
struct bn_deleter {
  void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
struct param_bld_deleter {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
// OSSL_PARAM_free clears the block that holds secure BIGNUMs (BN_secure_new) before freeing it.
struct params_deleter {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct ecdsa_sig_deleter {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_deleter>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;
using bn_ptr = std::unique_ptr<BIGNUM, bn_deleter>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, param_bld_deleter>;
using params_ptr = std::unique_ptr<OSSL_PARAM, params_deleter>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, ecdsa_sig_deleter>;

// new_key_id returns a number no other prepared key of this process has.
std::uint64_t new_key_id() noexcept;

// thread_context returns this thread's OpenSSL context for the prepared key `id`, made by `make`
// on first use. Setting a key up (AES key schedule, HMAC pads) and allocating a context cost more
// than processing a short token, so each thread keeps one per key for the few keys a server
// uses, and only restarts it per message. Keys are found by serial number, never by address, so
// a destroyed key's context can never serve a new key. A few contexts are kept, least recently
// used first out, so one-shot keys cannot push a server's own keys out.
template <class Ptr, class Make>
typename Ptr::pointer thread_context(std::uint64_t id, Make make) {
  struct cached {
    std::uint64_t id;
    Ptr ctx;
  };
  constexpr std::size_t max_cached = 8;
  thread_local std::vector<cached> contexts;  // most recently used last
  const auto hit =
      std::find_if(contexts.begin(), contexts.end(), [id](const cached& c) { return c.id == id; });
  if (hit != contexts.end()) {
    std::rotate(hit, hit + 1, contexts.end());
    return contexts.back().ctx.get();
  }
  Ptr made = make();
  if (!made) throw std::bad_alloc();
  if (contexts.size() == max_cached) contexts.erase(contexts.begin());
  contexts.push_back({id, std::move(made)});
  return contexts.back().ctx.get();
}

inline const unsigned char* uchars(byte_view b) noexcept {
  return reinterpret_cast<const unsigned char*>(b.data());  // NOLINT
}
inline unsigned char* uchars(std::byte* p) noexcept {
  return reinterpret_cast<unsigned char*>(p);  // NOLINT
}

}  // namespace authpp::jose::detail
