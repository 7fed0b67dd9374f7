// The AEAD primitives behind JWE `enc` values (RFC 7518 §5), on OpenSSL's EVP interface.
#include <authpp/core/constant_time.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/jwe.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "openssl_internal.hpp"

namespace authpp::jose {
namespace {

using detail::uchars;

constexpr std::size_t cbc_key_half = 32;  // RFC 7518 §5.2.5: MAC_KEY_LEN = ENC_KEY_LEN = 32
constexpr std::size_t aes_block = 16;

auth_error crypto_error(const char* what) { return auth_error{errc::crypto_failure, what}; }

// cipher returns the named cipher, fetched once per name: implicit fetches (EVP_aes_256_cbc())
// repeat a name lookup on every initialisation. Only two names are ever used.
const EVP_CIPHER* cipher(std::string_view name) {
  static const EVP_CIPHER* cbc = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  static const EVP_CIPHER* gcm = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return name == "AES-256-CBC" ? cbc : gcm;  // a null fetch fails the init, as a crypto failure
}

bool fits_int(byte_view b) noexcept { return b.size() <= static_cast<std::size_t>(INT_MAX); }

result<void> check_lengths(byte_view key, std::size_t key_len, byte_view iv, std::size_t iv_len,
                           std::initializer_list<byte_view> inputs) {
  if (key.size() != key_len) return auth_error{errc::invalid_key, "key has the wrong length"};
  if (iv.size() != iv_len) return auth_error{errc::malformed_token, "IV has the wrong length"};
  if (!std::all_of(inputs.begin(), inputs.end(), fits_int)) {
    return auth_error{errc::limit_exceeded, "input longer than INT_MAX bytes"};
  }
  return {};
}

// aes_256_cbc runs AES-256-CBC with PKCS #7 padding in one direction, keyed with the second half
// of `key`. A failed final block on decryption (bad padding, or a length that is not a multiple
// of the block) is errc::decryption_failed; callers check the MAC first, so this never acts as a
// padding oracle.
result<bytes> aes_256_cbc(const content_key& key, byte_view iv, byte_view input, bool encrypt) {
  const int direction = encrypt ? 1 : 0;
  // The key schedule differs per direction: one context each, keyed once per thread.
  EVP_CIPHER_CTX* ctx = detail::thread_context<detail::cipher_ctx_ptr>(
      key.id() << 1 | static_cast<std::uint64_t>(direction), [&] {
        detail::cipher_ctx_ptr made(EVP_CIPHER_CTX_new());
        if (made &&
            EVP_CipherInit_ex(made.get(), cipher("AES-256-CBC"), nullptr,
                              uchars(key.raw().subspan(cbc_key_half)), nullptr, direction) != 1) {
          made.reset();
        }
        return made;
      });
  // No cipher and no key: OpenSSL keeps both and restarts the context with this IV.
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, uchars(iv), direction) != 1) {
    return crypto_error("AES-256-CBC init failed");
  }
  bytes out(input.size() + aes_block);
  int len = 0;
  if (!input.empty() && EVP_CipherUpdate(ctx, uchars(out.data()), &len, uchars(input),
                                         static_cast<int>(input.size())) != 1) {
    return crypto_error("AES-256-CBC update failed");
  }
  int final_len = 0;
  if (EVP_CipherFinal_ex(ctx, uchars(out.data() + len), &final_len) != 1) {
    if (encrypt) return crypto_error("AES-256-CBC final failed");
    return auth_error{errc::decryption_failed, "bad padding"};
  }
  out.resize(static_cast<std::size_t>(len) + static_cast<std::size_t>(final_len));
  return out;
}

// cbc_hmac_tag is T = the first 32 bytes of HMAC-SHA-512(MAC_KEY, A ‖ IV ‖ E ‖ AL), where AL is
// the bit length of A as a 64-bit big-endian integer (RFC 7518 §5.2.2.1 steps 4-6).
bytes cbc_hmac_tag(const hmac_sha512_key& mac_key, byte_view aad, byte_view iv,
                   byte_view ciphertext) {
  std::array<std::byte, 8> al{};
  const std::uint64_t bits = static_cast<std::uint64_t>(aad.size()) * 8;
  for (std::size_t i = 0; i < al.size(); ++i) {
    al[i] = static_cast<std::byte>((bits >> (56 - 8 * i)) & 0xff);
  }
  const sha512_digest full = mac_key.mac({aad, iv, ciphertext, al});
  return bytes(full.begin(), full.begin() + cbc_key_half);
}

// gcm_init prepares `ctx` for AES-256-GCM with a 96-bit IV (the default length) and feeds `aad`.
bool gcm_init(EVP_CIPHER_CTX* ctx, byte_view key, byte_view iv, byte_view aad, bool encrypt) {
  if (EVP_CipherInit_ex(ctx, cipher("AES-256-GCM"), nullptr, uchars(key), uchars(iv),
                        encrypt ? 1 : 0) != 1) {
    return false;
  }
  int len = 0;
  return aad.empty() ||
         EVP_CipherUpdate(ctx, nullptr, &len, uchars(aad), static_cast<int>(aad.size())) == 1;
}

bool gcm_update(EVP_CIPHER_CTX* ctx, byte_view input, bytes& out) {
  out.resize(input.size());
  int len = 0;
  return input.empty() || (EVP_CipherUpdate(ctx, uchars(out.data()), &len, uchars(input),
                                            static_cast<int>(input.size())) == 1 &&
                           static_cast<std::size_t>(len) == input.size());
}

}  // namespace

result<aead_sealed> aes_cbc_hmac_sha512_encrypt(const content_key& key, byte_view iv,
                                                byte_view plaintext, byte_view aad) {
  // An A256GCM key is 32 bytes: refused here as having the wrong length.
  if (auto ok = check_lengths(key.raw(), 64, iv, 16, {plaintext, aad}); !ok) return ok.error();
  auto ciphertext = aes_256_cbc(key, iv, plaintext, true);
  if (!ciphertext) return ciphertext.error();
  bytes tag = cbc_hmac_tag(*key.mac_key(), aad, iv, *ciphertext);
  return aead_sealed{std::move(*ciphertext), std::move(tag)};
}

result<bytes> aes_cbc_hmac_sha512_decrypt(const content_key& key, byte_view iv,
                                          byte_view ciphertext, byte_view tag, byte_view aad) {
  // An A256GCM key is 32 bytes: refused here as having the wrong length.
  if (auto ok = check_lengths(key.raw(), 64, iv, 16, {ciphertext, aad}); !ok) return ok.error();
  // RFC 7518 §5.2.2.2: verify the tag before touching the ciphertext.
  const bytes expected = cbc_hmac_tag(*key.mac_key(), aad, iv, ciphertext);
  if (!constant_time_equal(expected, tag)) {
    return auth_error{errc::decryption_failed, "authentication tag mismatch"};
  }
  return aes_256_cbc(key, iv, ciphertext, false);
}

result<aead_sealed> aes_cbc_hmac_sha512_encrypt(byte_view key, byte_view iv, byte_view plaintext,
                                                byte_view aad) {
  auto prepared = content_key::make(content_encryption::a256cbc_hs512, key);
  if (!prepared) return prepared.error();
  return aes_cbc_hmac_sha512_encrypt(*prepared, iv, plaintext, aad);
}

result<bytes> aes_cbc_hmac_sha512_decrypt(byte_view key, byte_view iv, byte_view ciphertext,
                                          byte_view tag, byte_view aad) {
  auto prepared = content_key::make(content_encryption::a256cbc_hs512, key);
  if (!prepared) return prepared.error();
  return aes_cbc_hmac_sha512_decrypt(*prepared, iv, ciphertext, tag, aad);
}

result<content_key> content_key::make(content_encryption enc, byte_view key) {
  if (key.size() != cek_size(enc)) return auth_error{errc::invalid_key, "key has the wrong length"};
  content_key out;
  out.enc_ = enc;
  out.id_ = detail::new_key_id();
  out.raw_.assign(key.begin(), key.end());
  if (enc == content_encryption::a256cbc_hs512) {
    out.mac_.emplace(key.first(cbc_key_half));
  }
  return out;
}

result<aead_sealed> aes_256_gcm_encrypt(byte_view key, byte_view iv, byte_view plaintext,
                                        byte_view aad) {
  if (auto ok = check_lengths(key, 32, iv, 12, {plaintext, aad}); !ok) return ok.error();
  const detail::cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  aead_sealed out;
  std::array<unsigned char, aes_block> no_output{};  // GCM's final step writes no bytes
  int len = 0;
  out.tag.resize(16);
  if (!ctx || !gcm_init(ctx.get(), key, iv, aad, true) ||
      !gcm_update(ctx.get(), plaintext, out.ciphertext) ||
      EVP_EncryptFinal_ex(ctx.get(), no_output.data(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.tag.data()) != 1) {
    return crypto_error("AES-256-GCM encryption failed");
  }
  return out;
}

result<bytes> aes_256_gcm_decrypt(byte_view key, byte_view iv, byte_view ciphertext, byte_view tag,
                                  byte_view aad) {
  if (auto ok = check_lengths(key, 32, iv, 12, {ciphertext, aad}); !ok) return ok.error();
  if (tag.size() != 16) return auth_error{errc::decryption_failed, "tag has the wrong length"};
  const detail::cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  bytes plaintext;
  // The tag is only an input here; OpenSSL's API takes it as non-const.
  std::array<std::byte, 16> tag_copy{};
  std::copy(tag.begin(), tag.end(), tag_copy.begin());
  if (!ctx || !gcm_init(ctx.get(), key, iv, aad, false) ||
      !gcm_update(ctx.get(), ciphertext, plaintext) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag_copy.data()) != 1) {
    return crypto_error("AES-256-GCM decryption failed");
  }
  std::array<unsigned char, aes_block> no_output{};
  int len = 0;
  // The final call is where OpenSSL compares the tag (CRYPTO_memcmp, constant time).
  if (EVP_DecryptFinal_ex(ctx.get(), no_output.data(), &len) != 1) {
    return auth_error{errc::decryption_failed, "authentication tag mismatch"};
  }
  return plaintext;
}

}  // namespace authpp::jose
