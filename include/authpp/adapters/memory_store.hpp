#pragma once

#include <authpp/adapters/user_store.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/random.hpp>

#include <memory>

namespace authpp::adapters {

// make_memory_store returns a user_store that keeps everything in process memory: for tests,
// development and the CLI's dry runs; nothing survives the process. Ids are random UUIDs drawn
// from `random` and `created_at` is read from `clock`; both must outlive the store and are only
// called with the store's lock held, so they need not be thread-safe. It never fails with
// errc::storage_unavailable.
std::unique_ptr<user_store> make_memory_store(const random_source& random = default_random(),
                                              const clock& clock = default_clock());

}  // namespace authpp::adapters
