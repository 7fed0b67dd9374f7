#include <authpp/core/base64url.hpp>
#include <authpp/core/constant_time.hpp>
#include <authpp/core/json.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/webauthn/ceremony.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace authpp::webauthn {

namespace {

constexpr std::array all_failures = {
    ceremony_failure::malformed_client_data,   ceremony_failure::wrong_type,
    ceremony_failure::challenge_mismatch,      ceremony_failure::origin_mismatch,
    ceremony_failure::malformed_attestation,   ceremony_failure::malformed_authenticator_data,
    ceremony_failure::rp_id_mismatch,          ceremony_failure::user_not_present,
    ceremony_failure::user_not_verified,       ceremony_failure::missing_credential,
    ceremony_failure::unsupported_algorithm,   ceremony_failure::invalid_public_key,
    ceremony_failure::unsupported_attestation, ceremony_failure::invalid_attestation,
    ceremony_failure::invalid_signature,       ceremony_failure::counter_regression,
};

constexpr std::string_view detail_prefix = "webauthn ";

auth_error fail(ceremony_failure failure, errc code, std::string_view detail) {
  return {code, std::string(detail_prefix) + std::string(to_string(failure)) + ": " +
                    std::string(detail)};
}

// tagged keeps the code and detail of a lower layer's error and adds the ceremony's failure,
// except for OpenSSL failures, which no input causes.
auth_error tagged(ceremony_failure failure, const auth_error& e) {
  if (e.code == errc::crypto_failure) return e;
  return fail(failure, e.code, e.detail);
}

// check_client_data runs §7.1 steps 5-10 / §7.2 steps 7-12 on clientDataJSON: parse it as UTF-8
// JSON, then compare type, challenge and origin. tokenBinding and crossOrigin are not checked,
// as @simplewebauthn/server does not by default.
result<void> check_client_data(byte_view client_data_json, std::string_view type,
                               const ceremony_expectations& expected) {
  if (client_data_json.size() > max_client_data_size) {
    return fail(ceremony_failure::malformed_client_data, errc::limit_exceeded,
                "clientDataJSON is over " + std::to_string(max_client_data_size) + " bytes");
  }
  auto parsed = parse_json(as_chars(client_data_json), 16);
  if (!parsed || !parsed->is_object()) {
    return fail(ceremony_failure::malformed_client_data, errc::malformed_input,
                "clientDataJSON is not a JSON object");
  }
  const auto string_member = [&](const char* name) -> const std::string* {
    const auto it = parsed->find(name);
    return it == parsed->end() || !it->is_string() ? nullptr : it->get_ptr<const std::string*>();
  };
  const std::string* actual_type = string_member("type");
  const std::string* challenge = string_member("challenge");
  const std::string* origin = string_member("origin");
  if (actual_type == nullptr || challenge == nullptr || origin == nullptr) {
    return fail(ceremony_failure::malformed_client_data, errc::malformed_input,
                "clientDataJSON lacks a string type, challenge or origin");
  }
  // A create response presented as a get (or the reverse) proves nothing about this ceremony.
  if (*actual_type != type) {
    return fail(ceremony_failure::wrong_type, errc::invalid_claims,
                "type is not " + std::string(type));
  }
  // The challenge travels as unpadded base64url of the bytes issued. Comparing the bytes in
  // constant time keeps an attacker from learning a pending challenge byte by byte.
  auto challenge_bytes = base64url::decode(*challenge);
  if (expected.challenge.empty() || !challenge_bytes ||
      !constant_time_equal(*challenge_bytes, expected.challenge)) {
    return fail(ceremony_failure::challenge_mismatch, errc::invalid_claims,
                "challenge is not the one issued");
  }
  if (std::find(expected.origins.begin(), expected.origins.end(), *origin) ==
      expected.origins.end()) {
    return fail(ceremony_failure::origin_mismatch, errc::invalid_claims,
                "origin is not an expected origin");
  }
  return {};
}

// check_authenticator runs the checks every ceremony makes of authenticator data: the RP ID it
// was made for (§7.1 step 13, §7.2 step 15), user presence and, when required, verification.
result<void> check_authenticator(const authenticator_data& data,
                                 const ceremony_expectations& expected) {
  const jose::sha256_digest rp_id_hash = jose::sha256(expected.rp_id);
  if (!constant_time_equal(byte_view(data.rp_id_hash), byte_view(rp_id_hash))) {
    return fail(ceremony_failure::rp_id_mismatch, errc::invalid_claims,
                "rpIdHash is not SHA-256 of the RP ID");
  }
  if (!data.flags.user_present) {
    return fail(ceremony_failure::user_not_present, errc::invalid_claims, "UP is not set");
  }
  if (expected.require_user_verification && !data.flags.user_verified) {
    return fail(ceremony_failure::user_not_verified, errc::invalid_claims,
                "UV is not set and user verification is required");
  }
  return {};
}

result<cose_key> credential_key(byte_view encoded) {
  auto key = cose_key::parse(encoded);
  if (!key) {
    return tagged(key.error().code == errc::unsupported_algorithm
                      ? ceremony_failure::unsupported_algorithm
                      : ceremony_failure::invalid_public_key,
                  key.error());
  }
  return key;
}

}  // namespace

std::string_view to_string(ceremony_failure failure) noexcept {
  switch (failure) {
    case ceremony_failure::malformed_client_data:
      return "malformed_client_data";
    case ceremony_failure::wrong_type:
      return "wrong_type";
    case ceremony_failure::challenge_mismatch:
      return "challenge_mismatch";
    case ceremony_failure::origin_mismatch:
      return "origin_mismatch";
    case ceremony_failure::malformed_attestation:
      return "malformed_attestation";
    case ceremony_failure::malformed_authenticator_data:
      return "malformed_authenticator_data";
    case ceremony_failure::rp_id_mismatch:
      return "rp_id_mismatch";
    case ceremony_failure::user_not_present:
      return "user_not_present";
    case ceremony_failure::user_not_verified:
      return "user_not_verified";
    case ceremony_failure::missing_credential:
      return "missing_credential";
    case ceremony_failure::unsupported_algorithm:
      return "unsupported_algorithm";
    case ceremony_failure::invalid_public_key:
      return "invalid_public_key";
    case ceremony_failure::unsupported_attestation:
      return "unsupported_attestation";
    case ceremony_failure::invalid_attestation:
      return "invalid_attestation";
    case ceremony_failure::invalid_signature:
      return "invalid_signature";
    case ceremony_failure::counter_regression:
      return "counter_regression";
  }
  return "unknown";
}

std::optional<ceremony_failure> ceremony_failure_of(const auth_error& error) noexcept {
  const std::string_view detail = error.detail;
  if (!detail.starts_with(detail_prefix)) return std::nullopt;
  const std::string_view rest = detail.substr(detail_prefix.size());
  const std::string_view name = rest.substr(0, rest.find(':'));
  for (ceremony_failure f : all_failures) {
    if (to_string(f) == name) return f;
  }
  return std::nullopt;
}

result<registered_credential> verify_registration(byte_view client_data_json,
                                                  byte_view attestation_object,
                                                  const ceremony_expectations& expected) {
  auto client_data = check_client_data(client_data_json, "webauthn.create", expected);
  if (!client_data) return client_data.error();
  const jose::sha256_digest client_data_hash = jose::sha256(client_data_json);

  auto object = parse_attestation_object(attestation_object);
  if (!object) return tagged(ceremony_failure::malformed_attestation, object.error());
  const authenticator_data& data = object->authenticator;
  auto checked = check_authenticator(data, expected);
  if (!checked) return checked.error();
  if (!data.attested) {
    return fail(ceremony_failure::missing_credential, errc::malformed_input,
                "authenticator data has no attested credential data (AT)");
  }
  // §7.1 step 16: the key must use an algorithm the RP offered; ours are all cose_algorithm.
  auto key = credential_key(data.attested->public_key);
  if (!key) return key.error();

  if (object->fmt != "none" && object->fmt != "packed") {
    return fail(ceremony_failure::unsupported_attestation, errc::unsupported_algorithm,
                "attestation format is not none or packed");
  }
  auto attestation = verify_attestation(*object, client_data_hash);
  if (!attestation) return tagged(ceremony_failure::invalid_attestation, attestation.error());

  registered_credential out;
  out.credential_id = data.attested->credential_id;
  out.public_key = data.attested->public_key;
  out.algorithm = key->algorithm();
  out.sign_count = data.sign_count;
  out.aaguid = data.attested->aaguid;
  out.user_verified = data.flags.user_verified;
  out.backup_eligible = data.flags.backup_eligible;
  out.backed_up = data.flags.backed_up;
  out.fmt = object->fmt;
  out.attestation = std::move(*attestation);
  return out;
}

result<authentication_result> verify_authentication(byte_view client_data_json,
                                                    byte_view authenticator_data_bytes,
                                                    byte_view signature,
                                                    const stored_credential& credential,
                                                    const ceremony_expectations& expected) {
  auto client_data = check_client_data(client_data_json, "webauthn.get", expected);
  if (!client_data) return client_data.error();
  auto data = parse_authenticator_data(authenticator_data_bytes);
  if (!data) return tagged(ceremony_failure::malformed_authenticator_data, data.error());
  auto checked = check_authenticator(*data, expected);
  if (!checked) return checked.error();

  auto key = credential_key(credential.public_key);
  if (!key) return key.error();
  // §7.2 step 20: the signature covers authenticatorData ‖ SHA-256(clientDataJSON).
  const jose::sha256_digest client_data_hash = jose::sha256(client_data_json);
  bytes signed_data(authenticator_data_bytes.begin(), authenticator_data_bytes.end());
  signed_data.insert(signed_data.end(), client_data_hash.begin(), client_data_hash.end());
  auto verified = key->verify(signed_data, signature);
  if (!verified) return tagged(ceremony_failure::invalid_signature, verified.error());

  // §7.2 step 21: authenticators that count never repeat or go back; one that does is likely a
  // clone. Zero on both sides means the authenticator does not count (passkeys that sync).
  if ((data->sign_count != 0 || credential.sign_count != 0) &&
      data->sign_count <= credential.sign_count) {
    return fail(ceremony_failure::counter_regression, errc::invalid_claims,
                "signCount " + std::to_string(data->sign_count) + " is not above the stored " +
                    std::to_string(credential.sign_count));
  }
  authentication_result out;
  out.new_sign_count = data->sign_count;
  out.user_verified = data->flags.user_verified;
  out.backup_eligible = data->flags.backup_eligible;
  out.backed_up = data->flags.backed_up;
  return out;
}

}  // namespace authpp::webauthn
