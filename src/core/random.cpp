#include <authpp/core/hex.hpp>
#include <authpp/core/random.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstring>
#include <new>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

namespace authpp {

namespace {

result<void> draw(std::span<std::byte> out) {
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

// fork_generation counts forks: a child must not hand out bytes its parent's pool also holds.
std::atomic<unsigned> fork_generation{0};

void count_forks_once() {
  static const bool registered =
      pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }) == 0;
  if (!registered) throw std::bad_alloc();  // ENOMEM is its only failure
}

constexpr std::size_t pooled_max = 64;  // larger requests go straight to RAND_bytes

// random_pool is one thread's store of bytes drawn ahead: consumed from the front, wiped as
// they are handed out and when the thread ends.
struct random_pool {
  std::array<std::byte, 512> bytes{};
  std::size_t used = 512;  // empty until the first draw
  unsigned generation = 0;
  random_pool() { count_forks_once(); }
  ~random_pool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

  result<void> take(std::span<std::byte> out) {
    const unsigned now = fork_generation.load(std::memory_order_relaxed);
    if (generation != now || bytes.size() - used < out.size()) {
      if (auto ok = draw(bytes); !ok) return ok;
      used = 0;
      generation = now;
    }
    std::memcpy(out.data(), bytes.data() + used, out.size());
    OPENSSL_cleanse(bytes.data() + used, out.size());
    used += out.size();
    return {};
  }
};

}  // namespace

result<void> system_random::fill(std::span<std::byte> out) const {
  if (out.size() > pooled_max) return draw(out);
  thread_local random_pool pool;
  return pool.take(out);
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
