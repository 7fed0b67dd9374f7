#pragma once

#include <authpp/core/clock.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

// Rate limits and lockout: how many POSTs one client address may send, and how soon an account
// may be tried again from an address after failed sign-ins. The counters live in a counter_store:
// in memory for one server, or shared (Redis) so that a fleet holds one count.
namespace authpp {

class counter_store {
 public:
  struct count {
    std::uint64_t value = 0;
    clock::time_point expires{};
  };

  virtual ~counter_store() = default;

  // add adds one to `key`'s counter and returns it. A counter that is absent or expired starts
  // at one and expires `ttl` after `now` (a fixed window); adding does not extend it.
  virtual result<count> add(std::string_view key, std::chrono::seconds ttl,
                            clock::time_point now) = 0;
  // get returns `key`'s counter, zero when absent or expired.
  virtual result<count> get(std::string_view key, clock::time_point now) = 0;
  virtual result<void> remove(std::string_view key) = 0;
  // waits_for_io tells whether calls wait for another process (Redis). The engine then counts
  // off the I/O thread, on config.run_blocking, as it calls a store.
  virtual bool waits_for_io() const { return false; }
};

// make_memory_counter_store keeps counters in this process (thread-safe). It holds at most
// `max_keys` counters: past that, expired ones are swept, and if none has expired the one that
// expires soonest is dropped, so that a flood of fresh keys (spoofed addresses, made-up
// accounts) bounds memory instead of growing it.
std::shared_ptr<counter_store> make_memory_counter_store(std::size_t max_keys = 100000);

struct rate_limit_options {
  std::shared_ptr<counter_store> store;  // null: no limits (the engine's default)
  // Every POST under the base path, per client address (http::request::client_address; a
  // request without one is not counted), per minute. Past it: 429 with Retry-After.
  std::uint32_t posts_per_minute = 60;
  // Credentials sign-ins that failed, per account and client address, before each further
  // failure locks that pair for 1 s, 2 s, 4 s, … up to max_backoff. Only that address is locked
  // out: an attacker elsewhere cannot lock the account's owner out.
  std::uint32_t free_failures = 5;
  std::chrono::seconds max_backoff{900};
};

}  // namespace authpp
