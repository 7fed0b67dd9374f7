// Compact JWS (RFC 7515 §5, §7.1) with RSA, ECDSA and EdDSA signatures (RFC 7518 §3.3-3.5,
// RFC 8037 §3.1).
#include <authpp/core/base64url.hpp>
#include <authpp/jose/jws.hpp>

#include <algorithm>
#include <array>
#include <utility>

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "pkey_internal.hpp"

namespace authpp::jose {
namespace {

using detail::key_access;
using detail::openssl_error;

struct algorithm_info {
  jws_algorithm alg;
  std::string_view name;
  key_type key;
  const char* digest;  // null for EdDSA, which hashes inside the signature scheme
  bool pss;
};

// In jws_algorithm's order, so that info() is an index.
constexpr std::array<algorithm_info, 10> algorithms = {{
    {jws_algorithm::rs256, "RS256", key_type::rsa, "SHA256", false},
    {jws_algorithm::rs384, "RS384", key_type::rsa, "SHA384", false},
    {jws_algorithm::rs512, "RS512", key_type::rsa, "SHA512", false},
    {jws_algorithm::ps256, "PS256", key_type::rsa, "SHA256", true},
    {jws_algorithm::ps384, "PS384", key_type::rsa, "SHA384", true},
    {jws_algorithm::ps512, "PS512", key_type::rsa, "SHA512", true},
    {jws_algorithm::es256, "ES256", key_type::ec_p256, "SHA256", false},
    {jws_algorithm::es384, "ES384", key_type::ec_p384, "SHA384", false},
    {jws_algorithm::es512, "ES512", key_type::ec_p521, "SHA512", false},
    {jws_algorithm::eddsa, "EdDSA", key_type::ed25519, nullptr, false},
}};

const algorithm_info& info(jws_algorithm alg) noexcept {
  return algorithms[static_cast<std::size_t>(alg)];
}

bool is_ecdsa(const algorithm_info& a) noexcept {
  return a.key != key_type::rsa && a.key != key_type::ed25519;
}

auth_error malformed(std::string detail) { return {errc::malformed_token, std::move(detail)}; }

using segments = std::array<std::string_view, 3>;

// split_compact cuts a compact JWS into header, payload and signature (RFC 7515 §7.1).
result<segments> split_compact(std::string_view token) {
  const auto dots = std::count(token.begin(), token.end(), '.');
  // A JWE (RFC 7516 §7.1) has five segments; naming it saves a confused operator some time.
  if (dots == 4) return malformed("five segments: a JWE where a JWS is expected");
  if (dots != 2) return malformed("not three dot-separated segments");
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  return segments{token.substr(0, first), token.substr(first + 1, second - first - 1),
                  token.substr(second + 1)};
}

result<bytes> decode_segment(std::string_view segment, const char* name) {
  auto decoded = base64url::decode(segment);
  if (!decoded) return malformed(std::string(name) + " is not canonical base64url");
  return decoded;
}

// digest_context prepares one signing or verification with `pkey` under `a`.
result<detail::md_ctx_ptr> digest_context(EVP_PKEY* pkey, const algorithm_info& a, bool sign) {
  detail::md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx) return openssl_error("cannot allocate a digest context");
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const int init =
      sign ? EVP_DigestSignInit_ex(ctx.get(), &pctx, a.digest, nullptr, nullptr, pkey, nullptr)
           : EVP_DigestVerifyInit_ex(ctx.get(), &pctx, a.digest, nullptr, nullptr, pkey, nullptr);
  if (init != 1) return openssl_error("cannot set up the signature operation");
  // RFC 7518 §3.5: MGF1 with the same hash, and a salt as long as the hash. Verification insists
  // on that salt length, as WebCrypto (and so Auth.js) does.
  if (a.pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, a.digest, nullptr) != 1)) {
    return openssl_error("cannot set up RSA-PSS");
  }
  return ctx;
}

// ecdsa_der converts a JWS ECDSA signature, R‖S with each half `size` bytes (RFC 7518 §3.4), to
// the DER SEQUENCE OpenSSL verifies. nullopt if it is not exactly 2·size bytes.
result<std::optional<bytes>> ecdsa_der(byte_view raw, std::size_t size) {
  if (raw.size() != 2 * size) return std::optional<bytes>{};
  const int half = static_cast<int>(size);
  detail::bn_ptr r(BN_bin2bn(detail::uchars(raw.first(size)), half, nullptr));
  detail::bn_ptr s(BN_bin2bn(detail::uchars(raw.subspan(size)), half, nullptr));
  const detail::ecdsa_sig_ptr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return openssl_error("cannot convert an ECDSA signature");
  }
  static_cast<void>(r.release());  // now owned by sig
  static_cast<void>(s.release());
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return openssl_error("cannot convert an ECDSA signature");
  bytes der(static_cast<std::size_t>(len));
  unsigned char* out = detail::uchars(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) {
    return openssl_error("cannot convert an ECDSA signature");
  }
  return std::optional<bytes>{std::move(der)};
}

// ecdsa_raw converts OpenSSL's DER ECDSA signature to R‖S, each half `size` bytes.
result<bytes> ecdsa_raw(byte_view der, std::size_t size) {
  const unsigned char* in = detail::uchars(der);
  const detail::ecdsa_sig_ptr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (!sig) return openssl_error("cannot read an ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  bytes raw(2 * size);
  const int half = static_cast<int>(size);
  if (BN_bn2binpad(r, detail::uchars(raw.data()), half) != half ||
      BN_bn2binpad(s, detail::uchars(raw.data() + size), half) != half) {
    return openssl_error("cannot convert an ECDSA signature");
  }
  return raw;
}

// verify_with returns whether `signature` verifies `input` under `pkey`; false for any signature
// OpenSSL refuses, whatever the reason.
result<bool> verify_with(EVP_PKEY* pkey, const algorithm_info& a, byte_view input,
                         byte_view signature) {
  auto ctx = digest_context(pkey, a, false);
  if (!ctx) return ctx.error();
  const int rc = EVP_DigestVerify(ctx->get(), detail::uchars(signature), signature.size(),
                                  detail::uchars(input), input.size());
  if (rc != 1) ERR_clear_error();
  return rc == 1;
}

result<bytes> sign_with(EVP_PKEY* pkey, const algorithm_info& a, byte_view input) {
  auto ctx = digest_context(pkey, a, true);
  if (!ctx) return ctx.error();
  const int max_size = EVP_PKEY_get_size(pkey);
  if (max_size <= 0) return openssl_error("cannot size the signature");
  bytes signature(static_cast<std::size_t>(max_size));
  std::size_t len = signature.size();
  if (EVP_DigestSign(ctx->get(), detail::uchars(signature.data()), &len, detail::uchars(input),
                     input.size()) != 1) {
    return openssl_error("signing failed");
  }
  signature.resize(len);
  if (is_ecdsa(a)) return ecdsa_raw(signature, detail::curve_of(a.key).size);
  return signature;
}

// header_fields is what verification takes from the protected header.
struct header_fields {
  json header;
  jws_algorithm alg;
  std::optional<std::string> kid;
};

result<header_fields> check_header(std::string_view segment,
                                   std::span<const jws_algorithm> allowed) {
  auto raw = decode_segment(segment, "protected header");
  if (!raw) return raw.error();
  auto header = parse_json(as_chars(*raw));
  if (!header || !header->is_object()) return malformed("protected header is not a JSON object");
  const auto alg_member = header->find("alg");
  if (alg_member == header->end() || !alg_member->is_string()) {
    return malformed("header `alg` is missing or not a string");
  }
  // The allow-list decides; the header only names a choice (the algorithm-confusion defence:
  // "none", and HS256 keyed with a public key's bytes, are never in it).
  const auto alg = parse_jws_algorithm(alg_member->get_ref<const std::string&>());
  if (!alg || std::find(allowed.begin(), allowed.end(), *alg) == allowed.end()) {
    return auth_error{errc::unsupported_algorithm, "`alg` is not in the allow-list"};
  }
  // RFC 7515 §4.1.11: a JWS whose `crit` lists extensions the recipient does not understand is
  // invalid, and authpp understands none.
  if (header->contains("crit")) return malformed("header has `crit`");
  std::optional<std::string> kid;
  if (const auto it = header->find("kid"); it != header->end()) {
    if (!it->is_string()) return malformed("header `kid` is not a string");
    kid = it->get<std::string>();
  }
  return header_fields{std::move(*header), *alg, std::move(kid)};
}

bool is_candidate(const public_jwk& key, jws_algorithm alg, const std::optional<std::string>& kid) {
  if (!key_fits(key.key.type(), alg)) return false;  // never an RSA key for ES256, and so on
  if (key.alg && *key.alg != to_string(alg)) return false;
  return !kid || key.kid == kid;
}

std::string no_key_detail(const jwk_set& keys, bool with_kid) {
  std::string detail = with_kid ? "no key with the header's `kid` fits `alg`" : "no key fits `alg`";
  if (!keys.skipped().empty()) {
    detail += " (" + std::to_string(keys.skipped().size()) + " unusable key(s) of the set skipped)";
  }
  return detail;
}

}  // namespace

namespace detail {

key_type key_type_for(jws_algorithm alg) noexcept { return info(alg).key; }

}  // namespace detail

std::optional<jws_algorithm> parse_jws_algorithm(std::string_view name) noexcept {
  for (const algorithm_info& a : algorithms) {
    if (a.name == name) return a.alg;
  }
  return std::nullopt;
}

std::string_view to_string(jws_algorithm alg) noexcept { return info(alg).name; }

bool key_fits(key_type type, jws_algorithm alg) noexcept { return info(alg).key == type; }

result<verified_jws> verify_jws(std::string_view compact, const jwk_set& keys,
                                std::span<const jws_algorithm> allowed,
                                const jws_verify_options& options) {
  if (compact.size() > options.max_token_size) {
    return auth_error{errc::limit_exceeded, "token is too long"};
  }
  auto parts = split_compact(compact);
  if (!parts) return parts.error();
  auto fields = check_header((*parts)[0], allowed);
  if (!fields) return fields.error();
  auto payload = decode_segment((*parts)[1], "payload");
  if (!payload) return payload.error();
  auto signature = decode_segment((*parts)[2], "signature");
  if (!signature) return signature.error();

  const algorithm_info& a = info(fields->alg);
  std::optional<bytes> der;  // stays empty when an ECDSA signature has the wrong length
  if (is_ecdsa(a)) {
    auto converted = ecdsa_der(*signature, detail::curve_of(a.key).size);
    if (!converted) return converted.error();
    der = std::move(*converted);
  }
  const byte_view to_check = der ? byte_view(*der) : byte_view(*signature);
  const bool signature_usable = !is_ecdsa(a) || der.has_value();
  // RFC 7515 §5.2 step 8: the signing input is the first two segments exactly as sent.
  const byte_view input = as_bytes(compact.substr(0, (*parts)[0].size() + 1 + (*parts)[1].size()));

  std::size_t candidates = 0;
  for (const public_jwk& key : keys.keys()) {
    if (!is_candidate(key, fields->alg, fields->kid)) continue;
    ++candidates;
    if (!signature_usable) continue;
    auto valid = verify_with(key_access::pkey(key.key), a, input, to_check);
    if (!valid) return valid.error();
    if (*valid) {
      return verified_jws{std::move(fields->header), std::string(as_chars(*payload)), fields->alg};
    }
  }
  if (candidates == 0) {
    return auth_error{errc::no_matching_key, no_key_detail(keys, fields->kid.has_value())};
  }
  if (!signature_usable) {
    return auth_error{errc::invalid_signature, "ECDSA signature has the wrong length"};
  }
  return auth_error{errc::invalid_signature, "signature does not verify under the " +
                                                 std::to_string(candidates) + " fitting key(s)"};
}

result<std::string> sign_jws(const json& header, std::string_view payload, const private_key& key,
                             jws_algorithm alg) {
  if (!header.is_object()) return malformed("header is not a JSON object");
  if (!key_fits(key.type(), alg)) {
    return auth_error{errc::invalid_key, "the key does not fit the algorithm"};
  }
  json full = json::object();
  full["alg"] = std::string(to_string(alg));
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() != "alg") full[it.key()] = it.value();
  }
  auto header_text = dump_json(full);
  if (!header_text) return malformed("a header string is not valid UTF-8");
  std::string token = base64url::encode(*header_text);
  token += '.';
  token += base64url::encode(payload);
  auto signature = sign_with(key_access::pkey(key), info(alg), as_bytes(token));
  if (!signature) return signature.error();
  token += '.';
  token += base64url::encode(*signature);
  return token;
}

}  // namespace authpp::jose
