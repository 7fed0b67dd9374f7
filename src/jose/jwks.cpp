// Public JSON Web Keys (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2) and JWK Sets (RFC 7517 §5).
#include <authpp/core/base64url.hpp>
#include <authpp/jose/jws.hpp>

#include <algorithm>
#include <array>
#include <new>
#include <string>
#include <utility>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "pkey_internal.hpp"

namespace authpp::jose {
namespace detail {
namespace {

constexpr std::array<curve, 4> curves = {{
    {key_type::ec_p256, "P-256", "prime256v1", 32},
    {key_type::ec_p384, "P-384", "secp384r1", 48},
    {key_type::ec_p521, "P-521", "secp521r1", 66},
    {key_type::ed25519, "Ed25519", "ED25519", 32},
}};

// RSA bounds. 2048 bits is the floor oauth4webapi (Auth.js) and RFC 7518 §3.3 set; 8192 bits
// caps the cost of one verification. A 64-bit exponent bound keeps exponentiation cheap too.
constexpr std::size_t min_rsa_bits = 2048;
constexpr std::size_t max_rsa_bits = 8192;
constexpr std::size_t max_rsa_exponent_size = 8;

auth_error key_error(std::string detail) { return {errc::invalid_key, std::move(detail)}; }

// string_member returns jwk[name] when it is a string; nullopt when absent; an error otherwise.
result<std::optional<std::string>> string_member(const json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) return std::optional<std::string>{};
  if (!it->is_string()) return key_error(std::string("`") + name + "` is not a string");
  return std::optional<std::string>{it->get<std::string>()};
}

result<bytes> read_base64url(const json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) return key_error(std::string("`") + name + "` is missing");
  if (!it->is_string()) return key_error(std::string("`") + name + "` is not a string");
  auto decoded = base64url::decode(it->get_ref<const std::string&>());
  if (!decoded) return key_error(std::string("`") + name + "` is not canonical base64url");
  return decoded;
}

std::size_t leading_zeros(byte_view b) {
  const auto first =
      std::find_if(b.begin(), b.end(), [](std::byte c) { return c != std::byte{0}; });
  return static_cast<std::size_t>(first - b.begin());
}

// bits returns the length in bits of the big-endian unsigned `b`.
std::size_t bits(byte_view b) {
  const std::size_t zeros = leading_zeros(b);
  if (zeros == b.size()) return 0;
  auto top = static_cast<unsigned>(b[zeros]);
  std::size_t n = 0;
  while (top != 0) {
    ++n;
    top >>= 1;
  }
  return (b.size() - zeros - 1) * 8 + n;
}

bool is_odd(byte_view b) { return !b.empty() && (static_cast<unsigned>(b.back()) & 1U) != 0; }

result<public_members> read_rsa(const json& jwk) {
  auto n = read_base64url(jwk, "n");
  if (!n) return n.error();
  auto e = read_base64url(jwk, "e");
  if (!e) return e.error();
  // RFC 7518 §6.3.1.1 forbids a leading zero octet; some libraries add one anyway. The value is
  // the same, so it is accepted and only the bits are counted.
  const std::size_t n_bits = bits(*n);
  if (n_bits < min_rsa_bits) return key_error("RSA modulus is shorter than 2048 bits");
  if (n_bits > max_rsa_bits) return key_error("RSA modulus is longer than 8192 bits");
  if (!is_odd(*n)) return key_error("RSA modulus is even");
  if (e->size() - leading_zeros(*e) > max_rsa_exponent_size) {
    return key_error("RSA exponent is longer than 64 bits");
  }
  if (!is_odd(*e) || bits(*e) < 2) return key_error("RSA exponent is not an odd number above 1");
  return public_members{key_type::rsa, std::move(*n), std::move(*e), {}, {}};
}

result<public_members> read_curve_point(const json& jwk, const curve& c) {
  auto x = read_base64url(jwk, "x");
  if (!x) return x.error();
  // RFC 7518 §6.2.1.2-3 and RFC 8037 §2: full-size values only, as WebCrypto requires.
  if (x->size() != c.size) return key_error("`x` is not the size of the curve");
  if (c.type == key_type::ed25519) return public_members{c.type, {}, {}, std::move(*x), {}};
  auto y = read_base64url(jwk, "y");
  if (!y) return y.error();
  if (y->size() != c.size) return key_error("`y` is not the size of the curve");
  return public_members{c.type, {}, {}, std::move(*x), std::move(*y)};
}

result<pkey_ptr> import_rsa(const public_members& m) {
  auto params = rsa_public_params(m);
  if (!params) return params.error();
  return pkey_from_params("RSA", EVP_PKEY_PUBLIC_KEY, params->builder);
}

result<pkey_ptr> import_ec(const public_members& m) {
  const curve& c = curve_of(m.type);
  const bytes point = uncompressed_point(m);
  const param_bld_ptr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, c.openssl_name,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return openssl_error("cannot set up key import");
  }
  auto pkey = pkey_from_params("EC", EVP_PKEY_PUBLIC_KEY, builder);
  if (!pkey) {
    if (pkey.error().code == errc::invalid_key) return key_error("the point is not on the curve");
    return pkey.error();
  }
  // An off-curve or small-order point is the invalid-curve attack's input: check it fully (on the
  // curve, not at infinity, of the group's order), whatever the import already checked.
  const pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (!check) return openssl_error("cannot check the key");
  if (EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return key_error("the point is not on the curve");
  }
  return pkey;
}

result<pkey_ptr> import_ed25519(const public_members& m) {
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                                 detail::uchars(byte_view(m.x)), m.x.size());
  if (raw == nullptr) return openssl_error("cannot import an Ed25519 key");
  return pkey_ptr(raw);
}

std::string b64(const bn_ptr& bn, std::size_t size) {
  bytes out(size == 0 ? static_cast<std::size_t>(BN_num_bytes(bn.get())) : size);
  const int written =
      size == 0 ? BN_bn2bin(bn.get(), detail::uchars(out.data()))
                : BN_bn2binpad(bn.get(), detail::uchars(out.data()), static_cast<int>(size));
  if (written < 0) throw std::bad_alloc();
  return base64url::encode(out);
}

bn_ptr bn_param(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) throw std::bad_alloc();
  return bn_ptr(raw);
}

// private_members names every JWK member that carries private or secret key material.
constexpr std::array<const char*, 8> private_members = {"d",  "p",  "q",   "dp",
                                                        "dq", "qi", "oth", "k"};

bool has_private_members(const json& jwk) {
  return std::any_of(private_members.begin(), private_members.end(),
                     [&](const char* name) { return jwk.contains(name); });
}

}  // namespace

const curve* curve_by_crv(std::string_view kty, std::string_view crv) noexcept {
  if (kty != "EC" && kty != "OKP") return nullptr;
  for (const curve& c : curves) {
    // OKP (RFC 8037) carries Ed25519; EC carries the NIST curves.
    if (c.crv == crv && (c.type == key_type::ed25519) == (kty == "OKP")) return &c;
  }
  return nullptr;
}

const curve& curve_of(key_type type) noexcept {
  for (const curve& c : curves) {
    if (c.type == type) return c;
  }
  return curves[0];  // unreachable for non-RSA types
}

result<rsa_params> rsa_public_params(const public_members& m) {
  rsa_params p{param_bld_ptr(OSSL_PARAM_BLD_new()), bn_from(m.n, false), bn_from(m.e, false)};
  if (!p.builder || !p.n || !p.e ||
      OSSL_PARAM_BLD_push_BN(p.builder.get(), OSSL_PKEY_PARAM_RSA_N, p.n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(p.builder.get(), OSSL_PKEY_PARAM_RSA_E, p.e.get()) != 1) {
    return openssl_error("cannot set up key import");
  }
  return p;
}

auth_error openssl_error(const char* what) {
  ERR_clear_error();  // the queue is per thread: leave nothing for an unrelated later call
  return {errc::crypto_failure, what};
}

result<pkey_ptr> pkey_from_params(const char* name, int selection, const param_bld_ptr& builder) {
  const params_ptr params(OSSL_PARAM_BLD_to_param(builder.get()));
  const pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return openssl_error("cannot set up key import");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    ERR_clear_error();
    return key_error("OpenSSL refuses the key");
  }
  return pkey_ptr(raw);
}

bytes uncompressed_point(const public_members& members) {
  bytes point;
  point.reserve(1 + members.x.size() + members.y.size());
  point.push_back(std::byte{0x04});
  point.insert(point.end(), members.x.begin(), members.x.end());
  point.insert(point.end(), members.y.begin(), members.y.end());
  return point;
}

secret_bytes& secret_bytes::operator=(secret_bytes&& other) noexcept {
  if (this != &other) {
    OPENSSL_cleanse(b_.data(), b_.size());
    b_ = std::move(other.b_);
  }
  return *this;
}

secret_bytes::~secret_bytes() { OPENSSL_cleanse(b_.data(), b_.size()); }

bn_ptr bn_from(byte_view b, bool secret) {
  bn_ptr bn(secret ? BN_secure_new() : BN_new());
  if (!bn || BN_bin2bn(uchars(b), static_cast<int>(b.size()), bn.get()) == nullptr) return nullptr;
  return bn;
}

result<public_members> read_public_members(const json& jwk) {
  auto kty = string_member(jwk, "kty");
  if (!kty) return kty.error();
  if (!*kty) return key_error("`kty` is missing");
  if (**kty == "RSA") return read_rsa(jwk);
  if (**kty != "EC" && **kty != "OKP") return key_error("`kty` is not RSA, EC or OKP");
  auto crv = string_member(jwk, "crv");
  if (!crv) return crv.error();
  if (!*crv) return key_error("`crv` is missing");
  const curve* c = curve_by_crv(**kty, **crv);
  if (c == nullptr) return key_error("`crv` is not a curve authpp signs with");
  return read_curve_point(jwk, *c);
}

result<secret_bytes> read_secret(const json& jwk, const char* name) {
  auto decoded = read_base64url(jwk, name);
  if (!decoded) return decoded.error();
  return secret_bytes(std::move(*decoded));
}

result<pkey_ptr> import_public(const public_members& members) {
  switch (members.type) {
    case key_type::rsa:
      return import_rsa(members);
    case key_type::ed25519:
      return import_ed25519(members);
    case key_type::ec_p256:
    case key_type::ec_p384:
    case key_type::ec_p521:
      return import_ec(members);
  }
  return key_error("unknown key type");
}

json public_jwk_members(EVP_PKEY* pkey, key_type type) {
  json out = json::object();
  if (type == key_type::rsa) {
    out["e"] = b64(bn_param(pkey, OSSL_PKEY_PARAM_RSA_E), 0);
    out["kty"] = "RSA";
    out["n"] = b64(bn_param(pkey, OSSL_PKEY_PARAM_RSA_N), 0);
    return out;
  }
  const curve& c = curve_of(type);
  out["crv"] = std::string(c.crv);
  if (type == key_type::ed25519) {
    bytes raw(c.size);
    std::size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(pkey, uchars(raw.data()), &len) != 1 || len != c.size) {
      throw std::bad_alloc();
    }
    out["kty"] = "OKP";
    out["x"] = base64url::encode(raw);
    return out;
  }
  out["kty"] = "EC";
  out["x"] = b64(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X), c.size);
  out["y"] = b64(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y), c.size);
  return out;
}

}  // namespace detail

namespace {

using detail::key_error;
using detail::string_member;

// check_usage applies RFC 7517 §4.2-4.3: a key published for encryption only is not one a
// signature may be checked with.
result<void> check_usage(const json& jwk, const std::optional<std::string>& use) {
  if (use && *use != "sig") return key_error("`use` is not \"sig\"");
  const auto ops = jwk.find("key_ops");
  if (ops == jwk.end()) return {};
  if (!ops->is_array()) return key_error("`key_ops` is not an array");
  if (std::find(ops->begin(), ops->end(), json("verify")) == ops->end()) {
    return key_error("`key_ops` lacks \"verify\"");
  }
  return {};
}

result<public_jwk> read_set_member(const json& jwk) {
  auto kid = string_member(jwk, "kid");
  if (!kid) return kid.error();
  auto alg = string_member(jwk, "alg");
  if (!alg) return alg.error();
  auto use = string_member(jwk, "use");
  if (!use) return use.error();
  if (auto usable = check_usage(jwk, *use); !usable) return usable.error();
  auto key = public_key::from_jwk_object(jwk);
  if (!key) return key.error();
  return public_jwk{std::move(*key), std::move(*kid), std::move(*alg), std::move(*use)};
}

}  // namespace

public_key::public_key(std::shared_ptr<const detail::key_material> material) noexcept
    : material_(std::move(material)) {}

key_type public_key::type() const noexcept { return material_->type; }

result<public_key> public_key::from_jwk(std::string_view json_text) {
  if (json_text.size() > default_max_jwk_size) {
    return auth_error{errc::limit_exceeded, "JWK is too long"};
  }
  auto parsed = parse_json(json_text);
  if (!parsed || !parsed->is_object()) {
    return auth_error{errc::malformed_input, "JWK is not a JSON object"};
  }
  return from_jwk_object(*parsed);
}

result<public_key> public_key::from_jwk_object(const json& jwk) {
  if (!jwk.is_object()) return auth_error{errc::malformed_input, "JWK is not a JSON object"};
  if (detail::has_private_members(jwk)) return key_error("a public JWK holds private members");
  auto members = detail::read_public_members(jwk);
  if (!members) return members.error();
  auto pkey = detail::import_public(*members);
  if (!pkey) return pkey.error();
  return detail::key_access::make_public(std::move(*pkey), members->type);
}

std::string public_key::to_jwk() const {
  return detail::public_jwk_members(material_->pkey.get(), material_->type).dump();
}

result<jwk_set> jwk_set::parse(std::string_view json_text, const jwks_options& options) {
  if (json_text.size() > options.max_size) {
    return auth_error{errc::limit_exceeded, "JWK Set is too long"};
  }
  auto parsed = parse_json(json_text);
  if (!parsed || !parsed->is_object()) {
    return auth_error{errc::malformed_input, "JWK Set is not a JSON object"};
  }
  const auto keys = parsed->find("keys");
  if (keys == parsed->end() || !keys->is_array()) {
    return auth_error{errc::malformed_input, "JWK Set has no `keys` array"};
  }
  if (keys->size() > options.max_keys) {
    return auth_error{errc::limit_exceeded, "JWK Set has too many keys"};
  }
  jwk_set set;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& jwk = (*keys)[i];
    if (!jwk.is_object()) {
      return auth_error{errc::malformed_input, "a member of `keys` is not a JSON object"};
    }
    // Private material refuses the whole set before any key is used: see jws.hpp.
    if (detail::has_private_members(jwk)) {
      return key_error("key " + std::to_string(i) + " of the JWK Set holds private key material");
    }
    auto key = read_set_member(jwk);
    if (key) {
      set.keys_.push_back(std::move(*key));
      continue;
    }
    if (key.error().code == errc::crypto_failure) return key.error();  // OpenSSL, not the key
    auto kid = string_member(jwk, "kid");
    set.skipped_.push_back({i, kid ? std::move(*kid) : std::nullopt, key.error()});
  }
  return set;
}

}  // namespace authpp::jose
