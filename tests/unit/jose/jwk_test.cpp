#include <authpp/jose/jwk.hpp>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using test::from_hex;

// client-wire.md §10 TV-1 (secret "secret", salt "authjs.session-token"), probed against
// @auth/core 0.41.3: SHA-512 thumbprint of key64, SHA-256 thumbprint of key32.
TEST(JwkTest, ThumbprintOfA64ByteKeyUsesSha512) {
  const bytes key64 = from_hex(
      "b1ef6cdd915c44c0a71232574a6a70546a5e16d12bb38df4638e3b96bdd32025"
      "131e90695ff072a9d148f1511c7a4981a85b63a628311da1fa7ccfc49c47c2bb");
  EXPECT_EQ(
      jwk_thumbprint_oct(key64),
      "7x9DUMVaEU6giab0l0OWDt4e4SsRH_cbwMof2EzEyy6onK5o8xSPPB799RVoqm2v6z674kQCv9jom2T8S-a1dQ");
}

TEST(JwkTest, ThumbprintOfA32ByteKeyUsesSha256) {
  const bytes key32 = from_hex("b1ef6cdd915c44c0a71232574a6a70546a5e16d12bb38df4638e3b96bdd32025");
  EXPECT_EQ(jwk_thumbprint_oct(key32), "tgdt-VLOTRviBTc4vwSS-WjOhg14Bq0M6tGDvSzfdgs");
}

TEST(JwkTest, ThumbprintIsUnpaddedBase64url) {
  const std::string t512 = jwk_thumbprint_oct(bytes(64));
  const std::string t256 = jwk_thumbprint_oct(bytes(32));
  EXPECT_EQ(t512.size(), 86u);
  EXPECT_EQ(t256.size(), 43u);
  EXPECT_EQ(t512.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(t256.find_first_of("+/="), std::string::npos);
}

}  // namespace
}  // namespace authpp::jose
