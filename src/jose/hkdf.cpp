#include <authpp/jose/hkdf.hpp>

#include <array>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "openssl_internal.hpp"

namespace authpp::jose {
namespace {

// OpenSSL 3.0's HKDF provider refuses a longer `info` (HKDF_MAXBUF); say so before calling it, so
// that the refusal is reported as a limit rather than as a crypto failure.
constexpr std::size_t max_info_length = 1024;

// octet_param wraps `data` for OSSL_PARAM, which wants a non-null, non-const pointer even for an
// empty input it only reads.
OSSL_PARAM octet_param(const char* name, byte_view data) {
  static const std::byte empty{};
  const std::byte* p = data.empty() ? &empty : data.data();
  return OSSL_PARAM_construct_octet_string(name, const_cast<std::byte*>(p), data.size());  // NOLINT
}

}  // namespace

result<bytes> hkdf_sha256(byte_view ikm, byte_view salt, byte_view info, std::size_t length) {
  if (length == 0 || length > hkdf_sha256_max_length) {
    return auth_error{errc::invalid_key, "HKDF-SHA-256 output length must be 1..8160 bytes"};
  }
  if (info.size() > max_info_length) {
    return auth_error{errc::limit_exceeded, "HKDF info is longer than 1024 bytes"};
  }
  const detail::kdf_ptr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  if (!kdf) return auth_error{errc::crypto_failure, "EVP_KDF_fetch(HKDF) failed"};
  const detail::kdf_ctx_ptr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return auth_error{errc::crypto_failure, "EVP_KDF_CTX_new failed"};

  char digest_name[] = "SHA256";
  const std::array<OSSL_PARAM, 5> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0),
      octet_param(OSSL_KDF_PARAM_KEY, ikm),
      octet_param(OSSL_KDF_PARAM_SALT, salt),
      octet_param(OSSL_KDF_PARAM_INFO, info),
      OSSL_PARAM_construct_end(),
  };
  bytes out(length);
  if (EVP_KDF_derive(ctx.get(), detail::uchars(out.data()), out.size(), params.data()) != 1) {
    return auth_error{errc::crypto_failure, "EVP_KDF_derive(HKDF) failed"};
  }
  return out;
}

}  // namespace authpp::jose
