#pragma once

#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Compact JSON Web Signatures (RFC 7515 §7.1) with the asymmetric algorithms of RFC 7518 §3.3-3.5
// and RFC 8037 (Ed25519), and JSON Web Key Sets (RFC 7517 §5) of public keys: what an OpenID
// Connect client needs to check an ID token against its provider's `jwks_uri`, and what a test
// identity provider or Apple's ES256 client secret needs to sign one.
//
//   auto keys = jwk_set::parse(jwks_text);              // the provider's published keys
//   auto jws = verify_jws(id_token, *keys, allowed);    // alg from `allowed`, key from `keys`
//   if (!jws && jws.error().code == errc::no_matching_key) { /* refetch the JWKS once */ }
//
// There is no HMAC and no "none": a JWS verified here was made with the private half of a key the
// caller supplied, never with a key or an algorithm the token names. Keys are immutable and may be
// shared between threads; every function is thread-safe. Signing draws its randomness (RSA-PSS
// salts, ECDSA nonces) and generate() its keys from OpenSSL's CSPRNG, as system_random does.
namespace authpp::jose {

// jws_algorithm names the JWS `alg` values authpp implements (RFC 7518 §3.1, RFC 8037 §3.1).
enum class jws_algorithm {
  rs256,  // "RS256": RSASSA-PKCS1-v1_5 with SHA-256
  rs384,  // "RS384"
  rs512,  // "RS512"
  ps256,  // "PS256": RSASSA-PSS with SHA-256, MGF1 with SHA-256, salt of 32 bytes
  ps384,  // "PS384"
  ps512,  // "PS512"
  es256,  // "ES256": ECDSA on P-256 with SHA-256, signature R‖S (64 bytes)
  es384,  // "ES384": ECDSA on P-384 with SHA-384 (96 bytes)
  es512,  // "ES512": ECDSA on P-521 with SHA-512 (132 bytes)
  eddsa,  // "EdDSA": Ed25519 (RFC 8032), signature 64 bytes
};

// parse_jws_algorithm returns the algorithm whose registered name is exactly `name` ("RS256" …
// "ES512", "EdDSA"), or nullopt for any other name: "none", "HS256" and "rs256" included.
[[nodiscard]] std::optional<jws_algorithm> parse_jws_algorithm(std::string_view name) noexcept;

// to_string returns the registered `alg` name of `alg`, e.g. "PS384".
std::string_view to_string(jws_algorithm alg) noexcept;

// key_type is the kind of an asymmetric key, which decides the algorithms it serves.
enum class key_type {
  rsa,      // kty "RSA", modulus of 2048 to 8192 bits
  ec_p256,  // kty "EC", crv "P-256"
  ec_p384,  // kty "EC", crv "P-384"
  ec_p521,  // kty "EC", crv "P-521"
  ed25519,  // kty "OKP", crv "Ed25519"
};

// key_fits returns whether keys of `type` make and check `alg` signatures: RSA keys RS* and PS*,
// each curve its own ES* algorithm, Ed25519 keys EdDSA. A key never serves another algorithm.
bool key_fits(key_type type, jws_algorithm alg) noexcept;

namespace detail {
struct key_material;  // an OpenSSL key (src/jose/pkey_internal.hpp)
struct key_access;
}  // namespace detail

// default_max_jwk_size bounds the JSON text of one JWK or of a JWK Set, in bytes.
inline constexpr std::size_t default_max_jwk_size = 64 * 1024;

// public_key is a checked public key: an RSA modulus of 2048 to 8192 bits, a point on its curve, or
// an Ed25519 key. Immutable; copies share the key; safe to share between threads.
class public_key {
 public:
  // from_jwk reads one public JWK (RFC 7517 §4; members of RFC 7518 §6.2-6.3, RFC 8037 §2). Only
  // the key members are read (`kid`, `alg`, `use` belong to jwk_set). It fails with
  //   errc::limit_exceeded   if `json_text` is longer than default_max_jwk_size,
  //   errc::malformed_input  unless `json_text` is a JSON object,
  //   errc::invalid_key      if `kty` or `crv` is missing or not one of key_type's, a member is
  //                          missing, not a string or not canonical base64url, the RSA modulus
  //                          has fewer than 2048 or more than 8192 bits or the exponent is even,
  //                          1 or longer than 8 bytes, an EC coordinate or Ed25519 key is not
  //                          exactly the curve's size, the point is not on the curve, or private
  //                          key members (`d`, `p`, …) are present,
  //   errc::crypto_failure   if OpenSSL fails.
  [[nodiscard]] static result<public_key> from_jwk(std::string_view json_text);
  // from_jwk_object is from_jwk for a parsed JSON value (no size bound: the caller parsed it).
  [[nodiscard]] static result<public_key> from_jwk_object(const json& jwk);

  key_type type() const noexcept;
  // to_jwk returns the key's required members (RFC 7638 §3.2) as compact JSON with names in
  // lexicographic order, e.g. {"crv":"P-256","kty":"EC","x":"…","y":"…"}: SHA-256 of this text is
  // the key's RFC 7638 thumbprint. from_jwk(to_jwk()) is the same key.
  std::string to_jwk() const;

 private:
  friend struct detail::key_access;
  explicit public_key(std::shared_ptr<const detail::key_material> material) noexcept;
  std::shared_ptr<const detail::key_material> material_;
};

// public_jwk is a usable key of a JWK Set with the members that select it.
struct public_jwk {
  public_key key;
  std::optional<std::string> kid;  // `kid`, when present
  std::optional<std::string> alg;  // `alg` as published: it may name an algorithm authpp lacks
  std::optional<std::string> use;  // `use`: absent or "sig" (keys for anything else are skipped)
};

// skipped_jwk records a member of a JWK Set that jwk_set::parse left out, for logs.
struct skipped_jwk {
  std::size_t index;               // its position in `keys`
  std::optional<std::string> kid;  // its `kid`, when that is a string
  auth_error reason;               // errc::invalid_key; the detail says why (no key values)
};

// jwks_options bounds jwk_set::parse.
struct jwks_options {
  std::size_t max_size = default_max_jwk_size;  // bytes of JSON text, checked before parsing
  std::size_t max_keys = 100;                   // entries of `keys`, skipped ones included
};

// jwk_set is a parsed JWK Set: the keys a JWS may be verified with. Immutable once made; safe to
// share between threads.
class jwk_set {
 public:
  jwk_set() = default;
  explicit jwk_set(std::vector<public_jwk> keys) : keys_(std::move(keys)) {}

  // parse reads a JWK Set (RFC 7517 §5) such as a provider's `jwks_uri` document. As §5 asks, it
  // skips (records in skipped()) every key it cannot use: a `kty` or `crv` other than key_type's
  // (`oct` included), a `use` other than "sig", `key_ops` without "verify", a member missing or of
  // the wrong type, and a key from_jwk refuses (a short RSA modulus, a point off its curve). Keys
  // are kept in their published order. It fails with
  //   errc::limit_exceeded   if `json_text` is longer than `options.max_size`, or `keys` has more
  //                          than `options.max_keys` entries,
  //   errc::malformed_input  unless `json_text` is a JSON object whose `keys` is an array of
  //                          objects,
  //   errc::invalid_key      if any entry holds private or secret key material (`d`, `p`, `q`,
  //                          `dp`, `dq`, `qi`, `oth` or `k`): its publisher has leaked it, so the
  //                          whole set is refused rather than trusted in part,
  //   errc::crypto_failure   if OpenSSL fails.
  [[nodiscard]] static result<jwk_set> parse(std::string_view json_text,
                                             const jwks_options& options = {});

  std::span<const public_jwk> keys() const noexcept { return keys_; }
  std::span<const skipped_jwk> skipped() const noexcept { return skipped_; }

 private:
  std::vector<public_jwk> keys_;
  std::vector<skipped_jwk> skipped_;
};

// default_max_jws_size is verify_jws's default bound on the token length, in characters.
inline constexpr std::size_t default_max_jws_size = 16 * 1024;

// jws_verify_options bounds verify_jws.
struct jws_verify_options {
  std::size_t max_token_size = default_max_jws_size;  // checked before anything else
};

// verified_jws is a JWS whose signature verified: its protected header and payload are what the
// key's owner signed.
struct verified_jws {
  json header;          // the protected header, a JSON object
  std::string payload;  // the decoded payload bytes (for a JWT, its claims as JSON text)
  jws_algorithm alg;    // the header's `alg`, one of the caller's `allowed`
};

// verify_jws checks a compact JWS (RFC 7515 §5.2) against `keys`, accepting only the algorithms in
// `allowed`. The header picks among the caller's keys and algorithms, never beyond them: its
// `jwk`, `jku`, `x5u` and `x5c` are ignored. The candidate keys are those whose key_type fits
// `alg` and whose `alg`, when published, equals it; with a header `kid`, only those with that
// `kid` as well. It returns when one candidate verifies the signature, and fails with
//   errc::limit_exceeded         if `compact` is longer than `options.max_token_size` (checked
//                                first),
//   errc::malformed_token        unless `compact` is three canonical base64url segments (five, a
//                                JWE, is named as such) with a JSON object header whose `alg`
//                                (and `kid`) is a string and that has no `crit`,
//   errc::unsupported_algorithm  if `alg` is not in `allowed` ("none" and HS256 never are),
//   errc::no_matching_key        if no key is a candidate: a provider that rotated its keys may
//                                have published a new one, so callers refetch the JWKS once,
//   errc::invalid_signature      if no candidate verifies the signature (an ECDSA signature of the
//                                wrong length included),
//   errc::crypto_failure         if OpenSSL fails.
[[nodiscard]] result<verified_jws> verify_jws(std::string_view compact, const jwk_set& keys,
                                              std::span<const jws_algorithm> allowed,
                                              const jws_verify_options& options = {});

// private_key is a signing key: RSA (2048 to 8192 bits), ECDSA on P-256/384/521, or Ed25519, with
// the algorithm it is meant for when known. Immutable; copies share the key; safe to share
// between threads.
class private_key {
 public:
  // from_jwk reads one private JWK: RSA with `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi` (no
  // multi-prime `oth`); EC with `crv`, `x`, `y`, `d`; OKP Ed25519 with `x`, `d`. The private part
  // must match the public one. A JWK `alg` that names an algorithm fitting the key becomes
  // algorithm(); EC and Ed25519 keys imply theirs. It fails with
  //   errc::limit_exceeded   if `json_text` is longer than default_max_jwk_size,
  //   errc::malformed_input  unless `json_text` is a JSON object,
  //   errc::invalid_key      if the public members fail public_key::from_jwk's checks, a private
  //                          member is missing or not canonical base64url, `alg` names another
  //                          key's algorithm, or the private part does not match the public one,
  //   errc::crypto_failure   if OpenSSL fails.
  [[nodiscard]] static result<private_key> from_jwk(std::string_view json_text);

  // from_pem reads an unencrypted PEM private key: PKCS #8 ("BEGIN PRIVATE KEY", the form of the
  // .p8 key Apple issues for Sign in with Apple's ES256 client secret) or the traditional RSA and
  // EC forms. EC and Ed25519 keys imply their algorithm; RSA keys have none. It fails with
  //   errc::limit_exceeded  if `pem` is longer than default_max_jwk_size,
  //   errc::invalid_key     unless `pem` holds one unencrypted private key of a key_type (RSA of
  //                         2048 to 8192 bits, P-256, P-384, P-521 or Ed25519) whose halves
  //                         match,
  //   errc::crypto_failure  if OpenSSL fails.
  [[nodiscard]] static result<private_key> from_pem(std::string_view pem);

  // generate makes a fresh key for `alg`: RSA 2048 bits for RS* and PS*, the algorithm's curve for
  // ES*, Ed25519 for EdDSA. It fails with errc::crypto_failure if OpenSSL fails.
  [[nodiscard]] static result<private_key> generate(jws_algorithm alg);

  key_type type() const noexcept;
  // algorithm returns the algorithm the key is for: from generate(), from the JWK's `alg`, or the
  // one EC and Ed25519 keys imply; nullopt for an RSA key read without `alg` (it serves six).
  std::optional<jws_algorithm> algorithm() const noexcept { return alg_; }
  // public_part returns the public half.
  public_key public_part() const;
  // public_jwk returns the public half as a JWK to publish in a JWKS: the members of
  // public_key::to_jwk, then `kid` (when not empty), `alg` (when algorithm() is known) and
  // `use` "sig". It cannot fail (a `kid` that is not UTF-8 is replaced, byte by byte, by U+FFFD).
  std::string public_jwk(std::string_view kid) const;

 private:
  friend struct detail::key_access;
  private_key(std::shared_ptr<const detail::key_material> material,
              std::optional<jws_algorithm> alg) noexcept;
  std::shared_ptr<const detail::key_material> material_;
  std::optional<jws_algorithm> alg_;
};

// sign_jws signs `payload` with `key` under `alg` and returns the compact JWS (RFC 7515 §5.1).
// The protected header is {"alg":"<alg>"} followed by the members of `header` in their order (any
// `alg` in it is dropped): pass `kid`, `typ` and the like there, e.g. {"kid":"k1","typ":"JWT"}.
// ECDSA signatures are written as R‖S (RFC 7518 §3.4), RSA-PSS with a salt as long as the hash.
// It fails with
//   errc::malformed_token  if `header` is not a JSON object or holds a string that is not UTF-8,
//   errc::invalid_key      if `key` does not fit `alg` (key_fits),
//   errc::crypto_failure   if OpenSSL fails.
[[nodiscard]] result<std::string> sign_jws(const json& header, std::string_view payload,
                                           const private_key& key, jws_algorithm alg);

}  // namespace authpp::jose
