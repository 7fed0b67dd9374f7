#include <authpp/jose/digest.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <new>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "openssl_internal.hpp"

namespace authpp::jose {
namespace {

const unsigned char* uchars(const std::byte* p) noexcept {
  return reinterpret_cast<const unsigned char*>(p);  // NOLINT
}

// fetched_md returns a digest fetched once: OpenSSL 3 looks algorithms up by name on every
// implicit use (EVP_sha256() inside a call), which costs more than hashing a short input.
const EVP_MD* fetched_md(const char* name) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::bad_alloc();
  return md;  // kept for the life of the process
}
const EVP_MD* md_sha256() {
  static const EVP_MD* md = fetched_md("SHA256");
  return md;
}
const EVP_MD* md_sha512() {
  static const EVP_MD* md = fetched_md("SHA512");
  return md;
}

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

using detail::mac_ctx_ptr;

// hmac_template returns an HMAC context with its digest already set, made once per digest; each
// call duplicates it, which skips the name lookups that HMAC() repeats every time.
const EVP_MAC_CTX* hmac_template(const char* digest_name) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) throw std::bad_alloc();
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  if (ctx == nullptr) throw std::bad_alloc();
  std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx, params.data()) != 1) throw std::bad_alloc();
  return ctx;  // kept for the life of the process
}

// keyed_copy returns a copy of `tmpl` initialised with `key`.
mac_ctx_ptr keyed_copy(const EVP_MAC_CTX* tmpl, byte_view key) {
  mac_ctx_ptr ctx(EVP_MAC_CTX_dup(tmpl));
  // An empty key is legal HMAC input, but a null key pointer is not.
  static const std::byte empty{};
  if (!ctx || EVP_MAC_init(ctx.get(), uchars(key.empty() ? &empty : key.data()), key.size(),
                           nullptr) != 1) {
    throw std::bad_alloc();
  }
  return ctx;
}

// finish feeds `parts` to the keyed context `ctx` and returns the MAC.
template <std::size_t N>
std::array<std::byte, N> finish(EVP_MAC_CTX* ctx, std::initializer_list<byte_view> parts) {
  for (const byte_view part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx, uchars(part.data()), part.size()) != 1) {
      throw std::bad_alloc();
    }
  }
  std::array<std::byte, N> out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,  // NOLINT
                    out.size()) != 1 ||
      len != N) {
    throw std::bad_alloc();
  }
  return out;
}

template <std::size_t N>
std::array<std::byte, N> hmac(const EVP_MAC_CTX* tmpl, byte_view key,
                              std::initializer_list<byte_view> parts) {
  return finish<N>(keyed_copy(tmpl, key).get(), parts);
}

const EVP_MAC_CTX* hmac_sha1_template() {
  static const EVP_MAC_CTX* t = hmac_template("SHA1");
  return t;
}
const EVP_MAC_CTX* hmac_sha256_template() {
  static const EVP_MAC_CTX* t = hmac_template("SHA256");
  return t;
}
const EVP_MAC_CTX* hmac_sha512_template() {
  static const EVP_MAC_CTX* t = hmac_template("SHA512");
  return t;
}

}  // namespace

sha256_digest sha256(byte_view data) { return digest<32>(md_sha256(), data); }
sha512_digest sha512(byte_view data) { return digest<64>(md_sha512(), data); }
sha1_digest hmac_sha1(byte_view key, byte_view data) {
  return hmac<20>(hmac_sha1_template(), key, {data});
}
sha256_digest hmac_sha256(byte_view key, byte_view data) {
  return hmac<32>(hmac_sha256_template(), key, {data});
}
sha512_digest hmac_sha512(byte_view key, byte_view data) {
  return hmac<64>(hmac_sha512_template(), key, {data});
}
sha512_digest hmac_sha512(byte_view key, std::initializer_list<byte_view> parts) {
  return hmac<64>(hmac_sha512_template(), key, parts);
}

struct hmac_sha512_key::keyed_context {
  mac_ctx_ptr ctx;
};

hmac_sha512_key::hmac_sha512_key(byte_view key)
    : keyed_(std::make_shared<const keyed_context>(
          keyed_context{keyed_copy(hmac_sha512_template(), key)})),
      id_(detail::new_key_id()) {}

sha512_digest hmac_sha512_key::mac(std::initializer_list<byte_view> parts) const {
  EVP_MAC_CTX* ctx = detail::thread_context<mac_ctx_ptr>(
      id_, [this] { return mac_ctx_ptr(EVP_MAC_CTX_dup(keyed_->ctx.get())); });
  // Re-initialising without a key (EVP_MAC_init's documented reuse) restarts from the keyed
  // state: a copy of the hashed pads, not a re-hash of the key.
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) throw std::bad_alloc();
  return finish<64>(ctx, parts);
}

}  // namespace authpp::jose

namespace authpp::jose::detail {

std::uint64_t new_key_id() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace authpp::jose::detail
