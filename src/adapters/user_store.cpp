#include <authpp/adapters/user_store.hpp>

#include "validate_internal.hpp"

namespace authpp::adapters {
namespace {

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string normalize_email(std::string_view email) {
  while (!email.empty() && is_ascii_space(email.front())) email.remove_prefix(1);
  while (!email.empty() && is_ascii_space(email.back())) email.remove_suffix(1);
  return detail::ascii_lower(email);
}

namespace detail {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

result<void> check_new_user(const new_user& user, std::string_view email) {
  if (email.empty()) return auth_error{errc::malformed_input, "email is empty"};
  if (user.username && user.username->empty()) {
    return auth_error{errc::malformed_input, "username is empty (omit it instead)"};
  }
  return {};
}

result<void> check_password_hash(std::string_view hash, bool allow_empty) {
  if (hash.empty() && allow_empty) return {};
  // The detail never quotes the value: a caller that passed a plain password by mistake must not
  // find it in the log.
  constexpr std::size_t max_hash_size = 1024;
  if (hash.empty() || hash.size() > max_hash_size || hash.front() != '$') {
    return auth_error{errc::invalid_password_hash,
                      "expected an encoded hash such as $argon2id$..."};
  }
  for (char c : hash) {
    if (c <= ' ' || c > '~') {
      return auth_error{errc::invalid_password_hash, "hash contains a non-printable character"};
    }
  }
  return {};
}

std::chrono::system_clock::time_point to_millis(std::chrono::system_clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      std::chrono::floor<std::chrono::milliseconds>(t));
}

long long epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_epoch_ms(long long ms) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(ms)));
}

result<void> check_account(const account_record& account, bool has_user) {
  if ((has_user && account.user_id.empty()) || account.type.empty() || account.provider.empty() ||
      account.provider_account_id.empty()) {
    return auth_error{errc::malformed_input,
                      "an account needs a user id, a type, a provider and a provider account id"};
  }
  return {};
}

result<void> check_session(const session_record& session) {
  if (session.session_token.empty() || session.user_id.empty()) {
    return auth_error{errc::malformed_input, "a session needs a token and a user id"};
  }
  return {};
}

result<void> check_verification_token(const verification_token& token) {
  if (token.identifier.empty() || token.token.empty()) {
    return auth_error{errc::malformed_input,
                      "a verification token needs an identifier and a token"};
  }
  return {};
}

}  // namespace detail
}  // namespace authpp::adapters
