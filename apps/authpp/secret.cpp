#include <authpp/core/base64url.hpp>
#include <authpp/core/random.hpp>
#include <authpp/providers/presets.hpp>

#include <chrono>
#include <iostream>

#include "commands.hpp"

namespace authpp::cli {

// `authpp secret` prints a new 256-bit secret, like `npx auth secret`, for AUTH_SECRET.
void add_secret_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("secret", "Print a new random secret (32 bytes, base64url)");
  cmd->callback([] {
    auto key = random_bytes(default_random(), 32);
    if (!key) throw failure{key.error().message()};
    std::cout << base64url::encode(*key) << '\n';
  });
}

// `authpp apple-secret` prints the client secret Sign in with Apple takes (an ES256 JWT made with
// the .p8 key), for a `type = "apple"` provider's client_secret or AUTH_APPLE_SECRET. Apple
// accepts one for six months at most: make the next one before it expires.
void add_apple_secret_command(CLI::App& app) {
  struct options {
    providers::apple_credentials credentials;
    std::string key_file;
    int days = 180;
  };
  auto o = std::make_shared<options>();
  auto* cmd = app.add_subcommand(
      "apple-secret", "Print a Sign in with Apple client secret (ES256 JWT) made with a .p8 key");
  cmd->add_option("--client-id", o->credentials.client_id, "the Services ID, e.g. com.example.web")
      ->required();
  cmd->add_option("--team-id", o->credentials.team_id, "the Apple Developer Team ID")->required();
  cmd->add_option("--key-id", o->credentials.key_id, "the Sign in with Apple key's ID")->required();
  cmd->add_option("--key-file", o->key_file, "the key's .p8 file (- for standard input)")
      ->required();
  cmd->add_option("--days", o->days, "how long the secret stays valid (Apple: at most 182)")
      ->capture_default_str();
  cmd->callback([o] {
    o->credentials.private_key_pem = read_secret_file("--key-file", o->key_file, 64 * 1024);
    o->credentials.secret_lifetime = std::chrono::days{o->days};
    auto secret = providers::apple_client_secret(o->credentials, default_clock());
    if (!secret) throw failure{secret.error().message(), 2};
    std::cout << *secret << '\n';
  });
}

}  // namespace authpp::cli
