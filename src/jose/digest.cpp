#include <authpp/jose/digest.hpp>

#include <new>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace authpp::jose {
namespace {

template <std::size_t N>
std::array<std::byte, N> digest(const EVP_MD* md, byte_view data) {
  std::array<std::byte, N> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()),  // NOLINT
                 &len, md, nullptr) != 1 ||
      len != N) {
    throw std::bad_alloc();
  }
  return out;
}

template <std::size_t N>
std::array<std::byte, N> hmac(const EVP_MD* md, byte_view key, byte_view data) {
  std::array<std::byte, N> out{};
  unsigned int len = 0;
  // HMAC() with a null key pointer misbehaves; an empty key is legal HMAC input.
  static const unsigned char empty = 0;
  const void* key_ptr = key.empty() ? &empty : static_cast<const void*>(key.data());
  if (HMAC(md, key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),  // NOLINT
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr ||  // NOLINT
      len != N) {
    throw std::bad_alloc();
  }
  return out;
}

}  // namespace

sha256_digest sha256(byte_view data) { return digest<32>(EVP_sha256(), data); }
sha512_digest sha512(byte_view data) { return digest<64>(EVP_sha512(), data); }
sha256_digest hmac_sha256(byte_view key, byte_view data) {
  return hmac<32>(EVP_sha256(), key, data);
}
sha512_digest hmac_sha512(byte_view key, byte_view data) {
  return hmac<64>(EVP_sha512(), key, data);
}

}  // namespace authpp::jose
