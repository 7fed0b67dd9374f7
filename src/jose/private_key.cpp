// Signing keys: private JWKs (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2) and fresh keys.
#include <authpp/jose/jws.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <utility>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>

#include "pkey_internal.hpp"

namespace authpp::jose {
namespace {

using detail::bn_from;
using detail::bn_ptr;
using detail::openssl_error;
using detail::param_bld_ptr;
using detail::pkey_ctx_ptr;
using detail::pkey_ptr;
using detail::public_members;
using detail::read_secret;

auth_error key_error(std::string detail) { return {errc::invalid_key, std::move(detail)}; }

// implied_algorithm is the one algorithm an EC or Ed25519 key serves; RSA keys serve six.
std::optional<jws_algorithm> implied_algorithm(key_type type) noexcept {
  switch (type) {
    case key_type::ec_p256:
      return jws_algorithm::es256;
    case key_type::ec_p384:
      return jws_algorithm::es384;
    case key_type::ec_p521:
      return jws_algorithm::es512;
    case key_type::ed25519:
      return jws_algorithm::eddsa;
    case key_type::rsa:
      break;
  }
  return std::nullopt;
}

result<std::optional<jws_algorithm>> jwk_algorithm(const json& jwk, key_type type) {
  const auto it = jwk.find("alg");
  if (it == jwk.end()) return implied_algorithm(type);
  if (!it->is_string()) return key_error("`alg` is not a string");
  const auto alg = parse_jws_algorithm(it->get_ref<const std::string&>());
  if (!alg || !key_fits(type, *alg)) return key_error("`alg` is not an algorithm of this key");
  return std::optional<jws_algorithm>{*alg};
}

// check_pair makes OpenSSL confirm that the private half belongs to the public one (for EC:
// d·G = (x, y); for RSA: n = p·q and the exponents agree), and for EC that the point is valid.
result<void> check_pair(EVP_PKEY* pkey, key_type type) {
  const pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return openssl_error("cannot check the key");
  if (type != key_type::rsa && EVP_PKEY_public_check(ctx.get()) != 1) {
    ERR_clear_error();
    return key_error("the point is not on the curve");
  }
  if (EVP_PKEY_pairwise_check(ctx.get()) != 1) {
    ERR_clear_error();
    return key_error("the private key does not match the public key");
  }
  return {};
}

result<pkey_ptr> import_rsa(const json& jwk, const public_members& m) {
  // RFC 7518 §6.3.2.7: the other primes of a multi-prime key; no provider or signer needs them.
  if (jwk.contains("oth")) return key_error("multi-prime RSA keys (`oth`) are not supported");
  constexpr std::array<std::pair<const char*, const char*>, 6> parts = {{
      {"d", OSSL_PKEY_PARAM_RSA_D},
      {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
      {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
      {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
      {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
  }};
  auto params = detail::rsa_public_params(m);
  if (!params) return params.error();
  std::array<bn_ptr, parts.size()> values;  // alive until the parameters are built
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto part = read_secret(jwk, parts[i].first);
    if (!part) return part.error();
    values[i] = bn_from(part->view(), true);
    if (!values[i] ||
        OSSL_PARAM_BLD_push_BN(params->builder.get(), parts[i].second, values[i].get()) != 1) {
      return openssl_error("cannot set up key import");
    }
  }
  return detail::pkey_from_params("RSA", EVP_PKEY_KEYPAIR, params->builder);
}

result<pkey_ptr> import_ec(const json& jwk, const public_members& m) {
  const detail::curve& c = detail::curve_of(m.type);
  auto d = read_secret(jwk, "d");
  if (!d) return d.error();
  // RFC 7518 §6.2.2.1: `d` is exactly the size of the curve's order.
  if (d->view().size() != c.size) return key_error("`d` is not the size of the curve");
  const bytes point = detail::uncompressed_point(m);
  const param_bld_ptr builder(OSSL_PARAM_BLD_new());
  const bn_ptr priv = bn_from(d->view(), true);
  if (!builder || !priv ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.openssl_name,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1) {
    return openssl_error("cannot set up key import");
  }
  return detail::pkey_from_params("EC", EVP_PKEY_KEYPAIR, builder);
}

result<pkey_ptr> import_ed25519(const json& jwk, const public_members& m) {
  auto d = read_secret(jwk, "d");
  if (!d) return d.error();
  if (d->view().size() != m.x.size()) return key_error("`d` is not the size of the curve");
  pkey_ptr pkey(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr,
                                                detail::uchars(d->view()), d->view().size()));
  if (!pkey) return openssl_error("cannot import an Ed25519 key");
  // The public key follows from `d`; `x` must be that key (RFC 8037 §2).
  std::array<unsigned char, 32> derived{};
  std::size_t len = derived.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), derived.data(), &len) != 1 || len != m.x.size()) {
    return openssl_error("cannot derive an Ed25519 public key");
  }
  if (!std::equal(derived.begin(), derived.end(), detail::uchars(byte_view(m.x)))) {
    return key_error("the private key does not match the public key");
  }
  return pkey;
}

// no_passphrase refuses to decrypt: without it OpenSSL could prompt on the terminal for an
// encrypted PEM.
int no_passphrase(char*, int, int, void*) { return -1; }

// pem_key_type names the key_type of a decoded key; nullopt for any other key.
std::optional<key_type> pem_key_type(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519") == 1) return key_type::ed25519;
  if (EVP_PKEY_is_a(pkey, "RSA") == 1) {
    // The bounds public_key::from_jwk applies to a modulus.
    const int bits = EVP_PKEY_get_bits(pkey);
    if (bits < 2048 || bits > 8192) return std::nullopt;
    return key_type::rsa;
  }
  if (EVP_PKEY_is_a(pkey, "EC") != 1) return std::nullopt;
  std::array<char, 32> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &len) != 1) {
    ERR_clear_error();  // explicit curve parameters, which authpp does not take
    return std::nullopt;
  }
  for (const key_type type : {key_type::ec_p256, key_type::ec_p384, key_type::ec_p521}) {
    if (std::string_view(group.data(), len) == detail::curve_of(type).openssl_name) return type;
  }
  return std::nullopt;
}

}  // namespace

private_key::private_key(std::shared_ptr<const detail::key_material> material,
                         std::optional<jws_algorithm> alg) noexcept
    : material_(std::move(material)), alg_(alg) {}

key_type private_key::type() const noexcept { return material_->type; }

result<private_key> private_key::from_jwk(std::string_view json_text) {
  if (json_text.size() > default_max_jwk_size) {
    return auth_error{errc::limit_exceeded, "JWK is too long"};
  }
  auto jwk = parse_json(json_text);
  if (!jwk || !jwk->is_object()) return auth_error{errc::malformed_input, "JWK is not an object"};
  auto members = detail::read_public_members(*jwk);
  if (!members) return members.error();
  auto alg = jwk_algorithm(*jwk, members->type);
  if (!alg) return alg.error();
  result<pkey_ptr> pkey = auth_error{errc::invalid_key, "unknown key type"};
  switch (members->type) {
    case key_type::rsa:
      pkey = import_rsa(*jwk, *members);
      break;
    case key_type::ed25519:
      pkey = import_ed25519(*jwk, *members);
      break;
    case key_type::ec_p256:
    case key_type::ec_p384:
    case key_type::ec_p521:
      pkey = import_ec(*jwk, *members);
      break;
  }
  if (!pkey) return pkey.error();
  if (members->type != key_type::ed25519) {
    if (auto ok = check_pair(pkey->get(), members->type); !ok) return ok.error();
  }
  return detail::key_access::make_private(std::move(*pkey), members->type, *alg);
}

result<private_key> private_key::from_pem(std::string_view pem) {
  if (pem.size() > default_max_jwk_size) {
    return auth_error{errc::limit_exceeded, "PEM key is too long"};
  }
  EVP_PKEY* raw = nullptr;
  const std::unique_ptr<OSSL_DECODER_CTX, decltype(&OSSL_DECODER_CTX_free)> ctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, nullptr, EVP_PKEY_KEYPAIR, nullptr,
                                    nullptr),
      &OSSL_DECODER_CTX_free);
  if (!ctx || OSSL_DECODER_CTX_set_pem_password_cb(ctx.get(), no_passphrase, nullptr) != 1) {
    return openssl_error("cannot set up PEM decoding");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());  // NOLINT
  std::size_t len = pem.size();
  const bool decoded = OSSL_DECODER_from_data(ctx.get(), &data, &len) == 1;
  pkey_ptr pkey(raw);
  if (!decoded || !pkey) {
    ERR_clear_error();
    return key_error("not an unencrypted PEM private key");
  }
  const auto type = pem_key_type(pkey.get());
  if (!type) return key_error("not an RSA (2048-8192 bits), P-256/384/521 or Ed25519 key");
  // A PEM key carries both halves; a damaged or crafted one may not match.
  if (auto ok = check_pair(pkey.get(), *type); !ok) return ok.error();
  return detail::key_access::make_private(std::move(pkey), *type, implied_algorithm(*type));
}

result<private_key> private_key::generate(jws_algorithm alg) {
  const key_type type = detail::key_type_for(alg);
  EVP_PKEY* raw = nullptr;
  if (type == key_type::rsa) {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
  } else if (type == key_type::ed25519) {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", detail::curve_of(type).openssl_name);
  }
  if (raw == nullptr) return openssl_error("key generation failed");
  return detail::key_access::make_private(pkey_ptr(raw), type, alg);
}

public_key private_key::public_part() const {
  // Through the checked import, so that the public key holds no private part.
  return public_key::from_jwk_object(
             detail::public_jwk_members(material_->pkey.get(), material_->type))
      .value();
}

std::string private_key::public_jwk(std::string_view kid) const {
  json jwk = detail::public_jwk_members(material_->pkey.get(), material_->type);
  if (!kid.empty()) jwk["kid"] = std::string(kid);
  if (alg_) jwk["alg"] = std::string(to_string(*alg_));
  jwk["use"] = "sig";
  return jwk.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace authpp::jose
