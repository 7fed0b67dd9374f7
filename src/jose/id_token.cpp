// ID token claims (OpenID Connect Core 1.0 §3.1.3.7, §2), in the manner of oauth4webapi's
// processAuthorizationCodeOpenIDResponse and validateJwt, which Auth.js uses.
#include <authpp/core/constant_time.hpp>
#include <authpp/jose/id_token.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace authpp::jose {
namespace {

auth_error claims_error(std::string detail) { return {errc::invalid_claims, std::move(detail)}; }

result<void> check_present(const json& claims, const id_token_expectations& expected) {
  // §2: the claims every ID token carries.
  constexpr std::array<const char*, 5> required = {"aud", "exp", "iat", "iss", "sub"};
  for (const char* name : required) {
    if (!claims.contains(name)) return claims_error(std::string("`") + name + "` missing");
  }
  // §3.1.3.7 step 11: a nonce sent in the request must come back.
  if (expected.nonce && !claims.contains("nonce")) return claims_error("`nonce` missing");
  return {};
}

// check_audience applies §3.1.3.7 steps 3-5.
result<void> check_audience(const json& claims, const std::string& client_id) {
  const json& aud = claims["aud"];
  bool several = false;
  if (aud.is_string()) {
    if (aud.get_ref<const std::string&>() != client_id) {
      return claims_error("`aud` is not the client_id");
    }
  } else if (aud.is_array()) {
    if (!std::all_of(aud.begin(), aud.end(), [](const json& v) { return v.is_string(); })) {
      return claims_error("`aud` holds a value that is not a string");
    }
    if (std::find(aud.begin(), aud.end(), json(client_id)) == aud.end()) {
      return claims_error("`aud` does not include the client_id");
    }
    several = aud.size() > 1;
  } else {
    return claims_error("`aud` is not a string or an array");
  }
  const auto azp = claims.find("azp");
  // Several audiences: the token must say which of them it was issued to.
  if (several && azp == claims.end()) return claims_error("`aud` has several values and no `azp`");
  if (azp != claims.end() &&
      (!azp->is_string() || azp->get_ref<const std::string&>() != client_id)) {
    return claims_error("`azp` is not the client_id");
  }
  return {};
}

result<std::optional<double>> numeric(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::optional<double>{};
  if (!it->is_number()) return claims_error(std::string("`") + name + "` is not a number");
  return std::optional<double>{it->get<double>()};
}

// check_times applies §3.1.3.7 steps 9-10 with oauth4webapi's tolerance: expired when
// exp <= now - leeway, premature when nbf > now + leeway.
result<void> check_times(const json& claims, long long now, std::chrono::seconds leeway) {
  auto exp = numeric(claims, "exp");
  if (!exp) return exp.error();
  auto nbf = numeric(claims, "nbf");
  if (!nbf) return nbf.error();
  auto iat = numeric(claims, "iat");
  if (!iat) return iat.error();
  auto auth_time = numeric(claims, "auth_time");
  if (!auth_time) return auth_time.error();
  if (**exp <= static_cast<double>(now - leeway.count())) {
    return auth_error{errc::token_expired, "`exp` has passed"};
  }
  if (*nbf && **nbf > static_cast<double>(now + leeway.count())) {
    return auth_error{errc::token_not_yet_valid, "`nbf` is in the future"};
  }
  return {};
}

// check_nonce applies §3.1.3.7 step 11 and oauth4webapi's converse: with no nonce expected, a
// token carrying one was not issued for this request.
result<void> check_nonce(const json& claims, const std::optional<std::string>& expected) {
  const auto nonce = claims.find("nonce");
  if (!expected) {
    if (nonce != claims.end()) return claims_error("`nonce` present but none was expected");
    return {};
  }
  if (!nonce->is_string() ||
      !constant_time_equal(nonce->get_ref<const std::string&>(), *expected)) {
    return claims_error("`nonce` does not match");
  }
  return {};
}

}  // namespace

result<json> check_id_token_claims(std::string_view payload_json,
                                   const id_token_expectations& expected, const clock& clock) {
  if (payload_json.size() > max_id_token_claims_size) {
    return auth_error{errc::limit_exceeded, "ID token payload is too long"};
  }
  auto claims = parse_json(payload_json);
  if (!claims || !claims->is_object()) return claims_error("payload is not a JSON object");
  if (auto ok = check_present(*claims, expected); !ok) return ok.error();
  // §3.1.3.7 step 2: exactly the discovered issuer.
  const json& iss = (*claims)["iss"];
  if (!iss.is_string() || iss.get_ref<const std::string&>() != expected.issuer) {
    return claims_error("`iss` does not match the expected issuer");
  }
  if (!(*claims)["sub"].is_string()) return claims_error("`sub` is not a string");
  if (auto ok = check_audience(*claims, expected.client_id); !ok) return ok.error();
  if (auto ok = check_times(*claims, to_unix_seconds(clock.now()), expected.leeway); !ok) {
    return ok.error();
  }
  if (auto ok = check_nonce(*claims, expected.nonce); !ok) return ok.error();
  return claims;
}

result<json> verify_id_token(std::string_view compact, const jwk_set& keys,
                             std::span<const jws_algorithm> allowed,
                             const id_token_expectations& expected, const clock& clock,
                             const jws_verify_options& options) {
  auto jws = verify_jws(compact, keys, allowed, options);
  if (!jws) return jws.error();
  return check_id_token_claims(jws->payload, expected, clock);
}

}  // namespace authpp::jose
