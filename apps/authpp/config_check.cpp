#include <authpp/server/config.hpp>
#include <authpp/server/email.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"

namespace authpp::cli {

// `authpp config check` loads the configuration exactly as `authpp serve` would (file, then
// environment) and reports the first problem, without opening a port or a database.
void add_config_command(CLI::App& app) {
  auto* config = app.add_subcommand("config", "Work with the configuration of authpp serve");
  config->require_subcommand(1);
  auto file = std::make_shared<std::optional<std::string>>();
  auto* check = config->add_subcommand(
      "check", "Validate the configuration file and environment; exit 2 on an error");
  check->add_option("--config", *file, "TOML configuration file");
  check->callback([file] {
    auto c = server::load_config(*file, server::current_environment());
    if (!c) throw failure{c.error().detail, 2};
    if (auto mail = server::check_email_settings(c->email); !mail) {
      throw failure{mail.error().detail, 2};
    }
    auto weak = server::check_secrets(*c);
    if (!weak) throw failure{weak.error().detail, 2};
    for (const std::string& warning : *weak) std::cerr << "warning: " << warning << '\n';
    std::cout << "configuration OK\n";
  });
}

}  // namespace authpp::cli
