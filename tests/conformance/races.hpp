#pragma once

#include <authpp/core/result.hpp>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

// Races for the conformance suites: many callers released at one moment, as requests reaching
// several servers at once would be.
namespace authpp::adapters::conformance {

// at_once_tally counts what `threads` threads got from one call each, all released together.
struct at_once_tally {
  int accepted = 0, refused = 0, failed = 0;
  friend bool operator==(const at_once_tally&, const at_once_tally&) = default;
};
// at_once runs `call()` (a result<bool>) on `threads` threads released at the same moment by a
// latch, so that they race for one step, one code or one counter as two servers would.
template <class Call>
at_once_tally at_once(int threads, Call call) {
  std::atomic<int> accepted{0}, refused{0}, failed{0};
  std::latch start(threads);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      start.arrive_and_wait();
      const result<bool> r = call();
      ++(!r ? failed : *r ? accepted : refused);
    });
  }
  for (auto& th : pool) th.join();
  return {accepted.load(), refused.load(), failed.load()};
}

}  // namespace authpp::adapters::conformance
