#pragma once

// Internal to the engine: how it drives one configured provider. Everything that depends on a
// provider's kind (credentials, OAuth 2 / OIDC, e-mail) sits behind this interface, one
// implementation per kind, built once per provider by auth::create. The actions and the request
// path ask the flow; they never switch on the kind.
#include <authpp/adapters/account_store.hpp>
#include <authpp/auth/auth.hpp>
#include <authpp/net/http_client.hpp>
#include <authpp/pages/pages.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "request.hpp"

namespace authpp::detail {

// waiting says how a provider answers a request to its sign-in or callback route.
enum class waiting {
  none,       // at once: the synchronous action answers
  preferred,  // handle_async awaits (authorize_async); handle calls the synchronous variant
  required,   // only the awaited path can answer (outbound calls): handle blocks for it
};

class provider_flow {
 public:
  virtual ~provider_flow() = default;

  virtual const std::string& id() const = 0;
  virtual const std::string& name() const = 0;
  // type is the kind as /providers reports it: "credentials", "oauth", "oidc", "email" or
  // "webauthn".
  virtual std::string_view type() const = 0;
  // problem names what makes the configured provider unusable ("client_id: required"), if any.
  virtual std::optional<std::string> problem() const = 0;

  // describe adds the kind's own part of the sign-in page's entry (fields, colours, origins).
  virtual void describe(const request_context& ctx, pages::provider_entry& entry) const = 0;

  // waits tells how the provider answers `method` on the sign-in or callback route `a`.
  virtual waiting waits(action a, std::string_view method) const = 0;
  // signin answers POST /signin/{id} (CSRF checked) when waits() is not `required`. By default
  // it sends the browser to the sign-in page: credentials sign in through /callback.
  virtual outcome signin(request_context& ctx) const;
  // webauthn_options answers GET /webauthn-options/{id} when waits() is not `required`. By
  // default the provider is not a WebAuthn one: InvalidProvider.
  virtual outcome webauthn_options(request_context& ctx) const;
  // callback answers /callback/{id} when waits() is not `required`.
  virtual outcome callback(request_context& ctx) const = 0;
  // act_async answers a request that waits() says to await.
  virtual boost::asio::awaitable<outcome> act_async(request_context& ctx,
                                                    net::http_client& client) const = 0;

  // status is the provider's health for /healthz, for kinds that depend on a remote server.
  virtual std::optional<auth::provider_status> status() const { return std::nullopt; }
  // refresh fetches what the provider needs from its server and lacks (check_providers).
  virtual boost::asio::awaitable<void> refresh(net::http_client& client) const;
  // renew_tokens renews a linked account's expired access token at the provider
  // (auth::fresh_tokens); kinds without tokens refuse with errc::invalid_config.
  virtual boost::asio::awaitable<result<adapters::account_tokens>> renew_tokens(
      const adapters::account_record& current, net::http_client& client) const;
};

// The flows of each kind; `engine` owns the flow and the provider it reads.
std::unique_ptr<provider_flow> credentials_flow(const engine_state& engine,
                                                const credentials_provider& provider);
std::unique_ptr<provider_flow> oauth_flow(const engine_state& engine,
                                          const oauth_provider& provider);
std::unique_ptr<provider_flow> email_flow(const engine_state& engine,
                                          const email_provider& provider);
std::unique_ptr<provider_flow> passkey_flow(const engine_state& engine,
                                            const passkey_provider& provider);

}  // namespace authpp::detail
