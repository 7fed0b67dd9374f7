#include <authpp/core/base64url.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/jose/jwe.hpp>
#include <authpp/jose/jwk.hpp>
#include <authpp/jose/session_token.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp::jose {
namespace {

using namespace std::chrono_literals;
using test::error_of;

constexpr std::string_view cookie_name = "authjs.session-token";
constexpr std::string_view secure_cookie_name = "__Secure-authjs.session-token";

// client-wire.md §10 TV-2: secret "secret", salt "authjs.session-token", IV 000102…0f, and this
// exact plaintext give this exact token (probed against @auth/core 0.41.3).
const std::string tv2_plaintext =
    R"({"name":"Alice","email":"alice@example.com","sub":"1","iat":1700000000,"exp":4102444800,)"
    R"("jti":"00000000-0000-4000-8000-000000000000"})";
const std::string tv2_token =
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiN3g5RFVNVmFFVTZnaWFiMGwwT1dEdDRlNFNz"
    "UkhfY2J3TW9mMkV6RXl5Nm9uSzVvOHhTUFBCNzk5UlZvcW0ydjZ6Njc0a1FDdjlqb20yVDhTLWExZFEifQ..AAECAwQF"
    "BgcICQoLDA0ODw.mJIk1VJJZR4jSp7K4IJaVjIgyDVD2IFPW6G9U4aO14NkGESCd3OEBoElhPCLl3XYWLBDTyBM5P_VTl"
    "l18UslyHPkYIKLQwC1PskBkStYa-3BDCu-REF0M8ToTPsjsroJf4yJFqTjuwsinW70NMsJ9ahUW5MPXlY8Ysjpqx_xAVY"
    "i103Qv845FBbZhbvMjMfJ.tVTIOkeIx9Wvcz54nZSsZno6GdLhU7o3jpqRQ7dM3Fk";

// client-wire.md §10 TV-1: HKDF keys and `kid`s for secret "secret" under four salts.
struct tv1_case {
  std::string_view salt;
  std::string_view key64;
  std::string_view kid;
};
constexpr tv1_case tv1_cases[] = {
    {"authjs.session-token",
     "b1ef6cdd915c44c0a71232574a6a70546a5e16d12bb38df4638e3b96bdd32025"
     "131e90695ff072a9d148f1511c7a4981a85b63a628311da1fa7ccfc49c47c2bb",
     "7x9DUMVaEU6giab0l0OWDt4e4SsRH_cbwMof2EzEyy6onK5o8xSPPB799RVoqm2v6z674kQCv9jom2T8S-a1dQ"},
    {"__Secure-authjs.session-token",
     "0d8bf2d720367891eda6b7cc8f1960cf3fac4c0e5972e05c0ea71f835d01d69a"
     "60b8d258a71a473d46b0eec5ed3dfe45a7bcfbe54ccfa14f50206f3af0f777f5",
     "7E3YIGAxRtn6djTGy1UjZrFvXELHKzM9vfWl0nQ4b88EsnrmmX0grN0VKis7G3fjgB626TXm_lEtBG1N0E7Xyg"},
    {"authjs.pkce.code_verifier",
     "09799f2f3a147ee04564cb6fffa0f9d14e3b1228c3dc92ae2838e1b924780d7b"
     "13448c326d049b0df2d7385ed7c0821d74098064c3ab4f990139c66a959a2e7a",
     "blHTc0EpRsZL_cVRMKg-_-3TOPHVevUguReQuKZ58UCzr9SJHtE5y5AiBLIcLq2eom37tW3_mHzTE-OPXXZ76g"},
    {"encodedState",
     "873919037dab91c0520af9b5dbaa5c3642b0ee31f816a0b08fc766b788879243"
     "af6b009a41598809c140510bd5f782dfe391ce3792140318fad4e4cd6b6d99a4",
     "ze1rGMPGVDubcXDnXo8NkdIqeDyuSSG3mI5gRPgxRiRlgDu9MMjrpKw4-pNomgcTqiQZlith1dCysR6uVPfKfg"},
};
// TV-1: the A256GCM key is the first half of key64; its `kid` uses SHA-256.
constexpr std::string_view tv1_key32 =
    "b1ef6cdd915c44c0a71232574a6a70546a5e16d12bb38df4638e3b96bdd32025";
constexpr std::string_view tv1_kid32 = "tgdt-VLOTRviBTc4vwSS-WjOhg14Bq0M6tGDvSzfdgs";

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    out.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(token.substr(start));
  return out;
}

std::string join(const std::vector<std::string>& segments) {
  std::string out;
  for (std::size_t i = 0; i < segments.size(); ++i) out += (i == 0 ? "" : ".") + segments[i];
  return out;
}

// with_segment replaces segment `i` of `token`.
std::string with_segment(const std::string& token, std::size_t i, std::string value) {
  std::vector<std::string> segments = split(token);
  segments.at(i) = std::move(value);
  return join(segments);
}

std::string with_header(const std::string& token, std::string_view header_json) {
  return with_segment(token, 0, base64url::encode(header_json));
}

// with_decoded_segment rewrites the bytes of segment `i` (for truncation attacks).
template <class F>
std::string with_decoded_segment(const std::string& token, std::size_t i, F change) {
  bytes raw = base64url::decode(split(token).at(i)).value();
  change(raw);
  return with_segment(token, i, base64url::encode(raw));
}

class SessionTokenTest : public ::testing::Test {
 protected:
  test::fixed_clock clock_{1700000000};  // TV-2's `iat`
  std::vector<std::string> secrets_{"secret"};

  result<json> decode(std::string_view token, const std::vector<std::string>& secrets,
                      std::string_view salt = cookie_name) {
    return decode_session(token, secrets, salt, clock_);
  }
  result<json> decode(std::string_view token) { return decode(token, secrets_); }

  // seal encrypts an exact plaintext as Auth.js would, for claims Auth.js would never emit.
  std::string seal(std::string_view plaintext, std::string_view secret = "secret") {
    test::counting_random random;
    return encrypt_session_plaintext(plaintext, secret, cookie_name, random).value();
  }

  std::string encode(const std::vector<std::string>& secrets,
                     const session_token_options& options = {}) {
    test::counting_random random;
    return encode_session(json{{"sub", "user-1"}}, secrets, cookie_name, clock_, random, options)
        .value();
  }
};

// --- Key derivation (TV-1) -----------------------------------------------------------------

TEST_F(SessionTokenTest, DerivesTv1KeysAndKidsForAllFourSalts) {
  for (const tv1_case& c : tv1_cases) {
    SCOPED_TRACE(c.salt);
    auto key = derive_session_key("secret", c.salt, 64);
    ASSERT_TRUE(key);
    EXPECT_EQ(hex::encode(*key), c.key64);
    EXPECT_EQ(jwk_thumbprint_oct(*key), c.kid);
  }
}

TEST_F(SessionTokenTest, DerivesTv1A256GcmKeyAndSha256Kid) {
  auto key32 = derive_session_key("secret", cookie_name, 32);
  ASSERT_TRUE(key32);
  EXPECT_EQ(hex::encode(*key32), tv1_key32);
  EXPECT_EQ(jwk_thumbprint_oct(*key32), tv1_kid32);
}

TEST_F(SessionTokenTest, EmptySecretIsInvalidKey) {
  EXPECT_EQ(error_of(derive_session_key("", cookie_name, 64)), errc::invalid_key);
  EXPECT_EQ(error_of(decode(tv2_token, {})), errc::invalid_key);
  EXPECT_EQ(error_of(decode(tv2_token, {""})), errc::invalid_key);
  test::counting_random random;
  EXPECT_EQ(error_of(encode_session(json::object(), {}, cookie_name, clock_, random)),
            errc::invalid_key);
  const std::vector<std::string> empty{""};
  EXPECT_EQ(error_of(encode_session(json::object(), empty, cookie_name, clock_, random)),
            errc::invalid_key);
}

// The HKDF `info` embeds the salt: 34 + salt + 1 bytes, bounded at 1024 (see hkdf_sha256).
TEST_F(SessionTokenTest, SaltLongerThan989BytesIsALimit) {
  EXPECT_TRUE(derive_session_key("secret", std::string(989, 's'), 64));
  EXPECT_EQ(error_of(derive_session_key("secret", std::string(990, 's'), 64)),
            errc::limit_exceeded);
}

// --- TV-2 byte-exactness -------------------------------------------------------------------

TEST_F(SessionTokenTest, EncodesTv2ByteExactly) {
  test::counting_random random;  // IV = 000102…0f
  auto token = encrypt_session_plaintext(tv2_plaintext, "secret", cookie_name, random);
  ASSERT_TRUE(token);
  EXPECT_EQ(*token, tv2_token);
}

TEST_F(SessionTokenTest, DecodesTv2) {
  auto claims = decode(tv2_token);
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->dump(), tv2_plaintext);  // member order kept
  EXPECT_EQ((*claims)["exp"], 4102444800);
}

// A token minted for the http cookie name must not open under the https one (§6.1).
TEST_F(SessionTokenTest, Tv2UnderSecureCookieNameHasNoMatchingSecret) {
  EXPECT_EQ(error_of(decode(tv2_token, secrets_, secure_cookie_name)), errc::no_matching_secret);
}

TEST_F(SessionTokenTest, Tv2WithPastExpiryIsRejected) {
  std::string plaintext = tv2_plaintext;
  plaintext.replace(plaintext.find("4102444800"), 10, "1702592000");
  clock_.set(test::fixed_clock(1795750743).now());  // the probe's clock (client-wire.md §6.4)
  EXPECT_EQ(error_of(decode(seal(plaintext))), errc::token_expired);
}

// jose's clockTolerance: expired once exp <= now - 15, to the second.
TEST_F(SessionTokenTest, ExpiryHonoursLeewayToTheSecond) {
  std::string plaintext = tv2_plaintext;
  plaintext.replace(plaintext.find("4102444800"), 10, "1702592000");
  const std::string token = seal(plaintext);
  clock_.set(test::fixed_clock(1702592000 + 14).now());
  EXPECT_TRUE(decode(token));
  clock_.advance(1s);  // exp + leeway == now: expired
  EXPECT_EQ(error_of(decode(token)), errc::token_expired);
}

TEST_F(SessionTokenTest, EncodedExpiryHonoursMaxAgeAndLeeway) {
  const std::string token = encode(secrets_, {.max_age = 1h});
  clock_.advance(1h + 14s);
  EXPECT_TRUE(decode(token));
  clock_.advance(1s);
  EXPECT_EQ(error_of(decode(token)), errc::token_expired);
}

TEST_F(SessionTokenTest, NotBeforeHonoursLeewayToTheSecond) {
  const std::string token = seal(R"({"nbf":1700000015})");
  EXPECT_TRUE(decode(token));
  clock_.advance(-1s);  // nbf - leeway > now
  EXPECT_EQ(error_of(decode(token)), errc::token_not_yet_valid);
}

// --- Secret rotation (§6.7, TV-2) ----------------------------------------------------------

TEST_F(SessionTokenTest, TokenWithKidDecodesWithWhicheverSecretMatches) {
  const std::string token = encode({"new", "old"});
  EXPECT_TRUE(decode(token, {"old", "new"}));
  EXPECT_EQ(error_of(decode(token, {"old"})), errc::no_matching_secret);
}

// Without a `kid`, Auth.js tries the first secret only: no trial decryption with the others.
TEST_F(SessionTokenTest, KidlessTokenUsesTheFirstSecretOnly) {
  const bytes old_key = derive_session_key("old", cookie_name, 64).value();
  test::counting_random random;
  const std::string token = encrypt_compact(as_bytes(R"({"sub":"1"})"), old_key,
                                            content_encryption::a256cbc_hs512, random)
                                .value();
  EXPECT_TRUE(decode(token, {"old", "new"}));
  EXPECT_EQ(error_of(decode(token, {"new", "old"})), errc::decryption_failed);
}

TEST_F(SessionTokenTest, KidlessA256GcmTokenKeyedWithKey32Decodes) {
  const bytes key32 = test::from_hex(tv1_key32);
  test::counting_random random;
  const std::string token =
      encrypt_compact(as_bytes(tv2_plaintext), key32, content_encryption::a256gcm, random).value();
  auto claims = decode(token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->dump(), tv2_plaintext);
}

TEST_F(SessionTokenTest, A256GcmTokenWithSha256KidDecodes) {
  const bytes key32 = test::from_hex(tv1_key32);
  test::counting_random random;
  const std::string token = encrypt_compact(as_bytes(tv2_plaintext), key32,
                                            content_encryption::a256gcm, random, tv1_kid32)
                                .value();
  EXPECT_TRUE(decode(token, {"other", "secret"}));
}

// --- encode_session claims -----------------------------------------------------------------

TEST_F(SessionTokenTest, EncodeSetsIatExpAndJti) {
  test::counting_random random;
  const json payload = {{"name", "Alice"}, {"sub", "1"}};
  auto token = encode_session(payload, secrets_, cookie_name, clock_, random);
  ASSERT_TRUE(token);
  auto claims = decode(*token);
  ASSERT_TRUE(claims);
  // jti comes from the first 16 bytes drawn (00 01 … 0f, with the v4 and variant bits set).
  EXPECT_EQ(claims->dump(), R"({"name":"Alice","sub":"1","iat":1700000000,"exp":1702592000,)"
                            R"("jti":"00010203-0405-4607-8809-0a0b0c0d0e0f"})");
  // ...and the IV from the next 16.
  EXPECT_EQ(split(*token)[2],
            base64url::encode(test::from_hex("101112131415161718191a1b1c1d1e1f")));
}

// Claims a caller passes in cannot pin their own lifetime; existing members keep their place.
TEST_F(SessionTokenTest, EncodeOverwritesClaimsInPlace) {
  test::counting_random random;
  const json payload = {{"exp", 1}, {"sub", "1"}, {"jti", "mine"}, {"iat", "x"}};
  auto token = encode_session(payload, secrets_, cookie_name, clock_, random, {.max_age = 60s});
  ASSERT_TRUE(token);
  auto claims = decode(*token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->dump(), R"({"exp":1700000060,"sub":"1",)"
                            R"("jti":"00010203-0405-4607-8809-0a0b0c0d0e0f","iat":1700000000})");
}

TEST_F(SessionTokenTest, EncodeRefusesPayloadThatIsNotAnObject) {
  test::counting_random random;
  for (const json& payload : {json::array({1}), json("sub"), json(nullptr)}) {
    SCOPED_TRACE(payload.dump());
    EXPECT_EQ(error_of(encode_session(payload, secrets_, cookie_name, clock_, random)),
              errc::invalid_claims);
  }
}

TEST_F(SessionTokenTest, EncodeRefusesInvalidUtf8) {
  test::counting_random random;
  const json payload = {{"name", "\xff"}};
  EXPECT_EQ(error_of(encode_session(payload, secrets_, cookie_name, clock_, random)),
            errc::invalid_claims);
}

TEST_F(SessionTokenTest, EncodeRefusesTokenItCouldNotDecode) {
  test::counting_random random;
  const json payload = {{"blob", std::string(2000, 'x')}};
  EXPECT_EQ(error_of(encode_session(payload, secrets_, cookie_name, clock_, random,
                                    {.max_token_size = 1000})),
            errc::limit_exceeded);
}

TEST_F(SessionTokenTest, RandomSourceFailurePropagates) {
  test::failing_random random;
  EXPECT_EQ(error_of(encode_session(json::object(), secrets_, cookie_name, clock_, random)),
            errc::random_failure);
  EXPECT_EQ(error_of(encrypt_session_plaintext("{}", "secret", cookie_name, random)),
            errc::random_failure);
}

// --- Attacks on decode_session -------------------------------------------------------------

// Changing any single character must be detected. This also pins strict base64url: the last
// character of a segment carries unused bits, and a lenient decoder would accept the altered
// token (RFC 4648 §3.5).
TEST_F(SessionTokenTest, RejectsEverySingleCharacterChange) {
  for (std::size_t i = 0; i < tv2_token.size(); ++i) {
    SCOPED_TRACE(testing::Message() << "position " << i);
    std::string tampered = tv2_token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(decode(tampered));
  }
}

// Algorithm confusion: `alg` comes from our allow-list, never from the token ("none" would mean
// no encryption, a key-wrapping `alg` would make the attacker's encrypted key the CEK).
TEST_F(SessionTokenTest, RejectsHeaderNamingAnotherKeyManagementAlgorithm) {
  for (std::string_view header :
       {R"({"alg":"none","enc":"A256CBC-HS512"})", R"({"alg":"A128KW","enc":"A256CBC-HS512"})",
        R"({"alg":"DIR","enc":"A256CBC-HS512"})"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(error_of(decode(with_header(tv2_token, header))), errc::unsupported_algorithm);
  }
}

// Downgrade: a weaker `enc` (128-bit key) is refused even though the JOSE spec defines it.
TEST_F(SessionTokenTest, RejectsHeaderNamingAWeakerContentEncryption) {
  for (std::string_view header :
       {R"({"alg":"dir","enc":"A128GCM"})", R"({"alg":"dir","enc":"A128CBC-HS256"})",
        R"({"alg":"dir","enc":"A192GCM"})"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(error_of(decode(with_header(tv2_token, header))), errc::unsupported_algorithm);
  }
}

// Non-canonical encodings give one token many spellings (cookie-replay filters, caches).
TEST_F(SessionTokenTest, RejectsPaddedSegments) {
  for (std::size_t i : {0u, 2u, 3u, 4u}) {
    SCOPED_TRACE(i);
    std::vector<std::string> segments = split(tv2_token);
    segments[i] += "=";
    EXPECT_EQ(error_of(decode(join(segments))), errc::malformed_token);
  }
  // The IV segment padded to a multiple of four: same bytes, different spelling.
  EXPECT_EQ(error_of(decode(with_segment(tv2_token, 2, "AAECAwQFBgcICQoLDA0ODw=="))),
            errc::malformed_token);
}

TEST_F(SessionTokenTest, RejectsWrongSegmentCount) {
  const std::vector<std::string> segments = split(tv2_token);
  const std::vector<std::string> four(segments.begin(), segments.end() - 1);
  std::vector<std::string> six = segments;
  six.push_back("");
  EXPECT_EQ(error_of(decode(join(four))), errc::malformed_token);
  EXPECT_EQ(error_of(decode(join(six))), errc::malformed_token);
  EXPECT_EQ(error_of(decode(tv2_token + ".AAAA")), errc::malformed_token);
  EXPECT_EQ(error_of(decode("")), errc::malformed_token);
}

// RFC 7518 §4.5: with "dir" the encrypted key must be empty; anything there is smuggled data.
TEST_F(SessionTokenTest, RejectsNonEmptyEncryptedKey) {
  EXPECT_EQ(error_of(decode(with_segment(tv2_token, 1, "AAAA"))), errc::malformed_token);
}

TEST_F(SessionTokenTest, RejectsHeaderThatIsNotAJsonObject) {
  for (std::string_view header :
       {"not json", R"(["alg","dir"])", R"("dir")", "null", R"({"alg":"dir",)", ""}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(error_of(decode(with_header(tv2_token, header))), errc::malformed_token);
  }
}

// Resource exhaustion: the bound applies before base64url or JSON parsing.
TEST_F(SessionTokenTest, RejectsOversizedTokenBeforeParsing) {
  const std::string garbage(session_token_options{}.max_token_size + 1, '!');
  EXPECT_EQ(error_of(decode(garbage)), errc::limit_exceeded);
  const std::string padded_valid = tv2_token + std::string(40000, 'A');
  EXPECT_EQ(error_of(decode(padded_valid)), errc::limit_exceeded);
  EXPECT_EQ(error_of(decode_session(tv2_token, secrets_, cookie_name, clock_,
                                    {.max_token_size = tv2_token.size() - 1})),
            errc::limit_exceeded);
  EXPECT_TRUE(decode_session(tv2_token, secrets_, cookie_name, clock_,
                             {.max_token_size = tv2_token.size()}));
}

TEST_F(SessionTokenTest, RejectsPayloadThatIsNotAJsonObject) {
  for (std::string_view plaintext : {"[1,2]", R"("sub")", "42", "null", "{", ""}) {
    SCOPED_TRACE(plaintext);
    EXPECT_EQ(error_of(decode(seal(plaintext))), errc::invalid_claims);
  }
}

// A string `exp` must not be ignored (it would make the token immortal).
TEST_F(SessionTokenTest, RejectsTimeClaimsOfTheWrongType) {
  for (std::string_view plaintext : {R"({"exp":"4102444800"})", R"({"exp":null})", R"({"nbf":"0"})",
                                     R"({"iat":"now"})", R"({"iat":[1]})", R"({"exp":true})"}) {
    SCOPED_TRACE(plaintext);
    EXPECT_EQ(error_of(decode(seal(plaintext))), errc::invalid_claims);
  }
}

TEST_F(SessionTokenTest, AcceptsFractionalTimesAndNoTimesAtAll) {
  EXPECT_TRUE(decode(seal(R"({"exp":1700000000.5,"iat":1.5})")));
  EXPECT_TRUE(decode(seal("{}")));
}

TEST_F(SessionTokenTest, RejectsTruncatedCiphertextOrTag) {
  auto drop = [](std::size_t n) { return [n](bytes& b) { b.resize(b.size() - n); }; };
  EXPECT_EQ(error_of(decode(with_decoded_segment(tv2_token, 4, drop(1)))), errc::decryption_failed);
  EXPECT_EQ(error_of(decode(with_decoded_segment(tv2_token, 4, drop(16)))),
            errc::decryption_failed);
  EXPECT_EQ(error_of(decode(with_segment(tv2_token, 4, ""))), errc::decryption_failed);
  EXPECT_EQ(error_of(decode(with_decoded_segment(tv2_token, 3, drop(16)))),
            errc::decryption_failed);
  EXPECT_EQ(error_of(decode(with_segment(tv2_token, 3, ""))), errc::decryption_failed);
  EXPECT_EQ(error_of(decode(with_decoded_segment(tv2_token, 2, drop(1)))), errc::malformed_token);
  EXPECT_FALSE(decode(tv2_token.substr(0, tv2_token.size() - 1)));
}

// A `kid` naming a secret we do not hold is refused without trying the others.
TEST_F(SessionTokenTest, RejectsUnknownKid) {
  const std::string header =
      R"({"alg":"dir","enc":"A256CBC-HS512","kid":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})";
  EXPECT_EQ(error_of(decode(with_header(tv2_token, header))), errc::no_matching_secret);
}

// The header is authenticated (it is the AAD): re-encoding it, even to equal JSON, breaks the tag.
TEST_F(SessionTokenTest, RejectsReencodedHeader) {
  const std::string header =
      R"({"enc":"A256CBC-HS512","alg":"dir","kid":"7x9DUMVaEU6giab0l0OWDt4e4SsRH_cbwMof2EzEyy6o)"
      R"(nK5o8xSPPB799RVoqm2v6z674kQCv9jom2T8S-a1dQ"})";
  EXPECT_EQ(error_of(decode(with_header(tv2_token, header))), errc::decryption_failed);
}

}  // namespace
}  // namespace authpp::jose
