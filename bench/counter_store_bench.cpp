// What a rate-limit count costs per request: the memory store, and Redis on loopback (a
// throw-away redis-server, as the tests start it). Run: build/bench/bench/counter_store_bench
#include <authpp/auth/rate_limit.hpp>
#include <authpp/redis/counter_store.hpp>

#include <benchmark/benchmark.h>

#include "test_support/redis_server.hpp"

namespace {

using namespace std::chrono_literals;

void count_on(benchmark::State& state, authpp::counter_store& store) {
  const authpp::clock::time_point now{};
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto c = store.add("posts:198.51.100." + std::to_string(i++ % 256), 60s, now);
    if (!c) state.SkipWithError(c.error().message().c_str());
    benchmark::DoNotOptimize(c);
  }
}

void BM_MemoryCount(benchmark::State& state) {
  auto store = authpp::make_memory_counter_store();
  count_on(state, *store);
}
BENCHMARK(BM_MemoryCount);

void BM_RedisCount(benchmark::State& state) {
  authpp::test::redis_server server;
  authpp::redis::counter_store_options o;
  o.address = authpp::redis::parse_redis_url(server.url(), "bench").value();
  auto store = authpp::redis::make_counter_store(o);
  count_on(state, *store);
}
BENCHMARK(BM_RedisCount);

}  // namespace

BENCHMARK_MAIN();
