// authpp: Auth.js-compatible authentication in C++ (client SDK, engine, server). This is the
// command-line face; every command is a thin layer over a library call.
#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>

#include "commands.hpp"

namespace authpp::cli {

std::string read_stdin(std::size_t limit) {
  std::string data;
  char buf[4096];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    if (data.size() > limit) {
      throw failure{"input exceeds " + std::to_string(limit) + " bytes"};
    }
  }
  return data;
}

}  // namespace authpp::cli

int main(int argc, char** argv) {
  CLI::App app{"authpp: Auth.js-compatible authentication in C++", "authpp"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "authpp 0.1.0");
  authpp::cli::add_secret_command(app);
  authpp::cli::add_token_command(app);
  authpp::cli::add_user_command(app);
  authpp::cli::add_config_command(app);
  authpp::cli::add_serve_command(app);
  authpp::cli::add_client_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version succeed; every other usage error is exit code 2, as for a bad config.
    const int shown = app.exit(e);
    return shown == 0 ? 0 : 2;
  } catch (const authpp::cli::failure& f) {
    std::cerr << "authpp: " << f.message << '\n';
    return f.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "authpp: internal error: " << e.what() << '\n';
    return 70;  // EX_SOFTWARE
  }
  return 0;
}
