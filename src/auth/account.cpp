// The account page, beyond Auth.js (auth_config::account): GET {basePath}/account shows the
// signed-in user's passkeys and TOTP second factor; its forms POST back with an `action`.
// Changing anything takes the CSRF token and a recent sign-in, proved by a sealed cookie that a
// sign-in sets (recent_sign_in_cookie): a session cookie alone, stolen or left open on a shared
// computer, cannot add a factor that outlives it or remove the one that protects the account.
// A TOTP enrolment in progress lives in a sealed cookie of its own, and reaches the store only
// once a first code proves the app has it.
#include <authpp/core/random.hpp>
#include <authpp/mfa/recovery_codes.hpp>
#include <authpp/mfa/sealed_secret.hpp>
#include <authpp/mfa/totp.hpp>
#include <authpp/pages/qr.hpp>

#include <variant>

#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {
namespace {

// The provider id bound into the account page's sealed cookies (no provider has a colon).
constexpr std::string_view account_seal = "authpp:account";
constexpr std::size_t max_typed_code = 64;

std::string account_url(const request_context& ctx) { return ctx.base_url() + "/account"; }

const provider_flow* passkey_flow_of(const engine_state& engine) {
  for (const auto& flow : engine.flows) {
    if (flow->type() == "webauthn") return flow.get();
  }
  return nullptr;
}

std::string date_of(std::chrono::system_clock::time_point t) { return iso_time(t).substr(0, 10); }

// sign_in_first sends a visitor who is not signed in to the sign-in page, and back here after.
outcome sign_in_first(const request_context& ctx) {
  outcome out;
  out.redirect = sign_in_page_url(ctx, account_url(ctx));
  return out;
}

// What an action leaves for the page to say.
// (Default initialisers everywhere: GCC warns about members a designated initializer omits.)
struct page_state {
  std::optional<std::string> notice{};
  std::optional<std::string> error{};
  std::vector<std::string> recovery_codes{};
  std::optional<std::string> pending{};  // a sealed TOTP secret not in the cookie yet
  bool drop_pending = false;             // the enrolment cookie is being cleared
};

class account_request {
 public:
  account_request(request_context& ctx, adapters::user_record user)
      : ctx_(ctx), store_(*ctx.config().adapter), user_(std::move(user)) {}

  outcome show(page_state state = {}) const {
    pages::account_page page;
    page.action_url = account_url(ctx_);
    page.csrf_token = ctx_.csrf_token;
    page.email = user_.email;
    page.name = user_.name.value_or("");
    page.recent = signed_in_recently(ctx_, user_.id);
    page.reauth_url = sign_in_page_url(ctx_, page.action_url);
    page.theme = ctx_.config().theme;
    page.notice = std::move(state.notice);
    page.error = std::move(state.error);
    page.recovery_codes = std::move(state.recovery_codes);

    if (const provider_flow* passkeys = passkey_flow_of(ctx_.engine)) {
      page.passkeys_enabled = true;
      page.passkey_options_url = ctx_.base_url() + "/webauthn-options/" + passkeys->id();
      page.passkey_callback_url = ctx_.base_url() + "/callback/" + passkeys->id();
      auto stored = store_.list_authenticators(user_.id);
      if (!stored) return adapter_failure(ctx_, stored.error());
      for (const auto& a : *stored) {
        page.passkeys.push_back({a.credential_id, a.created_at ? date_of(*a.created_at) : "",
                                 a.last_used_at ? date_of(*a.last_used_at) : "",
                                 a.credential_device_type == "multiDevice"});
      }
    }
    if (ctx_.config().totp.enabled) {
      page.totp_enabled = true;
      auto enrolment = store_.find_totp(user_.id);
      if (!enrolment) return adapter_failure(ctx_, enrolment.error());
      page.totp_confirmed = *enrolment && (*enrolment)->confirmed;
      if (page.totp_confirmed) {
        auto hashes = store_.recovery_code_hashes(user_.id);
        if (!hashes) return adapter_failure(ctx_, hashes.error());
        page.recovery_codes_left = hashes->size();
      } else if (!state.drop_pending) {
        const auto sealed = state.pending ? state.pending : pending_secret();
        if (sealed) page.enrolment = enrolment_view(*sealed);
      }
    }
    outcome out = page_outcome(pages::render_account(page));
    if (state.pending) {
      out.cookies.push_back(check_cookie(ctx_, ctx_.cookies_policy->totp_enrolment_name,
                                         seal_pending(*state.pending), true, false));
    }
    if (state.drop_pending) {
      out.cookies.push_back(cleared_cookie(ctx_, ctx_.cookies_policy->totp_enrolment_name));
    }
    return out;
  }

  outcome act() {
    if (!ctx_.csrf_verified) {
      return fail(ctx_, {authjs_error::missing_csrf, "account change without a valid CSRF token"});
    }
    if (!signed_in_recently(ctx_, user_.id)) {
      return show({.error = "Sign in again first: changes need a sign-in from the last " +
                            std::to_string(ctx_.config().account.recent_sign_in.count() / 60) +
                            " minutes."});
    }
    const std::string action = ctx_.body_string("action").value_or("");
    if (action == "passkey-remove" && passkey_flow_of(ctx_.engine)) return remove_passkey();
    if (ctx_.config().totp.enabled) {
      if (action == "totp-begin") return begin_totp();
      if (action == "totp-confirm") return confirm_totp();
      if (action == "totp-disable") return disable_totp();
    }
    return show({.error = "That change is not available here."});
  }

 private:
  std::string typed_code() const {
    std::string code = ctx_.body_string("code").value_or("");
    return code.size() <= max_typed_code ? code : std::string();
  }

  // pending_secret is the sealed secret of the enrolment in progress, from its cookie.
  std::optional<std::string> pending_secret() const {
    const http::cookie* c = ctx_.cookie(ctx_.cookies_policy->totp_enrolment_name);
    if (!c) return std::nullopt;
    auto sealed = open_check(ctx_, ctx_.cookies_policy->totp_enrolment, account_seal, c->value);
    if (!sealed) return std::nullopt;
    return std::move(*sealed);
  }

  std::string seal_pending(const std::string& sealed) const {
    // Only a random failure can stop the seal; the page then simply shows no enrolment.
    return seal_check(ctx_, ctx_.cookies_policy->totp_enrolment, account_seal, sealed).value_or("");
  }

  std::optional<pages::totp_enrolment_view> enrolment_view(const std::string& sealed) const {
    auto secret = mfa::open_secret(sealed, user_.id, ctx_.config().secrets);
    if (!secret) return std::nullopt;  // another user's, or a retired secret's: start again
    const auto& totp = ctx_.config().totp;
    pages::totp_enrolment_view view;
    view.uri = mfa::otpauth_uri(totp.issuer, user_.email, *secret, totp.params);
    view.key = mfa::base32(*secret);
    auto code = pages::encode_qr(view.uri);
    if (code) view.qr_svg = pages::to_svg(*code, 4, "QR code for your authenticator app");
    return view;
  }

  outcome remove_passkey() {
    const std::string id = ctx_.body_string("id").value_or("");
    auto found = store_.find_authenticator(id);
    if (!found) return adapter_failure(ctx_, found.error());
    if (*found && (*found)->user_id == user_.id) {
      auto other_way = can_sign_in_without(**found);
      if (auto* answer = std::get_if<outcome>(&other_way)) return std::move(*answer);
      if (!std::get<bool>(other_way)) {
        return show({.error = "This passkey is your only way to sign in. Add another passkey "
                              "first, or ask for a password."});
      }
    }
    // Another user's id is "no such passkey" too.
    auto removed = store_.delete_authenticator(user_.id, id);
    if (!removed) return adapter_failure(ctx_, removed.error());
    if (!*removed || !*found) return show({.error = "That passkey is not on your account."});
    auto unlinked =
        store_.unlink_account(passkey_flow_of(ctx_.engine)->id(), (*found)->provider_account_id);
    if (!unlinked) return adapter_failure(ctx_, unlinked.error());
    return show({.notice = "Passkey removed. It no longer signs in to this account."});
  }

  // can_sign_in_without tells whether the user keeps a way to sign in once `passkey` is gone:
  // another passkey, a password (with a credentials provider on), an OAuth account of a
  // provider still configured, or e-mail links. Removing the last one would lock them out.
  std::variant<outcome, bool> can_sign_in_without(const adapters::authenticator_record& passkey) {
    auto passkeys = store_.list_authenticators(user_.id);
    if (!passkeys) return adapter_failure(ctx_, passkeys.error());
    for (const auto& other : *passkeys) {
      if (other.credential_id != passkey.credential_id) return true;
    }
    const auto has_flow = [this](std::string_view type, std::string_view id = {}) {
      for (const auto& flow : ctx_.engine.flows) {
        if (flow->type() == type && (id.empty() || flow->id() == id)) return true;
      }
      return false;
    };
    if (!user_.email.empty() && has_flow("email")) return true;
    if (has_flow("credentials")) {
      auto hash = store_.password_hash(user_.id);
      if (!hash) return adapter_failure(ctx_, hash.error());
      if (*hash) return true;
    }
    auto accounts = store_.accounts_of(user_.id);
    if (!accounts) return adapter_failure(ctx_, accounts.error());
    for (const auto& a : *accounts) {
      if (a.type != "webauthn" && (has_flow("oauth", a.provider) || has_flow("oidc", a.provider))) {
        return true;
      }
    }
    return false;
  }

  outcome begin_totp() {
    auto enrolment = store_.find_totp(user_.id);
    if (!enrolment) return adapter_failure(ctx_, enrolment.error());
    if (*enrolment && (*enrolment)->confirmed) {
      // A new enrolment would replace the confirmed one: turning it off needs its code.
      return show({.error = "An authenticator app is on already. Turn it off first."});
    }
    auto secret = mfa::new_totp_secret(*ctx_.engine.random);
    if (!secret) return fail(ctx_, {authjs_error::configuration, secret.error().message()});
    auto sealed = mfa::seal_secret(*secret, user_.id, ctx_.config().secrets, *ctx_.engine.random);
    if (!sealed) return fail(ctx_, {authjs_error::configuration, sealed.error().message()});
    return show({.pending = std::move(*sealed)});
  }

  outcome confirm_totp() {
    const auto sealed = pending_secret();
    if (!sealed) {
      return show({.error = "The set-up expired before it was finished. Start again."});
    }
    auto secret = mfa::open_secret(*sealed, user_.id, ctx_.config().secrets);
    if (!secret)
      return show({.error = "The set-up cannot be finished. Start again.", .drop_pending = true});
    const auto& params = ctx_.config().totp.params;
    const auto step =
        mfa::verify_totp(*secret, typed_code(), ctx_.engine.clock->now(), params, std::nullopt);
    if (!step) {
      return show({.error = "That code was not accepted. Check that your device's clock is "
                            "right, and enter the code the app shows now."});
    }
    auto existing = store_.find_totp(user_.id);
    if (!existing) return adapter_failure(ctx_, existing.error());
    if (*existing && (*existing)->confirmed) {
      return show({.error = "An authenticator app is on already.", .drop_pending = true});
    }
    auto codes = mfa::new_recovery_codes(*ctx_.engine.random);
    if (!codes) return fail(ctx_, {authjs_error::configuration, codes.error().message()});
    // Stored confirmed at once, with the step of the first code used: it cannot be replayed.
    if (auto begun = store_.begin_totp(user_.id, *sealed); !begun) {
      return adapter_failure(ctx_, begun.error());
    }
    if (auto confirmed = store_.use_totp_step(user_.id, *step, true); !confirmed || !*confirmed) {
      (void)store_.delete_totp(user_.id);
      if (!confirmed) return adapter_failure(ctx_, confirmed.error());
      return show(
          {.error = "That code was used already. Enter the next one.", .drop_pending = true});
    }
    if (auto stored = store_.set_recovery_codes(user_.id, codes->hashes); !stored) {
      (void)store_.delete_totp(user_.id);  // no factor without its way back in
      return adapter_failure(ctx_, stored.error());
    }
    ctx_.engine.log(log_level::info, "TotpEnrolled", "user " + user_.id + " turned TOTP on");
    return show({.notice = "Authenticator app on. Signing in with your password now asks for a "
                           "code from it.",
                 .recovery_codes = std::move(codes->codes),
                 .drop_pending = true});
  }

  outcome disable_totp() {
    auto enrolment = store_.find_totp(user_.id);
    if (!enrolment) return adapter_failure(ctx_, enrolment.error());
    if (!*enrolment) return show({.error = "No authenticator app is set up."});
    if ((*enrolment)->confirmed) {
      // The code proves the app (or a recovery code) is at hand, not only the session.
      auto accepted = second_factor_code_accepted(ctx_, user_.id, **enrolment, typed_code());
      if (auto* answer = std::get_if<outcome>(&accepted)) return std::move(*answer);
      if (!std::get<bool>(accepted)) {
        return show({.error = "That code was not accepted. Enter the code the app shows now, "
                              "or one of your recovery codes."});
      }
    }
    auto removed = store_.delete_totp(user_.id);
    if (!removed) return adapter_failure(ctx_, removed.error());
    ctx_.engine.log(log_level::info, "TotpDisabled", "user " + user_.id + " turned TOTP off");
    return show({.notice = "Authenticator app off. Signing in needs your password alone."});
  }

  request_context& ctx_;
  adapters::adapter& store_;
  adapters::user_record user_;
};

}  // namespace

result<http::set_cookie> recent_sign_in_cookie(const request_context& ctx,
                                               const std::string& user_id) {
  const auto lifetime = ctx.config().account.recent_sign_in;
  jose::session_token_options options;
  options.max_age = lifetime;
  json payload = json::object();
  payload["value"] = user_id;
  payload["provider"] = account_seal;
  auto sealed = ctx.cookies_policy->recent_sign_in.encode(std::move(payload), *ctx.engine.clock,
                                                          *ctx.engine.random, options);
  if (!sealed) return sealed.error();
  http::set_cookie c = ctx.cookies_policy->attributes;
  c.name = ctx.cookies_policy->recent_sign_in_name;
  c.value = std::move(*sealed);
  c.max_age = lifetime.count();
  return c;
}

bool signed_in_recently(const request_context& ctx, const std::string& user_id) {
  const http::cookie* c = ctx.cookie(ctx.cookies_policy->recent_sign_in_name);
  if (!c) return false;
  auto proof = open_check(ctx, ctx.cookies_policy->recent_sign_in, account_seal, c->value);
  return proof && *proof == user_id;
}

// (prepare_request has answered a page that is off, and methods other than GET and POST.)
outcome account_action(request_context& ctx) {
  auto current = current_user(ctx, *ctx.config().adapter);
  if (!current) return sign_in_first(ctx);
  if (current->user.disabled)
    return fail(ctx, {authjs_error::access_denied, "the user is disabled"});
  account_request request(ctx, std::move(current->user));
  return ctx.request.method == "GET" ? request.show() : request.act();
}

}  // namespace authpp::detail
