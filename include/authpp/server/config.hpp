#pragma once

#include <authpp/auth/config.hpp>
#include <authpp/core/result.hpp>
#include <authpp/pages/pages.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The configuration of `authpp serve`: a TOML file, the Auth.js environment variables, and
// command-line overrides, merged in that order of precedence (flags win).
namespace authpp::server {

struct tls_options {
  std::string certificate_file;
  std::string private_key_file;
};

// server_options are the HTTP front's limits. Every limit has a safe default.
struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  unsigned threads = 0;  // 0: one per core
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_connections = 10000;  // lowered at start when the open-file limit is smaller
  // One address may hold at most this many connections (0: no cap). Behind a reverse proxy every
  // connection comes from the proxy: raise it to the proxy's connection count, or use 0.
  std::size_t max_connections_per_client = 512;
  // Blocking work (password checks, the database) runs on a pool of worker_threads (0: one per
  // core); at most worker_queue requests wait for it (0: 32 per thread), the next get 503.
  unsigned worker_threads = 0;
  std::size_t worker_queue = 0;
  // Reverse proxies (CIDR blocks) whose X-Forwarded-For/-Host/-Proto are believed; their
  // connections are not counted against max_connections_per_client. Empty: the peer is the client.
  std::vector<std::string> trusted_proxies;
  std::chrono::seconds read_timeout{10};      // a whole request must arrive within this
  std::chrono::seconds idle_timeout{60};      // keep-alive connections idle longer are closed
  std::chrono::seconds shutdown_timeout{10};  // in-flight requests get this long on SIGTERM
  std::optional<tls_options> tls;
};

// server_auth_defaults is the engine configuration `authpp serve` starts from: the engine's
// defaults, except that JWT sessions are revocable within 60 s (auth.jwt_revocation_bound).
authpp::auth_config server_auth_defaults();

struct storage_options {
  std::string data_dir = "./var";
  std::string database;  // default: <data_dir>/authpp.db
  // purge_interval: how often expired database sessions and verification tokens are deleted
  // (at start, then at this interval); zero: never (`authpp db purge` from cron instead).
  std::chrono::seconds purge_interval{3600};
};

// database_options is `[database]`: PostgreSQL instead of the embedded SQLite file, for a fleet
// of instances on one database. The url may also come from DATABASE_URL.
struct database_options {
  std::string url;  // libpq: "postgresql://user:pw@host:5432/db?sslmode=…"; empty: SQLite
  std::size_t pool_size = 8;
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds pool_wait{2000};  // for a free connection, when all are busy
  std::chrono::milliseconds connect_timeout{5000};
};

struct log_options {
  std::string level = "info";  // debug | info | warn | error
  bool access_log = true;      // JSON lines on stdout
};

// metrics_options keep /metrics from the public: on its own listener (then the main one answers
// it 404), behind a bearer token, or both.
struct metrics_options {
  std::optional<std::string> listen;  // "host:port", checked as server.listen is
  std::string token;                  // non-empty: `Authorization: Bearer <token>` required
};

// rate_limit_settings turn the engine's rate limits on for `authpp serve` (one server's counters
// in memory; see auth/rate_limit.hpp for what each limit does).
struct rate_limit_settings {
  bool enabled = true;
  std::uint32_t posts_per_minute = 60;
  std::uint32_t free_failures = 5;
  std::chrono::seconds max_backoff{900};
  // redis_url keeps the counters in Redis (redis://[[user]:password@]host[:port][/db]), shared
  // by every instance using it; empty: in this process.
  std::string redis_url{};
};

// provider_settings is one `[[providers]]` table: an OAuth 2 / OIDC provider. `type` is "oidc",
// "oauth" or a preset ("github", "google", "gitlab", "discord", "keycloak", "auth0", "okta",
// "microsoft-entra-id", "apple": its client_secret is the JWT `authpp apple-secret` prints, and
// loading refuses one that has expired); `id` defaults to the type.
// AUTH_<ID>_ID, AUTH_<ID>_SECRET and AUTH_<ID>_ISSUER (ID upper-cased, '-' as '_') fill in a
// provider whose table names no client secret, as Auth.js reads them.
struct provider_settings {
  std::string type;
  std::string id;
  std::string name;
  std::string issuer;
  std::string client_id;
  std::string client_secret;
  std::string scope;
  std::optional<std::vector<std::string>> checks;  // from "pkce", "state", "nonce"
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string userinfo_endpoint;
  std::vector<std::pair<std::string, std::string>> authorization_params;
};

// forward_auth_options is `[forward_auth]`: {base_path}/forward answers reverse proxies'
// forward-auth requests (server/forward_auth.hpp). It needs server.trusted_proxies: only a
// trusted proxy may name the URL it asks about.
struct forward_auth_options {
  bool enabled = false;
  // allowed_hosts are the sites authpp guards (the host of the original URL): "app.example.com",
  // or "*.example.com" for its subdomains. Empty: only the host of authpp's own origin.
  std::vector<std::string> allowed_hosts{};
  // emails and email_domains say who may pass; both empty: every signed-in user. An entry of
  // emails may also be "@example.com", a whole domain, as in groups.
  std::vector<std::string> emails{};
  std::vector<std::string> email_domains{};
  // public_paths pass without a session (identity headers empty unless signed in): "/healthz"
  // exactly, or "/static/*" for everything under /static/. A path the app could read as another
  // (dot segments, encoded slashes, dots or backslashes) is never public.
  std::vector<std::string> public_paths{};
  // groups name lists of users, "ada@example.com" or "@example.com" for a whole domain. A proxy
  // location asks `{base_path}/forward?group=admins` (repeatable: any of them) to let only their
  // members through, on top of emails and email_domains.
  std::map<std::string, std::vector<std::string>> groups{};
};

// email_settings is `[email]`: sign-in by links sent to the user's address (the `email`
// provider), off unless a transport is chosen. "smtp" sends through a mail server (STARTTLS or
// TLS required unless it is on loopback or allow_plaintext is set); "file" appends one JSON line
// per link ({"to", "url", "expires", "subject"}) to a file, for development.
struct email_settings {
  std::string transport{};  // "" (off) | "smtp" | "file"
  std::string file{};       // "file": default <data_dir>/mail.jsonl
  std::string smtp_url{};   // "smtp://host:587" (STARTTLS) or "smtps://host:465"
  std::string from{};       // the sender, "Name <addr@host>" or "addr@host"
  std::string username{};   // SMTP AUTH when set
  std::string password{};   // or AUTHPP_SMTP_PASSWORD
  bool allow_plaintext = false;
  std::string ca_file{};                // extra CA certificates for the SMTP server's TLS
  std::chrono::seconds max_age{86400};  // how long a link works
  std::uint32_t sends_per_hour = 5;     // links to one address (0: no bound)
};

// passkey_settings are `[passkey]`: the passkey provider (WebAuthn), with its relying party and
// sign-up options. On by default in dev mode, so that a newcomer can try one at once.
struct passkey_settings {
  std::optional<bool> enabled{};  // unset: on in dev mode, off otherwise
  authpp::passkey_provider provider{};
};

// account_settings are `[account]`: the account page (passkeys and TOTP for signed-in users).
// On by default in dev mode, which then turns TOTP on too unless [totp] says otherwise.
struct account_settings {
  std::optional<bool> enabled{};  // unset: on in dev mode, off otherwise
  std::chrono::seconds recent_sign_in{600};
};

struct app_config {
  server_options server;
  forward_auth_options forward_auth;
  email_settings email;
  passkey_settings passkey;
  account_settings account;
  bool totp_configured = false;  // [totp] names `enabled`: dev mode leaves it as set
  std::vector<provider_settings> providers;
  rate_limit_settings rate_limit;
  // The engine's options, from `[auth]` and the Auth.js variables, declared once: in
  // authpp::auth_config. authpp serve adds the providers, the store and its hooks.
  authpp::auth_config auth = server_auth_defaults();
  storage_options storage;
  database_options database;
  log_options log;
  metrics_options metrics;
  bool dev = false;  // generate a secret and a demo user when missing
};

// environment is the process environment as a map, so loading is testable.
using environment = std::map<std::string, std::string, std::less<>>;
environment current_environment();

// load_options are the command-line flags that take part in loading; they win over the file and
// the environment, and are checked like them (a bad --listen is a configuration error).
struct load_options {
  bool dev = false;                     // --dev: dev mode even when the file says otherwise
  std::optional<std::string> listen{};  // --listen host:port
  // --database PATH, or a postgres:// or postgresql:// url (then as database.url)
  std::optional<std::string> database{};
  // --data-dir PATH; storage.database then defaults to <PATH>/authpp.db unless the file or
  // --database names it.
  std::optional<std::string> data_dir{};
  // require_secret is false for commands that never sign or read a token (`authpp user …`), so
  // that they run against a database with no secret configured anywhere.
  bool require_secret = true;
};

// load_config reads `file` (when given), then the environment (AUTH_SECRET, AUTH_SECRET_1..3 —
// highest number first, as Auth.js orders them —, AUTH_URL, AUTH_TRUST_HOST, DATABASE_URL; each
// only where the file does not say), then `options`, and
// checks the result. Relative paths are relative to the working directory; `storage.database`
// defaults to `<storage.data_dir>/authpp.db`. It fails with errc::invalid_config and one message
// naming the file, line and key: "authpp.toml:7: server.listen: port must be in 0..65535"; when
// there are several problems it reports the first in the file.
result<app_config> load_config(const std::optional<std::string>& file, const environment& env,
                               const load_options& options = {});
// load_config_text is load_config for a file named `name` (in messages) that holds `text`.
result<app_config> load_config_text(std::string_view text, const std::string& name,
                                    const environment& env, const load_options& options = {});

// secret_weakness says why `secret` is too weak to protect sessions, or nullopt when it is not:
// shorter than 32 characters, under 96 bits by an estimate from its character frequencies, or a
// shorter text repeated. `authpp secret` (32 random bytes, base64url) passes with a wide margin.
std::optional<std::string> secret_weakness(std::string_view secret);

// check_secrets applies secret_weakness to every configured secret. Outside dev mode a weak secret
// fails with errc::invalid_config ("auth.secrets: secret 1 of 2 is weak: …"); in dev mode the
// same sentences come back as warnings to print.
result<std::vector<std::string>> check_secrets(const app_config& config);

// parse_listen parses "host:port" ("127.0.0.1:3000", "[::1]:8080", ":3000") into an address
// without brackets and a port. An empty host means every IPv4 interface ("0.0.0.0") and
// `localhost` means 127.0.0.1. It fails with errc::malformed_input when the text is not
// host:port, the host is not an IP literal (any other name: the server binds addresses, not
// names), or the port is not in 0..65535 (0: any free port).
result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text);

}  // namespace authpp::server
