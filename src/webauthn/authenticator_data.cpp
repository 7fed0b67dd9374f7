#include <authpp/webauthn/authenticator_data.hpp>

#include <algorithm>
#include <string>

namespace authpp::webauthn {

namespace {

auth_error malformed(const std::string& why) {
  return {errc::malformed_input, "authenticator data: " + why};
}

// with_context keeps the CBOR decoder's code (malformed or limit) and says where it happened.
auth_error with_context(const auth_error& e, const char* what) {
  return {e.code, "authenticator data: " + std::string(what) + ": " + e.detail};
}

}  // namespace

result<authenticator_data> parse_authenticator_data(byte_view data) {
  if (data.size() > max_authenticator_data_size) {
    return auth_error{
        errc::limit_exceeded,
        "authenticator data is over " + std::to_string(max_authenticator_data_size) + " bytes"};
  }
  // §6.1: rpIdHash (32), flags (1), signCount (4, big-endian), then what the flags announce.
  if (data.size() < 37) return malformed("shorter than 37 bytes");
  authenticator_data out;
  std::copy_n(data.begin(), 32, out.rp_id_hash.begin());
  const auto flags = std::to_integer<unsigned>(data[32]);
  out.flags.user_present = (flags & 0x01U) != 0;
  out.flags.user_verified = (flags & 0x04U) != 0;
  out.flags.backup_eligible = (flags & 0x08U) != 0;
  out.flags.backed_up = (flags & 0x10U) != 0;
  out.flags.attested_credential = (flags & 0x40U) != 0;
  out.flags.extension_data = (flags & 0x80U) != 0;
  // §6.1.3: a credential that cannot be backed up cannot be backed up now.
  if (out.flags.backed_up && !out.flags.backup_eligible) return malformed("BS is set without BE");
  for (std::size_t i = 33; i < 37; ++i) {
    out.sign_count = out.sign_count << 8 | std::to_integer<std::uint32_t>(data[i]);
  }
  byte_view rest = data.subspan(37);

  if (out.flags.attested_credential) {
    // §6.5.1: aaguid (16), credentialIdLength (2, big-endian), credentialId, credentialPublicKey.
    if (rest.size() < 18) return malformed("attested credential data is truncated");
    attested_credential_data attested;
    std::copy_n(rest.begin(), 16, attested.aaguid.begin());
    const std::size_t id_length =
        std::to_integer<std::size_t>(rest[16]) << 8 | std::to_integer<std::size_t>(rest[17]);
    rest = rest.subspan(18);
    if (id_length == 0 || id_length > max_credential_id_size) {
      return malformed("credential id length " + std::to_string(id_length) + " is not 1 to " +
                       std::to_string(max_credential_id_size));
    }
    if (id_length > rest.size()) return malformed("credential id is truncated");
    attested.credential_id.assign(rest.begin(), rest.begin() + static_cast<long>(id_length));
    rest = rest.subspan(id_length);
    // The key's length is not written down: only decoding it tells where the extensions start.
    auto key = decode_cbor_prefix(rest);
    if (!key) return with_context(key.error(), "credential public key");
    if (key->value.as_map() == nullptr) return malformed("credential public key is not a map");
    attested.public_key.assign(rest.begin(), rest.begin() + static_cast<long>(key->size));
    rest = rest.subspan(key->size);
    out.attested = std::move(attested);
  }

  if (out.flags.extension_data) {
    if (rest.empty()) return malformed("ED is set but there are no extensions");
    auto extensions = decode_cbor(rest);  // the last item: nothing may follow it
    if (!extensions) return with_context(extensions.error(), "extensions");
    if (extensions->as_map() == nullptr) return malformed("extensions are not a map");
    out.extensions = std::move(*extensions);
    rest = {};
  }
  if (!rest.empty()) {
    return malformed(std::to_string(rest.size()) + " trailing bytes that no flag announces");
  }
  return out;
}

}  // namespace authpp::webauthn
