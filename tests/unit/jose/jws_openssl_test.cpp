// Signatures made with OpenSSL directly rather than through sign_jws: they pin verify_jws's wire
// rules for RSA-PSS independently of authpp's own signer.
#include <authpp/core/base64url.hpp>
#include <authpp/jose/jws.hpp>

#include <array>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using test::error_of;

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct md_ctx_free {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

unsigned char* uchars(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }  // NOLINT
const unsigned char* uchars(const char* p) {
  return reinterpret_cast<const unsigned char*>(p);  // NOLINT
}

std::string b64_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, uchars(out.data()));
  BN_free(bn);
  return base64url::encode(out);
}

// sign_rsa signs `input` with OpenSSL's RSA-PSS (`salt_length` bytes of salt, MGF1 with
// `mgf1_md`), or with PKCS #1 v1.5 when `salt_length` is negative.
std::string sign_rsa(EVP_PKEY* key, const std::string& input, int salt_length,
                     const char* mgf1_md = "SHA256") {
  const std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx.get(), &pctx, "SHA256", nullptr, nullptr, key, nullptr), 1);
  if (salt_length >= 0) {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_length), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1_md, nullptr), 1);
  }
  bytes sig(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
  std::size_t len = sig.size();
  EXPECT_EQ(EVP_DigestSign(ctx.get(), uchars(sig.data()), &len, uchars(input.data()), input.size()),
            1);
  sig.resize(len);
  return base64url::encode(sig);
}

class JwsOpenSslTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)));
    ASSERT_TRUE(key_);
  }
  static void TearDownTestSuite() { key_.reset(); }

  jwk_set keys() {
    const std::string jwk = R"({"kty":"RSA","n":")" + b64_param(key_.get(), OSSL_PKEY_PARAM_RSA_N) +
                            R"(","e":")" + b64_param(key_.get(), OSSL_PKEY_PARAM_RSA_E) + R"("})";
    return jwk_set::parse(R"({"keys":[)" + jwk + "]}").value();
  }
  result<verified_jws> verify(const std::string& input, const std::string& signature) {
    return verify_jws(input + "." + signature, keys(), all_);
  }

  static inline pkey_ptr key_;
  const std::array<jws_algorithm, 2> all_ = {jws_algorithm::ps256, jws_algorithm::rs256};
  const std::string ps256_ = base64url::encode(R"({"alg":"PS256"})") + ".cGF5bG9hZA";
  const std::string rs256_ = base64url::encode(R"({"alg":"RS256"})") + ".cGF5bG9hZA";
};

// RFC 7518 §3.5: the salt is as long as the hash (32 bytes for PS256), as WebCrypto insists.
TEST_F(JwsOpenSslTest, PssSaltIsTheHashLength) {
  auto ok = verify(ps256_, sign_rsa(key_.get(), ps256_, 32));
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->payload, "payload");
  for (const int salt : {0, 20, 48, RSA_PSS_SALTLEN_MAX}) {
    SCOPED_TRACE(salt);
    EXPECT_EQ(error_of(verify(ps256_, sign_rsa(key_.get(), ps256_, salt))),
              errc::invalid_signature);
  }
}

// RFC 7518 §3.5: MGF1 uses the same hash as the signature.
TEST_F(JwsOpenSslTest, PssMgf1UsesTheSameHash) {
  EXPECT_EQ(error_of(verify(ps256_, sign_rsa(key_.get(), ps256_, 32, "SHA1"))),
            errc::invalid_signature);
  EXPECT_EQ(error_of(verify(ps256_, sign_rsa(key_.get(), ps256_, 32, "SHA512"))),
            errc::invalid_signature);
}

// The two RSA paddings are different algorithms: neither signature passes for the other.
TEST_F(JwsOpenSslTest, PaddingsAreNotInterchangeable) {
  EXPECT_TRUE(verify(rs256_, sign_rsa(key_.get(), rs256_, -1)));
  const std::string pkcs1_as_pss = sign_rsa(key_.get(), ps256_, -1);
  EXPECT_EQ(error_of(verify(ps256_, pkcs1_as_pss)), errc::invalid_signature);
  const std::string pss_as_pkcs1 = sign_rsa(key_.get(), rs256_, 32);
  EXPECT_EQ(error_of(verify(rs256_, pss_as_pkcs1)), errc::invalid_signature);
}

}  // namespace
}  // namespace authpp::jose
