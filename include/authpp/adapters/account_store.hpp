#pragma once

#include <authpp/adapters/user_store.hpp>
#include <authpp/core/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Accounts link a user to the identity a provider knows them by, shaped like the `accounts` table
// of the Auth.js adapter model (spec/server-flows.md §13, §13.1): one row per (provider,
// providerAccountId), with the provider's tokens. Backends that offer it also offer user_store.
namespace authpp::adapters {

// account_record is one linked account. The token fields are the provider's token response, as
// Auth.js stores them; `expires_at` is in seconds since the epoch.
struct account_record {
  std::string user_id{};
  std::string type{};  // "oauth", "oidc", "email", "webauthn"
  std::string provider{};
  std::string provider_account_id{};
  std::optional<std::string> access_token{}, token_type{}, id_token{}, refresh_token{}, scope{},
      session_state{};
  std::optional<long long> expires_at{};

  friend bool operator==(const account_record&, const account_record&) = default;
};

// account_store is the storage interface for linked accounts. Implementations are thread-safe.
// Every method may also fail with errc::storage_unavailable or errc::storage_failure, as
// user_store's methods do.
class account_store {
 public:
  virtual ~account_store() = default;

  // link_account stores `account` and returns it. It fails with
  //   errc::malformed_input if the user id, type, provider or provider account id is empty,
  //   errc::not_found       if there is no user with this id,
  //   errc::already_exists  if this provider account is linked already, to anyone: one identity
  //                         at a provider signs in as one user.
  [[nodiscard]] virtual result<account_record> link_account(const account_record& account) = 0;

  // add_user_with_account stores a new user (as user_store::add_user, without a password) and
  // links `account` to them, in one step: both are stored or neither, so that a sign-up through
  // a provider that fails halfway cannot leave a user without the link that signs them in (their
  // next attempt would be refused as OAuthAccountNotLinked). `account.user_id` is ignored; the
  // stored user and account are returned. It fails as add_user and link_account do.
  [[nodiscard]] virtual result<std::pair<user_record, account_record>> add_user_with_account(
      const new_user& user, const account_record& account) = 0;

  // user_by_account returns the user linked to this provider account, or nullopt.
  [[nodiscard]] virtual result<std::optional<user_record>> user_by_account(
      std::string_view provider, std::string_view provider_account_id) const = 0;

  // find_account returns the linked account with its tokens, or nullopt.
  [[nodiscard]] virtual result<std::optional<account_record>> find_account(
      std::string_view provider, std::string_view provider_account_id) const = 0;

  // accounts_of lists the user's linked accounts, by provider then provider account id.
  [[nodiscard]] virtual result<std::vector<account_record>> accounts_of(
      std::string_view user_id) const = 0;

  // unlink_account deletes the link and tells whether there was one.
  [[nodiscard]] virtual result<bool> unlink_account(std::string_view provider,
                                                    std::string_view provider_account_id) = 0;
};

}  // namespace authpp::adapters
