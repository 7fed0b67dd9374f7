// The credentials provider's flow: the form posted to /callback/{id}, checked by `authorize`
// (or awaited through `authorize_async`), behind the per-account lock of the rate limits.
#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {
namespace {

outcome missing_csrf(const request_context& ctx) {
  return fail(ctx, {authjs_error::missing_csrf, "credentials sign-in without a valid CSRF token"});
}

outcome authorize_threw(const request_context& ctx, const std::exception& e) {
  return fail(ctx,
              {authjs_error::callback_route_error, std::string("authorize threw: ") + e.what()});
}

// credentials_decided finishes a credentials sign-in once `authorize` has answered: the same steps
// whether the answer came at once (handle) or was awaited (handle_async).
outcome credentials_decided(request_context& ctx, const credentials_provider& provider,
                            std::optional<authorize_result> decision) {
  if (decision->is_unavailable()) {
    // The user store is down: say so (503) instead of calling good credentials wrong.
    return store_unavailable(ctx, *decision->failure());
  }
  if (decision->failure()) {
    return fail(ctx,
                {authjs_error::callback_route_error, "authorize failed: " + *decision->failure()});
  }
  if (!decision->accepted()) {
    record_sign_in(ctx, provider, false);
    return fail(ctx, {authjs_error::credentials_signin, "authorize refused the credentials",
                      decision->code()});
  }
  user u = *decision->accepted();
  if (auto refused = second_factor_check(ctx, provider, u)) return std::move(*refused);
  record_sign_in(ctx, provider, true);

  if (!u.id || u.id->empty()) {
    auto id = random_uuid(*ctx.engine.random);
    if (!id) return fail(ctx, {authjs_error::callback_route_error, id.error().message()});
    u.id = std::move(*id);
  }
  const account acct{provider.id, "credentials", *u.id};
  return complete_sign_in(ctx, u, acct, &ctx.body, nullptr);
}

outcome credentials_callback(request_context& ctx, const credentials_provider& provider) {
  if (!ctx.csrf_verified) return missing_csrf(ctx);
  if (auto locked = sign_in_lock(ctx, provider)) return std::move(*locked);
  std::optional<authorize_result> decision;
  try {
    decision = provider.authorize(authorize_request{ctx.body, ctx.request});
  } catch (const std::exception& e) {
    return authorize_threw(ctx, e);
  }
  return credentials_decided(ctx, provider, std::move(decision));
}

class credentials_flow_impl final : public provider_flow {
 public:
  credentials_flow_impl(const engine_state& engine, const credentials_provider& p)
      : engine_(engine), p_(p) {}

  const std::string& id() const override { return p_.id; }
  const std::string& name() const override { return p_.name; }
  std::string_view type() const override { return "credentials"; }
  std::optional<std::string> problem() const override {
    if (!p_.authorize) return "authorize: a credentials provider needs authorize";
    return std::nullopt;
  }

  void describe(const request_context&, pages::provider_entry& entry) const override {
    for (const credential_field& f : p_.fields) {
      entry.fields.push_back(
          {f.name, f.label.empty() ? f.name : f.label, f.type, f.placeholder, f.required});
    }
  }

  waiting waits(action a, std::string_view method) const override {
    // With database sessions or TOTP a sign-in also uses the store: that waits too.
    return a == action::callback && method == "POST" &&
                   (p_.authorize_async || engine_.database_sessions() ||
                    second_factor_enabled(engine_))
               ? waiting::preferred
               : waiting::none;
  }

  outcome callback(request_context& ctx) const override {
    if (ctx.request.method != "POST") {
      return fail(ctx, {authjs_error::invalid_provider,
                        "credentials providers only accept POST callbacks"});
    }
    return credentials_callback(ctx, p_);
  }

  boost::asio::awaitable<outcome> act_async(request_context& ctx,
                                            net::http_client&) const override {
    if (!p_.authorize_async) {
      // Only the session store waits: the whole sign-in runs where blocking calls may.
      std::function<outcome()> sign_in = [this, &ctx] { return callback(ctx); };
      co_return co_await run_blocking_action(ctx, std::move(sign_in));
    }
    // CSRF first: a request without it must not cost a password check.
    if (!ctx.csrf_verified) co_return missing_csrf(ctx);
    // With Redis, the lockout's counts are round trips: off the I/O thread, as store calls.
    std::optional<outcome> locked;
    std::function<void()> check_lock = [this, &ctx, &locked] { locked = sign_in_lock(ctx, p_); };
    if (!counting_waits(ctx.engine)) {
      check_lock();
    } else if (auto full = co_await run_blocking_step(ctx, std::move(check_lock))) {
      co_return std::move(*full);
    }
    if (locked) co_return std::move(*locked);
    std::optional<authorize_result> decision;
    try {
      decision = co_await p_.authorize_async(authorize_request{ctx.body, ctx.request});
    } catch (const std::exception& e) {
      co_return authorize_threw(ctx, e);
    }
    // The second factor reads the store only for a user the password let through: a flood of
    // wrong guesses never queues on the store's pool.
    const bool second_factor = second_factor_enabled(ctx.engine) && decision->accepted();
    if (!uses_database(ctx) && !counting_waits(ctx.engine) && !second_factor) {
      co_return credentials_decided(ctx, p_, std::move(decision));
    }
    co_return co_await run_blocking_action(
        ctx, [this, &ctx, &decision] { return credentials_decided(ctx, p_, std::move(decision)); });
  }

 private:
  const engine_state& engine_;
  const credentials_provider& p_;
};

}  // namespace

std::unique_ptr<provider_flow> credentials_flow(const engine_state& engine,
                                                const credentials_provider& provider) {
  return std::make_unique<credentials_flow_impl>(engine, provider);
}

}  // namespace authpp::detail
