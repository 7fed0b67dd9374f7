#include <authpp/core/json.hpp>
#include <authpp/jose/session_token.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

namespace authpp::cli {
namespace {

struct token_options {
  // --secret and --secret-file; secrets_of keeps their command-line order (the first encrypts).
  std::vector<std::string> secrets;
  std::vector<std::string> secret_files;
  std::string cookie_name = "authjs.session-token";
  long long max_age = 2592000;
};

constexpr std::size_t max_input = 1024 * 1024;
constexpr std::size_t max_secret_bytes = 64 * 1024;

void add_common(CLI::App* cmd, token_options& o) {
  cmd->add_option("--secret", o.secrets,
                  "Secret (repeatable; the first encrypts, any may decrypt); visible to other "
                  "local users (ps), so prefer --secret-file or $AUTH_SECRET");
  cmd->add_option("--secret-file", o.secret_files,
                  "File holding a secret, without one trailing newline; - reads the first line "
                  "of standard input, before the claims or token (repeatable, in order with "
                  "--secret). Default: $AUTH_SECRET");
  cmd->add_option("--cookie-name", o.cookie_name,
                  "Cookie name, the HKDF salt (e.g. __Secure-authjs.session-token)")
      ->capture_default_str();
}

// secrets_of returns the secrets of --secret and --secret-file in command-line order, or
// $AUTH_SECRET when there are none. With --secret-file -, the first line of standard input is
// read here, before the claims or the token that follow it.
std::vector<std::string> secrets_of(const CLI::App& cmd) {
  const CLI::Option* literal = cmd.get_option("--secret");
  const CLI::Option* from_file = cmd.get_option("--secret-file");
  std::vector<std::string> secrets;
  for (const auto& [opt, arg] : in_command_line_order(cmd, {literal, from_file})) {
    if (opt == literal) {
      secrets.push_back(arg);
      continue;
    }
    const std::string_view what = "--secret-file";
    std::string secret = arg == "-" ? read_secret_line(what, max_secret_bytes)
                                    : read_secret_file(what, arg, max_secret_bytes);
    if (secret.empty()) {
      throw failure{std::string(what) + ": " + (arg == "-" ? "standard input" : arg) +
                        " holds an empty secret",
                    2};
    }
    secrets.push_back(std::move(secret));
  }
  if (!secrets.empty()) return secrets;
  if (const char* env = std::getenv("AUTH_SECRET"); env != nullptr && *env != '\0') {
    return {env};
  }
  throw failure{"no secret: pass --secret or --secret-file, or set AUTH_SECRET", 2};
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

void encode(const token_options& o, const CLI::App& cmd) {
  const std::vector<std::string> secrets = secrets_of(cmd);
  const json claims = json::parse(read_stdin(max_input), nullptr, /*allow_exceptions=*/false);
  if (claims.is_discarded() || !claims.is_object()) {
    throw failure{"claims on stdin must be one JSON object"};
  }
  jose::session_token_options options;
  options.max_age = std::chrono::seconds(o.max_age);
  auto token = jose::encode_session(claims, secrets, o.cookie_name, default_clock(),
                                    default_random(), options);
  if (!token) throw failure{token.error().message()};
  std::cout << *token << '\n';
}

void decode(const token_options& o, const CLI::App& cmd) {
  const std::vector<std::string> secrets = secrets_of(cmd);
  const std::string token = trim(read_stdin(max_input));
  auto claims = jose::decode_session(token, secrets, o.cookie_name, default_clock());
  if (!claims) throw failure{claims.error().message()};
  std::cout << claims->dump() << '\n';
}

}  // namespace

// `authpp token encode|decode` mints and reads Auth.js session tokens (the session cookie value).
void add_token_command(CLI::App& app) {
  auto* token = app.add_subcommand("token", "Encode or decode Auth.js session tokens");
  token->require_subcommand(1);
  // The options outlive parsing: CLI11 writes into them, the callbacks read them.
  auto options = std::make_shared<token_options>();

  auto* enc = token->add_subcommand("encode", "Read claims JSON on stdin, print a session token");
  add_common(enc, *options);
  enc->add_option("--max-age", options->max_age, "Lifetime in seconds (sets exp)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  enc->callback([options, enc] { encode(*options, *enc); });

  auto* dec = token->add_subcommand("decode", "Read a session token on stdin, print its claims");
  add_common(dec, *options);
  dec->callback([options, dec] { decode(*options, *dec); });
}

}  // namespace authpp::cli
