// Who a sign-in by a linked identity (OAuth, a passkey) signs in, when an adapter stores users
// (Auth.js's handleLoginOrRegister, server-flows.md §9.2): the user the identity is linked to;
// else the signed-in user, who gets it linked; else a new user. An existing user with the same
// e-mail is never taken over unless the provider is trusted to verify addresses
// (allow_dangerous_email_account_linking).
#include "engine.hpp"

namespace authpp::detail {

std::optional<signed_in> current_user(const request_context& ctx, adapters::adapter& store) {
  if (uses_database(ctx)) {
    auto token = database_session_token(ctx);
    if (!token) return std::nullopt;
    auto found = store.session_and_user(*token);
    if (!found || !*found || (*found)->first.expires < ctx.engine.clock->now()) return std::nullopt;
    return signed_in{(*found)->second, std::move(*token)};
  }
  auto claims = read_session_claims(ctx);
  if (!claims || !*claims) return std::nullopt;
  const auto sub = (*claims)->find("sub");
  if (sub == (*claims)->end() || !sub->is_string()) return std::nullopt;
  auto found = store.find_by_id(sub->get<std::string>());
  if (!found || !*found) return std::nullopt;
  return signed_in{std::move(**found), std::nullopt};
}

namespace {

std::optional<std::string> token_text(const json& tokens, const char* name) {
  const auto it = tokens.find(name);
  if (it == tokens.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

adapters::account_record account_row(const account& acct, const std::string& user_id) {
  adapters::account_record row;
  row.user_id = user_id;
  row.type = acct.type;
  row.provider = acct.provider;
  row.provider_account_id = acct.provider_account_id;
  row.access_token = token_text(acct.tokens, "access_token");
  row.token_type = token_text(acct.tokens, "token_type");
  row.id_token = token_text(acct.tokens, "id_token");
  row.refresh_token = token_text(acct.tokens, "refresh_token");
  row.scope = token_text(acct.tokens, "scope");
  row.session_state = token_text(acct.tokens, "session_state");
  if (const auto it = acct.tokens.find("expires_at");
      it != acct.tokens.end() && it->is_number_integer()) {
    row.expires_at = it->get<long long>();
  }
  return row;
}

// registration is who signs in, or why nobody does.
struct registration {
  std::optional<user> who;
  bool created = false;                   // who is a new user
  bool linked = false;                    // the account was linked now
  std::optional<std::string> kept_token;  // the database session the request already has
  std::optional<engine_error> refused;
  std::optional<auth_error> store_error;  // the adapter failed
};

registration refuse(authjs_error type, std::string detail) {
  registration r;
  r.refused = engine_error{type, std::move(detail)};
  return r;
}
registration store_failed(const auth_error& e) {
  registration r;
  r.store_error = e;
  return r;
}
registration signs_in(const adapters::user_record& u, std::optional<std::string> kept = {}) {
  registration r;
  if (u.disabled) return refuse(authjs_error::access_denied, "the user is disabled");
  r.who = stored_user(u);
  r.kept_token = std::move(kept);
  return r;
}

// attempt is one pass of the decision table; `race` is set when a concurrent sign-in changed
// the store under it (a link or a user created meanwhile), so that the caller looks again.
registration attempt(const request_context& ctx, adapters::adapter& store,
                     const linking_rules& rules, const user& profile_user, const account& acct,
                     bool& race) {
  const auto current = current_user(ctx, store);
  auto linked = store.user_by_account(acct.provider, acct.provider_account_id);
  if (!linked) return store_failed(linked.error());
  if (*linked) {
    if (current && current->user.id != (*linked)->id) {
      return refuse(rules.not_linked,
                    "this provider account is linked to another user than the signed-in one");
    }
    // Signed in as that user already: the session stays.
    return signs_in(**linked, current ? current->session_token : std::nullopt);
  }
  if (current) {
    auto made = store.link_account(account_row(acct, current->user.id));
    if (!made && made.error().code == errc::already_exists) race = true;
    if (!made) return store_failed(made.error());
    registration r = signs_in(current->user, current->session_token);
    r.linked = true;
    return r;
  }
  if (!profile_user.email || profile_user.email->empty()) {
    return refuse(authjs_error::configuration,
                  "the provider gave no e-mail address, which the user store requires");
  }
  auto existing = store.find_by_email(*profile_user.email);
  if (!existing) return store_failed(existing.error());
  if (*existing) {
    // Taking over an account because a provider says the e-mail matches is only as safe as the
    // provider's e-mail verification: refused unless the provider is trusted with it.
    if (!rules.link_by_email) {
      return refuse(rules.not_linked,
                    "a user with this e-mail exists and the provider account is not linked "
                    "to them");
    }
    auto made = store.link_account(account_row(acct, (*existing)->id));
    if (!made && made.error().code == errc::already_exists) race = true;
    if (!made) return store_failed(made.error());
    registration r = signs_in(**existing);
    r.linked = true;
    return r;
  }
  if (!rules.sign_up) {
    return refuse(authjs_error::access_denied, "sign-up is off for this provider");
  }
  adapters::new_user fresh;
  fresh.email = *profile_user.email;
  fresh.name = profile_user.name;
  fresh.image = profile_user.image;
  // One step: a sign-up that fails halfway must not leave a user without the link that signs
  // them in (their next attempt would meet OAuthAccountNotLinked).
  auto created = store.add_user_with_account(fresh, account_row(acct, ""));
  if (!created && created.error().code == errc::already_exists) race = true;
  if (!created) return store_failed(created.error());
  registration r = signs_in(created->first);
  r.created = r.linked = true;
  return r;
}

// fire_registration_after queues createUser and linkAccount, with copies (the action may run
// on a worker thread, gone by the time the events fire on the answering one).
void fire_registration_after(request_context& ctx, const registration& r, const account& acct,
                             const json* profile) {
  const auto& events = ctx.config().events;
  if (r.created && events.create_user) {
    fire_after(ctx, [&ctx, u = *r.who] {
      fire(ctx, ctx.config().events.create_user, create_user_event{u});
    });
  }
  if (r.linked && events.link_account) {
    fire_after(ctx, [&ctx, u = *r.who, acct,
                     profile = profile ? std::optional<json>(*profile) : std::nullopt] {
      fire(ctx, ctx.config().events.link_account,
           link_account_event{u, acct, profile ? &*profile : nullptr});
    });
  }
}

}  // namespace

user stored_user(const adapters::user_record& r) {
  user u;
  u.id = r.id;
  u.name = r.name;
  u.email = r.email;
  u.image = r.image;
  u.session_version = r.session_version;
  return u;
}

outcome register_and_sign_in(request_context& ctx, const user& profile_user, const account& acct,
                             const json* profile, const linking_rules& rules) {
  if (auto verdict = sign_in_verdict(ctx, profile_user, acct, nullptr, profile)) {
    return std::move(*verdict);
  }
  adapters::adapter& store = *ctx.config().adapter;
  bool race = false;
  registration r = attempt(ctx, store, rules, profile_user, acct, race);
  if (race) {
    // Another sign-in with this identity or address won a race: decide again on what it wrote.
    race = false;
    r = attempt(ctx, store, rules, profile_user, acct, race);
  }
  if (r.store_error) return adapter_failure(ctx, *r.store_error);
  if (r.refused) return fail(ctx, *r.refused);
  if (r.linked && rules.linked) {
    if (auto kept = rules.linked(*r.who->id); !kept) return adapter_failure(ctx, kept.error());
  }
  fire_registration_after(ctx, r, acct, profile);
  return issue_session(ctx, *r.who, acct, profile, r.kept_token ? &*r.kept_token : nullptr);
}

outcome register_and_sign_in(request_context& ctx, const oauth_provider& provider,
                             const user& profile_user, const account& acct, const json* profile) {
  linking_rules rules;
  rules.link_by_email = provider.allow_dangerous_email_account_linking;
  return register_and_sign_in(ctx, profile_user, acct, profile, rules);
}

}  // namespace authpp::detail
