#include <authpp/auth/store_credentials.hpp>
#include <authpp/core/random.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace authpp {
namespace {

// provider_state is shared by every copy of the provider's `authorize` function object.
struct provider_state {
  std::shared_ptr<adapters::user_store> store;
  adapters::argon2_params params;
  std::once_flag dummy_once;
  std::string dummy;

  // dummy_hash is what a missing user's password is verified against. With the default
  // parameters that is the library's dummy; with others, a dummy made with the same parameters,
  // so that a missing user costs what a present one costs (stored hashes use `params` once
  // rehashed on login).
  const std::string& dummy_hash() {
    const adapters::argon2_params defaults{};
    if (params.ops == defaults.ops && params.mem_bytes == defaults.mem_bytes) {
      return adapters::dummy_password_hash();
    }
    std::call_once(dummy_once, [this] {
      auto secret = random_bytes(default_random(), 32);
      const std::string password = secret ? to_string(*secret) : std::string("unused");
      auto h = adapters::hash_password(password, params);
      dummy = h ? std::move(*h) : adapters::dummy_password_hash();
    });
    return dummy;
  }
};

// text returns the string field `name` of the submitted form, or nullopt (absent, not a string).
std::optional<std::string> text(const json& credentials, std::string_view name) {
  if (!credentials.is_object()) return std::nullopt;
  const auto it = credentials.find(name);
  if (it == credentials.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// store_failure maps a store error to the provider's answer: the store being down is a 503 the
// client may retry, anything else is a server bug reported as Configuration.
authorize_result store_failure(std::string_view what, const auth_error& e) {
  std::string detail = "credentials: " + std::string(what) + ": " + e.message();
  if (e.code == errc::storage_unavailable) return authorize_result::unavailable(std::move(detail));
  return authorize_result::fail(std::move(detail));
}

authorize_result authorize(provider_state& state, const json& credentials) {
  std::optional<std::string> login = text(credentials, "email");
  if (!login || login->empty()) login = text(credentials, "username");
  const std::string password = text(credentials, "password").value_or("");

  std::optional<adapters::user_record> found;
  if (login && !login->empty() && !password.empty()) {
    auto by_email = state.store->find_by_email(adapters::normalize_email(*login));
    if (!by_email) return store_failure("user lookup", by_email.error());
    found = std::move(*by_email);
    if (!found) {
      auto by_username = state.store->find_by_username(*login);
      if (!by_username) return store_failure("user lookup", by_username.error());
      found = std::move(*by_username);
    }
  }

  std::optional<std::string> hash;
  if (found) {
    auto h = state.store->password_hash(found->id);
    if (!h) return store_failure("password lookup", h.error());
    hash = std::move(*h);
  }

  // Every refusal runs exactly one verification, so that the response time does not tell an
  // unknown user (or one without a password) from a wrong password.
  if (!hash) {
    (void)adapters::verify_password(password, state.dummy_hash());
    return authorize_result::reject();
  }
  if (!adapters::verify_password(password, *hash)) return authorize_result::reject();
  // Only now, with the right password, may the answer reveal that the account exists.
  if (found->disabled) return authorize_result::reject("account_disabled");

  if (adapters::needs_rehash(*hash, state.params)) {
    // Raising the cost applies at each user's next login, the only time the password is known.
    // A failure leaves the old hash in place, which still verifies; the login goes on.
    if (auto fresh = adapters::hash_password(password, state.params)) {
      (void)state.store->set_password(found->id, *fresh);
    }
  }

  user u;
  u.id = found->id;
  u.session_version = found->session_version;
  u.name = found->name;
  u.email = found->email;
  u.image = found->image;
  return authorize_result::accept(std::move(u));
}

}  // namespace

credentials_provider store_credentials_provider(std::shared_ptr<adapters::user_store> store,
                                                adapters::argon2_params params,
                                                blocking_runner run_blocking) {
  auto state = std::make_shared<provider_state>();
  state->store = std::move(store);
  state->params = params;

  credentials_provider p;
  p.id = "credentials";
  p.name = "Credentials";
  // Field names as Auth.js' credentials examples; the pages choose `autocomplete` per name.
  credential_field login;
  login.name = "email";
  login.label = "Email or username";
  login.type = "text";
  credential_field password;
  password.name = "password";
  password.label = "Password";
  password.type = "password";
  p.fields = {std::move(login), std::move(password)};
  p.authorize = [state](const authorize_request& request) {
    return authorize(*state, request.credentials);
  };
  if (run_blocking) {
    p.authorize_async =
        [state, run_blocking = std::move(run_blocking)](
            const authorize_request& request) -> boost::asio::awaitable<authorize_result> {
      // The request outlives the await: the engine's coroutine is suspended on it.
      std::optional<authorize_result> decided;
      auto ran = co_await run_blocking([&] { decided = authorize(*state, request.credentials); });
      if (!ran) co_return authorize_result::unavailable("credentials: " + ran.error().message());
      if (!decided) co_return authorize_result::fail("credentials: the check did not run");
      co_return std::move(*decided);
    };
  }
  return p;
}

}  // namespace authpp
