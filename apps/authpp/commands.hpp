#pragma once

#include <string>

#include <CLI/CLI.hpp>

// Each `authpp` command lives in its own file and registers itself on the root app. Commands are
// thin: they parse arguments, call one library function and print its result.
namespace authpp::cli {

void add_secret_command(CLI::App& app);
void add_token_command(CLI::App& app);
void add_user_command(CLI::App& app);
void add_config_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_client_commands(CLI::App& app);  // signin, signout, session, csrf, providers

// failure is thrown by a command to stop with `exit_code` after printing `message` as one line
// on stderr (main catches it: exceptions end at the CLI's edge).
struct failure {
  std::string message;
  int exit_code = 1;
};

// read_stdin returns standard input, or fails when it exceeds `limit` bytes (input is bounded
// before it is parsed).
std::string read_stdin(std::size_t limit);

}  // namespace authpp::cli
