#include <authpp/auth/rate_limit.hpp>

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace authpp {
namespace {

class memory_counter_store final : public counter_store {
 public:
  explicit memory_counter_store(std::size_t max_keys)
      : max_keys_(std::max<std::size_t>(1, max_keys)) {}

  result<count> add(std::string_view key, std::chrono::seconds ttl,
                    clock::time_point now) override {
    std::lock_guard lock(mutex_);
    auto it = counters_.find(std::string(key));
    if (it != counters_.end() && it->second.expires <= now) {
      counters_.erase(it);
      it = counters_.end();
    }
    if (it == counters_.end()) {
      if (counters_.size() >= max_keys_) make_room(now);
      it = counters_.emplace(std::string(key), count{0, now + ttl}).first;
    }
    ++it->second.value;
    return it->second;
  }

  result<count> get(std::string_view key, clock::time_point now) override {
    std::lock_guard lock(mutex_);
    const auto it = counters_.find(std::string(key));
    if (it == counters_.end() || it->second.expires <= now) return count{};
    return it->second;
  }

  result<void> remove(std::string_view key) override {
    std::lock_guard lock(mutex_);
    counters_.erase(std::string(key));
    return {};
  }

 private:
  // make_room sweeps expired counters; if none had expired, it drops the sixteenth expiring
  // soonest, so that the next inserts find room without another sweep (a sweep per insert would
  // make a flood of fresh keys cost O(n) each).
  void make_room(clock::time_point now) {
    std::erase_if(counters_, [now](const auto& kv) { return kv.second.expires <= now; });
    if (counters_.size() < max_keys_) return;
    std::vector<decltype(counters_)::iterator> all;
    all.reserve(counters_.size());
    for (auto it = counters_.begin(); it != counters_.end(); ++it) all.push_back(it);
    const std::size_t drop = std::max<std::size_t>(1, all.size() / 16);
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(drop - 1), all.end(),
                     [](auto a, auto b) { return a->second.expires < b->second.expires; });
    for (std::size_t i = 0; i < drop; ++i) counters_.erase(all[i]);
  }

  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, count> counters_;
};

}  // namespace

std::shared_ptr<counter_store> make_memory_counter_store(std::size_t max_keys) {
  return std::make_shared<memory_counter_store>(max_keys);
}

}  // namespace authpp
