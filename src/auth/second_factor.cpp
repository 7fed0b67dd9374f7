// The second factor of a credentials sign-in: once `authorize` accepted the password, a user with
// a confirmed TOTP must also give a code (or a recovery code) in the same form post.
#include <authpp/mfa/recovery_codes.hpp>
#include <authpp/mfa/sealed_secret.hpp>
#include <authpp/mfa/totp.hpp>

#include "engine.hpp"

namespace authpp::detail {
namespace {

constexpr std::string_view totp_field = "totp";
constexpr std::size_t max_typed = 64;  // a code or a recovery code, with spaces: never more

// typed_code is the form's `totp` field: empty when absent, not a string, or absurdly long.
std::string typed_code(const request_context& ctx) {
  std::string text = ctx.body_string(totp_field).value_or("");
  return text.size() <= max_typed ? text : std::string();
}

outcome totp_required(request_context& ctx, std::string_view why) {
  return fail(ctx, {authjs_error::credentials_signin, std::string(why), "totp_required"});
}

// recovery_code_used tells whether `typed` is one of the user's unused recovery codes, and uses
// it up; an outcome when the store fails.
std::variant<bool, outcome> recovery_code_used(request_context& ctx, const std::string& user_id,
                                               const std::string& typed) {
  adapters::adapter& store = *ctx.config().adapter;
  auto hashes = store.recovery_code_hashes(user_id);
  if (!hashes) return adapter_failure(ctx, hashes.error());
  const auto found = mfa::find_recovery_code(typed, *hashes);
  if (!found) return false;
  // Removing it is the check that counts: of two requests with one code, one removes it.
  auto used = store.use_recovery_code(user_id, (*hashes)[*found]);
  if (!used) return adapter_failure(ctx, used.error());
  if (*used) {
    ctx.engine.log(log_level::warn, "recovery_code_used",
                   "user " + user_id + " signed in with a recovery code; " +
                       std::to_string(hashes->size() - 1) + " left");
  }
  return *used;
}

}  // namespace

std::optional<outcome> second_factor_check(request_context& ctx,
                                           const credentials_provider& provider, const user& u) {
  if (!second_factor_enabled(ctx.engine) || !u.id) return std::nullopt;
  adapters::adapter& store = *ctx.config().adapter;
  auto enrolment = store.find_totp(*u.id);
  if (!enrolment) return adapter_failure(ctx, enrolment.error());
  // Not enrolled, or enrolment never confirmed by a first code: the password is enough.
  if (!*enrolment || !(*enrolment)->confirmed) return std::nullopt;

  const std::string typed = typed_code(ctx);
  // Asking for the code is no failed attempt: the password was right and nothing was guessed.
  if (typed.empty()) return totp_required(ctx, "a TOTP code is needed to sign in");

  auto accepted = second_factor_code_accepted(ctx, *u.id, **enrolment, typed);
  if (auto* answer = std::get_if<outcome>(&accepted)) return std::move(*answer);
  if (std::get<bool>(accepted)) return std::nullopt;
  record_sign_in(ctx, provider, false);
  return totp_required(ctx, "the TOTP code was not accepted");
}

std::variant<bool, outcome> second_factor_code_accepted(request_context& ctx,
                                                        const std::string& user_id,
                                                        const adapters::totp_record& enrolment,
                                                        const std::string& typed) {
  if (typed.empty() || typed.size() > max_typed) return false;
  auto secret = mfa::open_secret(enrolment.sealed_secret, user_id, ctx.config().secrets);
  if (!secret) {
    // Sealed under an AUTH_SECRET no longer configured: the operator's problem, not a wrong code.
    return fail(ctx, {authjs_error::callback_route_error,
                      "totp: the enrolment of user " + user_id +
                          " cannot be read: " + secret.error().message()});
  }
  adapters::adapter& store = *ctx.config().adapter;
  const auto& options = ctx.config().totp;
  if (auto step = mfa::verify_totp(*secret, typed, ctx.engine.clock->now(), options.params,
                                   enrolment.last_used_step)) {
    auto used = store.use_totp_step(user_id, *step, false);
    if (!used) return adapter_failure(ctx, used.error());
    // false: another request used this step a moment ago (the same code, replayed).
    return *used;
  }
  return recovery_code_used(ctx, user_id, typed);
}

}  // namespace authpp::detail
