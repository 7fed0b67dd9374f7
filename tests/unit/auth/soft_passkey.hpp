#pragma once

// soft_passkey: a software authenticator for engine tests, answering the engine's WebAuthn options
// as a browser would post the result (SimpleWebAuthn's JSON), so that a test changes exactly one
// thing from a valid ceremony.
#include <authpp/core/base64url.hpp>

#include <cstdint>
#include <string>

#include "../webauthn/webauthn_test_support.hpp"
#include "engine_fixture.hpp"

namespace authpp::test {

namespace wt = webauthn::test;

// soft_passkey is one ES256 credential, as a platform authenticator keeps it.
class soft_passkey {
 public:
  explicit soft_passkey(std::uint8_t id_byte) : id_(16, std::byte{id_byte}) {}

  const bytes& id() const { return id_; }
  std::string id_text() const { return base64url::encode(id_); }

  // registration answers `options` (the JSON of a register action) with attestation "none".
  std::string registration(const json& options, std::string_view client_origin = origin,
                           std::uint8_t flags = wt::flag_up | wt::flag_uv | wt::flag_be,
                           std::string_view rp = "") const {
    const std::string rp_id = rp.empty() ? options["rp"]["id"].get<std::string>() : std::string(rp);
    const bytes challenge = wt::b64(options["challenge"].get<std::string>());
    const std::string client_data =
        wt::client_data_json("webauthn.create", challenge, client_origin);
    const bytes cose = key_.cose();
    const bytes auth_data = wt::authenticator_data_for(rp_id, flags, 0, &cose, id_);
    const bytes attestation =
        wt::attestation_object_for("none", webauthn::cbor_value::map({}), auth_data);
    json response = {{"clientDataJSON", base64url::encode(client_data)},
                     {"attestationObject", base64url::encode(attestation)},
                     {"transports", json::array({"internal", "hybrid"})}};
    return json({{"id", id_text()},
                 {"rawId", id_text()},
                 {"type", "public-key"},
                 {"response", response},
                 {"clientExtensionResults", json::object()},
                 {"authenticatorAttachment", "platform"}})
        .dump();
  }

  // assertion answers `options` (an authenticate action) with signature counter `counter`.
  std::string assertion(const json& options, std::uint32_t counter,
                        std::string_view client_origin = origin,
                        std::uint8_t flags = wt::flag_up | wt::flag_uv | wt::flag_be,
                        std::string_view rp = "localhost",
                        const wt::test_key* signer = nullptr) const {
    const bytes challenge = wt::b64(options["challenge"].get<std::string>());
    const std::string client_data = wt::client_data_json("webauthn.get", challenge, client_origin);
    const bytes auth_data = wt::authenticator_data_for(rp, flags, counter);
    const jose::sha256_digest hash = jose::sha256(client_data);
    const bytes signature = (signer ? *signer : key_).sign(wt::concat(auth_data, hash));
    json response = {{"clientDataJSON", base64url::encode(client_data)},
                     {"authenticatorData", base64url::encode(auth_data)},
                     {"signature", base64url::encode(signature)},
                     {"userHandle", base64url::encode(std::string("handle"))}};
    return json({{"id", id_text()},
                 {"rawId", id_text()},
                 {"type", "public-key"},
                 {"response", response},
                 {"clientExtensionResults", json::object()}})
        .dump();
  }

 private:
  wt::test_key key_{webauthn::cose_algorithm::es256};
  bytes id_;
};

}  // namespace authpp::test
