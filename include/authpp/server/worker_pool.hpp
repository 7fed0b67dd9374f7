#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>

// worker_pool runs blocking work (Argon2id, SQLite) off the I/O threads, so that one slow request
// never stalls the requests sharing its thread. The queue is bounded: when it is full, work is
// refused at once (the server answers 503 with Retry-After) instead of waiting without end.
namespace authpp::server {

struct worker_pool_options {
  unsigned threads = 0;       // 0: one per core
  std::size_t max_queue = 0;  // work waiting for a thread; 0: 32 per thread
};

// worker_pool_stats are the pool's metrics, read at any time.
struct worker_pool_stats {
  std::size_t threads = 0;
  std::size_t queued = 0;         // waiting now
  std::size_t running = 0;        // on a thread now
  std::uint64_t completed = 0;    // ran to the end
  std::uint64_t rejected = 0;     // refused: queue full or pool stopped
  std::uint64_t cancelled = 0;    // dropped from the queue at shutdown
  double wait_seconds_total = 0;  // time completed work spent queued, summed
};

class worker_pool {
 public:
  explicit worker_pool(worker_pool_options options = {});
  // The destructor stops the pool (see stop()).
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  // run runs `work` on a pool thread and resumes the awaiting coroutine on its own executor with
  // what `work` returned. It fails at once with errc::overloaded when the queue is full, and with
  // errc::cancelled when the pool stops before the work started. `work` runs at most once; what it
  // captures by reference stays valid, since the caller is suspended until it has finished.
  template <class F>
  boost::asio::awaitable<result<std::invoke_result_t<F&>>> run(F work) {
    std::optional<std::invoke_result_t<F&>> out;
    auto done = co_await run_erased([&out, &work] { out.emplace(work()); });
    if (!done) co_return done.error();
    co_return std::move(*out);
  }

  // stop refuses new work, cancels what is queued (errc::cancelled), lets running work finish and
  // joins the threads. Idempotent; the destructor calls it.
  void stop();

  worker_pool_stats stats() const;

  struct impl;

 private:
  boost::asio::awaitable<result<void>> run_erased(std::function<void()> work);
  std::unique_ptr<impl> impl_;
};

}  // namespace authpp::server
