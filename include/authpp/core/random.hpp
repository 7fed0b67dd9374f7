#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>

#include <cstddef>
#include <span>
#include <string>

namespace authpp {

// random_source is where authpp gets randomness (IVs, tokens, ids). Production code uses
// system_random; tests inject a seeded source so that outputs are reproducible.
class random_source {
 public:
  virtual ~random_source() = default;
  // fill writes `out.size()` random bytes. It fails with errc::random_failure.
  virtual result<void> fill(std::span<std::byte> out) const = 0;
};

// system_random draws from OpenSSL's CSPRNG (RAND_bytes, seeded by the operating system). Short
// requests (up to 64 bytes: IVs, ids, CSRF tokens) are served from a small per-thread pool that
// one RAND_bytes call refills, because each call costs more than a whole AES block: a server
// draws several times per request. Served bytes are wiped from the pool, and a forked child
// discards its parent's pool, so no two draws ever share bytes.
class system_random final : public random_source {
 public:
  result<void> fill(std::span<std::byte> out) const override;
};

// default_random returns a process-wide system_random (thread-safe).
const random_source& default_random() noexcept;

// random_bytes returns `n` bytes from `source`.
result<bytes> random_bytes(const random_source& source, std::size_t n);

// random_uuid returns a version 4 UUID in lowercase 8-4-4-4-12 form, as crypto.randomUUID().
result<std::string> random_uuid(const random_source& source);

}  // namespace authpp
