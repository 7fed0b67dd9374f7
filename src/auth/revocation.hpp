#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

// Internal to the engine: the memory of JWT revocation checks (revocation.cpp).
namespace authpp::detail {

// user_state_cache remembers per user id what the store last said, and when.
class user_state_cache {
 public:
  struct entry {
    bool known = false;  // false: the store could not answer; the session is let through
    bool exists = false;
    bool disabled = false;
    long long version = 0;
    std::chrono::system_clock::time_point fetched{};
  };

  std::optional<entry> get(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

  void put(const std::string& id, const entry& e) {
    std::lock_guard lock(mutex_);
    // Bounded: a flood of distinct (valid) tokens cannot grow it without end; starting over only
    // costs store reads.
    if (entries_.size() >= max_entries && !entries_.contains(id)) entries_.clear();
    entries_[id] = e;
  }

 private:
  static constexpr std::size_t max_entries = 100'000;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace authpp::detail
