#include <authpp/server/app.hpp>
#include <authpp/server/config.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <pthread.h>
#include <signal.h>

#include "commands.hpp"

namespace authpp::cli {
namespace {

struct serve_options {
  std::optional<std::string> config;
  std::optional<std::string> listen;
  std::optional<std::string> data_dir;
  std::optional<std::string> database;
  bool dev = false;
};

// start_failure maps a start-up error to the one line an operator reads: configuration errors
// already name their key or file.
failure start_failure(const auth_error& e) {
  return failure{e.code == errc::invalid_config ? e.detail : e.message(), 2};
}

void serve(const serve_options& o) {
  server::load_options load;
  load.dev = o.dev;
  load.listen = o.listen;
  load.database = o.database;
  load.data_dir = o.data_dir;
  auto config = server::load_config(o.config, server::current_environment(), load);
  if (!config) throw start_failure(config.error());
  // SIGINT and SIGTERM are blocked before the server's threads exist, so every thread inherits
  // the mask, and this thread takes them with sigwait. No handler runs at an arbitrary point, and
  // a signal sent the moment "listening" is printed waits, pending, until it is taken.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto app = server::app::start(std::move(*config), std::cout);
  if (!app) throw start_failure(app.error());
  int signal = 0;
  sigwait(&stop_signals, &signal);
  (*app)->stop();
  (*app)->wait();
  std::cout << "authpp stopped" << std::endl;
}

}  // namespace

// `authpp serve` runs the authentication server: the engine under its base path, /healthz,
// /metrics and a demo page at /, over HTTP/1.1 (TLS when configured).
void add_serve_command(CLI::App& app) {
  auto o = std::make_shared<serve_options>();
  auto* cmd = app.add_subcommand("serve", "Run the authentication server");
  cmd->add_option("--config", o->config, "TOML configuration file");
  cmd->add_option("--listen", o->listen,
                  "Address to listen on, host:port (default 127.0.0.1:3000)");
  cmd->add_option("--data-dir", o->data_dir, "Directory for the database and dev secret (./var)");
  cmd->add_option("--database", o->database,
                  "SQLite database file (default <data-dir>/authpp.db), or a postgresql:// url");
  cmd->add_flag("--dev", o->dev,
                "Development mode: generate a secret and a demo user when missing, trust the Host");
  // The man page (authpp-serve(1), written from this help) is where the packaged service's
  // files point for these.
  cmd->footer(
      "Environment:\n"
      "  AUTH_SECRET       the secret that encrypts and signs sessions (or auth.secrets)\n"
      "  AUTH_SECRET_1..3  newer secrets, as Auth.js reads them: the highest one set encrypts,\n"
      "                    every one decrypts. To rotate, set AUTH_SECRET_1 to a new secret and\n"
      "                    keep AUTH_SECRET until the sessions it signed have expired\n"
      "  AUTH_URL          the public URL (or auth.url)\n"
      "  AUTH_TRUST_HOST   any value: take the origin from the request (or auth.trust_host)\n"
      "  DATABASE_URL      a postgresql:// url (or [database] url)\n"
      "Every setting, with its default: docs/authpp.example.toml (installed in\n"
      "/usr/share/doc/authpp by the package).");
  cmd->callback([o] { serve(*o); });
}

}  // namespace authpp::cli
