// The engine's rate limits: POSTs per client address, and the back-off of an account tried from
// one address after failed sign-ins. The counters live in the configured counter_store.
#include <algorithm>
#include <cctype>

#include "engine.hpp"

namespace authpp::detail {
namespace {

using std::chrono::seconds;

seconds until(clock::time_point expires, clock::time_point now) {
  // Whole seconds, rounded up: a client told 0 would come straight back.
  const auto left = std::chrono::ceil<seconds>(expires - now);
  return std::max(left, seconds(1));
}

// limited answers a refused request. A credentials sign-in gets Auth.js's failure shape, so
// that signIn() reports error "CredentialsSignin" with code "rate_limited" (and status 429);
// anything else a 429 JSON message. Retry-After says when to come back.
outcome limited(const request_context& ctx, std::string_view limit, seconds retry_after) {
  const rate_limited_event event{limit, ctx.request.client_address};
  fire(ctx, ctx.config().events.rate_limited, event);
  observe(ctx, [&event](observer& o) { o.rate_limited(event); });
  ctx.engine.log(log_level::info, "RateLimited",
                 std::string(limit) + " limit reached; retry in " +
                     std::to_string(retry_after.count()) + " s");
  outcome out;
  if (ctx.route.action == action::callback) {
    out.redirect =
        error_url(ctx, {authjs_error::credentials_signin, "rate limited", "rate_limited"});
  } else {
    out = json_outcome(json{{"message", "Too many requests. Try again later."}}, 429);
  }
  out.failed = true;
  out.retry_after = retry_after;
  return out;
}

// store_failed logs a counter store failure. The limits then do not apply to this request (fail
// open): a store outage must not lock every user out; the log says so.
void store_failed(const request_context& ctx, const auth_error& e) {
  ctx.engine.log(log_level::error, "RateLimitStoreError",
                 "rate limits not applied to this request: " + e.message());
}

// account_key names an account tried from an address, or "" when the form names no account.
std::string account_key(const request_context& ctx, const credentials_provider& provider) {
  if (ctx.request.client_address.empty()) return {};
  std::optional<std::string> login = ctx.body_string("email");
  if (!login || login->empty()) login = ctx.body_string("username");
  if (!login || login->empty()) return {};
  std::string lower = std::move(*login);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return provider.id + ":" + lower + "|" + ctx.request.client_address;
}

}  // namespace

std::optional<outcome> post_limit(request_context& ctx) {
  const rate_limit_options& o = ctx.config().rate_limits;
  if (!o.store || ctx.request.method != "POST" || ctx.request.client_address.empty()) {
    return std::nullopt;
  }
  const auto now = ctx.engine.clock->now();
  auto hits = o.store->add("posts:" + ctx.request.client_address, seconds(60), now);
  if (!hits) {
    store_failed(ctx, hits.error());
    return std::nullopt;
  }
  if (hits->value <= o.posts_per_minute) return std::nullopt;
  return limited(ctx, "posts", until(hits->expires, now));
}

std::optional<outcome> sign_in_lock(request_context& ctx, const credentials_provider& provider) {
  const rate_limit_options& o = ctx.config().rate_limits;
  const std::string key = o.store ? account_key(ctx, provider) : std::string();
  if (key.empty()) return std::nullopt;
  const auto now = ctx.engine.clock->now();
  auto lock = o.store->get("lock:" + key, now);
  if (!lock) {
    store_failed(ctx, lock.error());
    return std::nullopt;
  }
  if (lock->value == 0) return std::nullopt;
  return limited(ctx, "sign_in", until(lock->expires, now));
}

void record_sign_in(request_context& ctx, const credentials_provider& provider, bool accepted) {
  const rate_limit_options& o = ctx.config().rate_limits;
  const std::string key = o.store ? account_key(ctx, provider) : std::string();
  if (key.empty()) return;
  if (accepted) {
    (void)o.store->remove("failures:" + key);
    return;
  }
  const auto now = ctx.engine.clock->now();
  // Failures are remembered for a day, or for the longest lock if that is longer.
  auto failures = o.store->add("failures:" + key, std::max(seconds(86400), o.max_backoff * 2), now);
  if (!failures) return store_failed(ctx, failures.error());
  if (failures->value <= o.free_failures) return;
  // 1 s after the first failure past the free ones, doubling, up to max_backoff.
  const std::uint64_t doublings =
      std::min<std::uint64_t>(failures->value - o.free_failures - 1, 30);
  const seconds wait = std::min(seconds(std::int64_t{1} << doublings), o.max_backoff);
  if (auto lock = o.store->add("lock:" + key, wait, now); !lock) store_failed(ctx, lock.error());
}

}  // namespace authpp::detail
