#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/random.hpp>

#include <memory>

namespace authpp::adapters {

// make_memory_store returns an adapter that keeps everything in process memory: for tests,
// development and the CLI's dry runs; nothing survives the process. Ids are random UUIDs drawn
// from `random` and `created_at` is read from `clock`; both must outlive the store and are only
// called with the store's lock held, so they need not be thread-safe. It never fails with
// errc::storage_unavailable: refresh_account waits for an account's lock as long as the step
// holding it takes (the lock is this store's, so it serialises this process only).
std::unique_ptr<adapter> make_memory_store(const random_source& random = default_random(),
                                           const clock& clock = default_clock());

}  // namespace authpp::adapters
