#pragma once

// faulty_adapter forwards to a real adapter and fails chosen parts of it on demand, as a backend
// that went away would: the engine's answers to an unavailable store are tested with it.
#include <authpp/adapters/adapter.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace authpp::test {

class faulty_adapter final : public adapters::adapter {
 public:
  explicit faulty_adapter(std::shared_ptr<adapters::adapter> inner) : inner_(std::move(inner)) {}

  bool sessions_down = false;  // every session_store call fails with storage_unavailable
  bool accounts_down = false;  // every account_store call fails with storage_unavailable
  bool users_down = false;     // find_by_id fails with storage_unavailable
  bool tokens_down = false;    // every verification_token_store call fails with storage_unavailable
  // every second_factor_store call fails with storage_unavailable
  bool second_factors_down = false;
  // every authenticator_store call fails with storage_unavailable
  bool authenticators_down = false;

  using time_point = std::chrono::system_clock::time_point;
  // user_store
  result<adapters::user_record> add_user(const adapters::new_user& u,
                                         std::string_view hash) override {
    return inner_->add_user(u, hash);
  }
  result<std::optional<adapters::user_record>> find_by_email(std::string_view e) const override {
    return inner_->find_by_email(e);
  }
  result<std::optional<adapters::user_record>> find_by_username(std::string_view u) const override {
    return inner_->find_by_username(u);
  }
  result<std::optional<adapters::user_record>> find_by_id(std::string_view id) const override {
    if (users_down) return down();
    return inner_->find_by_id(id);
  }
  result<std::vector<adapters::user_record>> list_users() const override {
    return inner_->list_users();
  }
  result<void> set_disabled(std::string_view e, bool d) override {
    return inner_->set_disabled(e, d);
  }
  result<void> set_password(std::string_view id, std::string_view h) override {
    return inner_->set_password(id, h);
  }
  result<bool> delete_user(std::string_view id) override { return inner_->delete_user(id); }
  result<long long> bump_session_version(std::string_view id) override {
    return inner_->bump_session_version(id);
  }
  result<void> set_email_verified(std::string_view id, time_point when) override {
    return inner_->set_email_verified(id, when);
  }
  result<std::optional<std::string>> password_hash(std::string_view id) const override {
    return inner_->password_hash(id);
  }
  result<void> check_health() const override { return inner_->check_health(); }
  // account_store
  result<std::pair<adapters::user_record, adapters::account_record>> add_user_with_account(
      const adapters::new_user& u, const adapters::account_record& a) override {
    if (accounts_down) return down();
    return inner_->add_user_with_account(u, a);
  }
  result<adapters::account_record> link_account(const adapters::account_record& a) override {
    if (accounts_down) return down();
    return inner_->link_account(a);
  }
  result<std::optional<adapters::user_record>> user_by_account(std::string_view p,
                                                               std::string_view id) const override {
    if (accounts_down) return down();
    return inner_->user_by_account(p, id);
  }
  result<std::optional<adapters::account_record>> find_account(std::string_view p,
                                                               std::string_view id) const override {
    if (accounts_down) return down();
    return inner_->find_account(p, id);
  }
  result<std::vector<adapters::account_record>> accounts_of(std::string_view id) const override {
    if (accounts_down) return down();
    return inner_->accounts_of(id);
  }
  result<bool> unlink_account(std::string_view p, std::string_view id) override {
    if (accounts_down) return down();
    return inner_->unlink_account(p, id);
  }
  result<adapters::account_record> refresh_account(std::string_view p, std::string_view id,
                                                   const adapters::refresh_step& step) override {
    if (accounts_down) return down();
    return inner_->refresh_account(p, id, step);
  }
  // session_store
  result<adapters::session_record> create_session(const adapters::session_record& s) override {
    if (sessions_down) return down();
    return inner_->create_session(s);
  }
  result<std::optional<std::pair<adapters::session_record, adapters::user_record>>>
  session_and_user(std::string_view t) const override {
    if (sessions_down) return down();
    return inner_->session_and_user(t);
  }
  result<std::optional<adapters::session_record>> update_session_expiry(std::string_view t,
                                                                        time_point e) override {
    if (sessions_down) return down();
    return inner_->update_session_expiry(t, e);
  }
  result<std::optional<adapters::session_record>> delete_session(std::string_view t) override {
    if (sessions_down) return down();
    return inner_->delete_session(t);
  }
  result<std::size_t> delete_user_sessions(std::string_view id) override {
    if (sessions_down) return down();
    return inner_->delete_user_sessions(id);
  }
  result<std::size_t> delete_expired_sessions(std::chrono::system_clock::time_point now) override {
    if (sessions_down) return down();
    return inner_->delete_expired_sessions(now);
  }
  // verification_token_store
  result<void> create_verification_token(const adapters::verification_token& t) override {
    if (tokens_down) return down();
    return inner_->create_verification_token(t);
  }
  result<std::optional<adapters::verification_token>> use_verification_token(
      std::string_view i, std::string_view t) override {
    if (tokens_down) return down();
    return inner_->use_verification_token(i, t);
  }
  result<std::size_t> delete_expired_verification_tokens(
      std::chrono::system_clock::time_point now) override {
    if (tokens_down) return down();
    return inner_->delete_expired_verification_tokens(now);
  }
  // second_factor_store
  result<adapters::totp_record> begin_totp(std::string_view id, std::string_view sealed) override {
    if (second_factors_down) return down();
    return inner_->begin_totp(id, sealed);
  }
  result<std::optional<adapters::totp_record>> find_totp(std::string_view id) const override {
    if (second_factors_down) return down();
    return inner_->find_totp(id);
  }
  result<bool> use_totp_step(std::string_view id, std::uint64_t step, bool confirm) override {
    if (second_factors_down) return down();
    return inner_->use_totp_step(id, step, confirm);
  }
  result<bool> delete_totp(std::string_view id) override {
    if (second_factors_down) return down();
    return inner_->delete_totp(id);
  }
  result<void> set_recovery_codes(std::string_view id,
                                  const std::vector<std::string>& hashes) override {
    if (second_factors_down) return down();
    return inner_->set_recovery_codes(id, hashes);
  }
  result<std::vector<std::string>> recovery_code_hashes(std::string_view id) const override {
    if (second_factors_down) return down();
    return inner_->recovery_code_hashes(id);
  }
  result<bool> use_recovery_code(std::string_view id, std::string_view hash) override {
    if (second_factors_down) return down();
    return inner_->use_recovery_code(id, hash);
  }

  // authenticator_store
  result<adapters::authenticator_record> create_authenticator(
      const adapters::authenticator_record& a) override {
    if (authenticators_down) return down();
    return inner_->create_authenticator(a);
  }
  result<std::optional<adapters::authenticator_record>> find_authenticator(
      std::string_view id) const override {
    if (authenticators_down) return down();
    return inner_->find_authenticator(id);
  }
  result<std::vector<adapters::authenticator_record>> list_authenticators(
      std::string_view user_id) const override {
    if (authenticators_down) return down();
    return inner_->list_authenticators(user_id);
  }
  result<bool> use_authenticator(std::string_view id, std::uint32_t expected, std::uint32_t next,
                                 bool backed_up, time_point now) override {
    if (authenticators_down) return down();
    return inner_->use_authenticator(id, expected, next, backed_up, now);
  }
  result<bool> delete_authenticator(std::string_view user_id, std::string_view id) override {
    if (authenticators_down) return down();
    return inner_->delete_authenticator(user_id, id);
  }

 private:
  static auth_error down() { return {errc::storage_unavailable, "database file missing"}; }
  std::shared_ptr<adapters::adapter> inner_;
};

}  // namespace authpp::test
