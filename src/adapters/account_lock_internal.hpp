#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

// account_locks: one lock per account, in this process, for the backends without a database lock
// of their own (memory, SQLite) to serialise account_store::refresh_account. An account's entry
// lives only while someone holds or waits for it, so the table is as large as the refreshes in
// flight, not as the accounts ever refreshed; and two accounts never share a lock (a stripe would
// make an unrelated account wait for another's slow token endpoint).
namespace authpp::adapters::detail {

class account_locks {
 public:
  // guard holds an account's lock until destroyed.
  class guard {
   public:
    guard(account_locks& owner, std::string key) : owner_(&owner), key_(std::move(key)) {}
    guard(guard&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(std::move(o.key_)) {}
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    guard& operator=(guard&&) = delete;
    ~guard() {
      if (owner_ != nullptr) owner_->release(key_);
    }

   private:
    account_locks* owner_;
    std::string key_;
  };

  // acquire waits for the lock of (provider, provider_account_id): forever without `limit`, else
  // at most `limit` (nullopt when it stayed held that long).
  std::optional<guard> acquire(std::string_view provider, std::string_view provider_account_id,
                               std::optional<std::chrono::milliseconds> limit = std::nullopt) {
    // Length-prefixed, so that no two (provider, id) pairs make one key.
    std::string key = std::to_string(provider.size()) + ':';
    key.append(provider).append(provider_account_id);
    const auto deadline = limit ? std::chrono::steady_clock::now() + *limit
                                : std::chrono::steady_clock::time_point::max();
    std::unique_lock lock(mutex_);
    auto& e = entries_[key];
    if (!e) e = std::make_unique<entry>();
    entry& mine = *e;  // stable: entries are erased only by their last user
    ++mine.users;
    while (mine.held) {
      if (!limit) {
        mine.released.wait(lock);
      } else if (mine.released.wait_until(lock, deadline) == std::cv_status::timeout && mine.held) {
        leave(key, mine);
        return std::nullopt;
      }
    }
    mine.held = true;
    return std::optional<guard>(std::in_place, *this, std::move(key));
  }

 private:
  struct entry {
    bool held = false;
    std::size_t users = 0;  // the holder and the waiters
    std::condition_variable released;
  };

  void release(const std::string& key) {
    std::lock_guard lock(mutex_);
    entry& e = *entries_.at(key);
    e.held = false;
    e.released.notify_one();
    leave(key, e);
  }

  // leave drops one user of `e`, and the entry with its last. Requires mutex_.
  void leave(const std::string& key, entry& e) {
    if (--e.users == 0) entries_.erase(key);
  }

  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<entry>> entries_;
};

}  // namespace authpp::adapters::detail
