#pragma once

#include <authpp/core/base64url.hpp>
#include <authpp/core/bytes.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/webauthn/cbor.hpp>
#include <authpp/webauthn/cose.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

// Builders for the webauthn tests: credential keys made here through OpenSSL (independent of the
// code under test), their COSE encodings, signatures, authenticator data, clientDataJSON and
// attestation objects, so that each test changes exactly one thing from a valid ceremony.
namespace authpp::webauthn::test {

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct bn_free {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
using pkey_handle = std::unique_ptr<EVP_PKEY, pkey_free>;

inline const unsigned char* uchars(byte_view b) {
  return reinterpret_cast<const unsigned char*>(b.data());  // NOLINT
}

inline bytes bn_bytes(EVP_PKEY* pkey, const char* name, std::size_t size) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) throw std::runtime_error("get_bn_param");
  const std::unique_ptr<BIGNUM, bn_free> bn(raw);
  bytes out(size == 0 ? static_cast<std::size_t>(BN_num_bytes(bn.get())) : size);
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),  // NOLINT
               static_cast<int>(out.size()));
  return out;
}

inline cbor_value::map_type entries(
    std::initializer_list<std::pair<std::int64_t, cbor_value>> list) {
  cbor_value::map_type out;
  for (const auto& [k, v] : list) out.push_back({cbor_value::integer(k), v});
  return out;
}

// test_key is a credential key pair of one algorithm, made fresh by OpenSSL.
class test_key {
 public:
  explicit test_key(cose_algorithm alg, int rsa_bits = 2048) : alg_(alg) {
    EVP_PKEY* raw = nullptr;
    switch (alg) {
      case cose_algorithm::es256:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
      case cose_algorithm::eddsa:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
      case cose_algorithm::rs256:
        raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
        break;
    }
    if (raw == nullptr) throw std::runtime_error("keygen");
    pkey_.reset(raw);
  }

  cose_algorithm algorithm() const { return alg_; }

  // cose_map returns the public key as a COSE_Key map, kty, alg, then the parameters.
  cbor_value cose_map() const {
    const auto alg = cbor_value::integer(static_cast<std::int64_t>(alg_));
    switch (alg_) {
      case cose_algorithm::es256:
        return cbor_value::map(entries(
            {{1, cbor_value::integer(2)},
             {3, alg},
             {-1, cbor_value::integer(1)},
             {-2, cbor_value::byte_string(bn_bytes(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32))},
             {-3, cbor_value::byte_string(bn_bytes(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32))}}));
      case cose_algorithm::eddsa: {
        bytes x(32);
        std::size_t len = x.size();
        EVP_PKEY_get_raw_public_key(pkey_.get(),
                                    reinterpret_cast<unsigned char*>(x.data()),  // NOLINT
                                    &len);
        return cbor_value::map(entries({{1, cbor_value::integer(1)},
                                        {3, alg},
                                        {-1, cbor_value::integer(6)},
                                        {-2, cbor_value::byte_string(x)}}));
      }
      case cose_algorithm::rs256:
        return cbor_value::map(entries(
            {{1, cbor_value::integer(3)},
             {3, alg},
             {-1, cbor_value::byte_string(bn_bytes(pkey_.get(), OSSL_PKEY_PARAM_RSA_N, 0))},
             {-2, cbor_value::byte_string(bn_bytes(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, 0))}}));
    }
    return {};
  }
  bytes cose() const { return encode_cbor(cose_map()); }

  // sign returns the WebAuthn signature of `message`: DER ECDSA, PKCS #1 v1.5, or Ed25519.
  bytes sign(byte_view message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const char* md = alg_ == cose_algorithm::eddsa ? nullptr : "SHA256";
    bytes sig(static_cast<std::size_t>(EVP_PKEY_get_size(pkey_.get())));
    std::size_t len = sig.size();
    const bool ok =
        EVP_DigestSignInit_ex(ctx, nullptr, md, nullptr, nullptr, pkey_.get(), nullptr) == 1 &&
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,  // NOLINT
                       uchars(message), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw std::runtime_error("sign");
    sig.resize(len);
    return sig;
  }

 private:
  cose_algorithm alg_;
  pkey_handle pkey_;
};

// flag bits of authenticator data (WebAuthn L2 §6.1).
inline constexpr std::uint8_t flag_up = 0x01, flag_uv = 0x04, flag_be = 0x08, flag_bs = 0x10,
                              flag_at = 0x40, flag_ed = 0x80;

inline bytes concat(byte_view a, byte_view b) {
  bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// authenticator_data_for builds authenticator data; with a credential when `cose_key` is set.
inline bytes authenticator_data_for(std::string_view rp_id, std::uint8_t flags,
                                    std::uint32_t counter, const bytes* cose_key = nullptr,
                                    const bytes& credential_id = bytes(16, std::byte{0x42}),
                                    const std::array<std::byte, 16>& aaguid = {}) {
  const jose::sha256_digest hash = jose::sha256(rp_id);
  bytes out(hash.begin(), hash.end());
  out.push_back(static_cast<std::byte>(flags | (cose_key != nullptr ? flag_at : 0)));
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::byte>(counter >> shift));
  if (cose_key != nullptr) {
    out.insert(out.end(), aaguid.begin(), aaguid.end());
    out.push_back(static_cast<std::byte>(credential_id.size() >> 8));
    out.push_back(static_cast<std::byte>(credential_id.size() & 0xff));
    out.insert(out.end(), credential_id.begin(), credential_id.end());
    out.insert(out.end(), cose_key->begin(), cose_key->end());
  }
  return out;
}

// client_data_json writes clientDataJSON as Chrome does.
inline std::string client_data_json(std::string_view type, byte_view challenge,
                                    std::string_view origin) {
  return R"({"type":")" + std::string(type) + R"(","challenge":")" + base64url::encode(challenge) +
         R"(","origin":")" + std::string(origin) + R"(","crossOrigin":false})";
}

inline cbor_value text_map(std::initializer_list<std::pair<std::string, cbor_value>> list) {
  cbor_value::map_type out;
  for (const auto& [k, v] : list) out.push_back({cbor_value::text_string(k), v});
  return cbor_value::map(std::move(out));
}

// attestation_object_for encodes {"fmt", "attStmt", "authData"} in CTAP2 canonical order.
inline bytes attestation_object_for(std::string_view fmt, const cbor_value& statement,
                                    byte_view auth_data) {
  return encode_cbor(
      text_map({{"fmt", cbor_value::text_string(std::string(fmt))},
                {"attStmt", statement},
                {"authData", cbor_value::byte_string(bytes(auth_data.begin(), auth_data.end()))}}));
}

// packed_self_statement signs authData ‖ SHA-256(clientDataJSON) with the credential's own key.
inline cbor_value packed_self_statement(const test_key& key, byte_view auth_data,
                                        std::string_view client_data) {
  const jose::sha256_digest hash = jose::sha256(client_data);
  return text_map({{"alg", cbor_value::integer(static_cast<std::int64_t>(key.algorithm()))},
                   {"sig", cbor_value::byte_string(key.sign(concat(auth_data, hash)))}});
}

inline bytes b64(std::string_view text) { return base64url::decode(text).value(); }

}  // namespace authpp::webauthn::test
