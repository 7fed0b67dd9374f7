#pragma once

#include <authpp/server/http_server.hpp>
#include <authpp/server/worker_pool.hpp>

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace authpp::server {

// metrics counts what the server does and renders it in the Prometheus text format (0.0.4).
// Recording is lock-free except for the first sight of an (endpoint, status) pair.
class metrics {
 public:
  // record counts one finished exchange under its endpoint (see endpoint_of).
  void record(const exchange& e);
  void sign_in(bool succeeded) { (succeeded ? sign_ins_ok_ : sign_ins_failed_)++; }
  void connections(long long open) { open_connections_ = open; }
  void accept_paused() { ++accept_pauses_; }
  // rate_limited counts a request a rate limit refused ("posts" or "sign_in").
  void rate_limited(std::string_view limit) {
    (limit == "sign_in" ? limited_sign_ins_ : limited_posts_)++;
  }
  // render returns the exposition text.
  std::string render() const;

  // endpoint_of maps a path to a bounded label ("session", "callback", "healthz", "other"), so
  // that arbitrary paths cannot grow the label set.
  static std::string_view endpoint_of(std::string_view path, std::string_view base_path);
  void set_base_path(std::string base_path) { base_path_ = std::move(base_path); }

 private:
  static constexpr std::array<double, 10> bounds_{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                  0.025,  0.05,  0.1,    0.25,  1.0};
  std::string base_path_ = "/api/auth";
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::atomic<unsigned long long>> requests_;
  std::array<std::atomic<unsigned long long>, bounds_.size() + 1> buckets_{};
  std::atomic<unsigned long long> duration_us_{0};
  std::atomic<unsigned long long> count_{0};
  std::atomic<unsigned long long> sign_ins_ok_{0};
  std::atomic<unsigned long long> sign_ins_failed_{0};
  std::atomic<long long> open_connections_{0};
  std::atomic<unsigned long long> accept_pauses_{0};
  std::atomic<unsigned long long> limited_posts_{0};
  std::atomic<unsigned long long> limited_sign_ins_{0};
};

// worker_pool_metrics renders the worker pools' figures, one series per pool (label `pool`):
// queue depth, busy threads, work done, refused and cancelled, and the time work waited queued.
struct labelled_pool {
  std::string_view name;  // "password", "store"
  worker_pool_stats stats;
};
std::string worker_pool_metrics(const std::vector<labelled_pool>& pools);

// access_log_line formats an exchange as one JSON line: time, method, path (no query), status,
// bytes, duration in ms, the client's address, and the peer's when a trusted proxy forwarded the
// request. No header, cookie, query or body is ever included.
std::string access_log_line(const exchange& e, std::chrono::system_clock::time_point at);

}  // namespace authpp::server
