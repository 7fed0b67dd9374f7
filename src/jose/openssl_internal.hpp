#pragma once

#include <authpp/core/bytes.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "openssl_handles.hpp"

// Private to authpp::jose: the owning handles for OpenSSL objects it uses, a per-thread cache of
// prepared contexts, and the casts OpenSSL's C API needs.
namespace authpp::jose::detail {

using openssl::bn_ptr;
using openssl::cipher_ctx_ptr;
using openssl::ecdsa_sig_ptr;
using openssl::kdf_ctx_ptr;
using openssl::kdf_ptr;
using openssl::mac_ctx_ptr;
using openssl::md_ctx_ptr;
using openssl::param_bld_ptr;
using openssl::params_ptr;
using openssl::pkey_ctx_ptr;
using openssl::pkey_ptr;

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
