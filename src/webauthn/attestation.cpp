#include <authpp/webauthn/attestation.hpp>
#include <authpp/webauthn/cose.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "openssl_internal.hpp"

namespace authpp::webauthn {

namespace {

// The longest x5c chain and certificate read: real chains are one to three certificates of
// well under 2 KB.
constexpr std::size_t max_certificates = 5;
constexpr std::size_t max_certificate_size = 4096;

auth_error malformed(const std::string& why) {
  return {errc::malformed_input, "attestation: " + why};
}
auth_error certificate_error(const std::string& why) {
  return {errc::invalid_key, "packed attestation certificate: " + why};
}

// signed_data is authData ‖ clientDataHash, what an attestation signature covers (§6.5.4).
bytes signed_data(const attestation_object& object, byte_view client_data_hash) {
  bytes out(object.raw_authenticator_data.begin(), object.raw_authenticator_data.end());
  out.insert(out.end(), client_data_hash.begin(), client_data_hash.end());
  return out;
}

// subject_text returns the UTF-8 text of the first `nid` attribute of the subject, or nullopt.
std::optional<std::string> subject_text(X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return std::nullopt;
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));  // NOLINT
  OPENSSL_free(utf8);
  return out;
}

// check_certificate_requirements checks the leaf against §8.2.1, those parts that need no trust
// anchor, clock or network.
result<void> check_certificate_requirements(X509* leaf, const attested_credential_data& attested) {
  if (X509_get_version(leaf) != X509_VERSION_3) return certificate_error("not version 3");
  for (const auto& [nid, label] :
       {std::pair{NID_countryName, "C"}, std::pair{NID_organizationName, "O"},
        std::pair{NID_commonName, "CN"}}) {
    if (!subject_text(leaf, nid)) return certificate_error(std::string("subject has no ") + label);
  }
  if (subject_text(leaf, NID_organizationalUnitName) != "Authenticator Attestation") {
    return certificate_error("subject OU is not \"Authenticator Attestation\"");
  }
  // X509_check_ca also caches the extensions; a certificate whose extensions do not parse is
  // flagged invalid there.
  if (X509_check_ca(leaf) != 0) return certificate_error("it is a CA certificate");
  if ((X509_get_extension_flags(leaf) & EXFLAG_INVALID) != 0) {
    return certificate_error("its extensions do not parse");
  }
  // §8.2.1: id-fido-gen-ce-aaguid, an OCTET STRING holding the AAGUID as an OCTET STRING.
  const std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> aaguid_oid(
      OBJ_txt2obj("1.3.6.1.4.1.45724.1.1.4", 1), &ASN1_OBJECT_free);
  if (!aaguid_oid) return detail::openssl_error("cannot make the AAGUID extension's OID");
  const int index = X509_get_ext_by_OBJ(leaf, aaguid_oid.get(), -1);
  if (index >= 0) {
    if (X509_get_ext_by_OBJ(leaf, aaguid_oid.get(), index) >= 0) {
      return certificate_error("the AAGUID extension appears twice");
    }
    X509_EXTENSION* ext = X509_get_ext(leaf, index);
    if (X509_EXTENSION_get_critical(ext) != 0) {
      return certificate_error("the AAGUID extension is critical");
    }
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
    const byte_view der(reinterpret_cast<const std::byte*>(ASN1_STRING_get0_data(data)),  // NOLINT
                        static_cast<std::size_t>(ASN1_STRING_length(data)));
    if (der.size() != 18 || der[0] != std::byte{0x04} || der[1] != std::byte{0x10}) {
      return certificate_error("the AAGUID extension is not a 16-byte OCTET STRING");
    }
    if (!std::equal(der.begin() + 2, der.end(), attested.aaguid.begin(), attested.aaguid.end())) {
      return certificate_error("the AAGUID extension differs from the authenticator data's");
    }
  }
  return {};
}

result<verified_attestation> verify_packed(const attestation_object& object,
                                           byte_view client_data_hash,
                                           const attested_credential_data& attested) {
  const cbor_value& statement = object.statement;
  for (const cbor_map_entry& e : *statement.as_map()) {
    const std::string* name = e.key.as_text();
    if (name == nullptr || (*name != "alg" && *name != "sig" && *name != "x5c")) {
      return name != nullptr && *name == "ecdaaKeyId"
                 ? malformed("packed ECDAA attestation was withdrawn (L2 §8.2)")
                 : malformed("packed statement has an unknown member");
    }
  }
  const cbor_value* alg_value = statement.find("alg");
  const cbor_value* sig_value = statement.find("sig");
  if (alg_value == nullptr || !alg_value->as_int64() || sig_value == nullptr ||
      sig_value->as_bytes() == nullptr) {
    return malformed("packed statement needs an integer alg and a byte string sig");
  }
  const auto alg = parse_cose_algorithm(*alg_value->as_int64());
  if (!alg) {
    return auth_error{
        errc::unsupported_algorithm,
        "packed attestation alg " + std::to_string(*alg_value->as_int64()) + " is not supported"};
  }
  const bytes message = signed_data(object, client_data_hash);
  const bytes& sig = *sig_value->as_bytes();

  const cbor_value* x5c = statement.find("x5c");
  if (x5c == nullptr) {
    // §8.2.2 self attestation: the credential signs for itself, with its own algorithm.
    auto key = cose_key::parse(attested.public_key);
    if (!key) return key.error();
    if (key->algorithm() != *alg) {
      return auth_error{errc::unsupported_algorithm,
                        "packed self attestation alg differs from the credential key's"};
    }
    auto verified = key->verify(message, sig);
    if (!verified) return verified.error();
    return verified_attestation{attestation_type::self, {}};
  }

  const cbor_value::array_type* chain = x5c->as_array();
  if (chain == nullptr || chain->empty() || chain->size() > max_certificates) {
    return malformed("x5c is not an array of 1 to " + std::to_string(max_certificates) +
                     " certificates");
  }
  verified_attestation out{attestation_type::basic, {}};
  for (const cbor_value& cert : *chain) {
    const bytes* der = cert.as_bytes();
    if (der == nullptr || der->empty() || der->size() > max_certificate_size) {
      return malformed("an x5c entry is not a certificate of at most " +
                       std::to_string(max_certificate_size) + " bytes");
    }
    out.certificates.push_back(*der);
  }
  const bytes& leaf_der = out.certificates.front();
  const unsigned char* cursor = detail::uchars(leaf_der);
  const detail::x509_ptr leaf(d2i_X509(nullptr, &cursor, static_cast<long>(leaf_der.size())));
  if (!leaf || cursor != detail::uchars(leaf_der) + leaf_der.size()) {
    ERR_clear_error();
    return certificate_error("the leaf is not one DER certificate");
  }
  EVP_PKEY* leaf_key = X509_get0_pubkey(leaf.get());
  if (leaf_key == nullptr || !detail::key_fits(leaf_key, *alg)) {
    ERR_clear_error();
    return certificate_error("its key does not fit alg " + std::string(to_string(*alg)));
  }
  auto verified = detail::verify_signature(leaf_key, *alg, message, sig);
  if (!verified) return verified.error();
  auto requirements = check_certificate_requirements(leaf.get(), attested);
  if (!requirements) return requirements.error();
  return out;
}

}  // namespace

result<attestation_object> parse_attestation_object(byte_view encoded) {
  if (encoded.size() > max_attestation_object_size) {
    return auth_error{
        errc::limit_exceeded,
        "attestation object is over " + std::to_string(max_attestation_object_size) + " bytes"};
  }
  cbor_limits limits;
  limits.max_input_size = max_attestation_object_size;
  auto decoded = decode_cbor(encoded, limits);
  if (!decoded)
    return auth_error{decoded.error().code, "attestation object: " + decoded.error().detail};
  const cbor_value::map_type* members = decoded->as_map();
  if (members == nullptr || members->size() != 3) {
    return malformed("the object is not a map of fmt, attStmt and authData");
  }
  const cbor_value* fmt = decoded->find("fmt");
  const cbor_value* statement = decoded->find("attStmt");
  const cbor_value* auth_data = decoded->find("authData");
  if (fmt == nullptr || fmt->as_text() == nullptr || statement == nullptr ||
      statement->as_map() == nullptr || auth_data == nullptr || auth_data->as_bytes() == nullptr) {
    return malformed("the object is not a map of fmt (text), attStmt (map) and authData (bytes)");
  }
  auto parsed = parse_authenticator_data(*auth_data->as_bytes());
  if (!parsed) return parsed.error();
  return attestation_object{*fmt->as_text(), *statement, *auth_data->as_bytes(),
                            std::move(*parsed)};
}

result<verified_attestation> verify_attestation(const attestation_object& object,
                                                byte_view client_data_hash) {
  if (client_data_hash.size() != 32) return malformed("the client data hash is not 32 bytes");
  if (!object.authenticator.attested) return malformed("no attested credential data (AT)");
  if (object.statement.as_map() == nullptr) return malformed("attStmt is not a map");
  if (object.fmt == "none") {
    // §8.7: the statement is empty; nothing else vouches for the key.
    if (!object.statement.as_map()->empty()) return malformed("a none statement must be empty");
    return verified_attestation{attestation_type::none, {}};
  }
  if (object.fmt == "packed") {
    return verify_packed(object, client_data_hash, *object.authenticator.attested);
  }
  return auth_error{errc::unsupported_algorithm, "attestation format is not none or packed"};
}

}  // namespace authpp::webauthn
