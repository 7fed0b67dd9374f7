#include <authpp/webauthn/cose.hpp>

#include <array>
#include <string>

#include <openssl/core_names.h>

#include "openssl_internal.hpp"

namespace authpp::webauthn {

namespace {

using detail::openssl_error;
using detail::pkey_ptr;
using detail::uchars;

// COSE labels and values (RFC 9052 §7.1, RFC 9053 §7).
constexpr std::int64_t label_kty = 1;
constexpr std::int64_t label_alg = 3;
constexpr std::int64_t label_crv = -1;  // EC2, OKP; RSA's n
constexpr std::int64_t label_x = -2;    // EC2, OKP; RSA's e
constexpr std::int64_t label_y = -3;    // EC2
constexpr std::int64_t label_d = -4;    // EC2, OKP private key
constexpr std::int64_t kty_okp = 1;
constexpr std::int64_t kty_ec2 = 2;
constexpr std::int64_t kty_rsa = 3;
constexpr std::int64_t crv_p256 = 1;
constexpr std::int64_t crv_ed25519 = 6;

auth_error key_error(std::string detail) { return {errc::invalid_key, "COSE key: " + detail}; }

result<std::int64_t> int_label(const cbor_value& key, std::int64_t label, const char* name) {
  const cbor_value* v = key.find(label);
  if (v == nullptr) return key_error(std::string(name) + " is missing");
  const auto i = v->as_int64();
  if (!i) return key_error(std::string(name) + " is not an integer");
  return *i;
}

result<byte_view> bytes_label(const cbor_value& key, std::int64_t label, const char* name) {
  const cbor_value* v = key.find(label);
  if (v == nullptr) return key_error(std::string(name) + " is missing");
  const bytes* b = v->as_bytes();
  if (b == nullptr) return key_error(std::string(name) + " is not a byte string");
  return byte_view(*b);
}

result<pkey_ptr> pkey_from_params(const char* type, const detail::param_bld_ptr& builder) {
  const detail::params_ptr params(OSSL_PARAM_BLD_to_param(builder.get()));
  const detail::pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return openssl_error("cannot set up key import");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return key_error("OpenSSL refuses the key");
  }
  return pkey_ptr(raw);
}

result<pkey_ptr> import_ec2(const cbor_value& key) {
  auto crv = int_label(key, label_crv, "crv");
  if (!crv) return crv.error();
  if (*crv != crv_p256) return key_error("ES256 needs crv P-256 (1)");
  auto x = bytes_label(key, label_x, "x");
  if (!x) return x.error();
  // RFC 9053 §7.1.1: y may be a boolean (point compression); WebAuthn keys carry it in full.
  auto y = bytes_label(key, label_y, "y");
  if (!y) return y.error();
  if (x->size() != 32 || y->size() != 32) return key_error("x and y must be 32 bytes each");
  bytes point{std::byte{0x04}};  // SEC 1 §2.3.3 uncompressed form
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  const detail::param_bld_ptr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return openssl_error("cannot set up key import");
  }
  auto pkey = pkey_from_params("EC", builder);
  if (!pkey) {
    if (pkey.error().code == errc::invalid_key) return key_error("the point is not on the curve");
    return pkey.error();
  }
  // An off-curve point is the invalid-curve attack's input: check it fully (on the curve, not at
  // infinity, of the group's order), whatever the import already checked.
  const detail::pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (!check) return openssl_error("cannot check the key");
  if (EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return key_error("the point is not on the curve");
  }
  return pkey;
}

result<pkey_ptr> import_okp(const cbor_value& key) {
  auto crv = int_label(key, label_crv, "crv");
  if (!crv) return crv.error();
  if (*crv != crv_ed25519) return key_error("EdDSA needs crv Ed25519 (6)");
  auto x = bytes_label(key, label_x, "x");
  if (!x) return x.error();
  if (x->size() != 32) return key_error("an Ed25519 key must be 32 bytes");
  EVP_PKEY* raw =
      EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, uchars(*x), x->size());
  if (raw == nullptr) return openssl_error("cannot import an Ed25519 key");
  return pkey_ptr(raw);
}

result<pkey_ptr> import_rsa(const cbor_value& key) {
  // RFC 8230 §4: labels -3 to -12 hold the private key and its CRT values.
  for (std::int64_t label = -3; label >= -12; --label) {
    if (key.find(label) != nullptr) return key_error("private RSA parameters are present");
  }
  auto n = bytes_label(key, label_crv, "n");
  if (!n) return n.error();
  auto e = bytes_label(key, label_x, "e");
  if (!e) return e.error();
  if (n->size() > 1025) return key_error("the RSA modulus is over 8192 bits");
  if (e->empty() || e->size() > 8) return key_error("the RSA exponent is not 1 to 8 bytes");
  const detail::bn_ptr bn_n(BN_bin2bn(uchars(*n), static_cast<int>(n->size()), nullptr));
  const detail::bn_ptr bn_e(BN_bin2bn(uchars(*e), static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return openssl_error("cannot read the RSA key");
  const int bits = BN_num_bits(bn_n.get());
  // WebAuthn L2 §5.8.5 and SP 800-131A: 2048 bits at least; 8192 bounds the verification cost.
  if (bits < 2048 || bits > 8192) return key_error("the RSA modulus is not 2048 to 8192 bits");
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) {
    return key_error("the RSA exponent is even or 1");
  }
  const detail::param_bld_ptr builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return openssl_error("cannot set up key import");
  }
  return pkey_from_params("RSA", builder);
}

}  // namespace

std::optional<cose_algorithm> parse_cose_algorithm(std::int64_t alg) noexcept {
  switch (alg) {
    case static_cast<std::int64_t>(cose_algorithm::es256):
      return cose_algorithm::es256;
    case static_cast<std::int64_t>(cose_algorithm::eddsa):
      return cose_algorithm::eddsa;
    case static_cast<std::int64_t>(cose_algorithm::rs256):
      return cose_algorithm::rs256;
    default:
      return std::nullopt;
  }
}

std::string_view to_string(cose_algorithm alg) noexcept {
  switch (alg) {
    case cose_algorithm::es256:
      return "ES256";
    case cose_algorithm::eddsa:
      return "EdDSA";
    case cose_algorithm::rs256:
      return "RS256";
  }
  return "unknown";
}

cose_key::cose_key(std::shared_ptr<const detail::cose_key_material> material,
                   cose_algorithm alg) noexcept
    : material_(std::move(material)), alg_(alg) {}

result<cose_key> cose_key::from_cbor(const cbor_value& key) {
  if (key.as_map() == nullptr) return auth_error{errc::malformed_input, "COSE key is not a map"};
  const cbor_value* kty = key.find(label_kty);
  const cbor_value* alg = key.find(label_alg);
  if (kty == nullptr || !kty->as_int64() || alg == nullptr || !alg->as_int64()) {
    return auth_error{errc::malformed_input, "COSE key lacks an integer kty or alg"};
  }
  const auto algorithm = parse_cose_algorithm(*alg->as_int64());
  if (!algorithm) {
    return auth_error{errc::unsupported_algorithm,
                      "COSE alg " + std::to_string(*alg->as_int64()) + " is not supported"};
  }
  result<pkey_ptr> pkey = key_error("unreachable");
  switch (*algorithm) {
    case cose_algorithm::es256:
      if (*kty->as_int64() != kty_ec2) return key_error("ES256 needs kty EC2 (2)");
      if (key.find(label_d) != nullptr) return key_error("the private key d is present");
      pkey = import_ec2(key);
      break;
    case cose_algorithm::eddsa:
      if (*kty->as_int64() != kty_okp) return key_error("EdDSA needs kty OKP (1)");
      if (key.find(label_d) != nullptr) return key_error("the private key d is present");
      pkey = import_okp(key);
      break;
    case cose_algorithm::rs256:
      if (*kty->as_int64() != kty_rsa) return key_error("RS256 needs kty RSA (3)");
      pkey = import_rsa(key);
      break;
  }
  if (!pkey) return pkey.error();
  return detail::cose_key_access::make(std::move(*pkey), *algorithm);
}

result<cose_key> cose_key::parse(byte_view encoded) {
  if (encoded.size() > max_cose_key_size) {
    return auth_error{errc::limit_exceeded,
                      "COSE key is over " + std::to_string(max_cose_key_size) + " bytes"};
  }
  auto value = decode_cbor(encoded);
  if (!value) return value.error();
  return from_cbor(*value);
}

result<void> cose_key::verify(byte_view message, byte_view signature) const {
  return detail::verify_signature(material_->pkey.get(), alg_, message, signature);
}

namespace detail {

bool key_fits(EVP_PKEY* pkey, cose_algorithm alg) noexcept {
  switch (alg) {
    case cose_algorithm::es256: {
      if (EVP_PKEY_is_a(pkey, "EC") != 1) return false;
      std::array<char, 64> group{};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                         group.size(), &len) != 1) {
        ERR_clear_error();
        return false;
      }
      const std::string_view name(group.data(), len);
      return name == "prime256v1" || name == "P-256";
    }
    case cose_algorithm::eddsa:
      return EVP_PKEY_is_a(pkey, "ED25519") == 1;
    case cose_algorithm::rs256: {
      const int bits = EVP_PKEY_get_bits(pkey);
      return EVP_PKEY_is_a(pkey, "RSA") == 1 && bits >= 2048 && bits <= 8192;
    }
  }
  return false;
}

result<void> verify_signature(EVP_PKEY* pkey, cose_algorithm alg, byte_view message,
                              byte_view signature) {
  const auto bad = [](const char* why) { return auth_error{errc::invalid_signature, why}; };
  // Sizes first: a DER ECDSA P-256 signature is 8 to 72 bytes, Ed25519 64, RSA the modulus.
  switch (alg) {
    case cose_algorithm::es256:
      if (signature.size() < 8 || signature.size() > 72) {
        return bad("an ES256 signature must be DER of 8 to 72 bytes");
      }
      break;
    case cose_algorithm::eddsa:
      if (signature.size() != 64) return bad("an Ed25519 signature must be 64 bytes");
      break;
    case cose_algorithm::rs256:
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) {
        return bad("an RS256 signature must be as long as the modulus");
      }
      break;
  }
  const md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx) return openssl_error("cannot allocate a digest context");
  // Ed25519 hashes internally (PureEdDSA): no digest is named for it.
  const char* digest = alg == cose_algorithm::eddsa ? nullptr : "SHA256";
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, pkey, nullptr) != 1) {
    return openssl_error("cannot set up the signature check");
  }
  // OpenSSL's ECDSA check re-encodes the parsed signature and compares it with the input, so
  // BER variants and trailing bytes fail here too: one signature, one spelling.
  const int rc = EVP_DigestVerify(ctx.get(), uchars(signature), signature.size(), uchars(message),
                                  message.size());
  if (rc != 1) {
    ERR_clear_error();
    return bad("the signature does not verify");
  }
  return {};
}

}  // namespace detail

}  // namespace authpp::webauthn
