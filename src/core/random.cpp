#include <authpp/core/hex.hpp>
#include <authpp/core/random.hpp>

#include <algorithm>
#include <climits>

#include <openssl/rand.h>

namespace authpp {

result<void> system_random::fill(std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t n = std::min<std::size_t>(out.size() - done, INT_MAX);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done),  // NOLINT
                   static_cast<int>(n)) != 1) {
      return auth_error{errc::random_failure, "RAND_bytes failed"};
    }
    done += n;
  }
  return {};
}

const random_source& default_random() noexcept {
  static const system_random instance;
  return instance;
}

result<bytes> random_bytes(const random_source& source, std::size_t n) {
  bytes out(n);
  if (auto r = source.fill(out); !r) return r.error();
  return out;
}

result<std::string> random_uuid(const random_source& source) {
  auto raw = random_bytes(source, 16);
  if (!raw) return raw.error();
  bytes& b = *raw;
  b[6] = (b[6] & std::byte{0x0f}) | std::byte{0x40};  // version 4
  b[8] = (b[8] & std::byte{0x3f}) | std::byte{0x80};  // RFC 4122 variant
  const std::string h = hex::encode(b);
  return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) +
         '-' + h.substr(20);
}

}  // namespace authpp
