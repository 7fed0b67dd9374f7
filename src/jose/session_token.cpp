// Auth.js v5 session tokens (client-wire.md §6; `packages/core/src/jwt.ts` behaviour).
#include <authpp/jose/hkdf.hpp>
#include <authpp/jose/jwe.hpp>
#include <authpp/jose/jwk.hpp>
#include <authpp/jose/session_token.hpp>

#include <array>
#include <optional>
#include <utility>

namespace authpp::jose {
namespace {

// client-wire.md §6.5: what the real server accepts. The token's header only picks among these.
constexpr std::array<content_encryption, 2> session_encs = {content_encryption::a256cbc_hs512,
                                                            content_encryption::a256gcm};

auth_error claims_error(std::string detail) {
  return auth_error{errc::invalid_claims, std::move(detail)};
}

result<json> parse_claims(byte_view plaintext) {
  auto claims = parse_json(as_chars(plaintext));
  if (!claims || !claims->is_object()) return claims_error("payload is not a JSON object");
  return claims;
}

// numeric_claim returns claims[name] as a number, nullopt when absent (RFC 7519 §2 NumericDate).
result<std::optional<double>> numeric_claim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::optional<double>{};
  if (!it->is_number()) return claims_error(std::string("`") + name + "` is not a number");
  return std::optional<double>{it->get<double>()};
}

// check_times follows jose's jwtDecrypt (RFC 7519 §4.1.4, §4.1.5) with a clock tolerance: the
// token is expired when exp <= now - leeway, premature when nbf > now + leeway.
result<void> check_times(const json& claims, long long now, std::chrono::seconds leeway) {
  const double earliest = static_cast<double>(now - leeway.count());
  const double latest = static_cast<double>(now + leeway.count());
  auto iat = numeric_claim(claims, "iat");
  if (!iat) return iat.error();
  auto nbf = numeric_claim(claims, "nbf");
  if (!nbf) return nbf.error();
  if (*nbf && **nbf > latest)
    return auth_error{errc::token_not_yet_valid, "`nbf` is in the future"};
  auto exp = numeric_claim(claims, "exp");
  if (!exp) return exp.error();
  if (*exp && **exp <= earliest) return auth_error{errc::token_expired, "`exp` has passed"};
  return {};
}

result<std::string> serialise(const json& claims) {
  auto text = dump_json(claims);  // fails only on a string that is not UTF-8
  if (!text) return claims_error("a string in the payload is not valid UTF-8");
  return text;
}

}  // namespace

result<bytes> derive_session_key(std::string_view secret, std::string_view salt,
                                 std::size_t length) {
  if (secret.empty()) return auth_error{errc::invalid_key, "secret is empty"};
  const std::string info = "Auth.js Generated Encryption Key (" + std::string(salt) + ")";
  return hkdf_sha256(as_bytes(secret), as_bytes(salt), as_bytes(info), length);
}

result<std::string> encrypt_session_plaintext(std::string_view plaintext, std::string_view secret,
                                              std::string_view salt, const random_source& random) {
  constexpr content_encryption enc = content_encryption::a256cbc_hs512;
  auto key = derive_session_key(secret, salt, cek_size(enc));
  if (!key) return key.error();
  return encrypt_compact(as_bytes(plaintext), *key, enc, random, jwk_thumbprint_oct(*key));
}

result<session_keyring> session_keyring::derive(std::span<const std::string> secrets,
                                                std::string_view salt) {
  if (secrets.empty()) return auth_error{errc::invalid_key, "no secret configured"};
  session_keyring ring;
  for (const std::string& secret : secrets) {
    auto key64 = derive_session_key(secret, salt, cek_size(content_encryption::a256cbc_hs512));
    if (!key64) return key64.error();
    auto key32 = derive_session_key(secret, salt, cek_size(content_encryption::a256gcm));
    if (!key32) return key32.error();
    auto prepared64 = content_key::make(content_encryption::a256cbc_hs512, *key64);
    if (!prepared64) return prepared64.error();
    auto prepared32 = content_key::make(content_encryption::a256gcm, *key32);
    if (!prepared32) return prepared32.error();
    ring.keys_.push_back({std::move(*prepared64), std::move(*prepared32),
                          jwk_thumbprint_oct(*key64), jwk_thumbprint_oct(*key32)});
  }
  return ring;
}

// select applies Auth.js's rule (§6.5): no `kid` means the first secret and no other (no trial
// decryption); a `kid` means the first secret whose derived key has that thumbprint.
result<const content_key*> session_keyring::select(content_encryption enc,
                                                   const std::optional<std::string>& kid) const {
  const bool cbc = enc == content_encryption::a256cbc_hs512;
  if (!kid) return cbc ? &keys_.front().key64 : &keys_.front().key32;
  for (const entry& e : keys_) {
    if ((cbc ? e.kid64 : e.kid32) == *kid) return cbc ? &e.key64 : &e.key32;
  }
  return auth_error{errc::no_matching_secret, "no matching decryption secret"};
}

result<std::string> session_keyring::encode(json claims, const clock& clock,
                                            const random_source& random,
                                            const session_token_options& options) const {
  if (!claims.is_object()) return claims_error("payload is not a JSON object");
  const long long now = to_unix_seconds(clock.now());
  // Assigning to an existing member keeps its position (ordered_json), as in JavaScript.
  claims["iat"] = now;
  claims["exp"] = now + options.max_age.count();
  auto jti = random_uuid(random);
  if (!jti) return jti.error();
  claims["jti"] = std::move(*jti);
  auto plaintext = serialise(claims);
  if (!plaintext) return plaintext.error();
  const entry& first = keys_.front();
  auto token = encrypt_compact(as_bytes(*plaintext), first.key64, random, first.kid64);
  if (token && token->size() > options.max_token_size) {
    return auth_error{errc::limit_exceeded, "token would exceed max_token_size"};
  }
  return token;
}

result<json> session_keyring::decode(std::string_view token, const clock& clock,
                                     const session_token_options& options) const {
  if (token.size() > options.max_token_size) {
    return auth_error{errc::limit_exceeded, "token is too long"};
  }
  auto jwe = parse_compact(token, session_encs, options.max_token_size);
  if (!jwe) return jwe.error();
  auto key = select(jwe->enc, jwe->kid);
  if (!key) return key.error();
  auto plaintext = decrypt(*jwe, **key);
  if (!plaintext) return plaintext.error();
  auto claims = parse_claims(*plaintext);
  if (!claims) return claims.error();
  if (auto ok = check_times(*claims, to_unix_seconds(clock.now()), options.leeway); !ok) {
    return ok.error();
  }
  return claims;
}

result<std::string> encode_session(const json& payload, std::span<const std::string> secrets,
                                   std::string_view salt, const clock& clock,
                                   const random_source& random,
                                   const session_token_options& options) {
  if (!payload.is_object()) return claims_error("payload is not a JSON object");
  auto ring = session_keyring::derive(secrets.empty() ? secrets : secrets.first(1), salt);
  if (!ring) return ring.error();
  return ring->encode(payload, clock, random, options);
}

result<json> decode_session(std::string_view token, std::span<const std::string> secrets,
                            std::string_view salt, const clock& clock,
                            const session_token_options& options) {
  // The size bound comes first: nothing is derived or parsed for an oversized token.
  if (token.size() > options.max_token_size) {
    return auth_error{errc::limit_exceeded, "token is too long"};
  }
  auto ring = session_keyring::derive(secrets, salt);
  if (!ring) return ring.error();
  return ring->decode(token, clock, options);
}

}  // namespace authpp::jose
