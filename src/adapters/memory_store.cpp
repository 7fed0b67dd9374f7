#include <authpp/adapters/memory_store.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "account_lock_internal.hpp"
#include "validate_internal.hpp"

namespace authpp::adapters {
namespace {

struct entry {
  user_record user;
  std::optional<std::string> password_hash;
};

// second_factor is a user's TOTP with the recovery codes that belong to it, so that replacing or
// deleting the one takes the others along (as the SQL schemas' foreign keys do).
struct second_factor {
  totp_record totp;
  std::set<std::string> recovery_codes;  // hashes
};

// memory_store keeps users by id with two unique indexes, mirroring the SQLite schema's UNIQUE
// constraints, and sessions and verification tokens by their keys. A shared_mutex lets lookups
// (every sign-in, every database-session read) run in parallel.
class memory_store final : public adapter {
 public:
  memory_store(const random_source& random, const clock& clock) : random_(random), clock_(clock) {}

  result<user_record> add_user(const new_user& user, std::string_view password_hash) override {
    std::unique_lock lock(mutex_);
    return add_user_locked(user, password_hash);
  }

  result<std::pair<user_record, account_record>> add_user_with_account(
      const new_user& user, const account_record& account) override {
    if (auto r = detail::check_account(account, false); !r) return r.error();
    std::unique_lock lock(mutex_);
    const auto key = std::pair(account.provider, account.provider_account_id);
    if (accounts_.contains(key)) {
      return auth_error{errc::already_exists, "this provider account is linked already"};
    }
    auto u = add_user_locked(user, "");
    if (!u) return u.error();
    account_record linked = account;
    linked.user_id = u->id;
    accounts_.emplace(key, linked);
    return std::pair(std::move(*u), std::move(linked));
  }

  result<std::optional<user_record>> find_by_email(std::string_view email) const override {
    std::shared_lock lock(mutex_);
    return lookup(by_email_, normalize_email(email));
  }

  result<std::optional<user_record>> find_by_username(std::string_view username) const override {
    std::shared_lock lock(mutex_);
    return lookup(by_username_, detail::ascii_lower(username));
  }

  result<std::optional<user_record>> find_by_id(std::string_view id) const override {
    std::shared_lock lock(mutex_);
    const auto it = users_.find(std::string(id));
    if (it == users_.end()) return std::optional<user_record>();
    return std::optional<user_record>(it->second.user);
  }

  result<std::vector<user_record>> list_users() const override {
    std::shared_lock lock(mutex_);
    std::vector<user_record> out;
    out.reserve(users_.size());
    // users_ is ordered by id; the interface promises email order.
    for (const auto& [id, e] : users_) out.push_back(e.user);
    std::sort(out.begin(), out.end(),
              [](const user_record& a, const user_record& b) { return a.email < b.email; });
    return out;
  }

  result<void> set_disabled(std::string_view email, bool disabled) override {
    std::unique_lock lock(mutex_);
    const auto it = by_email_.find(normalize_email(email));
    if (it == by_email_.end()) return auth_error{errc::not_found, "no user with this email"};
    users_.at(it->second).user.disabled = disabled;
    return {};
  }

  result<void> set_password(std::string_view user_id, std::string_view password_hash) override {
    if (auto r = detail::check_password_hash(password_hash, false); !r) return r.error();
    std::unique_lock lock(mutex_);
    const auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return auth_error{errc::not_found, "no user with this id"};
    it->second.password_hash = std::string(password_hash);
    return {};
  }

  result<bool> delete_user(std::string_view user_id) override {
    std::unique_lock lock(mutex_);
    const auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return false;
    const user_record& u = it->second.user;
    by_email_.erase(u.email);
    if (u.username) by_username_.erase(detail::ascii_lower(*u.username));
    std::erase_if(accounts_, [&u](const auto& a) { return a.second.user_id == u.id; });
    std::erase_if(sessions_, [&u](const auto& s) { return s.second.user_id == u.id; });
    second_factors_.erase(u.id);
    std::erase_if(authenticators_, [&u](const auto& a) { return a.second.user_id == u.id; });
    users_.erase(it);
    return true;
  }

  result<long long> bump_session_version(std::string_view user_id) override {
    std::unique_lock lock(mutex_);
    const auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return auth_error{errc::not_found, "no user with this id"};
    return ++it->second.user.session_version;
  }

  result<void> set_email_verified(std::string_view user_id,
                                  std::chrono::system_clock::time_point when) override {
    std::unique_lock lock(mutex_);
    const auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return auth_error{errc::not_found, "no user with this id"};
    it->second.user.email_verified = detail::to_millis(when);
    return {};
  }

  result<std::optional<std::string>> password_hash(std::string_view user_id) const override {
    std::shared_lock lock(mutex_);
    const auto it = users_.find(std::string(user_id));
    if (it == users_.end()) return std::optional<std::string>();
    return it->second.password_hash;
  }

  result<void> check_health() const override { return {}; }

  result<account_record> link_account(const account_record& account) override {
    if (auto r = detail::check_account(account); !r) return r.error();
    std::unique_lock lock(mutex_);
    if (!users_.contains(account.user_id)) {
      return auth_error{errc::not_found, "no user with this id"};
    }
    const auto key = std::pair(account.provider, account.provider_account_id);
    if (!accounts_.emplace(key, account).second) {
      return auth_error{errc::already_exists, "this provider account is linked already"};
    }
    return account;
  }

  result<std::optional<user_record>> user_by_account(
      std::string_view provider, std::string_view provider_account_id) const override {
    std::shared_lock lock(mutex_);
    const auto it =
        accounts_.find(std::pair(std::string(provider), std::string(provider_account_id)));
    if (it == accounts_.end()) return std::optional<user_record>();
    return std::optional<user_record>(users_.at(it->second.user_id).user);
  }

  result<std::optional<account_record>> find_account(
      std::string_view provider, std::string_view provider_account_id) const override {
    std::shared_lock lock(mutex_);
    const auto it =
        accounts_.find(std::pair(std::string(provider), std::string(provider_account_id)));
    if (it == accounts_.end()) return std::optional<account_record>();
    return std::optional<account_record>(it->second);
  }

  result<std::vector<account_record>> accounts_of(std::string_view user_id) const override {
    std::shared_lock lock(mutex_);
    std::vector<account_record> out;
    // accounts_ is ordered by (provider, provider account id): the promised order.
    for (const auto& [key, a] : accounts_) {
      if (a.user_id == user_id) out.push_back(a);
    }
    return out;
  }

  result<bool> unlink_account(std::string_view provider,
                              std::string_view provider_account_id) override {
    std::unique_lock lock(mutex_);
    return accounts_.erase(std::pair(std::string(provider), std::string(provider_account_id))) != 0;
  }

  result<account_record> refresh_account(std::string_view provider,
                                         std::string_view provider_account_id,
                                         const refresh_step& step) override {
    // The account's own lock, not mutex_, is held across the step: it may take a network round
    // trip, and every other call of the store would wait for it.
    const auto held = account_locks_.acquire(provider, provider_account_id);
    const auto key = std::pair(std::string(provider), std::string(provider_account_id));
    account_record current;
    {
      std::shared_lock lock(mutex_);
      const auto it = accounts_.find(key);
      if (it == accounts_.end()) return auth_error{errc::not_found, "no such account"};
      current = it->second;
    }
    auto tokens = step(current);
    if (!tokens) return tokens.error();
    if (!*tokens) return current;
    std::unique_lock lock(mutex_);
    const auto it = accounts_.find(key);
    if (it == accounts_.end()) return auth_error{errc::not_found, "the account was unlinked"};
    account_record& a = it->second;
    const account_tokens& t = **tokens;
    a.access_token = t.access_token;
    a.token_type = t.token_type;
    a.id_token = t.id_token;
    a.refresh_token = t.refresh_token;
    a.scope = t.scope;
    a.expires_at = t.expires_at;
    return a;
  }

  result<session_record> create_session(const session_record& session) override {
    if (auto r = detail::check_session(session); !r) return r.error();
    session_record stored = session;
    stored.expires = detail::to_millis(session.expires);
    std::unique_lock lock(mutex_);
    if (!users_.contains(session.user_id)) {
      return auth_error{errc::not_found, "no user with this id"};
    }
    if (!sessions_.emplace(stored.session_token, stored).second) {
      return auth_error{errc::already_exists, "a session with this token exists"};
    }
    return stored;
  }

  result<std::optional<std::pair<session_record, user_record>>> session_and_user(
      std::string_view session_token) const override {
    using found = std::optional<std::pair<session_record, user_record>>;
    std::shared_lock lock(mutex_);
    const auto it = sessions_.find(std::string(session_token));
    if (it == sessions_.end()) return found();
    return found(std::in_place, it->second, users_.at(it->second.user_id).user);
  }

  result<std::optional<session_record>> update_session_expiry(
      std::string_view session_token, std::chrono::system_clock::time_point expires) override {
    std::unique_lock lock(mutex_);
    const auto it = sessions_.find(std::string(session_token));
    if (it == sessions_.end()) return std::optional<session_record>();
    it->second.expires = detail::to_millis(expires);
    return std::optional<session_record>(it->second);
  }

  result<std::optional<session_record>> delete_session(std::string_view session_token) override {
    std::unique_lock lock(mutex_);
    auto node = sessions_.extract(std::string(session_token));
    if (node.empty()) return std::optional<session_record>();
    return std::optional<session_record>(std::move(node.mapped()));
  }

  result<std::size_t> delete_user_sessions(std::string_view user_id) override {
    std::unique_lock lock(mutex_);
    return static_cast<std::size_t>(
        std::erase_if(sessions_, [user_id](const auto& s) { return s.second.user_id == user_id; }));
  }

  result<std::size_t> delete_expired_sessions(std::chrono::system_clock::time_point now) override {
    std::unique_lock lock(mutex_);
    return static_cast<std::size_t>(
        std::erase_if(sessions_, [now](const auto& s) { return s.second.expires <= now; }));
  }

  result<void> create_verification_token(const verification_token& token) override {
    if (auto r = detail::check_verification_token(token); !r) return r.error();
    verification_token stored = token;
    stored.expires = detail::to_millis(token.expires);
    std::unique_lock lock(mutex_);
    if (!tokens_.emplace(std::pair(token.identifier, token.token), std::move(stored)).second) {
      return auth_error{errc::already_exists, "this identifier already has this token"};
    }
    return {};
  }

  result<std::optional<verification_token>> use_verification_token(
      std::string_view identifier, std::string_view token) override {
    std::unique_lock lock(mutex_);
    auto node = tokens_.extract(std::pair(std::string(identifier), std::string(token)));
    if (node.empty()) return std::optional<verification_token>();
    return std::optional<verification_token>(std::move(node.mapped()));
  }

  result<std::size_t> delete_expired_verification_tokens(
      std::chrono::system_clock::time_point now) override {
    std::unique_lock lock(mutex_);
    return static_cast<std::size_t>(
        std::erase_if(tokens_, [now](const auto& t) { return t.second.expires <= now; }));
  }

  result<totp_record> begin_totp(std::string_view user_id,
                                 std::string_view sealed_secret) override {
    if (auto r = detail::check_sealed_secret(sealed_secret); !r) return r.error();
    std::unique_lock lock(mutex_);
    if (!users_.contains(std::string(user_id))) {
      return auth_error{errc::not_found, "no user with this id"};
    }
    const totp_record fresh{.user_id = std::string(user_id),
                            .sealed_secret = std::string(sealed_secret),
                            .created_at = detail::to_millis(clock_.now())};
    // Replacing the whole entry drops the old factor's recovery codes with it.
    second_factors_.insert_or_assign(fresh.user_id, second_factor{fresh, {}});
    return fresh;
  }

  result<std::optional<totp_record>> find_totp(std::string_view user_id) const override {
    std::shared_lock lock(mutex_);
    const auto it = second_factors_.find(std::string(user_id));
    if (it == second_factors_.end()) return std::optional<totp_record>();
    return std::optional<totp_record>(it->second.totp);
  }

  result<bool> use_totp_step(std::string_view user_id, std::uint64_t step, bool confirm) override {
    if (auto r = detail::check_totp_step(step); !r) return r.error();
    std::unique_lock lock(mutex_);
    const auto it = second_factors_.find(std::string(user_id));
    if (it == second_factors_.end()) return false;
    totp_record& totp = it->second.totp;
    if (totp.last_used_step && *totp.last_used_step >= step) return false;
    totp.last_used_step = step;
    totp.confirmed = totp.confirmed || confirm;
    return true;
  }

  result<bool> delete_totp(std::string_view user_id) override {
    std::unique_lock lock(mutex_);
    return second_factors_.erase(std::string(user_id)) != 0;
  }

  result<void> set_recovery_codes(std::string_view user_id,
                                  const std::vector<std::string>& code_hashes) override {
    if (auto r = detail::check_recovery_code_hashes(code_hashes); !r) return r.error();
    std::unique_lock lock(mutex_);
    const auto it = second_factors_.find(std::string(user_id));
    if (it == second_factors_.end()) return auth_error{errc::not_found, "this user has no TOTP"};
    it->second.recovery_codes = {code_hashes.begin(), code_hashes.end()};
    return {};
  }

  result<std::vector<std::string>> recovery_code_hashes(std::string_view user_id) const override {
    std::shared_lock lock(mutex_);
    const auto it = second_factors_.find(std::string(user_id));
    if (it == second_factors_.end()) return std::vector<std::string>();
    return std::vector<std::string>(it->second.recovery_codes.begin(),
                                    it->second.recovery_codes.end());
  }

  result<bool> use_recovery_code(std::string_view user_id, std::string_view code_hash) override {
    std::unique_lock lock(mutex_);
    const auto it = second_factors_.find(std::string(user_id));
    if (it == second_factors_.end()) return false;
    return it->second.recovery_codes.erase(std::string(code_hash)) != 0;
  }

  result<authenticator_record> create_authenticator(
      const authenticator_record& authenticator) override {
    if (auto r = detail::check_authenticator(authenticator); !r) return r.error();
    authenticator_record stored = authenticator;
    stored.last_used_at = std::nullopt;
    std::unique_lock lock(mutex_);
    stored.created_at = detail::to_millis(clock_.now());
    if (!users_.contains(stored.user_id)) {
      return auth_error{errc::not_found, "no user with this id"};
    }
    if (!authenticators_.emplace(stored.credential_id, stored).second) {
      return auth_error{errc::already_exists, "this credential is stored already"};
    }
    return stored;
  }

  result<std::optional<authenticator_record>> find_authenticator(
      std::string_view credential_id) const override {
    std::shared_lock lock(mutex_);
    const auto it = authenticators_.find(std::string(credential_id));
    if (it == authenticators_.end()) return std::optional<authenticator_record>();
    return std::optional<authenticator_record>(it->second);
  }

  result<std::vector<authenticator_record>> list_authenticators(
      std::string_view user_id) const override {
    std::vector<authenticator_record> out;
    {
      std::shared_lock lock(mutex_);
      for (const auto& [id, a] : authenticators_) {
        if (a.user_id == user_id) out.push_back(a);
      }
    }
    // authenticators_ is ordered by credential id; a stable sort by creation time keeps that order
    // among equal times, and puts the rows without one first, as the SQL backends do.
    std::stable_sort(out.begin(), out.end(),
                     [](const authenticator_record& a, const authenticator_record& b) {
                       return a.created_at < b.created_at;
                     });
    return out;
  }

  result<bool> use_authenticator(std::string_view credential_id, std::uint32_t expected_counter,
                                 std::uint32_t new_counter, bool backed_up,
                                 std::chrono::system_clock::time_point now) override {
    std::unique_lock lock(mutex_);
    const auto it = authenticators_.find(std::string(credential_id));
    if (it == authenticators_.end() || it->second.counter != expected_counter) return false;
    authenticator_record& a = it->second;
    a.counter = new_counter;
    a.credential_backed_up = backed_up;
    a.last_used_at = detail::to_millis(now);
    return true;
  }

  result<bool> delete_authenticator(std::string_view user_id,
                                    std::string_view credential_id) override {
    std::unique_lock lock(mutex_);
    const auto it = authenticators_.find(std::string(credential_id));
    if (it == authenticators_.end() || it->second.user_id != user_id) return false;
    authenticators_.erase(it);
    return true;
  }

 private:
  // add_user_locked is add_user with mutex_ held.
  result<user_record> add_user_locked(const new_user& user, std::string_view password_hash) {
    std::string email = normalize_email(user.email);
    if (auto r = detail::check_new_user(user, email); !r) return r.error();
    if (auto r = detail::check_password_hash(password_hash, true); !r) return r.error();

    if (by_email_.contains(email)) {
      return auth_error{errc::already_exists, "a user with this email already exists"};
    }
    std::optional<std::string> username_key;
    if (user.username) {
      username_key = detail::ascii_lower(*user.username);
      if (by_username_.contains(*username_key)) {
        return auth_error{errc::already_exists, "a user with this username already exists"};
      }
    }
    auto id = random_uuid(random_);
    if (!id) return id.error();
    if (users_.contains(*id)) {
      // Only a broken random source repeats a UUID; refuse rather than overwrite.
      return auth_error{errc::storage_failure, "generated user id collides"};
    }

    entry e;
    e.user.id = *id;
    e.user.email = email;
    e.user.name = user.name;
    e.user.username = user.username;
    e.user.image = user.image;
    if (user.email_verified) e.user.email_verified = detail::to_millis(*user.email_verified);
    e.user.created_at = detail::to_millis(clock_.now());
    if (!password_hash.empty()) e.password_hash = std::string(password_hash);

    by_email_.emplace(std::move(email), *id);
    if (username_key) by_username_.emplace(std::move(*username_key), *id);
    const auto [it, inserted] = users_.emplace(*id, std::move(e));
    return it->second.user;
  }

  using index = std::unordered_map<std::string, std::string>;

  result<std::optional<user_record>> lookup(const index& idx, const std::string& key) const {
    const auto it = idx.find(key);
    if (it == idx.end()) return std::optional<user_record>();
    return std::optional<user_record>(users_.at(it->second).user);
  }

  const random_source& random_;
  const clock& clock_;
  mutable std::shared_mutex mutex_;
  detail::account_locks account_locks_;  // refresh_account's, taken before mutex_
  std::map<std::string, entry> users_;   // by id
  index by_email_;                       // normalised email -> id
  index by_username_;                    // ASCII-lower-cased username -> id
  std::map<std::pair<std::string, std::string>, account_record> accounts_;    // (provider, id)
  std::unordered_map<std::string, session_record> sessions_;                  // by session token
  std::map<std::pair<std::string, std::string>, verification_token> tokens_;  // (identifier, token)
  std::unordered_map<std::string, second_factor> second_factors_;             // by user id
  std::map<std::string, authenticator_record> authenticators_;                // by credential id
};

}  // namespace

std::unique_ptr<adapter> make_memory_store(const random_source& random, const clock& clock) {
  return std::make_unique<memory_store>(random, clock);
}

}  // namespace authpp::adapters
