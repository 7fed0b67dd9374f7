#include <authpp/server/worker_pool.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/resource.h>
#include <unistd.h>

namespace authpp::server {

namespace asio = boost::asio;

namespace {

using clock_type = std::chrono::steady_clock;

// job is one piece of queued work: `work` runs on a pool thread, then `complete` resumes the
// caller; if the pool stops first, only `complete` is called, with errc::cancelled.
struct job {
  std::uint64_t id = 0;
  std::function<void()> work;
  std::function<void(std::exception_ptr, result<void>)> complete;
  clock_type::time_point queued_at;
};

}  // namespace

struct worker_pool::impl {
  std::size_t max_queue;
  mutable std::mutex mutex;
  std::condition_variable ready;
  std::deque<job> queue;
  std::uint64_t next_id = 1;
  bool stopping = false;
  worker_pool_stats stats;
  std::vector<std::thread> threads;

  // submit queues `j` and returns its id, or 0 when the queue is full or the pool is stopping.
  std::uint64_t submit(job j) {
    std::uint64_t id = 0;
    {
      std::lock_guard lock(mutex);
      if (stopping || queue.size() >= max_queue) {
        ++stats.rejected;
        return 0;
      }
      id = j.id = next_id++;
      j.queued_at = clock_type::now();
      queue.push_back(std::move(j));
      stats.queued = queue.size();
    }
    ready.notify_one();
    return id;
  }

  // withdraw takes job `id` out of the queue and completes it as cancelled; a job already running
  // (or done) is left alone: it cannot be stopped midway.
  void withdraw(std::uint64_t id) {
    std::optional<job> j;
    {
      std::lock_guard lock(mutex);
      const auto it =
          std::find_if(queue.begin(), queue.end(), [id](const job& q) { return q.id == id; });
      if (it == queue.end()) return;
      j = std::move(*it);
      queue.erase(it);
      stats.queued = queue.size();
      ++stats.cancelled;
    }
    j->complete(nullptr, auth_error{errc::cancelled, "cancelled while queued"});
  }

  void work() {
    // Below the I/O threads: a flood of password checks then slows sign-ins, not every request.
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    std::unique_lock lock(mutex);
    while (true) {
      ready.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and nothing left to run
      job j = std::move(queue.front());
      queue.pop_front();
      stats.queued = queue.size();
      ++stats.running;
      stats.wait_seconds_total +=
          std::chrono::duration<double>(clock_type::now() - j.queued_at).count();
      lock.unlock();
      std::exception_ptr failed;
      try {
        j.work();
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      --stats.running;
      ++stats.completed;
      lock.unlock();
      // Counted before the caller resumes, so that what it reads of the stats includes its work.
      j.complete(failed, {});
      j = {};
      lock.lock();
    }
  }
};

worker_pool::worker_pool(worker_pool_options options) : impl_(std::make_unique<impl>()) {
  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  impl_->max_queue = options.max_queue != 0 ? options.max_queue : 32 * std::size_t{threads};
  impl_->stats.threads = threads;
  for (unsigned i = 0; i < threads; ++i)
    impl_->threads.emplace_back([s = impl_.get()] { s->work(); });
}

worker_pool::~worker_pool() { stop(); }

void worker_pool::stop() {
  std::deque<job> dropped;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping && impl_->threads.empty()) return;
    impl_->stopping = true;
    dropped.swap(impl_->queue);
    impl_->stats.queued = 0;
    impl_->stats.cancelled += dropped.size();
  }
  impl_->ready.notify_all();
  for (job& j : dropped) {
    j.complete(nullptr, auth_error{errc::cancelled, "the worker pool stopped first"});
  }
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

worker_pool_stats worker_pool::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

asio::awaitable<result<void>> worker_pool::run_erased(std::function<void()> work) {
  // An exception from the work travels back to the awaiting coroutine and is rethrown there.
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(std::exception_ptr, result<void>)>(
      [this](auto handler, std::function<void()> w) {
        // The coroutine resumes on its own executor, whichever thread completes the job. The
        // handler is move-only and std::function copies: share it between the two paths.
        auto executor = asio::get_associated_executor(handler);
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        job j;
        j.work = std::move(w);
        j.complete = [shared, executor, slot](std::exception_ptr e, result<void> r) mutable {
          asio::post(executor, [shared, slot, e, r = std::move(r)]() mutable {
            if (slot.is_connected()) slot.clear();  // done: cancelling it now means nothing
            (*shared)(e, std::move(r));
          });
        };
        auto refused = j.complete;
        const std::uint64_t id = impl_->submit(std::move(j));
        if (id == 0) {
          return refused(nullptr, auth_error{errc::overloaded, "the worker pool's queue is full"});
        }
        // Cancelled while it waits (the client went away): its turn goes to the next in line.
        if (slot.is_connected()) {
          slot.assign([pool = impl_.get(), id](asio::cancellation_type) { pool->withdraw(id); });
        }
      },
      asio::use_awaitable, std::move(work));
}

}  // namespace authpp::server
