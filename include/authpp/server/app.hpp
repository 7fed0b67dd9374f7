#pragma once

#include <authpp/core/result.hpp>
#include <authpp/server/config.hpp>

#include <cstdint>
#include <memory>
#include <ostream>

// app is `authpp serve` as a library: storage, the engine, the demo page, /healthz and /metrics
// wired behind the HTTP server. The CLI command only loads the configuration and waits.
namespace authpp::server {

class app {
 public:
  // start opens the store (creating and migrating it), prepares dev mode (a generated secret, a
  // demo user printed once to `out`), and starts serving. It fails with errc::invalid_config for
  // anything an operator must fix (the message names the key or file), or a storage error.
  static result<std::unique_ptr<app>> start(app_config config, std::ostream& out);
  ~app();

  std::uint16_t port() const;
  void stop();
  void wait();

  struct state;

 private:
  explicit app(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace authpp::server
