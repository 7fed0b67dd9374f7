#pragma once

#include <authpp/core/bytes.hpp>

#include <cstddef>
#include <memory>

#include <openssl/evp.h>
#include <openssl/kdf.h>

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
using kdf_ptr = std::unique_ptr<EVP_KDF, kdf_deleter>;
using kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, kdf_ctx_deleter>;

inline const unsigned char* uchars(byte_view b) noexcept {
  return reinterpret_cast<const unsigned char*>(b.data());  // NOLINT
}
inline unsigned char* uchars(std::byte* p) noexcept {
  return reinterpret_cast<unsigned char*>(p);  // NOLINT
}

}  // namespace authpp::jose::detail
