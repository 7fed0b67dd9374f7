#include <authpp/adapters/second_factor_store.hpp>

#include <algorithm>

#include "validate_internal.hpp"

namespace authpp::adapters::detail {
namespace {

// is_encoded_text: printable ASCII without spaces, what base64url and PHC strings are made of.
// Anything else would be stored differently by each backend (PostgreSQL refuses NUL bytes and
// invalid UTF-8, SQLite keeps them), and no encoder of ours produces it.
bool is_encoded_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c <= '~'; });
}

}  // namespace

result<void> check_sealed_secret(std::string_view sealed_secret) {
  // The details never quote the value: it is key material, sealed or not.
  if (sealed_secret.empty()) return auth_error{errc::malformed_input, "sealed secret is empty"};
  if (sealed_secret.size() > max_sealed_secret_size) {
    return auth_error{errc::limit_exceeded, "sealed secret is longer than " +
                                                std::to_string(max_sealed_secret_size) + " bytes"};
  }
  if (!is_encoded_text(sealed_secret)) {
    return auth_error{errc::malformed_input, "sealed secret is not printable ASCII"};
  }
  return {};
}

result<void> check_recovery_code_hashes(const std::vector<std::string>& code_hashes) {
  // The count first, so that the other checks' work is bounded.
  if (code_hashes.size() > max_recovery_codes) {
    return auth_error{errc::limit_exceeded,
                      "more than " + std::to_string(max_recovery_codes) + " recovery codes"};
  }
  for (const std::string& hash : code_hashes) {
    if (hash.empty()) return auth_error{errc::malformed_input, "a recovery code hash is empty"};
    if (hash.size() > max_recovery_code_hash_size) {
      return auth_error{errc::limit_exceeded, "a recovery code hash is longer than " +
                                                  std::to_string(max_recovery_code_hash_size) +
                                                  " bytes"};
    }
    if (!is_encoded_text(hash)) {
      return auth_error{errc::malformed_input, "a recovery code hash is not printable ASCII"};
    }
  }
  std::vector<std::string_view> sorted(code_hashes.begin(), code_hashes.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return auth_error{errc::malformed_input, "a recovery code hash is repeated"};
  }
  return {};
}

result<void> check_totp_step(std::uint64_t step) {
  if (step > max_totp_step) {
    return auth_error{errc::limit_exceeded, "TOTP step is beyond what the store can hold"};
  }
  return {};
}

}  // namespace authpp::adapters::detail
