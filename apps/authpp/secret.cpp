#include <authpp/core/base64url.hpp>
#include <authpp/core/random.hpp>

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

}  // namespace authpp::cli
