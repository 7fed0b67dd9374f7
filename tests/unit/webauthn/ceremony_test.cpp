#include <authpp/core/json.hpp>
#include <authpp/webauthn/ceremony.hpp>

#include <array>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "published_vectors.hpp"
#include "python_tool.hpp"
#include "test_support/test_support.hpp"
#include "webauthn_test_support.hpp"

namespace authpp::webauthn {
namespace {

using authpp::test::from_hex;
using test::test_key;

// failure_of returns the named failure of `r`, nullopt when it succeeded (so that a wrongly
// accepted ceremony fails an EXPECT_EQ cleanly).
template <class T>
std::optional<ceremony_failure> failure_of(const result<T>& r) {
  if (r.has_value()) return std::nullopt;
  return ceremony_failure_of(r.error());
}

constexpr std::string_view rp_id = "example.com";
constexpr std::string_view origin = "https://example.com";

class CeremonyTest : public ::testing::Test {
 protected:
  test_key key_{cose_algorithm::es256};
  bytes cose_ = key_.cose();
  bytes challenge_ = from_hex("00112233445566778899aabbccddeeff0123456789abcdef");
  std::array<std::string, 2> origins_{"https://example.com", "https://www.example.com"};
  ceremony_expectations expected_{challenge_, origins_, rp_id, false};

  // register_with makes a registration: fmt "none" unless `statement` is given.
  result<registered_credential> register_with(std::string_view client_data,
                                              std::uint8_t flags = test::flag_up,
                                              std::optional<std::string_view> rp = std::nullopt,
                                              std::string_view fmt = "none", bool packed = false) {
    const bytes auth = test::authenticator_data_for(rp.value_or(rp_id), flags, 0, &cose_);
    const cbor_value statement =
        packed ? test::packed_self_statement(key_, auth, client_data) : cbor_value::map({});
    return verify_registration(as_bytes(client_data),
                               test::attestation_object_for(fmt, statement, auth), expected_);
  }
  std::string create_data(std::string_view o = origin) {
    return test::client_data_json("webauthn.create", challenge_, o);
  }

  // authenticate_with signs authData ‖ SHA-256(clientDataJSON) with the credential key.
  result<authentication_result> authenticate_with(std::string_view client_data, std::uint8_t flags,
                                                  std::uint32_t counter,
                                                  std::uint32_t stored_counter = 0,
                                                  std::string_view rp = rp_id) {
    const bytes auth = test::authenticator_data_for(rp, flags, counter);
    const bytes sig = key_.sign(test::concat(auth, jose::sha256(client_data)));
    return verify_authentication(as_bytes(client_data), auth, sig, {cose_, stored_counter},
                                 expected_);
  }
  std::string get_data() { return test::client_data_json("webauthn.get", challenge_, origin); }
};

TEST_F(CeremonyTest, RegistersNoneAndPackedSelfAttestationForEachAlgorithm) {
  for (cose_algorithm alg : {cose_algorithm::es256, cose_algorithm::rs256, cose_algorithm::eddsa}) {
    for (bool packed : {false, true}) {
      SCOPED_TRACE(std::string(to_string(alg)) + (packed ? " packed" : " none"));
      key_ = test_key(alg);
      cose_ = key_.cose();
      auto credential = register_with(create_data(), test::flag_up | test::flag_uv | test::flag_be,
                                      std::nullopt, packed ? "packed" : "none", packed);
      ASSERT_TRUE(credential) << credential.error().message();
      EXPECT_EQ(credential->algorithm, alg);
      EXPECT_EQ(credential->public_key, cose_);
      EXPECT_EQ(credential->credential_id, bytes(16, std::byte{0x42}));
      EXPECT_TRUE(credential->user_verified);
      EXPECT_TRUE(credential->backup_eligible);
      EXPECT_FALSE(credential->backed_up);
      EXPECT_EQ(credential->attestation.type,
                packed ? attestation_type::self : attestation_type::none);
    }
  }
}

TEST_F(CeremonyTest, AcceptsEveryExpectedOrigin) {
  EXPECT_TRUE(register_with(create_data("https://www.example.com")));
}

TEST_F(CeremonyTest, RefusesWrongChallenge) {
  const bytes other = from_hex("00112233445566778899aabbccddeefe0123456789abcdef");
  EXPECT_EQ(failure_of(register_with(test::client_data_json("webauthn.create", other, origin))),
            ceremony_failure::challenge_mismatch);
  // The same bytes spelt otherwise (padded base64url) are not the issued challenge.
  std::string padded = create_data();
  padded.replace(padded.find(R"(","origin")"), 0, "=");
  EXPECT_EQ(failure_of(register_with(padded)), ceremony_failure::challenge_mismatch);
  const bytes prefix(challenge_.begin(), challenge_.end() - 1);
  EXPECT_EQ(failure_of(register_with(test::client_data_json("webauthn.create", prefix, origin))),
            ceremony_failure::challenge_mismatch);
}

// A page on another origin (phishing) gets a valid signature from the authenticator only for
// its own origin: the origin in clientDataJSON is what gives it away.
TEST_F(CeremonyTest, RefusesWrongOrigin) {
  for (std::string_view o :
       {"https://evil.example", "http://example.com", "https://example.com:8443",
        "https://example.com.evil.example", "https://EXAMPLE.com", ""}) {
    SCOPED_TRACE(o);
    EXPECT_EQ(failure_of(register_with(create_data(o))), ceremony_failure::origin_mismatch);
    EXPECT_EQ(failure_of(authenticate_with(test::client_data_json("webauthn.get", challenge_, o),
                                           test::flag_up, 1)),
              ceremony_failure::origin_mismatch);
  }
}

// A get response replayed into a registration (or the reverse) is refused by its type.
TEST_F(CeremonyTest, RefusesWrongType) {
  EXPECT_EQ(failure_of(register_with(get_data())), ceremony_failure::wrong_type);
  EXPECT_EQ(failure_of(authenticate_with(create_data(), test::flag_up, 1)),
            ceremony_failure::wrong_type);
  EXPECT_EQ(failure_of(register_with(test::client_data_json("payment.get", challenge_, origin))),
            ceremony_failure::wrong_type);
}

// A credential scoped to another RP ID (another site's passkey) must not be used here.
TEST_F(CeremonyTest, RefusesWrongRpIdHash) {
  EXPECT_EQ(failure_of(register_with(create_data(), test::flag_up, "evil.example")),
            ceremony_failure::rp_id_mismatch);
  EXPECT_EQ(failure_of(authenticate_with(get_data(), test::flag_up, 1, 0, "example.org")),
            ceremony_failure::rp_id_mismatch);
}

// Without UP nobody touched the authenticator: malware could have driven it silently.
TEST_F(CeremonyTest, RefusesWhenUserNotPresent) {
  EXPECT_EQ(failure_of(register_with(create_data(), test::flag_uv)),
            ceremony_failure::user_not_present);
  EXPECT_EQ(failure_of(authenticate_with(get_data(), test::flag_uv, 1)),
            ceremony_failure::user_not_present);
}

TEST_F(CeremonyTest, RefusesUserVerificationRequiredButNotSet) {
  EXPECT_TRUE(register_with(create_data(), test::flag_up));
  EXPECT_TRUE(authenticate_with(get_data(), test::flag_up, 1));
  expected_.require_user_verification = true;
  EXPECT_EQ(failure_of(register_with(create_data(), test::flag_up)),
            ceremony_failure::user_not_verified);
  EXPECT_EQ(failure_of(authenticate_with(get_data(), test::flag_up, 1)),
            ceremony_failure::user_not_verified);
  EXPECT_TRUE(authenticate_with(get_data(), test::flag_up | test::flag_uv, 1));
}

TEST_F(CeremonyTest, RefusesMalformedClientData) {
  for (std::string_view data :
       {"", "not json", "[]", R"({"type":"webauthn.create"})",
        R"({"type":"webauthn.create","challenge":1,"origin":"https://example.com"})",
        "{\"type\":\"webauthn.create\",\"challenge\":\"\xff\"}"}) {
    SCOPED_TRACE(data);
    EXPECT_EQ(failure_of(register_with(data)), ceremony_failure::malformed_client_data);
  }
  const std::string huge(max_client_data_size + 1, ' ');
  auto r = register_with(huge);
  EXPECT_EQ(failure_of(r), ceremony_failure::malformed_client_data);
  EXPECT_EQ(authpp::test::error_of(r), errc::limit_exceeded);
}

TEST_F(CeremonyTest, RefusesTruncatedOrMalformedAttestationObject) {
  const std::string data = create_data();
  const bytes auth = test::authenticator_data_for(rp_id, test::flag_up, 0, &cose_);
  const bytes object = test::attestation_object_for("none", cbor_value::map({}), auth);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, object.size() / 2, object.size() - 1}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(
        failure_of(verify_registration(as_bytes(data), byte_view(object).first(n), expected_)),
        ceremony_failure::malformed_attestation);
  }
  bytes trailing = object;
  trailing.push_back(std::byte{0});
  EXPECT_EQ(failure_of(verify_registration(as_bytes(data), trailing, expected_)),
            ceremony_failure::malformed_attestation);
}

TEST_F(CeremonyTest, RefusesRegistrationWithoutCredential) {
  const std::string data = create_data();
  const bytes auth = test::authenticator_data_for(rp_id, test::flag_up, 0);
  EXPECT_EQ(failure_of(verify_registration(
                as_bytes(data), test::attestation_object_for("none", cbor_value::map({}), auth),
                expected_)),
            ceremony_failure::missing_credential);
}

TEST_F(CeremonyTest, RefusesRegistrationOfUnusableKeys) {
  const test_key short_rsa(cose_algorithm::rs256, 1024);
  cose_ = short_rsa.cose();
  EXPECT_EQ(failure_of(register_with(create_data())), ceremony_failure::invalid_public_key);
  cbor_value::map_type es384 = *key_.cose_map().as_map();
  es384[1].value = cbor_value::integer(-35);
  cose_ = encode_cbor(cbor_value::map(es384));
  EXPECT_EQ(failure_of(register_with(create_data())), ceremony_failure::unsupported_algorithm);
}

TEST_F(CeremonyTest, RefusesUnsupportedOrInvalidAttestation) {
  EXPECT_EQ(failure_of(register_with(create_data(), test::flag_up, std::nullopt, "tpm", true)),
            ceremony_failure::unsupported_attestation);
  // A packed statement signed over another clientDataJSON.
  const bytes auth = test::authenticator_data_for(rp_id, test::flag_up, 0, &cose_);
  const std::string data = create_data();
  const bytes object = test::attestation_object_for(
      "packed", test::packed_self_statement(key_, auth, data + " "), auth);
  EXPECT_EQ(failure_of(verify_registration(as_bytes(data), object, expected_)),
            ceremony_failure::invalid_attestation);
}

TEST_F(CeremonyTest, AuthenticatesAndReturnsCounterAndBackupFlags) {
  auto r = authenticate_with(get_data(),
                             test::flag_up | test::flag_uv | test::flag_be | test::flag_bs, 42, 41);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->new_sign_count, 42U);
  EXPECT_TRUE(r->user_verified);
  EXPECT_TRUE(r->backup_eligible);
  EXPECT_TRUE(r->backed_up);
}

TEST_F(CeremonyTest, RefusesBadSignature) {
  const std::string data = get_data();
  const bytes auth = test::authenticator_data_for(rp_id, test::flag_up, 1);
  const bytes sig = key_.sign(test::concat(auth, jose::sha256(data)));
  ASSERT_TRUE(verify_authentication(as_bytes(data), auth, sig, {cose_, 0}, expected_));
  // Flags raised after signing (UV claimed without the authenticator saying so).
  bytes raised = auth;
  raised[32] |= std::byte{test::flag_uv};
  EXPECT_EQ(failure_of(verify_authentication(as_bytes(data), raised, sig, {cose_, 0}, expected_)),
            ceremony_failure::invalid_signature);
  // Client data changed after signing.
  const std::string other = data + " ";
  EXPECT_EQ(failure_of(verify_authentication(as_bytes(other), auth, sig, {cose_, 0}, expected_)),
            ceremony_failure::invalid_signature);
  // Another credential's signature.
  const test_key stranger(cose_algorithm::es256);
  EXPECT_EQ(failure_of(verify_authentication(as_bytes(data), auth,
                                             stranger.sign(test::concat(auth, jose::sha256(data))),
                                             {cose_, 0}, expected_)),
            ceremony_failure::invalid_signature);
  EXPECT_EQ(failure_of(verify_authentication(as_bytes(data), auth, {}, {cose_, 0}, expected_)),
            ceremony_failure::invalid_signature);
}

// §7.2 step 21: a counter that does not grow means two authenticators share the credential.
TEST_F(CeremonyTest, RefusesCounterRegressionFromClonedAuthenticator) {
  const std::string data = get_data();
  for (auto [counter, stored] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{
           {5, 5}, {4, 5}, {0, 5}, {1, 0xffffffff}}) {
    SCOPED_TRACE(std::to_string(counter) + " after " + std::to_string(stored));
    auto r = authenticate_with(data, test::flag_up, counter, stored);
    EXPECT_EQ(failure_of(r), ceremony_failure::counter_regression);
  }
  for (auto [counter, stored] :
       std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 0}, {1, 0}, {6, 5}}) {
    SCOPED_TRACE(std::to_string(counter) + " after " + std::to_string(stored));
    EXPECT_TRUE(authenticate_with(data, test::flag_up, counter, stored));
  }
}

TEST_F(CeremonyTest, RefusesMalformedAuthenticatorData) {
  const std::string data = get_data();
  bytes auth = test::authenticator_data_for(rp_id, test::flag_up, 1);
  auth.pop_back();
  EXPECT_EQ(failure_of(verify_authentication(as_bytes(data), auth, {}, {cose_, 0}, expected_)),
            ceremony_failure::malformed_authenticator_data);
}

TEST(CeremonyFailureTest, NamesRoundTripAndOtherErrorsHaveNone) {
  for (int i = 1; i <= static_cast<int>(ceremony_failure::counter_regression); ++i) {
    const auto f = static_cast<ceremony_failure>(i);
    const auth_error e{errc::invalid_claims, "webauthn " + std::string(to_string(f)) + ": x"};
    EXPECT_EQ(ceremony_failure_of(e), f);
  }
  EXPECT_EQ(ceremony_failure_of({errc::crypto_failure, "OpenSSL failed"}), std::nullopt);
  EXPECT_EQ(ceremony_failure_of({errc::invalid_claims, "webauthn nonsense: x"}), std::nullopt);
}

// Assertions made by real authenticators, published by py_webauthn (published_vectors.hpp).
TEST(PublishedCeremonyTest, VerifiesPublishedAssertions) {
  namespace pub = test::published;
  const std::array<std::string, 1> origins{std::string(pub::origin)};
  const std::vector<std::pair<const pub::authentication_vector*, std::uint32_t>> accepted = {
      {&pub::assertion_ec2, 78}, {&pub::assertion_rsa, 1}, {&pub::assertion_okp, 7}};
  for (const auto& [v, new_count] : accepted) {
    SCOPED_TRACE(new_count);
    const bytes challenge = test::b64(v->challenge);
    const ceremony_expectations expected{challenge, origins, pub::rp_id,
                                         v->require_user_verification};
    const bytes key = test::b64(v->public_key);
    auto r = verify_authentication(test::b64(v->client_data_json), test::b64(v->authenticator_data),
                                   test::b64(v->signature), {key, v->stored_sign_count}, expected);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->new_sign_count, new_count);
    // Replayed against the count it just set: a clone.
    EXPECT_EQ(failure_of(verify_authentication(
                  test::b64(v->client_data_json), test::b64(v->authenticator_data),
                  test::b64(v->signature), {key, new_count}, expected)),
              ceremony_failure::counter_regression);
  }
  const std::vector<std::pair<const pub::authentication_vector*, ceremony_failure>> refused = {
      {&pub::assertion_wrong_key, ceremony_failure::invalid_signature},
      {&pub::assertion_uv_missing, ceremony_failure::user_not_verified}};
  for (const auto& [v, failure] : refused) {
    SCOPED_TRACE(to_string(failure));
    const bytes challenge = test::b64(v->challenge);
    const ceremony_expectations expected{challenge, origins, pub::rp_id,
                                         v->require_user_verification};
    const bytes key = test::b64(v->public_key);
    EXPECT_EQ(failure_of(verify_authentication(
                  test::b64(v->client_data_json), test::b64(v->authenticator_data),
                  test::b64(v->signature), {key, v->stored_sign_count}, expected)),
              failure);
  }
}

TEST(PublishedCeremonyTest, RegistersPublishedYubiKeyCredentials) {
  namespace pub = test::published;
  const std::array<std::string, 1> origins{std::string(pub::origin)};
  for (const auto* v : {&pub::packed_yubikey_firefox, &pub::packed_yubikey_okp}) {
    const bytes challenge = test::b64(v->challenge);
    const ceremony_expectations expected{challenge, origins, pub::rp_id, false};
    auto r = verify_registration(test::b64(v->client_data_json), test::b64(v->attestation_object),
                                 expected);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->credential_id, test::b64(v->credential_id));
    EXPECT_EQ(r->fmt, "packed");
    EXPECT_EQ(r->attestation.type, attestation_type::basic);
    const ceremony_expectations other_rp{challenge, origins, "example.com", false};
    EXPECT_EQ(failure_of(verify_registration(test::b64(v->client_data_json),
                                             test::b64(v->attestation_object), other_rp)),
              ceremony_failure::rp_id_mismatch);
  }
}

// python-fido2 (Debian python3-fido2), an independent implementation, builds registrations (its
// own COSE, authenticator data and attestation object encoders; packed statements its own
// verifier accepts) and assertions; each must verify here, and each certificate variant that
// breaks a §8.2.1 requirement must be refused.
TEST(Fido2CrossCheckTest, VerifiesWhatPythonFido2Builds) {
  const auto tool = test::run_python("fido2_vectors.py");
  ASSERT_EQ(tool.status, 0) << test::missing_package_message("python3-fido2");
  std::istringstream lines(tool.out);
  std::string line;
  std::size_t accepted = 0;
  std::size_t refused = 0;
  while (std::getline(lines, line)) {
    const json v = parse_json(line).value();
    SCOPED_TRACE(v["name"].get<std::string>());
    const auto hex = [&](const char* name) { return from_hex(v[name].get<std::string>()); };
    const std::array<std::string, 1> origins{v["origin"].get<std::string>()};
    const std::string rp = v["rp_id"].get<std::string>();
    const bytes challenge = hex("challenge");
    auto credential = verify_registration(hex("client_data"), hex("attestation_object"),
                                          {challenge, origins, rp, true});
    if (v["expect"] != "ok") {
      EXPECT_EQ(failure_of(credential), ceremony_failure::invalid_attestation);
      ++refused;
      continue;
    }
    ASSERT_TRUE(credential) << credential.error().message();
    EXPECT_EQ(static_cast<std::int64_t>(credential->algorithm), v["alg"].get<std::int64_t>());
    EXPECT_EQ(credential->credential_id, hex("credential_id"));
    EXPECT_EQ(bytes(credential->aaguid.begin(), credential->aaguid.end()), hex("aaguid"));
    EXPECT_TRUE(credential->backup_eligible);
    EXPECT_TRUE(credential->backed_up);

    const bytes get_challenge = hex("get_challenge");
    auto assertion = verify_authentication(hex("get_client_data"), hex("get_authenticator_data"),
                                           hex("get_signature"), {credential->public_key, 0},
                                           {get_challenge, origins, rp, true});
    ASSERT_TRUE(assertion) << assertion.error().message();
    EXPECT_EQ(assertion->new_sign_count, 7U);
    ++accepted;
  }
  EXPECT_EQ(accepted, 7U);
  EXPECT_EQ(refused, 4U);
}

}  // namespace
}  // namespace authpp::webauthn
