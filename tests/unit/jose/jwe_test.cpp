#include <authpp/core/base64url.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/jwe.hpp>

#include <array>
#include <string>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using test::error_of;
using test::from_hex;

// RFC 7518 Appendix B.3: AES_256_CBC_HMAC_SHA_512 test case.
const bytes b3_key = from_hex(
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
const std::string b3_plaintext =
    "A cipher system must not be required to be secret, and it must be able to fall into the "
    "hands of the enemy without inconvenience";
const bytes b3_iv = from_hex("1af38c2dc2b96ffdd86694092341bc04");
const std::string b3_aad = "The second principle of Auguste Kerckhoffs";
const bytes b3_ciphertext = from_hex(
    "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd"
    "822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b"
    "36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3"
    "a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b"
    "be2638d09dd7a4930930806d0703b1f6");
const bytes b3_tag = from_hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5");

// RFC 7516 Appendix A.1: the A256GCM content encryption step (CEK, IV and AAD given there).
const bytes a1_cek = from_hex("b1a1f480548fe1733fb403ff6b9ad4f68a076e5b702e22692f82cb2e7aea40fc");
const bytes a1_iv = from_hex("e3c575fc02dbe944b4e14ddb");
const std::string a1_aad = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ";
const std::string a1_plaintext = "The true sign of intelligence is not knowledge but imagination.";
const std::string a1_ciphertext =
    "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A";
const std::string a1_tag = "XFBoMYUZodetZdvTiFvSkQ";

constexpr std::array<content_encryption, 2> both = {content_encryption::a256cbc_hs512,
                                                    content_encryption::a256gcm};
constexpr std::array<content_encryption, 1> cbc_only = {content_encryption::a256cbc_hs512};

TEST(JweTest, AesCbcHmacSha512MatchesRfc7518AppendixB3) {
  auto sealed =
      aes_cbc_hmac_sha512_encrypt(b3_key, b3_iv, as_bytes(b3_plaintext), as_bytes(b3_aad));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(hex::encode(sealed->ciphertext), hex::encode(b3_ciphertext));
  EXPECT_EQ(hex::encode(sealed->tag), hex::encode(b3_tag));
}

TEST(JweTest, AesCbcHmacSha512DecryptsRfc7518AppendixB3) {
  auto plaintext =
      aes_cbc_hmac_sha512_decrypt(b3_key, b3_iv, b3_ciphertext, b3_tag, as_bytes(b3_aad));
  ASSERT_TRUE(plaintext);
  EXPECT_EQ(to_string(*plaintext), b3_plaintext);
}

// A prepared key seals and opens exactly as the raw key does (the RFC vector), repeatedly.
TEST(JweTest, PreparedKeyMatchesRfc7518AppendixB3) {
  auto key = content_key::make(content_encryption::a256cbc_hs512, b3_key);
  ASSERT_TRUE(key);
  for (int i = 0; i < 3; ++i) {
    auto sealed =
        aes_cbc_hmac_sha512_encrypt(*key, b3_iv, as_bytes(b3_plaintext), as_bytes(b3_aad));
    ASSERT_TRUE(sealed);
    EXPECT_EQ(hex::encode(sealed->ciphertext), hex::encode(b3_ciphertext));
    EXPECT_EQ(hex::encode(sealed->tag), hex::encode(b3_tag));
    auto opened = aes_cbc_hmac_sha512_decrypt(*key, b3_iv, b3_ciphertext, b3_tag, as_bytes(b3_aad));
    ASSERT_TRUE(opened);
    EXPECT_EQ(to_string(*opened), b3_plaintext);
  }
  // A failed opening (bad padding or tag) leaves the key's state fit for the next message.
  bytes bad_tag = b3_tag;
  bad_tag[0] ^= std::byte{1};
  EXPECT_EQ(
      error_of(aes_cbc_hmac_sha512_decrypt(*key, b3_iv, b3_ciphertext, bad_tag, as_bytes(b3_aad))),
      errc::decryption_failed);
  EXPECT_TRUE(aes_cbc_hmac_sha512_decrypt(*key, b3_iv, b3_ciphertext, b3_tag, as_bytes(b3_aad)));
}

TEST(JweTest, PreparedKeyChecksLengthAndAlgorithm) {
  EXPECT_EQ(error_of(content_key::make(content_encryption::a256cbc_hs512, bytes(32))),
            errc::invalid_key);
  EXPECT_EQ(error_of(content_key::make(content_encryption::a256gcm, bytes(64))), errc::invalid_key);
  auto gcm = content_key::make(content_encryption::a256gcm, bytes(32));
  ASSERT_TRUE(gcm);
  EXPECT_EQ(gcm->mac_key(), nullptr);
  // Algorithm confusion: a GCM key is never used as (half of) a CBC-HMAC key.
  EXPECT_EQ(error_of(aes_cbc_hmac_sha512_encrypt(*gcm, b3_iv, {}, {})), errc::invalid_key);
  EXPECT_EQ(error_of(aes_cbc_hmac_sha512_decrypt(*gcm, b3_iv, b3_ciphertext, b3_tag, {})),
            errc::invalid_key);
}

// Flipping any bit of the AAD, IV, ciphertext or tag must fail authentication.
TEST(JweTest, AesCbcHmacSha512RejectsAnyFlippedBit) {
  auto check = [](bytes iv, bytes ciphertext, bytes tag, std::string aad) {
    EXPECT_EQ(error_of(aes_cbc_hmac_sha512_decrypt(b3_key, iv, ciphertext, tag, as_bytes(aad))),
              errc::decryption_failed);
  };
  for (std::size_t i = 0; i < b3_ciphertext.size(); i += 7) {
    SCOPED_TRACE(i);
    bytes c = b3_ciphertext;
    c[i] ^= std::byte{0x01};
    check(b3_iv, c, b3_tag, b3_aad);
  }
  bytes iv = b3_iv;
  iv[0] ^= std::byte{0x80};
  check(iv, b3_ciphertext, b3_tag, b3_aad);
  bytes tag = b3_tag;
  tag[31] ^= std::byte{0x01};
  check(b3_iv, b3_ciphertext, tag, b3_aad);
  check(b3_iv, b3_ciphertext, b3_tag, "the second principle of Auguste Kerckhoffs");
}

// A truncated tag (or the full 64-byte HMAC) is a mismatch, not a shorter check.
TEST(JweTest, AesCbcHmacSha512RejectsTagOfWrongLength) {
  const bytes short_tag(b3_tag.begin(), b3_tag.begin() + 16);
  EXPECT_EQ(error_of(aes_cbc_hmac_sha512_decrypt(b3_key, b3_iv, b3_ciphertext, short_tag,
                                                 as_bytes(b3_aad))),
            errc::decryption_failed);
  EXPECT_EQ(
      error_of(aes_cbc_hmac_sha512_decrypt(b3_key, b3_iv, b3_ciphertext, {}, as_bytes(b3_aad))),
      errc::decryption_failed);
}

// Padding oracle (Vaudenay): a correctly MACed ciphertext whose padding is bad must fail with the
// same error as a bad tag, so an attacker cannot tell the two apart.
TEST(JweTest, BadPaddingAndBadTagGiveTheSameError) {
  const std::string aad = "aad";
  const std::string plaintext = "0123456789abcdef";  // one full block: the last block is padding
  auto sealed = aes_cbc_hmac_sha512_encrypt(b3_key, b3_iv, as_bytes(plaintext), as_bytes(aad));
  ASSERT_TRUE(sealed);
  bytes ciphertext = sealed->ciphertext;
  ASSERT_EQ(ciphertext.size(), 32u);
  ciphertext[15] ^= std::byte{0x10};  // CBC: the last padding byte becomes 0x00, never valid
  // Re-MAC as the key holder would (RFC 7518 §5.2.2.1), so only the padding is wrong.
  bytes mac_input = to_bytes(aad);
  mac_input.insert(mac_input.end(), b3_iv.begin(), b3_iv.end());
  mac_input.insert(mac_input.end(), ciphertext.begin(), ciphertext.end());
  const bytes al = from_hex("0000000000000018");
  mac_input.insert(mac_input.end(), al.begin(), al.end());
  const auto mac = hmac_sha512(byte_view(b3_key).first(32), mac_input);
  const bytes tag(mac.begin(), mac.begin() + 32);

  auto bad_padding = aes_cbc_hmac_sha512_decrypt(b3_key, b3_iv, ciphertext, tag, as_bytes(aad));
  auto bad_tag = aes_cbc_hmac_sha512_decrypt(b3_key, b3_iv, sealed->ciphertext, tag, as_bytes(aad));
  EXPECT_EQ(error_of(bad_padding), errc::decryption_failed);
  EXPECT_EQ(error_of(bad_tag), errc::decryption_failed);
  // The logs may tell them apart (to prove this test reaches the padding check); callers cannot.
  EXPECT_EQ(bad_padding.error().detail, "bad padding");
  EXPECT_NE(bad_tag.error().detail, "bad padding");
}

TEST(JweTest, AesCbcHmacSha512RejectsWrongKeyOrIvLength) {
  const byte_view half = byte_view(b3_key).first(32);
  EXPECT_EQ(error_of(aes_cbc_hmac_sha512_encrypt(half, b3_iv, {}, {})), errc::invalid_key);
  EXPECT_EQ(error_of(aes_cbc_hmac_sha512_decrypt(half, b3_iv, b3_ciphertext, b3_tag, {})),
            errc::invalid_key);
  EXPECT_EQ(error_of(aes_cbc_hmac_sha512_encrypt(b3_key, bytes(12), {}, {})),
            errc::malformed_token);
}

TEST(JweTest, AesCbcHmacSha512RoundTripsEmptyPlaintext) {
  auto sealed = aes_cbc_hmac_sha512_encrypt(b3_key, b3_iv, {}, {});
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->ciphertext.size(), 16u);  // one block of padding
  auto plaintext = aes_cbc_hmac_sha512_decrypt(b3_key, b3_iv, sealed->ciphertext, sealed->tag, {});
  ASSERT_TRUE(plaintext);
  EXPECT_TRUE(plaintext->empty());
}

TEST(JweTest, AesGcmMatchesRfc7516AppendixA1) {
  auto sealed = aes_256_gcm_encrypt(a1_cek, a1_iv, as_bytes(a1_plaintext), as_bytes(a1_aad));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(base64url::encode(sealed->ciphertext), a1_ciphertext);
  EXPECT_EQ(base64url::encode(sealed->tag), a1_tag);
  auto plaintext = aes_256_gcm_decrypt(a1_cek, a1_iv, base64url::decode(a1_ciphertext).value(),
                                       base64url::decode(a1_tag).value(), as_bytes(a1_aad));
  ASSERT_TRUE(plaintext);
  EXPECT_EQ(to_string(*plaintext), a1_plaintext);
}

TEST(JweTest, AesGcmRejectsTamperingAndWrongLengths) {
  const bytes ciphertext = base64url::decode(a1_ciphertext).value();
  bytes tag = base64url::decode(a1_tag).value();
  tag[0] ^= std::byte{0x01};
  EXPECT_EQ(error_of(aes_256_gcm_decrypt(a1_cek, a1_iv, ciphertext, tag, as_bytes(a1_aad))),
            errc::decryption_failed);
  const bytes short_tag(tag.begin(), tag.begin() + 12);
  EXPECT_EQ(error_of(aes_256_gcm_decrypt(a1_cek, a1_iv, ciphertext, short_tag, as_bytes(a1_aad))),
            errc::decryption_failed);
  EXPECT_EQ(error_of(aes_256_gcm_encrypt(b3_key, a1_iv, {}, {})), errc::invalid_key);
  EXPECT_EQ(error_of(aes_256_gcm_encrypt(a1_cek, b3_iv, {}, {})), errc::malformed_token);
}

TEST(JweTest, AlgorithmTablesMatchRfc7518) {
  EXPECT_EQ(enc_name(content_encryption::a256cbc_hs512), "A256CBC-HS512");
  EXPECT_EQ(enc_name(content_encryption::a256gcm), "A256GCM");
  EXPECT_EQ(cek_size(content_encryption::a256cbc_hs512), 64u);
  EXPECT_EQ(cek_size(content_encryption::a256gcm), 32u);
  EXPECT_EQ(iv_size(content_encryption::a256cbc_hs512), 16u);
  EXPECT_EQ(iv_size(content_encryption::a256gcm), 12u);
  EXPECT_EQ(tag_size(content_encryption::a256cbc_hs512), 32u);
  EXPECT_EQ(tag_size(content_encryption::a256gcm), 16u);
}

// --- Compact serialisation -----------------------------------------------------------------

class JweCompactTest : public ::testing::Test {
 protected:
  bytes key64_ = from_hex(
      "b1ef6cdd915c44c0a71232574a6a70546a5e16d12bb38df4638e3b96bdd32025"
      "131e90695ff072a9d148f1511c7a4981a85b63a628311da1fa7ccfc49c47c2bb");
  bytes key32_ = bytes(key64_.begin(), key64_.begin() + 32);

  std::string encrypt(content_encryption enc, std::optional<std::string_view> kid = "k1") {
    const bytes& key = enc == content_encryption::a256gcm ? key32_ : key64_;
    test::counting_random random;
    return encrypt_compact(as_bytes("hello"), key, enc, random, kid).value();
  }
};

TEST_F(JweCompactTest, HeaderHasAuthJsMemberOrder) {
  const std::string token = encrypt(content_encryption::a256cbc_hs512, "abc");
  const std::string header = token.substr(0, token.find('.'));
  EXPECT_EQ(to_string(base64url::decode(header).value()),
            R"({"alg":"dir","enc":"A256CBC-HS512","kid":"abc"})");
  const std::string no_kid = encrypt(content_encryption::a256gcm, std::nullopt);
  EXPECT_EQ(to_string(base64url::decode(no_kid.substr(0, no_kid.find('.'))).value()),
            R"({"alg":"dir","enc":"A256GCM"})");
}

TEST_F(JweCompactTest, IvIsTheFirstBytesDrawn) {
  const std::string token = encrypt(content_encryption::a256cbc_hs512);
  auto jwe = parse_compact(token, both);
  ASSERT_TRUE(jwe);
  EXPECT_EQ(hex::encode(jwe->iv), "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(jwe->kid, "k1");
  EXPECT_EQ(jwe->enc, content_encryption::a256cbc_hs512);
}

TEST_F(JweCompactTest, RoundTripsBothEncodings) {
  for (content_encryption enc : both) {
    SCOPED_TRACE(enc_name(enc));
    auto jwe = parse_compact(encrypt(enc), both);
    ASSERT_TRUE(jwe);
    auto plaintext = decrypt(*jwe, enc == content_encryption::a256gcm ? key32_ : key64_);
    ASSERT_TRUE(plaintext);
    EXPECT_EQ(to_string(*plaintext), "hello");
  }
}

// The caller's allow-list decides: a GCM token is refused by a caller that only accepts CBC.
// The canonical header is read without the JSON parser; any other spelling of the same header
// must be read the same way by the parser, and near misses must not slip through the fast path.
TEST_F(JweCompactTest, HeaderSpellingsAreReadAlike) {
  const std::string token = encrypt(content_encryption::a256cbc_hs512);
  const std::string rest = token.substr(token.find('.'));
  const auto with_header = [&](std::string_view header_json) {
    return base64url::encode(header_json) + rest;
  };
  for (std::string_view header : {
           R"({"alg":"dir","enc":"A256CBC-HS512","kid":"k1"})",
           R"({ "alg": "dir", "enc": "A256CBC-HS512", "kid": "k1" })",
           R"({"kid":"k1","enc":"A256CBC-HS512","alg":"dir"})",
           R"({"alg":"dir","enc":"A256CBC-HS512","kid":"k1"})",
       }) {
    SCOPED_TRACE(header);
    auto jwe = parse_compact(with_header(header), both);
    ASSERT_TRUE(jwe);
    EXPECT_EQ(jwe->enc, content_encryption::a256cbc_hs512);
    EXPECT_EQ(jwe->kid, "k1");
  }
  auto no_kid = parse_compact(with_header(R"({"alg":"dir","enc":"A256CBC-HS512"})"), both);
  ASSERT_TRUE(no_kid);
  EXPECT_EQ(no_kid->kid, std::nullopt);
  // Near misses of the canonical form go to the parser, which refuses them.
  EXPECT_EQ(
      error_of(parse_compact(
          with_header(R"({"alg":"dir","enc":"A256CBC-HS512","kid":"k1","zip":"DEF"})"), both)),
      errc::unsupported_algorithm);
  EXPECT_EQ(error_of(parse_compact(
                with_header(R"({"alg":"dir","enc":"A256CBC-HS512","kid":"k1"}x)"), both)),
            errc::malformed_token);
  EXPECT_EQ(error_of(parse_compact(with_header(R"({"alg":"dir","enc":"A256CBC-HS512"})"),
                                   std::span<const content_encryption>(both).last(1))),
            errc::unsupported_algorithm);
}

TEST_F(JweCompactTest, EncOutsideTheCallersListIsUnsupported) {
  EXPECT_EQ(error_of(parse_compact(encrypt(content_encryption::a256gcm), cbc_only)),
            errc::unsupported_algorithm);
}

TEST_F(JweCompactTest, WrongKeyLengthForEncIsInvalidKey) {
  auto jwe = parse_compact(encrypt(content_encryption::a256cbc_hs512), both);
  ASSERT_TRUE(jwe);
  EXPECT_EQ(error_of(decrypt(*jwe, key32_)), errc::invalid_key);
  test::counting_random random;
  EXPECT_EQ(error_of(encrypt_compact({}, key32_, content_encryption::a256cbc_hs512, random)),
            errc::invalid_key);
}

TEST_F(JweCompactTest, RandomSourceFailurePropagates) {
  test::failing_random random;
  EXPECT_EQ(error_of(encrypt_compact({}, key64_, content_encryption::a256cbc_hs512, random)),
            errc::random_failure);
}

TEST_F(JweCompactTest, KidThatIsNotUtf8IsRefused) {
  test::counting_random random;
  EXPECT_EQ(error_of(encrypt_compact({}, key64_, content_encryption::a256cbc_hs512, random,
                                     std::string_view("\xff"))),
            errc::malformed_token);
}

TEST_F(JweCompactTest, SizeIsCheckedBeforeParsing) {
  EXPECT_EQ(error_of(parse_compact(std::string(101, '.'), both, 100)), errc::limit_exceeded);
  EXPECT_EQ(error_of(parse_compact(std::string(100, '.'), both, 100)), errc::malformed_token);
}

TEST_F(JweCompactTest, HeaderMustNameStringAlgorithms) {
  for (std::string_view header :
       {R"({"enc":"A256GCM"})", R"({"alg":"dir"})", R"({"alg":1,"enc":"A256GCM"})",
        R"({"alg":"dir","enc":"A256GCM","kid":7})",
        R"({"alg":"dir","enc":"A256GCM","crit":["exp"]})"}) {
    SCOPED_TRACE(header);
    const std::string token =
        base64url::encode(header) + "..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA";
    EXPECT_EQ(error_of(parse_compact(token, both)), errc::malformed_token);
  }
}

// Compression before encryption leaks plaintext length (CRIME-style); we implement none.
TEST_F(JweCompactTest, CompressionIsUnsupported) {
  const std::string token = base64url::encode(R"({"alg":"dir","enc":"A256GCM","zip":"DEF"})") +
                            "..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_EQ(error_of(parse_compact(token, both)), errc::unsupported_algorithm);
}

TEST_F(JweCompactTest, IvOfWrongLengthIsMalformed) {
  const std::string token = base64url::encode(R"({"alg":"dir","enc":"A256GCM"})") +
                            "..AAAAAAAAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_EQ(error_of(parse_compact(token, both)), errc::malformed_token);
}

}  // namespace
}  // namespace authpp::jose
