#include <authpp/core/json.hpp>
#include <authpp/server/metrics.hpp>

#include <cstdio>

namespace authpp::server {

std::string_view metrics::endpoint_of(std::string_view path, std::string_view base_path) {
  if (path.starts_with(base_path) &&
      (path.size() == base_path.size() || path[base_path.size()] == '/')) {
    std::string_view rest = path.substr(base_path.size());
    while (rest.starts_with("/")) rest.remove_prefix(1);
    const std::string_view action = rest.substr(0, rest.find('/'));
    for (std::string_view known : {"csrf", "providers", "session", "signin", "signout", "callback",
                                   "verify-request", "error"}) {
      if (action == known) return known;
    }
    return "auth_other";
  }
  if (path == "/healthz") return "healthz";
  if (path == "/metrics") return "metrics";
  if (path == "/") return "home";
  return "other";
}

void metrics::record(const exchange& e) {
  const std::string endpoint(endpoint_of(e.path, base_path_));
  {
    std::lock_guard lock(mutex_);
    requests_[{endpoint, e.status}]++;
  }
  const double seconds = static_cast<double>(e.duration.count()) / 1e6;
  std::size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  buckets_[i]++;
  duration_us_ += static_cast<unsigned long long>(e.duration.count());
  count_++;
}

std::string metrics::render() const {
  std::string out;
  out += "# HELP authpp_http_requests_total HTTP requests by endpoint and status.\n";
  out += "# TYPE authpp_http_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_) {
      out += "authpp_http_requests_total{endpoint=\"" + key.first + "\",status=\"" +
             std::to_string(key.second) + "\"} " + std::to_string(n.load()) + "\n";
    }
  }
  out += "# HELP authpp_http_request_duration_seconds Time from first request byte to response.\n";
  out += "# TYPE authpp_http_request_duration_seconds histogram\n";
  unsigned long long cumulative = 0;
  char le[32];
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i].load();
    std::snprintf(le, sizeof le, "%g", bounds_[i]);
    out += "authpp_http_request_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += buckets_.back().load();
  out += "authpp_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) +
         "\n";
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(duration_us_.load()) / 1e6);
  out += "authpp_http_request_duration_seconds_sum " + std::string(sum) + "\n";
  out += "authpp_http_request_duration_seconds_count " + std::to_string(count_.load()) + "\n";
  out +=
      "# HELP authpp_sign_ins_total Sign-in attempts (callbacks that signed in or were refused), "
      "by result.\n";
  out += "# TYPE authpp_sign_ins_total counter\n";
  out +=
      "authpp_sign_ins_total{result=\"succeeded\"} " + std::to_string(sign_ins_ok_.load()) + "\n";
  out +=
      "authpp_sign_ins_total{result=\"failed\"} " + std::to_string(sign_ins_failed_.load()) + "\n";
  out += "# HELP authpp_open_connections Connections currently open.\n";
  out += "# TYPE authpp_open_connections gauge\n";
  out += "authpp_open_connections " + std::to_string(open_connections_.load()) + "\n";
  out +=
      "# HELP authpp_accept_pauses_total Pauses of the accept loop for lack of descriptors or "
      "memory.\n";
  out += "# TYPE authpp_accept_pauses_total counter\n";
  out += "authpp_accept_pauses_total " + std::to_string(accept_pauses_.load()) + "\n";
  out += "# HELP authpp_rate_limited_total Requests refused by a rate limit, by limit.\n";
  out += "# TYPE authpp_rate_limited_total counter\n";
  out +=
      "authpp_rate_limited_total{limit=\"posts\"} " + std::to_string(limited_posts_.load()) + "\n";
  out += "authpp_rate_limited_total{limit=\"sign_in\"} " +
         std::to_string(limited_sign_ins_.load()) + "\n";
  return out;
}

std::string worker_pool_metrics(const std::vector<labelled_pool>& pools) {
  std::string out;
  const auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                          const auto& value_of) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    for (const auto& [pool, stats] : pools) {
      out.append(name).append("{pool=\"").append(pool).append("\"} ");
      out.append(value_of(stats)).append("\n");
    }
  };
  using s = const worker_pool_stats&;
  metric("authpp_worker_threads", "gauge", "Threads of the worker pool.",
         [](s x) { return std::to_string(x.threads); });
  metric("authpp_worker_queue_depth", "gauge", "Work waiting for a worker thread.",
         [](s x) { return std::to_string(x.queued); });
  metric("authpp_worker_busy", "gauge", "Worker threads running work.",
         [](s x) { return std::to_string(x.running); });
  metric("authpp_worker_completed_total", "counter", "Work run to the end.",
         [](s x) { return std::to_string(x.completed); });
  metric("authpp_worker_rejected_total", "counter",
         "Work refused because the queue was full (answered 503).",
         [](s x) { return std::to_string(x.rejected); });
  metric("authpp_worker_cancelled_total", "counter", "Queued work dropped at shutdown.",
         [](s x) { return std::to_string(x.cancelled); });
  metric("authpp_worker_wait_seconds_total", "counter",
         "Time completed work spent queued (divide by completed for the mean).", [](s x) {
           char wait[64];
           std::snprintf(wait, sizeof wait, "%.6f", x.wait_seconds_total);
           return std::string(wait);
         });
  return out;
}

std::string access_log_line(const exchange& e, std::chrono::system_clock::time_point at) {
  json line = {
      {"time",
       std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count()},
      {"method", e.method},
      {"path", e.path},
      {"status", e.status},
      {"bytes", e.response_bytes},
      {"ms", static_cast<double>(e.duration.count()) / 1000.0},
      {"remote", e.remote}};
  // Behind a trusted proxy the client is not the peer: log both.
  if (!e.peer.empty() && e.peer != e.remote) line["peer"] = e.peer;
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace authpp::server
