#include <authpp/adapters/authenticator_store.hpp>

#include <algorithm>

#include "validate_internal.hpp"

namespace authpp::adapters::detail {
namespace {

// is_padded_base64: the shape of RFC 4648 §4 text, whole quanta with at most two trailing `=`.
// It does not decode (the engine encoded the value); it keeps out what no encoder makes, and
// what each backend would store differently (NUL bytes, invalid UTF-8).
bool is_padded_base64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  const std::size_t data = s.find_last_not_of('=') + 1;
  if (s.size() - data > 2) return false;
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(data), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

// is_encoded_text: printable ASCII without spaces.
bool is_encoded_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c <= '~'; });
}

auth_error too_long(std::string_view what, std::size_t bound) {
  return auth_error{errc::limit_exceeded,
                    std::string(what) + " is longer than " + std::to_string(bound) + " bytes"};
}

}  // namespace

result<void> check_authenticator(const authenticator_record& a) {
  // Each length before its content, so that the other checks' work is bounded.
  if (a.credential_id.size() > max_credential_id_text_size) {
    return too_long("credential id", max_credential_id_text_size);
  }
  if (!is_padded_base64(a.credential_id)) {
    return auth_error{errc::malformed_input, "credential id is not padded base64"};
  }
  if (a.provider_account_id.size() > max_credential_id_text_size) {
    return too_long("provider account id", max_credential_id_text_size);
  }
  if (a.provider_account_id.empty() || !is_encoded_text(a.provider_account_id)) {
    return auth_error{errc::malformed_input,
                      "provider account id is empty or not printable ASCII without spaces"};
  }
  if (a.credential_public_key.size() > max_credential_public_key_text_size) {
    return too_long("credential public key", max_credential_public_key_text_size);
  }
  if (!is_padded_base64(a.credential_public_key)) {
    return auth_error{errc::malformed_input, "credential public key is not padded base64"};
  }
  // The two kinds of WebAuthn L3 §6.1.3, as @simplewebauthn names them.
  if (a.credential_device_type != "singleDevice" && a.credential_device_type != "multiDevice") {
    return auth_error{errc::malformed_input,
                      "credential device type is neither singleDevice nor multiDevice"};
  }
  if (a.transports) {
    if (a.transports->size() > max_transports_size) {
      return too_long("transports", max_transports_size);
    }
    if (!is_encoded_text(*a.transports)) {
      return auth_error{errc::malformed_input, "transports are not printable ASCII without spaces"};
    }
  }
  return {};
}

}  // namespace authpp::adapters::detail
