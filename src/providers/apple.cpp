// Sign in with Apple
// (https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server,
// …/generate_and_validate_tokens): an OpenID Provider with a JWT client secret.
#include <authpp/core/base64url.hpp>
#include <authpp/core/json.hpp>
#include <authpp/jose/jws.hpp>
#include <authpp/providers/presets.hpp>

namespace authpp::providers {
namespace {

constexpr std::string_view apple_issuer = "https://appleid.apple.com";

// printable_ascii: Apple's identifiers are ASCII (a 10-character Team ID and Key ID, a
// reverse-domain Services ID); anything else is a configuration mistake, caught before JSON.
bool printable_ascii(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

result<std::string> apple_client_secret(const apple_credentials& c, const clock& clock) {
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"client_id", &c.client_id},
        {"team_id", &c.team_id},
        {"key_id", &c.key_id}}) {
    if (!printable_ascii(*value)) {
      return auth_error{errc::invalid_config,
                        std::string("apple: ") + name + " must be non-empty printable ASCII"};
    }
  }
  if (c.secret_lifetime <= std::chrono::seconds::zero() ||
      c.secret_lifetime > apple_max_secret_lifetime) {
    return auth_error{errc::invalid_config,
                      "apple: secret_lifetime must be positive and at most 15777000 s"};
  }
  auto key = jose::private_key::from_pem(c.private_key_pem);
  if (!key) return key.error();
  if (key->type() != jose::key_type::ec_p256) {
    return auth_error{errc::invalid_key, "apple: the .p8 key is not a P-256 (ES256) key"};
  }
  const long long now = to_unix_seconds(clock.now());
  json claims = json::object();
  claims["iss"] = c.team_id;
  claims["iat"] = now;
  claims["exp"] = now + static_cast<long long>(c.secret_lifetime.count());
  claims["aud"] = apple_issuer;
  claims["sub"] = c.client_id;
  json header = json::object();
  header["kid"] = c.key_id;
  return jose::sign_jws(header, claims.dump(), *key, jose::jws_algorithm::es256);
}

oauth_provider apple_with_secret(client_credentials client) {
  oauth_provider p;
  p.id = "apple";
  p.name = "Apple";
  p.type = oauth_kind::oidc;
  p.issuer = client.issuer.empty() ? std::string(apple_issuer) : std::move(client.issuer);
  p.client_id = std::move(client.client_id);
  p.client_secret = std::move(client.client_secret);
  // No "openid": Apple's scopes are "name" and "email", and it sends an ID token regardless.
  // Asking for either requires response_mode=form_post.
  p.scope = "name email";
  p.authorization_params = {{"response_mode", "form_post"}};
  p.checks = {.pkce = false, .state = true, .nonce = true};
  p.token_auth = token_auth_method::client_secret_post;
  // The profile is the ID token's (default_profile): `sub` and `email`. Apple names the user only
  // in a `user` form field of the first form_post callback, which Auth.js ignores too.
  p.style = {.logo = "apple.svg", .bg = "#000", .text = "#fff"};
  return p;
}

result<oauth_provider> apple(const apple_credentials& c, const clock& clock) {
  auto secret = apple_client_secret(c, clock);
  if (!secret) return secret.error();
  return apple_with_secret({c.client_id, std::move(*secret), std::string(apple_issuer)});
}

std::optional<std::string> apple_secret_problem(std::string_view secret, const clock& clock) {
  const std::string_view made = "make one with `authpp apple-secret`";
  const auto first = secret.find('.');
  const auto second = first == std::string_view::npos ? first : secret.find('.', first + 1);
  if (second == std::string_view::npos || secret.find('.', second + 1) != std::string_view::npos ||
      secret.size() > jose::default_max_jwk_size) {
    return "Apple's client secret is a JWT signed with your key: " + std::string(made);
  }
  const auto payload = base64url::decode(secret.substr(first + 1, second - first - 1));
  std::optional<json> claims;
  if (payload) {
    auto parsed = parse_json(
        std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size()), 4);
    if (parsed && parsed->is_object()) claims = std::move(*parsed);
  }
  const json* exp = claims && claims->contains("exp") ? &(*claims)["exp"] : nullptr;
  if (!exp || !exp->is_number()) {
    return "Apple's client secret must be a JWT with an `exp` claim: " + std::string(made);
  }
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  if (exp->get<double>() <= static_cast<double>(now)) {
    return "Apple's client secret has expired (Apple refuses it): " + std::string(made);
  }
  return std::nullopt;
}

}  // namespace authpp::providers
