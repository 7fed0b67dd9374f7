#include <authpp/core/constant_time.hpp>

#include <openssl/crypto.h>

namespace authpp {

bool constant_time_equal(byte_view a, byte_view b) noexcept {
  // Lengths are public (fixed-size hashes and tokens); the contents are compared by OpenSSL's
  // audited CRYPTO_memcmp rather than a hand-written loop the optimiser might shortcut.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace authpp
