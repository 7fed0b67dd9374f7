#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>
#include <authpp/jose/digest.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// Compact JWE (RFC 7516 §7.1) with direct encryption (`alg` "dir", RFC 7518 §4.5) only: the caller
// supplies the content encryption key itself. Parsing and decryption are two steps so that the
// caller can choose the key from the header (`kid`) while the algorithms stay its own choice:
//
//   auto jwe = parse_compact(token, allowed);   // structure, header, allow-list
//   bytes key = pick_key(jwe->kid, jwe->enc);    // the caller's policy
//   auto plaintext = decrypt(*jwe, key);         // authenticate, then decrypt
//
// Every function here is pure and thread-safe.
namespace authpp::jose {

// content_encryption names the JWE `enc` algorithms authpp implements (RFC 7518 §5.1).
enum class content_encryption {
  a256cbc_hs512,  // "A256CBC-HS512": AES-256-CBC + HMAC-SHA-512/256 (RFC 7518 §5.2.5)
  a256gcm,        // "A256GCM": AES-256-GCM (RFC 7518 §5.3)
};

// enc_name returns the registered `enc` header value of `enc`, e.g. "A256CBC-HS512".
std::string_view enc_name(content_encryption enc) noexcept;
// cek_size returns the key length `enc` needs in bytes: 64 for A256CBC-HS512, 32 for A256GCM.
std::size_t cek_size(content_encryption enc) noexcept;
// iv_size returns the IV length of `enc` in bytes: 16 for A256CBC-HS512, 12 for A256GCM.
std::size_t iv_size(content_encryption enc) noexcept;
// tag_size returns the authentication tag length of `enc` in bytes: 32 or 16.
std::size_t tag_size(content_encryption enc) noexcept;

// content_key is a content encryption key checked and prepared once for many tokens (a server's
// session key): for A256CBC-HS512 its MAC half is set up as an hmac_sha512_key, which saves most
// of the cost of sealing or opening a short token. Immutable; safe to share between threads.
class content_key {
 public:
  // make fails with errc::invalid_key unless `key` has cek_size(enc) bytes.
  [[nodiscard]] static result<content_key> make(content_encryption enc, byte_view key);

  content_encryption enc() const noexcept { return enc_; }
  byte_view raw() const noexcept { return raw_; }
  // mac_key is the prepared MAC key of an A256CBC-HS512 key; null for A256GCM.
  const hmac_sha512_key* mac_key() const noexcept { return mac_ ? &*mac_ : nullptr; }
  // id identifies the key (and its copies) within this process, for per-thread cipher state.
  std::uint64_t id() const noexcept { return id_; }

 private:
  content_encryption enc_ = content_encryption::a256cbc_hs512;
  std::uint64_t id_ = 0;
  bytes raw_;
  std::optional<hmac_sha512_key> mac_;  // shares its prepared state when copied
};

// aead_sealed is the output of an AEAD encryption: ciphertext and authentication tag.
struct aead_sealed {
  bytes ciphertext;
  bytes tag;
};

// aes_cbc_hmac_sha512_encrypt is AEAD_AES_256_CBC_HMAC_SHA_512 (RFC 7518 §5.2.2.1, §5.2.5):
// MAC key = key[0..32), ENC key = key[32..64), ciphertext = AES-256-CBC with PKCS #7 padding,
// tag = the first 32 bytes of HMAC-SHA-512(MAC key, aad ‖ iv ‖ ciphertext ‖ AL). It fails with
//   errc::invalid_key      unless `key` is 64 bytes,
//   errc::malformed_token  unless `iv` is 16 bytes,
//   errc::limit_exceeded   if an input is longer than OpenSSL accepts (INT_MAX),
//   errc::crypto_failure   if OpenSSL fails.
[[nodiscard]] result<aead_sealed> aes_cbc_hmac_sha512_encrypt(byte_view key, byte_view iv,
                                                              byte_view plaintext, byte_view aad);
// The same with a prepared key; an A256GCM `key` is errc::invalid_key.
[[nodiscard]] result<aead_sealed> aes_cbc_hmac_sha512_encrypt(const content_key& key, byte_view iv,
                                                              byte_view plaintext, byte_view aad);

// aes_cbc_hmac_sha512_decrypt checks `tag` in constant time and only then decrypts
// (RFC 7518 §5.2.2.2). It fails with
//   errc::invalid_key        unless `key` is 64 bytes,
//   errc::malformed_token    unless `iv` is 16 bytes,
//   errc::decryption_failed  if the tag does not match (any length but 32 included) or the
//                            padding is bad: one error for both, so there is no padding oracle,
//   errc::limit_exceeded     if an input is longer than OpenSSL accepts (INT_MAX),
//   errc::crypto_failure     if OpenSSL fails.
[[nodiscard]] result<bytes> aes_cbc_hmac_sha512_decrypt(byte_view key, byte_view iv,
                                                        byte_view ciphertext, byte_view tag,
                                                        byte_view aad);
// The same with a prepared key; an A256GCM `key` is errc::invalid_key.
[[nodiscard]] result<bytes> aes_cbc_hmac_sha512_decrypt(const content_key& key, byte_view iv,
                                                        byte_view ciphertext, byte_view tag,
                                                        byte_view aad);

// aes_256_gcm_encrypt is AES-256-GCM with a 128-bit tag (RFC 7518 §5.3). It fails with
//   errc::invalid_key      unless `key` is 32 bytes,
//   errc::malformed_token  unless `iv` is 12 bytes,
//   errc::limit_exceeded   if an input is longer than OpenSSL accepts (INT_MAX),
//   errc::crypto_failure   if OpenSSL fails.
[[nodiscard]] result<aead_sealed> aes_256_gcm_encrypt(byte_view key, byte_view iv,
                                                      byte_view plaintext, byte_view aad);

// aes_256_gcm_decrypt authenticates and decrypts (OpenSSL compares the tag in constant time).
// It fails like aes_256_gcm_encrypt, and with errc::decryption_failed if the tag (16 bytes) does
// not match.
[[nodiscard]] result<bytes> aes_256_gcm_decrypt(byte_view key, byte_view iv, byte_view ciphertext,
                                                byte_view tag, byte_view aad);

// default_max_jwe_size is parse_compact's default bound on the token length, in characters.
inline constexpr std::size_t default_max_jwe_size = 32 * 1024;

// compact_jwe is a parsed, not yet authenticated, compact JWE. Nothing in it is trustworthy until
// `decrypt` succeeds; only `enc` is known to be in the caller's allow-list.
struct compact_jwe {
  content_encryption enc;          // from the header, checked against the allow-list
  std::optional<std::string> kid;  // the header's `kid`, when present
  std::string encoded_header;      // the first segment as sent: the AAD (RFC 7516 §5.2 step 14)
  bytes iv;
  bytes ciphertext;
  bytes tag;
};

// parse_compact splits `token` into the five segments of RFC 7516 §7.1 and checks its header.
// `allowed` lists the `enc` values the caller accepts; `alg` must be "dir". It fails with
//   errc::limit_exceeded         if `token` is longer than `max_size` (checked before anything
//                                else),
//   errc::malformed_token        unless there are exactly five canonical base64url segments, the
//                                encrypted key segment is empty (RFC 7518 §4.5), the header is a
//                                JSON object whose `alg`, `enc` (and `kid`) are strings and that
//                                has no `crit`, and the IV has the length `enc` requires,
//   errc::unsupported_algorithm  if `alg` is not "dir", `enc` is not in `allowed`, or the header
//                                asks for compression (`zip`).
[[nodiscard]] result<compact_jwe> parse_compact(std::string_view token,
                                                std::span<const content_encryption> allowed,
                                                std::size_t max_size = default_max_jwe_size);

// decrypt authenticates and decrypts `jwe` with `key` using `jwe.enc`. It fails with
//   errc::invalid_key        unless `key` has cek_size(jwe.enc) bytes,
//   errc::malformed_token    unless `jwe.iv` has iv_size(jwe.enc) bytes,
//   errc::decryption_failed  if the tag does not authenticate: wrong key or tampered token,
//   errc::crypto_failure     if OpenSSL fails.
[[nodiscard]] result<bytes> decrypt(const compact_jwe& jwe, byte_view key);
// The same with a prepared key, which must be for `jwe.enc` (errc::invalid_key otherwise).
[[nodiscard]] result<bytes> decrypt(const compact_jwe& jwe, const content_key& key);

// encrypt_compact encrypts `plaintext` with `key` under `enc` and returns the compact JWE. The
// protected header is exactly `{"alg":"dir","enc":"<enc>","kid":"<kid>"}` (no `kid` member when
// `kid` is nullopt), the form Auth.js emits. The IV is the first iv_size(enc) bytes drawn from
// `random`. It fails with
//   errc::invalid_key      unless `key` has cek_size(enc) bytes,
//   errc::malformed_token  if `kid` is not valid UTF-8,
//   errc::random_failure   if `random` fails,
//   errc::limit_exceeded   if `plaintext` is longer than OpenSSL accepts (INT_MAX),
//   errc::crypto_failure   if OpenSSL fails.
[[nodiscard]] result<std::string> encrypt_compact(
    byte_view plaintext, byte_view key, content_encryption enc, const random_source& random,
    std::optional<std::string_view> kid = std::nullopt);
// The same with a prepared key, whose `enc` it uses.
[[nodiscard]] result<std::string> encrypt_compact(
    byte_view plaintext, const content_key& key, const random_source& random,
    std::optional<std::string_view> kid = std::nullopt);

}  // namespace authpp::jose
