#pragma once

#include <authpp/adapters/user_store.hpp>
#include <authpp/core/result.hpp>

#include <functional>
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

// account_tokens are the token fields of an account that a refresh replaces: all of them, a
// missing one is stored as NULL. A provider's refresh response often leaves some out (a provider
// that does not rotate refresh tokens sends none, most send no new id token); the step keeps
// those by copying them from the current row, e.g. starting from tokens_of(current).
struct account_tokens {
  std::optional<std::string> access_token{}, token_type{}, id_token{}, refresh_token{}, scope{};
  std::optional<long long> expires_at{};

  friend bool operator==(const account_tokens&, const account_tokens&) = default;
};

// tokens_of returns the token fields of `account`.
inline account_tokens tokens_of(const account_record& account) {
  return {.access_token = account.access_token,
          .token_type = account.token_type,
          .id_token = account.id_token,
          .refresh_token = account.refresh_token,
          .scope = account.scope,
          .expires_at = account.expires_at};
}

// refresh_step looks at the account as stored now and returns the tokens to store, or nullopt to
// leave the row as it is (another caller refreshed it meanwhile: the tokens are fresh). An error
// is returned to refresh_account's caller and nothing is written. It may block (an HTTP call to
// the provider's token endpoint); it must bound that itself, since every other caller for the
// account waits for it.
using refresh_step =
    std::function<result<std::optional<account_tokens>>(const account_record& current)>;

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

  // refresh_account runs `step` on the account (provider, provider_account_id) while holding that
  // account's lock, and stores the tokens it returns: concurrent callers for one account run
  // their steps one after another, each seeing the row the previous one left, so that of many
  // requests finding an access token expired only the first uses the refresh token (a provider
  // that rotates refresh tokens takes a second use of one as theft and revokes them all). Steps
  // on different accounts do not wait for each other. Only the token fields change. How far the
  // lock reaches, and how long a caller waits for it, depends on the backend: see its header.
  // Returns the row as it is afterwards. It fails with
  //   errc::not_found           if there is no such account (also when it was unlinked while the
  //                             step ran: then nothing is stored),
  //   errc::storage_unavailable if the account's lock stayed held longer than the backend waits,
  //   the step's error          if the step failed (nothing is written),
  // or as every method may.
  [[nodiscard]] virtual result<account_record> refresh_account(std::string_view provider,
                                                               std::string_view provider_account_id,
                                                               const refresh_step& step) = 0;
};

}  // namespace authpp::adapters
