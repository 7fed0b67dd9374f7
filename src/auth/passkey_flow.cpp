// The passkey provider's flow: WebAuthn on the wire of Auth.js's experimental WebAuthn provider
// (server-flows.md §15). GET /webauthn-options/{id} decides between registration and
// authentication, seals a fresh challenge into the authjs.challenge cookie and answers the
// options for navigator.credentials; the ceremony's result comes back as a POST to
// /callback/{id} (action=register|authenticate, data = the credential as JSON), is verified by
// authpp::webauthn and signs the user in, creating them and storing the passkey on registration.
#include <authpp/core/base64url.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/http/url.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/webauthn/ceremony.hpp>

#include <algorithm>

#include "engine.hpp"
#include "provider_flow.hpp"

namespace authpp::detail {
namespace {

using std::chrono::seconds;

// The identifier under which used challenges are kept in the verification-token store, so that
// a challenge signs in once even when its cookie is replayed within its 15 minutes.
constexpr std::string_view used_challenge_identifier = "authpp:webauthn-challenge";

// Credential ids and public keys are stored in standard padded base64, as Auth.js stores them;
// browsers and the options speak base64url.
std::string standard_base64(byte_view raw) { return base64::encode(raw); }

result<bytes> from_standard_base64(std::string_view text) {
  std::string url(text);
  while (!url.empty() && url.back() == '=') url.pop_back();
  for (char& c : url) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return base64url::decode(url);
}

// options_error is the JSON 400 Auth.js answers to options it cannot give.
outcome options_error(std::string_view message) {
  json body = json::object();
  body["error"] = message;
  return json_outcome(body, 400);
}

// user_info is Auth.js's getUserInfo answer: who the ceremony is for, and whether they exist.
struct user_info {
  std::optional<adapters::user_record> existing;  // a stored user
  std::optional<std::string> email;               // a new user's address
  bool signed_in = false;
};

// ceremony_response is the browser's credential (SimpleWebAuthn's RegistrationResponseJSON or
// AuthenticationResponseJSON), decoded.
struct ceremony_response {
  bytes id;
  bytes client_data_json;
  bytes attestation_object;  // registration
  bytes authenticator_data;  // authentication
  bytes signature;           // authentication
  std::string transports;    // registration: comma-separated, as Auth.js stores them
};

std::optional<bytes> member_bytes(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  auto decoded = base64url::decode(it->get_ref<const std::string&>());
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

// parse_ceremony_response reads the `data` field; nullopt names nothing: the caller says which
// action's response was malformed.
std::optional<ceremony_response> parse_ceremony_response(const std::string& data, bool register_) {
  // The body is bounded by limits.max_body_bytes already; the credential nests three deep.
  auto parsed = parse_json(data, 8);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const json& credential = *parsed;
  const auto type = credential.find("type");
  if (type == credential.end() || *type != "public-key") return std::nullopt;
  const auto id_text = credential.find("id");
  const auto raw_id_text = credential.find("rawId");
  if (id_text == credential.end() || !id_text->is_string()) return std::nullopt;
  // SimpleWebAuthn's check: the id is the rawId's base64url (not some other encoding of it).
  if (raw_id_text != credential.end() && *raw_id_text != *id_text) return std::nullopt;
  const auto response = credential.find("response");
  if (response == credential.end() || !response->is_object()) return std::nullopt;

  ceremony_response out;
  auto id = member_bytes(credential, "id");
  auto client_data = member_bytes(*response, "clientDataJSON");
  if (!id || id->empty() || !client_data) return std::nullopt;
  out.id = std::move(*id);
  out.client_data_json = std::move(*client_data);
  if (register_) {
    auto attestation = member_bytes(*response, "attestationObject");
    if (!attestation) return std::nullopt;
    out.attestation_object = std::move(*attestation);
    if (const auto t = response->find("transports"); t != response->end() && t->is_array()) {
      for (const auto& transport : *t) {
        // Transports are hints the store keeps; any odd value is dropped, not refused.
        if (!transport.is_string()) continue;
        const auto& name = transport.get_ref<const std::string&>();
        if (name.empty() || name.size() > 32 ||
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
          continue;
        }
        if (!out.transports.empty()) out.transports += ',';
        out.transports += name;
      }
    }
  } else {
    auto authenticator_data = member_bytes(*response, "authenticatorData");
    auto signature = member_bytes(*response, "signature");
    if (!authenticator_data || !signature) return std::nullopt;
    out.authenticator_data = std::move(*authenticator_data);
    out.signature = std::move(*signature);
  }
  return out;
}

class passkey_flow_impl final : public provider_flow {
 public:
  passkey_flow_impl(const engine_state& engine, const passkey_provider& p)
      : engine_(engine), p_(p) {}

  const std::string& id() const override { return p_.id; }
  const std::string& name() const override { return p_.name; }
  std::string_view type() const override { return "webauthn"; }
  std::optional<std::string> problem() const override {
    if (!engine_.config.adapter) {
      return "adapter: a passkey provider needs an adapter for its users and passkeys";
    }
    if (!p_.rp_id.empty() && http::host_pattern_problem(p_.rp_id)) {
      return "rp_id: must be a host name, like example.com";
    }
    for (const std::string& origin : p_.origins) {
      auto url = http::parse_absolute_url(origin);
      if (!url || url->origin() != origin) {
        return "origins: \"" + origin + "\" is not an origin, like https://example.com";
      }
    }
    if (p_.timeout <= std::chrono::milliseconds(0)) return "timeout: must be positive";
    return std::nullopt;
  }

  void describe(const request_context&, pages::provider_entry&) const override {}

  waiting waits(action a, std::string_view method) const override {
    // Both read (and the callback writes) the store.
    if (a == action::webauthn_options && method == "GET") return waiting::preferred;
    if (a == action::callback && method == "POST") return waiting::preferred;
    return waiting::none;
  }

  outcome webauthn_options(request_context& ctx) const override { return options(ctx); }

  outcome callback(request_context& ctx) const override {
    if (ctx.request.method != "POST") {
      return fail(ctx, {authjs_error::invalid_provider, "passkey callbacks are POSTs"});
    }
    return finish_ceremony(ctx);
  }

  boost::asio::awaitable<outcome> act_async(request_context& ctx,
                                            net::http_client&) const override {
    std::function<outcome()> act = [this, &ctx] {
      return ctx.route.action == action::webauthn_options ? options(ctx) : finish_ceremony(ctx);
    };
    co_return co_await run_blocking_action(ctx, std::move(act));
  }

 private:
  // The relying party: configured, or the request's origin (Auth.js's getRelayingParty).
  std::string rp_id(const request_context& ctx) const {
    if (!p_.rp_id.empty()) return p_.rp_id;
    auto url = http::parse_absolute_url(ctx.origin);
    return url ? url->host : std::string();
  }
  std::string rp_name(const request_context& ctx) const {
    if (!p_.rp_name.empty()) return p_.rp_name;
    const auto scheme_end = ctx.origin.find("://");
    return scheme_end == std::string::npos ? ctx.origin : ctx.origin.substr(scheme_end + 3);
  }
  std::vector<std::string> origins(const request_context& ctx) const {
    if (!p_.origins.empty()) return p_.origins;
    return {ctx.origin};
  }

  // who_for is Auth.js's getUserInfo: the signed-in user, else the `email` query parameter's.
  result<user_info> who_for(const request_context& ctx, adapters::adapter& store) const {
    user_info info;
    if (auto current = current_user(ctx, store)) {
      info.existing = std::move(current->user);
      info.signed_in = true;
      return info;
    }
    const auto submitted = ctx.query.get("email");
    if (!submitted || submitted->empty()) return info;
    auto email = normalize_email_identifier(*submitted);
    if (!email) return info;  // not an address: as if none was given
    auto found = store.find_by_email(*email);
    if (!found) return found.error();
    if (*found) {
      info.existing = std::move(**found);
    } else {
      info.email = std::move(*email);
    }
    return info;
  }

  // options is GET /webauthn-options/{id}: Auth.js's inference of the ceremony, then its
  // options and the sealed challenge.
  outcome options(request_context& ctx) const {
    const auto requested = ctx.query.get("action");
    if (requested && *requested != "register" && *requested != "authenticate") {
      return options_error("Invalid action");
    }
    adapters::adapter& store = *ctx.config().adapter;
    auto info = who_for(ctx, store);
    if (!info) return adapter_failure(ctx, info.error());
    const bool has_user = info->existing || info->email;
    const bool exists = info->existing.has_value();

    // Auth.js's inferWebAuthnOptions: explicit authentication always; registration for a
    // signed-in user, or for a new address when nobody is; without an action, a signed-in
    // user must choose, an unknown address registers and anything else authenticates.
    bool register_ = false;
    if (requested == std::optional<std::string>("authenticate")) {
      register_ = false;
    } else if (requested == std::optional<std::string>("register")) {
      if (!has_user || info->signed_in != exists) return options_error("Invalid request");
      register_ = true;
    } else {
      if (info->signed_in) return options_error("Invalid request");
      register_ = has_user && !exists;
    }
    if (register_ && info->signed_in && ctx.config().account.enabled &&
        !signed_in_recently(ctx, info->existing->id)) {
      // With the account page on, a passkey is added only after a fresh sign-in (as its other
      // changes are): a stolen session cookie must not plant a way back in.
      return options_error("Recent sign-in required");
    }
    if (register_ && !info->signed_in && !p_.allow_sign_up) {
      ctx.engine.log(log_level::info, "WebAuthnOptions", "passkey sign-up is off");
      return options_error("Invalid request");
    }

    auto raw = random_bytes(*ctx.engine.random, 32);
    if (!raw) return fail(ctx, {authjs_error::configuration, raw.error().message()});
    const std::string challenge = base64url::encode(*raw);

    json register_data = nullptr;
    json body = json::object();
    if (register_) {
      json user = json::object();
      if (info->existing) {
        user["id"] = info->existing->id;
        if (!info->existing->email.empty()) user["email"] = info->existing->email;
        if (info->existing->name) user["name"] = *info->existing->name;
      } else {
        user["email"] = *info->email;
      }
      if (!user.contains("email")) return options_error("Invalid request");
      register_data = user;
      auto options = registration_options(ctx, store, challenge, user, info->signed_in);
      if (!options) return adapter_failure(ctx, options.error());
      body["action"] = "register";
      body["options"] = std::move(*options);
    } else {
      body["action"] = "authenticate";
      body["options"] = authentication_options(ctx, challenge);
    }

    auto cookie = challenge_cookie(ctx, challenge, register_data);
    if (!cookie) return fail(ctx, {authjs_error::configuration, cookie.error().message()});
    outcome out = json_outcome(body);
    out.cookies.push_back(std::move(*cookie));
    return out;
  }

  // registration_options are SimpleWebAuthn's PublicKeyCredentialCreationOptionsJSON as Auth.js's
  // Passkey provider asks for them: a discoverable credential, user verification as configured.
  result<json> registration_options(const request_context& ctx, adapters::adapter& store,
                                    const std::string& challenge, const json& user,
                                    bool signed_in) const {
    json exclude = json::array();
    if (signed_in) {
      // The authenticator refuses to make a second passkey for an account it already holds.
      auto existing = store.list_authenticators(user["id"].get<std::string>());
      if (!existing) return existing.error();
      for (const auto& a : *existing) {
        auto id = from_standard_base64(a.credential_id);
        if (!id) continue;
        json entry = {{"id", base64url::encode(*id)}, {"type", "public-key"}};
        if (a.transports && !a.transports->empty()) {
          json transports = json::array();
          std::string_view rest = *a.transports;
          while (!rest.empty()) {
            const auto comma = rest.find(',');
            transports.push_back(std::string(rest.substr(0, comma)));
            rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
          }
          entry["transports"] = std::move(transports);
        }
        exclude.push_back(std::move(entry));
      }
    }
    // The WebAuthn user handle is random, as in Auth.js: passkeys are found by credential id,
    // and the handle then tells nothing about the account (base64url, so that both the v9 and
    // later SimpleWebAuthn browser scripts read it).
    auto handle = random_bytes(*ctx.engine.random, 32);
    if (!handle) return handle.error();
    const std::string email = user["email"].get<std::string>();
    const std::string display = user.contains("name") ? user["name"].get<std::string>() : email;
    const char* verification = p_.user_verification ? "required" : "preferred";
    json options = json::object();
    options["challenge"] = challenge;
    options["rp"] = {{"name", rp_name(ctx)}, {"id", rp_id(ctx)}};
    options["user"] = {
        {"id", base64url::encode(*handle)}, {"name", email}, {"displayName", display}};
    // EdDSA, ES256, RS256: SimpleWebAuthn's default order, and what authpp::webauthn verifies.
    options["pubKeyCredParams"] = json::array({{{"alg", -8}, {"type", "public-key"}},
                                               {{"alg", -7}, {"type", "public-key"}},
                                               {{"alg", -257}, {"type", "public-key"}}});
    options["timeout"] = p_.timeout.count();
    options["attestation"] = "none";
    options["excludeCredentials"] = std::move(exclude);
    options["authenticatorSelection"] = {{"residentKey", "required"},
                                         {"userVerification", verification},
                                         {"requireResidentKey", true}};
    options["extensions"] = {{"credProps", true}};
    return options;
  }

  // authentication_options are PublicKeyCredentialRequestOptionsJSON. No allowCredentials, even
  // for a known address (Auth.js lists that user's credential ids to anyone who names them):
  // passkeys are discoverable, and the browser offers the ones it holds.
  json authentication_options(const request_context& ctx, const std::string& challenge) const {
    json options = json::object();
    options["rpId"] = rp_id(ctx);
    options["challenge"] = challenge;
    options["timeout"] = p_.timeout.count();
    options["userVerification"] = p_.user_verification ? "required" : "preferred";
    return options;
  }

  // challenge_cookie seals {challenge, registerData} as Auth.js nests it: a JWE salted
  // "encodedWebauthnChallenge", itself sealed into the cookie like the OAuth checks.
  result<http::set_cookie> challenge_cookie(const request_context& ctx,
                                            const std::string& challenge,
                                            const json& register_data) const {
    json payload = json::object();
    payload["challenge"] = challenge;
    if (!register_data.is_null()) payload["registerData"] = register_data;
    jose::session_token_options options;
    options.max_age = check_cookie_max_age;
    auto inner = ctx.engine.encoded_webauthn_challenge.encode(std::move(payload), *ctx.engine.clock,
                                                              *ctx.engine.random, options);
    if (!inner) return inner.error();
    auto sealed = seal_check(ctx, ctx.cookies_policy->webauthn_challenge, p_.id, std::move(*inner));
    if (!sealed) return sealed.error();
    return check_cookie(ctx, ctx.cookies_policy->names.webauthn_challenge, std::move(*sealed), true,
                        false);
  }

  // read_challenge opens the request's challenge cookie: {challenge, registerData?}.
  result<json> read_challenge(const request_context& ctx) const {
    const http::cookie* c = ctx.cookie(ctx.cookies_policy->names.webauthn_challenge);
    if (!c) return auth_error{errc::invalid_claims, "no challenge cookie (expired or never set)"};
    auto inner = open_check(ctx, ctx.cookies_policy->webauthn_challenge, p_.id, c->value);
    if (!inner) return inner.error();
    auto payload = ctx.engine.encoded_webauthn_challenge.decode(*inner, *ctx.engine.clock);
    if (!payload) return payload.error();
    const auto challenge = payload->find("challenge");
    if (challenge == payload->end() || !challenge->is_string()) {
      return auth_error{errc::invalid_claims, "challenge cookie without a challenge"};
    }
    return std::move(*payload);
  }

  // use_challenge records the challenge as used, once: a replayed cookie (and the ceremony
  // response recorded with it) is refused within its lifetime, on every instance of a fleet.
  std::optional<outcome> use_challenge(const request_context& ctx, adapters::adapter& store,
                                       const std::string& challenge) const {
    const std::string hashed =
        hex::encode(byte_view(jose::sha256(challenge + ctx.engine.csrf_secret)));
    const auto expires = ctx.engine.clock->now() + check_cookie_max_age;
    auto stored =
        store.create_verification_token({std::string(used_challenge_identifier), hashed, expires});
    if (stored) return std::nullopt;
    if (stored.error().code == errc::already_exists) {
      return refused(ctx, "the challenge was used already (a replayed ceremony)");
    }
    return adapter_failure(ctx, stored.error());
  }

  outcome refused(const request_context& ctx, std::string detail) const {
    return fail(ctx, {authjs_error::webauthn_verification, std::move(detail)});
  }

  outcome ceremony_refused(const request_context& ctx, const auth_error& e) const {
    const auto failure = webauthn::ceremony_failure_of(e);
    if (!failure) {
      return fail(ctx, {authjs_error::configuration, "WebAuthn verification: " + e.message()});
    }
    return refused(ctx, e.message());
  }

  webauthn::ceremony_expectations expectations(byte_view challenge,
                                               const std::vector<std::string>& origins,
                                               const std::string& rp) const {
    webauthn::ceremony_expectations expected;
    expected.challenge = challenge;
    expected.origins = origins;
    expected.rp_id = rp;
    expected.require_user_verification = p_.user_verification;
    return expected;
  }

  // finish_ceremony is POST /callback/{id}.
  outcome finish_ceremony(request_context& ctx) const {
    // Beyond Auth.js, which skips it here: next-auth/webauthn posts the token, and the page's
    // form does too.
    if (!ctx.csrf_verified) {
      return fail(ctx, {authjs_error::missing_csrf, "passkey callback without a valid CSRF token"});
    }
    const auto action = ctx.body_string("action");
    if (action != std::optional<std::string>("register") &&
        action != std::optional<std::string>("authenticate")) {
      return fail(ctx, {authjs_error::configuration, "Invalid action parameter"});
    }
    const bool register_ = *action == "register";
    const auto data = ctx.body_string("data");
    auto response = data ? parse_ceremony_response(*data, register_) : std::nullopt;
    if (!response) {
      return refused(ctx, register_ ? "malformed WebAuthn registration response"
                                    : "malformed WebAuthn authentication response");
    }
    auto challenge_payload = read_challenge(ctx);
    if (!challenge_payload) return refused(ctx, challenge_payload.error().message());
    const std::string challenge = (*challenge_payload)["challenge"].get<std::string>();
    auto challenge_bytes = base64url::decode(challenge);
    if (!challenge_bytes) return refused(ctx, "malformed challenge in the challenge cookie");

    outcome out = register_ ? finish_registration(ctx, *response, *challenge_bytes, challenge,
                                                  *challenge_payload)
                            : finish_authentication(ctx, *response, *challenge_bytes, challenge);
    if (!out.failed) {
      out.cookies.push_back(cleared_cookie(ctx, ctx.cookies_policy->names.webauthn_challenge));
    }
    return out;
  }

  outcome finish_authentication(request_context& ctx, const ceremony_response& response,
                                const bytes& challenge_bytes, const std::string& challenge) const {
    adapters::adapter& store = *ctx.config().adapter;
    const std::string credential_id = standard_base64(response.id);
    auto found = store.find_authenticator(credential_id);
    if (!found) return adapter_failure(ctx, found.error());
    if (!*found) return refused(ctx, "unknown passkey (no stored credential with this id)");
    const adapters::authenticator_record& passkey = **found;
    auto public_key = from_standard_base64(passkey.credential_public_key);
    if (!public_key) {
      return fail(ctx, {authjs_error::configuration, "stored passkey public key is not base64"});
    }

    const auto accepted = origins(ctx);
    const std::string rp = rp_id(ctx);
    auto verified = webauthn::verify_authentication(
        response.client_data_json, response.authenticator_data, response.signature,
        {*public_key, passkey.counter}, expectations(challenge_bytes, accepted, rp));
    if (!verified) return ceremony_refused(ctx, verified.error());
    if (auto used = use_challenge(ctx, store, challenge)) return std::move(*used);

    auto recorded =
        store.use_authenticator(credential_id, passkey.counter, verified->new_sign_count,
                                verified->backed_up, ctx.engine.clock->now());
    if (!recorded) return adapter_failure(ctx, recorded.error());
    if (!*recorded) {
      return refused(ctx,
                     "the passkey's counter changed during this sign-in (a cloned authenticator "
                     "used at the same time?)");
    }

    auto owner = store.find_by_id(passkey.user_id);
    if (!owner) return adapter_failure(ctx, owner.error());
    if (!*owner) return refused(ctx, "the passkey's user no longer exists");
    if ((*owner)->disabled) return fail(ctx, {authjs_error::access_denied, "the user is disabled"});
    const account acct{p_.id, "webauthn", passkey.provider_account_id};
    const user u = stored_user(**owner);

    // As Auth.js: signed in as someone else, a passkey of another account is refused.
    const auto current = current_user(ctx, store);
    if (current && current->user.id != (*owner)->id) {
      return fail(ctx, {authjs_error::account_not_linked,
                        "the passkey belongs to another user than the signed-in one"});
    }
    if (auto verdict = sign_in_verdict(ctx, u, acct, nullptr, nullptr)) return std::move(*verdict);
    const std::string* kept =
        current && current->session_token ? &*current->session_token : nullptr;
    return issue_session(ctx, u, acct, nullptr, kept);
  }

  outcome finish_registration(request_context& ctx, const ceremony_response& response,
                              const bytes& challenge_bytes, const std::string& challenge,
                              const json& challenge_payload) const {
    const auto register_data = challenge_payload.find("registerData");
    if (register_data == challenge_payload.end() || !register_data->is_object() ||
        !register_data->contains("email") || !(*register_data)["email"].is_string()) {
      return refused(ctx, "the challenge was issued for authentication, not registration");
    }
    const auto accepted = origins(ctx);
    const std::string rp = rp_id(ctx);
    auto verified =
        webauthn::verify_registration(response.client_data_json, response.attestation_object,
                                      expectations(challenge_bytes, accepted, rp));
    if (!verified) return ceremony_refused(ctx, verified.error());
    adapters::adapter& store = *ctx.config().adapter;
    if (ctx.config().account.enabled) {
      const auto current = current_user(ctx, store);
      if (current && !signed_in_recently(ctx, current->user.id)) {
        return refused(ctx, "adding a passkey needs a recent sign-in");
      }
    }
    if (auto used = use_challenge(ctx, store, challenge)) return std::move(*used);

    user profile;
    profile.email = (*register_data)["email"].get<std::string>();
    if (const auto name = register_data->find("name");
        name != register_data->end() && name->is_string()) {
      profile.name = name->get<std::string>();
    }
    const std::string credential_id = standard_base64(verified->credential_id);
    const account acct{p_.id, "webauthn", credential_id};

    adapters::authenticator_record passkey;
    passkey.credential_id = credential_id;
    passkey.provider_account_id = credential_id;
    passkey.credential_public_key = standard_base64(verified->public_key);
    passkey.counter = verified->sign_count;
    passkey.credential_device_type = verified->backup_eligible ? "multiDevice" : "singleDevice";
    passkey.credential_backed_up = verified->backed_up;
    if (!response.transports.empty()) passkey.transports = response.transports;

    linking_rules rules;
    rules.sign_up = p_.allow_sign_up;
    rules.not_linked = authjs_error::account_not_linked;
    rules.linked = [&store, &passkey](const std::string& user_id) -> result<void> {
      passkey.user_id = user_id;
      auto created = store.create_authenticator(passkey);
      if (!created) return created.error();
      return {};
    };
    return register_and_sign_in(ctx, profile, acct, nullptr, rules);
  }

  const engine_state& engine_;
  const passkey_provider& p_;
};

}  // namespace

outcome provider_flow::webauthn_options(request_context& ctx) const {
  return fail(ctx, {authjs_error::invalid_provider, "provider " + id() + " is not a WebAuthn one"});
}

outcome webauthn_options_action(request_context& ctx) {
  if (!ctx.provider) {
    return fail(ctx, {authjs_error::invalid_provider, "webauthn-options without a provider id"});
  }
  return ctx.provider->webauthn_options(ctx);
}

std::unique_ptr<provider_flow> passkey_flow(const engine_state& engine,
                                            const passkey_provider& provider) {
  return std::make_unique<passkey_flow_impl>(engine, provider);
}

}  // namespace authpp::detail
