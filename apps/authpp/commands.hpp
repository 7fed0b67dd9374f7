#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/server/config.hpp>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

// Each `authpp` command lives in its own file and registers itself on the root app. Commands are
// thin: they parse arguments, call one library function and print its result.
namespace authpp::cli {

void add_secret_command(CLI::App& app);
void add_apple_secret_command(CLI::App& app);
void add_token_command(CLI::App& app);
void add_user_command(CLI::App& app);
void add_db_command(CLI::App& app);  // db status, db migrate
// add_session_revoke_command adds `revoke EMAIL` to the client's `session` command.
void add_session_revoke_command(CLI::App& session);
void add_config_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_client_commands(CLI::App& app);  // signin, signout, session, csrf, providers

// failure is thrown by a command to stop with `exit_code` after printing `message` as one line
// on stderr (main catches it: exceptions end at the CLI's edge).
struct failure {
  std::string message;
  int exit_code = 1;
};

// database_location is how the commands that manage the database find it: --config (for its
// storage.database or [database] url) and --database, with DATABASE_URL from the environment.
struct database_location {
  std::optional<std::string> config;
  std::optional<std::string> database;
};
// add_database_options adds --config and --database to `cmd`.
void add_database_options(CLI::App* cmd, database_location& where);
// database_config returns the configuration `authpp serve` would load, for its database. No
// secret is needed: the commands that manage the database never sign anything.
server::app_config database_config(const database_location& where);
// open_database opens the database `config` names (applying missing migrations) or throws
// `failure`.
std::unique_ptr<adapters::adapter> open_database(const server::app_config& config);

// check_email returns `email` normalized, or throws a usage failure when it cannot be an address
// (before the database is touched).
std::string check_email(const std::string& email);
// existing_user returns the user with `email`, or throws `failure` ("no user with email …").
adapters::user_record existing_user(adapters::adapter& store, const std::string& email);
// utc formats `t` as ISO 8601 in UTC, to the second ("2024-05-01T12:00:00Z").
std::string utc(std::chrono::system_clock::time_point t);
// add_user_totp_command adds `totp enable|confirm|status|disable` to the `user` command.
void add_user_totp_command(CLI::App& user);
// add_user_passkeys_command adds `passkeys EMAIL [--remove ID]` to the `user` command.
void add_user_passkeys_command(CLI::App& user);

// read_stdin returns standard input, or fails when it exceeds `limit` bytes (input is bounded
// before it is parsed).
std::string read_stdin(std::size_t limit);

// Secrets passed as arguments are visible to every local user (`ps`, /proc/PID/cmdline), so the
// commands that take them also read them from files, standard input or the environment. These
// helpers throw `failure` with exit code 2 and one line naming the option and the file, never
// the value.

// read_secret_file returns the contents of the file at `path` (standard input when `path` is
// "-") without one trailing line break ("\n" or "\r\n"). `what` names the option in errors,
// e.g. "--field-file password". It fails when the file cannot be read, when it exceeds `limit`
// bytes, or when `path` is "-" and standard input was already read as a secret.
std::string read_secret_file(std::string_view what, const std::string& path, std::size_t limit);

// read_secret_line returns the first line of standard input without its line break, leaving
// the rest for read_stdin; for commands whose input also comes on standard input. It fails when
// the line exceeds `limit` bytes or standard input was already read as a secret.
std::string read_secret_line(std::string_view what, std::size_t limit);

// in_command_line_order returns the values given to `options` of `cmd` in the order in which they
// appear on the command line, each with the option that took it (CLI11 keeps the values of each
// option apart). Options not in `options` are left out.
std::vector<std::pair<const CLI::Option*, std::string>> in_command_line_order(
    const CLI::App& cmd, std::initializer_list<const CLI::Option*> options);

}  // namespace authpp::cli
