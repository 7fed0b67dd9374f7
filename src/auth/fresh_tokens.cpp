// auth::fresh_tokens: a linked account's access token, renewed at the provider when it expires,
// once per account however many callers find it expired at the same moment.
#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

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

// renew runs the provider's renewal on a private event loop: the store calls refresh steps
// synchronously, with the account's lock held, so the step blocks for the outbound call.
result<adapters::account_tokens> renew(const detail::engine_state& engine,
                                       const detail::provider_flow& flow,
                                       const adapters::account_record& current) {
  boost::asio::io_context io;
  net::http_client client(io.get_executor(), engine.config.outbound);
  std::optional<result<adapters::account_tokens>> renewed;
  boost::asio::co_spawn(io, flow.renew_tokens(current, client),
                        [&](std::exception_ptr e, result<adapters::account_tokens> r) {
                          // An exception here is a bug; the store's transaction must still end.
                          renewed = e ? result<adapters::account_tokens>(auth_error{
                                            errc::invalid_response, "token renewal threw"})
                                      : std::move(r);
                          io.stop();  // pooled connections would keep the loop running
                        });
  io.run();
  return std::move(*renewed);
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
    auto next = renew(engine, *flow, current);
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
