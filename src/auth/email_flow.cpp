// The e-mail provider's flow (magic links, server-flows.md §8): POST /signin/{id} stores a
// hashed token and sends the link; the link opens a confirmation page (GET /callback/{id}), and
// its POST uses the token once and signs the user in, creating them on first use.
#include <authpp/core/hex.hpp>
#include <authpp/core/random.hpp>
#include <authpp/jose/digest.hpp>

#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {
namespace {

using std::chrono::seconds;

// stored_token is what the store keeps of a link's token: sha256(token + secret), so that a read
// of the table signs nobody in. The secret is the engine's, as Auth.js joins a list of them.
std::string stored_token(const request_context& ctx, std::string_view token) {
  return hex::encode(byte_view(jose::sha256(std::string(token) + ctx.engine.csrf_secret)));
}

class email_flow_impl final : public provider_flow {
 public:
  email_flow_impl(const engine_state& engine, const email_provider& p) : engine_(engine), p_(p) {}

  const std::string& id() const override { return p_.id; }
  const std::string& name() const override { return p_.name; }
  std::string_view type() const override { return "email"; }
  std::optional<std::string> problem() const override {
    if (!engine_.config.adapter) {
      return "adapter: an e-mail provider needs an adapter for its users and tokens";
    }
    if (!p_.send_verification_request) return "send_verification_request: required";
    if (p_.max_age <= seconds(0)) return "max_age: must be positive";
    return std::nullopt;
  }

  void describe(const request_context&, pages::provider_entry&) const override {}

  waiting waits(action a, std::string_view method) const override {
    // Sending a link and using one both call the store (and the sender): they wait.
    if (a == action::signin && method == "POST") return waiting::preferred;
    if (a == action::callback && method == "POST") return waiting::preferred;
    return waiting::none;
  }

  outcome signin(request_context& ctx) const override { return send_link(ctx); }

  outcome callback(request_context& ctx) const override {
    if (ctx.request.method == "GET") return confirmation_page(ctx);
    if (ctx.request.method == "POST") return use_link(ctx);
    return fail(ctx, {authjs_error::invalid_provider, "e-mail callbacks are GET or POST"});
  }

  boost::asio::awaitable<outcome> act_async(request_context& ctx,
                                            net::http_client&) const override {
    if (!ctx.csrf_verified) co_return missing_csrf(ctx);
    std::function<outcome()> act = [this, &ctx] {
      return ctx.route.action == action::signin ? send_link(ctx) : use_link(ctx);
    };
    co_return co_await run_blocking_action(ctx, std::move(act));
  }

 private:
  static outcome missing_csrf(const request_context& ctx) {
    return fail(ctx, {authjs_error::missing_csrf, "e-mail sign-in without a valid CSRF token"});
  }

  std::optional<std::string> normalize(std::string_view email) const {
    if (p_.normalize_identifier) return p_.normalize_identifier(email);
    return normalize_email_identifier(email);
  }

  outcome verify_request_redirect(const request_context& ctx) const {
    http::url_search_params q;
    q.append("provider", p_.id);
    q.append("type", "email");
    outcome out;
    out.redirect = ctx.base_url() + "/verify-request?" + q.to_string();
    return out;
  }

  // over_send_limit counts a link sent to `email`; true past sends_per_hour. A failing counter
  // store does not stop sign-in (it is logged by the rate limits' own rule: fail open).
  bool over_send_limit(const request_context& ctx, const std::string& email) const {
    const auto& store = ctx.config().rate_limits.store;
    if (!store || p_.sends_per_hour == 0) return false;
    auto sent = store->add("email:" + p_.id + ":" + email, seconds(3600), ctx.engine.clock->now());
    if (!sent) {
      ctx.engine.log(log_level::error, "RateLimitStoreError",
                     "e-mail send limit not applied: " + sent.error().message());
      return false;
    }
    return sent->value > p_.sends_per_hour;
  }

  // send_link is POST /signin/{id}: a token for the address, stored hashed, and the link sent.
  outcome send_link(request_context& ctx) const {
    if (!ctx.csrf_verified) return missing_csrf(ctx);
    const auto submitted = ctx.body_string("email");
    if (!submitted || submitted->empty()) {
      return fail(ctx, {authjs_error::configuration, "no e-mail address submitted"});
    }
    auto email = normalize(*submitted);
    // As in Auth.js, a plain error: the error page says Configuration.
    if (!email) return fail(ctx, {authjs_error::configuration, "not an e-mail address"});

    adapters::adapter& store = *ctx.config().adapter;
    auto existing = store.find_by_email(*email);
    if (!existing) return adapter_failure(ctx, existing.error());
    user u = *existing ? stored_user(**existing) : user{};
    u.email = *email;
    const account acct{p_.id, "email", *email};
    if (auto verdict = sign_in_verdict(ctx, u, acct, nullptr, nullptr, true)) {
      return std::move(*verdict);
    }
    if (*existing && (*existing)->disabled) {
      // Answered like a sent link: whether an address has a (disabled) account is not told.
      ctx.engine.log(log_level::info, "EmailSignin", "no link sent: the user is disabled");
      return verify_request_redirect(ctx);
    }
    if (over_send_limit(ctx, *email)) {
      ctx.engine.log(log_level::info, "RateLimited",
                     "e-mail send limit reached for an address; no link sent");
      return verify_request_redirect(ctx);
    }

    auto raw = random_bytes(*ctx.engine.random, 32);
    if (!raw) return fail(ctx, {authjs_error::configuration, raw.error().message()});
    const std::string token = hex::encode(*raw);
    const auto expires = ctx.engine.clock->now() + p_.max_age;
    // Stored before it is sent: a link must never reach an inbox without its token.
    auto stored = store.create_verification_token({*email, stored_token(ctx, token), expires});
    if (!stored) return adapter_failure(ctx, stored.error());

    http::url_search_params q;
    q.append("callbackUrl", ctx.callback_url);
    q.append("token", token);
    q.append("email", *email);
    verification_request request{
        *email, ctx.base_url() + "/callback/" + p_.id + "?" + q.to_string(), expires, ctx.request};
    try {
      if (auto sent = p_.send_verification_request(request); !sent) {
        return fail(ctx, {authjs_error::configuration,
                          "send_verification_request failed: " + sent.error().message()});
      }
    } catch (const std::exception& e) {
      return fail(ctx, {authjs_error::configuration,
                        std::string("send_verification_request threw: ") + e.what()});
    }
    return verify_request_redirect(ctx);
  }

  // confirmation_page is GET /callback/{id}, where a link lands: a page whose form posts the
  // token back. Nothing is used or stored, so a scanner's fetch changes nothing.
  outcome confirmation_page(request_context& ctx) const {
    const auto token = ctx.query.get("token");
    if (!token || token->empty()) {
      return fail(ctx, {authjs_error::configuration, "e-mail callback without a token"});
    }
    pages::email_confirm_page page;
    page.action_url = ctx.base_url() + "/callback/" + p_.id;
    page.csrf_token = ctx.csrf_token;
    page.token = *token;
    page.email = ctx.query.get("email").value_or("");
    page.callback_url = ctx.callback_url;
    page.callback_origin = ctx.callback_origin();
    page.theme = ctx.config().theme;
    return page_outcome(pages::render_email_confirm(page));
  }

  // use_link is the confirmation's POST: the token used (once), then the user signed in.
  outcome use_link(request_context& ctx) const {
    if (!ctx.csrf_verified) return missing_csrf(ctx);
    const auto token = ctx.body_string("token");
    if (!token || token->empty()) {
      return fail(ctx, {authjs_error::configuration, "e-mail callback without a token"});
    }
    const auto email = normalize(ctx.body_string("email").value_or(""));
    if (!email) return fail(ctx, {authjs_error::verification, "the link names no valid address"});

    adapters::adapter& store = *ctx.config().adapter;
    auto invite = store.use_verification_token(*email, stored_token(ctx, *token));
    if (!invite) return adapter_failure(ctx, invite.error());
    if (!*invite) {
      return fail(ctx, {authjs_error::verification, "unknown or already used sign-in link"});
    }
    if ((*invite)->expires < ctx.engine.clock->now()) {
      return fail(ctx, {authjs_error::verification, "expired sign-in link"});
    }

    auto existing = store.find_by_email(*email);
    if (!existing) return adapter_failure(ctx, existing.error());
    user u = *existing ? stored_user(**existing) : user{};
    u.email = *email;
    const account acct{p_.id, "email", *email};
    if (auto verdict = sign_in_verdict(ctx, u, acct, nullptr, nullptr, false)) {
      return std::move(*verdict);
    }

    const auto now = ctx.engine.clock->now();
    if (*existing) {
      if ((*existing)->disabled) {
        return fail(ctx, {authjs_error::access_denied, "the user is disabled"});
      }
      // Following the link proved the address.
      if (auto marked = store.set_email_verified((*existing)->id, now); !marked) {
        return adapter_failure(ctx, marked.error());
      }
      return issue_session(ctx, u, acct, nullptr, nullptr);
    }
    auto created = store.add_user(adapters::new_user{.email = *email, .email_verified = now}, "");
    if (!created && created.error().code == errc::already_exists) {
      // A concurrent sign-in with another link for this address created the user first.
      auto again = store.find_by_email(*email);
      if (!again || !*again) return adapter_failure(ctx, created.error());
      return issue_session(ctx, stored_user(**again), acct, nullptr, nullptr);
    }
    if (!created) return adapter_failure(ctx, created.error());
    const user fresh = stored_user(*created);
    if (ctx.config().events.create_user) {
      fire_after(ctx, [&ctx, fresh] {
        fire(ctx, ctx.config().events.create_user, create_user_event{fresh});
      });
    }
    return issue_session(ctx, fresh, acct, nullptr, nullptr);
  }

  const engine_state& engine_;
  const email_provider& p_;
};

}  // namespace

std::unique_ptr<provider_flow> email_flow(const engine_state& engine,
                                          const email_provider& provider) {
  return std::make_unique<email_flow_impl>(engine, provider);
}

}  // namespace authpp::detail

namespace authpp {

std::optional<std::string> normalize_email_identifier(std::string_view email) {
  const auto first = email.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return std::nullopt;
  email = email.substr(first, email.find_last_not_of(" \t\r\n\f\v") - first + 1);
  std::string out;
  out.reserve(email.size());
  for (const char c : email) {
    const auto b = static_cast<unsigned char>(c);
    // One recipient, nothing a mail header or an address list could read otherwise.
    if (b < 0x20 || b == 0x7f || c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\') {
      return std::nullopt;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const auto at = out.find('@');
  if (at == std::string::npos || at == 0 || out.find('@', at + 1) != std::string::npos) {
    return std::nullopt;
  }
  // Auth.js cuts the domain at its first comma ("a@b.com,c.org" is a@b.com).
  if (const auto comma = out.find(',', at); comma != std::string::npos) out.resize(comma);
  if (at + 1 == out.size() || out.size() > 254 || out.find(',') != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

}  // namespace authpp
