// The worker pool: work runs off the caller's thread and the caller resumes on its own executor;
// a full queue refuses at once; stop() cancels what waits and lets what runs finish.
#include <authpp/server/worker_pool.hpp>

#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::server {
namespace {

namespace asio = boost::asio;

// run_on spawns `coroutine` on `io` and runs the loop until it is done.
template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> coroutine) {
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(coroutine)); },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.restart();  // a loop that ran out of work is stopped until restarted
  io.run();
  EXPECT_TRUE(out.has_value());
  return std::move(*out);
}

// A gate holds pool threads in their work until opened.
struct gate {
  std::promise<void> opened;
  std::shared_future<void> wait{opened.get_future().share()};
  void open() { opened.set_value(); }
};

TEST(WorkerPoolTest, RunsOffTheCallersThreadAndResumesOnItsExecutor) {
  asio::io_context io;  // before the pool: its threads may still be posting to the loop
  worker_pool pool({.threads = 2});
  const auto caller = std::this_thread::get_id();
  const auto result = run_on(io, [&]() -> asio::awaitable<std::pair<bool, bool>> {
    auto worker = co_await pool.run([] { return std::this_thread::get_id(); });
    const bool resumed_here = std::this_thread::get_id() == caller;
    co_return std::pair{worker.value() != caller, resumed_here};
  }());
  EXPECT_TRUE(result.first) << "the work ran on the caller's thread";
  EXPECT_TRUE(result.second) << "the caller resumed on another thread";
  EXPECT_EQ(pool.stats().completed, 1u);
}

// Overload: past max_queue, work is refused at once (the server answers 503), it does not wait.
TEST(WorkerPoolTest, FullQueueRefusesAtOnce) {
  asio::io_context io;
  worker_pool pool({.threads = 1, .max_queue = 2});
  gate g;
  std::vector<result<int>> results;
  // The first job takes the thread before the others come, so the queue holds exactly two.
  for (int i = 0; i < 5; ++i) {
    if (i == 1) {
      while (pool.stats().running < 1) {
        io.poll();
        std::this_thread::yield();
      }
    }
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          results.push_back(co_await pool.run([&g, i] {
            g.wait.wait();
            return i;
          }));
        },
        asio::detached);
  }
  // One running, two queued, two refused: the refusals complete without the gate opening.
  while (results.size() < 2) io.run_one();
  for (const auto& r : results) EXPECT_EQ(test::error_of(r), errc::overloaded);
  const auto busy = pool.stats();
  EXPECT_EQ(busy.running, 1u);
  EXPECT_EQ(busy.queued, 2u);
  g.open();
  while (results.size() < 5) io.run_one();
  int done = 0;
  for (const auto& r : results) done += r ? 1 : 0;
  EXPECT_EQ(done, 3);
  EXPECT_EQ(pool.stats().completed, 3u);
}

// Shutdown: queued work is cancelled (its caller resumes with errc::cancelled), running work
// finishes and its caller gets the value.
TEST(WorkerPoolTest, StopCancelsQueuedWorkAndFinishesRunningWork) {
  asio::io_context io;
  auto pool = std::make_unique<worker_pool>(worker_pool_options{.threads = 1, .max_queue = 4});
  gate g;
  std::promise<void> started;
  std::vector<result<int>> results;
  std::atomic<int> ran{0};
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          results.push_back(co_await pool->run([&, i] {
            if (i == 0) started.set_value();
            g.wait.wait();
            ++ran;
            return i;
          }));
        },
        asio::detached);
  }
  while (pool->stats().queued + pool->stats().running < 3) {
    io.poll();
    std::this_thread::yield();
  }
  started.get_future().wait();
  std::thread stopper([&] { pool->stop(); });
  while (pool->stats().cancelled < 2) std::this_thread::yield();
  g.open();
  stopper.join();
  while (results.size() < 3) io.run_one();
  EXPECT_EQ(ran.load(), 1);
  int cancelled = 0, finished = 0;
  for (const auto& r : results) {
    if (r) ++finished;
    if (!r && r.error().code == errc::cancelled) ++cancelled;
  }
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(cancelled, 2);
  // After stop, work is refused.
  const auto refused = run_on(io, pool->run([] { return 1; }));
  EXPECT_EQ(test::error_of(refused), errc::overloaded);
}

TEST(WorkerPoolTest, AnExceptionReachesTheCaller) {
  asio::io_context io;
  worker_pool pool({.threads = 1});
  const bool caught = run_on(io, [&]() -> asio::awaitable<bool> {
    try {
      (void)co_await pool.run([]() -> int { throw std::runtime_error("boom"); });
    } catch (const std::runtime_error& e) {
      co_return std::string_view(e.what()) == "boom";
    }
    co_return false;
  }());
  EXPECT_TRUE(caught);
  // And the thread survived it.
  EXPECT_EQ(run_on(io, pool.run([] { return 7; })).value(), 7);
}

TEST(WorkerPoolTest, WaitTimeIsMeasured) {
  asio::io_context io;
  worker_pool pool({.threads = 1});
  gate g;
  int done = 0;
  for (int i = 0; i < 2; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          (void)co_await pool.run([&] {
            g.wait.wait();
            return 0;
          });
          ++done;
        },
        asio::detached);
  }
  while (pool.stats().queued < 1) {
    io.poll();
    std::this_thread::yield();
  }
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(5)) {
    std::this_thread::yield();  // the second job waits at least this long
  }
  g.open();
  while (done < 2) io.run_one();
  EXPECT_GE(pool.stats().wait_seconds_total, 0.005);
}

// A request whose client left gives up its place in the queue: its check never runs, and it
// resumes at once with errc::cancelled. Work already running is left to finish.
TEST(WorkerPoolTest, CancelledWhileQueuedGivesUpItsPlace) {
  asio::io_context io;
  worker_pool pool({.threads = 1, .max_queue = 4});
  gate g;
  asio::cancellation_signal running_signal, queued_signal;
  std::vector<std::pair<int, result<int>>> results;
  std::atomic<int> ran{0};
  const auto spawn = [&](int i, asio::cancellation_signal& signal) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          results.emplace_back(i, co_await pool.run([&, i] {
            g.wait.wait();
            ++ran;
            return i;
          }));
        },
        asio::bind_cancellation_slot(signal.slot(), asio::detached));
  };
  spawn(0, running_signal);
  while (pool.stats().running < 1) {
    io.poll();
    std::this_thread::yield();
  }
  spawn(1, queued_signal);
  io.poll();
  ASSERT_EQ(pool.stats().queued, 1u);
  queued_signal.emit(asio::cancellation_type::terminal);
  running_signal.emit(asio::cancellation_type::terminal);  // too late: it runs on
  while (results.empty()) io.run_one();
  EXPECT_EQ(results.front().first, 1);
  EXPECT_EQ(test::error_of(results.front().second), errc::cancelled);
  EXPECT_EQ(pool.stats().queued, 0u);
  EXPECT_EQ(pool.stats().cancelled, 1u);
  g.open();
  while (results.size() < 2) io.run_one();
  EXPECT_EQ(results.back().second.value(), 0);
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace authpp::server
