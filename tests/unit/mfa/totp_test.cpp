#include <authpp/mfa/totp.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support/command.hpp"

namespace authpp::mfa {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point at(std::int64_t unix_seconds) {
  return system_clock::time_point(seconds(unix_seconds));
}

// RFC 4226 Appendix D: the HOTP values of the secret "12345678901234567890", counters 0 to 9.
TEST(TotpTest, HotpMatchesRfc4226AppendixD) {
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter) {
    EXPECT_EQ(hotp(as_bytes("12345678901234567890"), counter, totp_algorithm::sha1, 6),
              expected[counter])
        << "counter " << counter;
  }
}

// RFC 6238 Appendix B: eight digits, 30 s steps, with the seed of each algorithm's length.
TEST(TotpTest, TotpMatchesRfc6238AppendixB) {
  struct vector {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const std::vector<vector> vectors = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  const std::string seed20 = "12345678901234567890";
  const std::string seed32 = "12345678901234567890123456789012";
  const std::string seed64 = "1234567890123456789012345678901234567890123456789012345678901234";
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.time);
    const auto step = static_cast<std::uint64_t>(v.time / 30);
    EXPECT_EQ(hotp(as_bytes(seed20), step, totp_algorithm::sha1, 8), v.sha1);
    EXPECT_EQ(hotp(as_bytes(seed32), step, totp_algorithm::sha256, 8), v.sha256);
    EXPECT_EQ(hotp(as_bytes(seed64), step, totp_algorithm::sha512, 8), v.sha512);
    // The year 2603 is past what system_clock holds in nanoseconds (2262): its step is enough.
    if (v.time > 9'000'000'000) continue;
    EXPECT_EQ(totp(as_bytes(seed20), at(v.time), {.digits = 8}), v.sha1);
    EXPECT_EQ(
        totp(as_bytes(seed64), at(v.time), {.algorithm = totp_algorithm::sha512, .digits = 8}),
        v.sha512);
  }
}

class TotpWindowTest : public ::testing::Test {
 protected:
  const std::string secret_ = "12345678901234567890";
  const system_clock::time_point now_ = at(1111111111);  // step 37037037

  std::string code_at_offset(int steps) const {
    return totp(as_bytes(secret_), now_ + seconds(30 * steps));
  }
  std::optional<std::uint64_t> verify(const std::string& code,
                                      std::optional<std::uint64_t> last = {}) const {
    return verify_totp(as_bytes(secret_), code, now_, {}, last);
  }
};

TEST_F(TotpWindowTest, TheCurrentCodeMatchesItsStep) {
  EXPECT_EQ(verify(code_at_offset(0)), totp_step(now_, seconds(30)));
}

// Clock drift and slow typing: one step either side is accepted by default, two are not.
TEST_F(TotpWindowTest, OneStepEitherSideIsAcceptedTwoAreNot) {
  const std::uint64_t step = totp_step(now_, seconds(30));
  EXPECT_EQ(verify(code_at_offset(-1)), step - 1);
  EXPECT_EQ(verify(code_at_offset(1)), step + 1);
  EXPECT_EQ(verify(code_at_offset(-2)), std::nullopt);
  EXPECT_EQ(verify(code_at_offset(2)), std::nullopt);
}

TEST_F(TotpWindowTest, AZeroWindowAcceptsOnlyTheCurrentStep) {
  const totp_params strict{.window = 0};
  EXPECT_TRUE(verify_totp(as_bytes(secret_), code_at_offset(0), now_, strict));
  EXPECT_FALSE(verify_totp(as_bytes(secret_), code_at_offset(1), now_, strict));
}

// Attack: a code seen over a shoulder (or phished) is replayed within its 90 s of validity. Once
// a step is used, neither it nor any earlier step of the window is accepted again.
TEST_F(TotpWindowTest, ReplayedCodeIsRefused) {
  const auto used = verify(code_at_offset(0));
  ASSERT_TRUE(used);
  EXPECT_EQ(verify(code_at_offset(0), used), std::nullopt);
  EXPECT_EQ(verify(code_at_offset(-1), used), std::nullopt);
  EXPECT_EQ(verify(code_at_offset(1), used), *used + 1);  // the next one still works
}

TEST_F(TotpWindowTest, SpacesAreIgnoredAndAnythingElseFails) {
  const std::string code = code_at_offset(0);
  EXPECT_TRUE(verify(code.substr(0, 3) + " " + code.substr(3)));
  EXPECT_FALSE(verify(code + "0"));      // seven digits
  EXPECT_FALSE(verify(code.substr(1)));  // five
  EXPECT_FALSE(verify(code.substr(0, 5) + "x"));
  EXPECT_FALSE(verify("-" + code.substr(1)));
  EXPECT_FALSE(verify(""));
  EXPECT_FALSE(verify(std::string(100000, '1')));
}

TEST_F(TotpWindowTest, AWrongCodeOrSecretFails) {
  std::string wrong = code_at_offset(0);
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  EXPECT_FALSE(verify(wrong));
  EXPECT_FALSE(verify_totp(as_bytes("another secret 12345"), code_at_offset(0), now_));
  EXPECT_FALSE(verify_totp({}, code_at_offset(0), now_));
}

TEST(TotpTest, StepsStartAtTheEpoch) {
  EXPECT_EQ(totp_step(at(0), seconds(30)), 0u);
  EXPECT_EQ(totp_step(at(29), seconds(30)), 0u);
  EXPECT_EQ(totp_step(at(30), seconds(30)), 1u);
  EXPECT_EQ(totp_step(at(-5), seconds(30)), 0u);
  // Near the epoch the window does not wrap around to the last steps of time.
  EXPECT_TRUE(verify_totp(as_bytes("12345678901234567890"),
                          totp(as_bytes("12345678901234567890"), at(0)), at(10)));
}

TEST(TotpTest, ParamsOutsideTheirRangesAreRefused) {
  EXPECT_TRUE(check_totp_params({}));
  EXPECT_TRUE(check_totp_params({.digits = 8}));
  EXPECT_FALSE(check_totp_params({.digits = 5}));
  EXPECT_FALSE(check_totp_params({.digits = 9}));
  EXPECT_FALSE(check_totp_params({.period = seconds(0)}));
  EXPECT_FALSE(check_totp_params({.window = -1}));
  EXPECT_FALSE(check_totp_params({.window = 11}));
  // verify_totp never matches under refused parameters (rather than indexing out of range).
  EXPECT_FALSE(verify_totp(as_bytes("12345678901234567890"), "1234567890", at(0), {.digits = 10}));
}

// RFC 4648 §10's base32 vectors, without the padding otpauth URIs leave out.
TEST(TotpTest, Base32MatchesRfc4648) {
  EXPECT_EQ(base32(as_bytes("")), "");
  EXPECT_EQ(base32(as_bytes("f")), "MY");
  EXPECT_EQ(base32(as_bytes("fo")), "MZXQ");
  EXPECT_EQ(base32(as_bytes("foo")), "MZXW6");
  EXPECT_EQ(base32(as_bytes("foob")), "MZXW6YQ");
  EXPECT_EQ(base32(as_bytes("fooba")), "MZXW6YTB");
  EXPECT_EQ(base32(as_bytes("foobar")), "MZXW6YTBOI");
}

TEST(TotpTest, SecretsAre160RandomBits) {
  const auto a = new_totp_secret();
  const auto b = new_totp_secret();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 20u);
  EXPECT_NE(*a, *b);
}

// The label's parts and the issuer are encoded so that a colon, '&' or '?' in them cannot add or
// change a parameter the app reads (an e-mail address chosen to rewrite the secret or issuer).
TEST(TotpTest, OtpauthUriEncodesEveryPart) {
  EXPECT_EQ(otpauth_uri("authpp", "ada@example.com", as_bytes("foobar")),
            "otpauth://totp/authpp:ada%40example.com?secret=MZXW6YTBOI&issuer=authpp"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("Acme & Co", "a:b?secret=X&issuer=Evil", as_bytes("f"),
                        {.algorithm = totp_algorithm::sha256, .digits = 8, .period = seconds(60)}),
            "otpauth://totp/Acme%20%26%20Co:a%3Ab%3Fsecret%3DX%26issuer%3DEvil?secret=MY"
            "&issuer=Acme%20%26%20Co&algorithm=SHA256&digits=8&period=60");
}

// An independent implementation, OATH Toolkit's oathtool, reads the secret from our otpauth URI
// and computes the codes we accept: what an authenticator app given the QR code would show.
TEST(TotpTest, OathtoolAgreesThroughTheOtpauthSecret) {
  test::require_tool("oathtool", "oathtool");
  struct setting {
    totp_params params;
    const char* flags;
  };
  const std::vector<setting> settings = {
      {{}, "--totp=SHA1"},
      {{.algorithm = totp_algorithm::sha256, .digits = 8, .period = seconds(60)},
       "--totp=SHA256 -d 8 -s 60s"},
      {{.algorithm = totp_algorithm::sha512, .digits = 7}, "--totp=SHA512 -d 7"},
  };
  for (const auto& [params, flags] : settings) {
    for (int i = 0; i < 3; ++i) {
      const auto secret = new_totp_secret();
      ASSERT_TRUE(secret);
      const std::string uri = otpauth_uri("authpp", "ada@example.com", *secret, params);
      const auto from = uri.find("secret=") + 7;
      const std::string b32 = uri.substr(from, uri.find('&', from) - from);
      const std::int64_t when = 1'700'000'000 + 12'345 * i;
      const auto tool = test::run_command(std::string("oathtool ") + flags + " -b " + b32 +
                                          " -N @" + std::to_string(when));
      ASSERT_EQ(tool.status, 0) << flags;
      EXPECT_EQ(tool.out, totp(*secret, at(when), params) + "\n") << flags << " " << b32;
    }
  }
}

}  // namespace
}  // namespace authpp::mfa
