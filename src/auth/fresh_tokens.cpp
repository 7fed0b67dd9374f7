// auth::fresh_tokens: a linked account's access token, renewed at the provider when it expires,
// once per account however many callers find it expired at the same moment.
#include <algorithm>

#include <boost/asio/this_coro.hpp>

#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp {
namespace {

// fresh tells whether `account`'s access token is good `min_validity` from now (or never expires).
bool fresh(const adapters::account_record& account, clock::time_point now,
           std::chrono::seconds min_validity) {
  if (!account.expires_at) return true;
  const auto deadline = std::chrono::floor<std::chrono::seconds>(now + min_validity);
  return *account.expires_at > deadline.time_since_epoch().count();
}

// renew is the provider's renewal, with the loop's pooled client. The store calls refresh steps
// synchronously, with the account's lock held, so the step runs it on a private event loop.
boost::asio::awaitable<result<adapters::account_tokens>> renew(
    const detail::engine_state& engine, const detail::provider_flow& flow,
    const adapters::account_record& current) {
  auto& client =
      net::shared_client(co_await boost::asio::this_coro::executor, engine.config.outbound);
  co_return co_await flow.renew_tokens(current, client);
}

}  // namespace

result<adapters::account_tokens> auth::fresh_tokens(std::string_view user_id,
                                                    std::string_view provider_id,
                                                    std::chrono::seconds min_validity) const {
  const detail::engine_state& engine = *state_;
  const auto& store = engine.config.adapter;
  if (!store) return auth_error{errc::invalid_config, "adapter: required for stored tokens"};
  const detail::provider_flow* flow = engine.find_provider(provider_id);
  if (!flow || (flow->type() != "oauth" && flow->type() != "oidc")) {
    return auth_error{errc::invalid_config,
                      "provider " + std::string(provider_id) + ": not an OAuth provider"};
  }
  auto accounts = store->accounts_of(user_id);
  if (!accounts) return accounts.error();
  const auto found =
      std::find_if(accounts->begin(), accounts->end(),
                   [&](const adapters::account_record& a) { return a.provider == provider_id; });
  if (found == accounts->end()) {
    return auth_error{errc::not_found,
                      "the user has no account at provider " + std::string(provider_id)};
  }
  // Most calls end here: the stored token is good, and no lock is taken.
  if (fresh(*found, engine.clock->now(), min_validity)) return adapters::tokens_of(*found);

  using step_result = result<std::optional<adapters::account_tokens>>;
  const adapters::refresh_step step = [&](const adapters::account_record& current) {
    // Another caller may have renewed it while this one waited for the lock.
    if (fresh(current, engine.clock->now(), min_validity)) return step_result(std::nullopt);
    // An exception is a bug, but the store's transaction must still end: it becomes an error.
    auto next =
        detail::run_privately<result<adapters::account_tokens>>(renew(engine, *flow, current), [] {
          return result<adapters::account_tokens>(
              auth_error{errc::invalid_response, "token renewal threw"});
        });
    if (!next) return step_result(next.error());
    return step_result(std::optional(std::move(*next)));
  };
  auto refreshed = store->refresh_account(found->provider, found->provider_account_id, step);
  if (!refreshed) {
    engine.log(log_level::warn, "TokenRefreshError", refreshed.error().message());
    return refreshed.error();
  }
  return adapters::tokens_of(*refreshed);
}

boost::asio::awaitable<result<adapters::account_tokens>> auth::fresh_tokens_async(
    std::string user_id, std::string provider_id, std::chrono::seconds min_validity) const {
  // A copy of the engine: it lives until the answer is ready, as handle_async's does.
  const auth self = *this;
  const auto& run = state_->config.run_blocking;
  if (!run) co_return self.fresh_tokens(user_id, provider_id, min_validity);
  std::optional<result<adapters::account_tokens>> out;
  // Named, not a lambda converted inside the co_await (GCC 12; see run_blocking_action).
  std::function<void()> work = [&] { out = self.fresh_tokens(user_id, provider_id, min_validity); };
  auto ran = co_await run(std::move(work));
  if (!ran) co_return ran.error();
  co_return std::move(*out);
}

}  // namespace authpp
