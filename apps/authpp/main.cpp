// authpp: Auth.js-compatible authentication in C++ (client SDK, engine, server). This is the
// command-line face; every command is a thin layer over a library call.
#include <authpp/features.hpp>
#include <authpp/version.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <iterator>
#include <map>

#include <fcntl.h>
#include <unistd.h>

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

namespace {

// stdin_secret_read is set once standard input has given a secret: a second `-` would read
// nothing (or the wrong bytes) and must be a usage error instead.
bool stdin_secret_read = false;

void claim_stdin(std::string_view what) {
  if (stdin_secret_read) {
    throw failure{std::string(what) + ": standard input can be read only once", 2};
  }
  stdin_secret_read = true;
}

std::string without_line_break(std::string s) {
  if (s.ends_with('\n')) s.pop_back();
  if (s.ends_with('\r')) s.pop_back();
  return s;
}

}  // namespace

std::string read_secret_file(std::string_view what, const std::string& path, std::size_t limit) {
  // One byte more than the limit may be a line break that is stripped below.
  const std::size_t max_read = limit + 2;
  std::string data;
  char buf[4096];
  if (path == "-") {
    claim_stdin(what);
    while (data.size() <= max_read && (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0)) {
      data.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    }
    if (std::cin.bad()) throw failure{std::string(what) + ": cannot read standard input", 2};
  } else {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    int error = fd < 0 ? errno : 0;
    while (error == 0 && data.size() <= max_read) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) error = errno;
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    if (fd >= 0) ::close(fd);
    if (error != 0) {
      throw failure{std::string(what) + ": cannot read " + path + ": " + std::strerror(error), 2};
    }
  }
  data = without_line_break(std::move(data));
  if (data.size() > limit) {
    const std::string shown = path == "-" ? "standard input" : path;
    throw failure{std::string(what) + ": " + shown + " exceeds " + std::to_string(limit) + " bytes",
                  2};
  }
  return data;
}

std::string read_secret_line(std::string_view what, std::size_t limit) {
  claim_stdin(what);
  std::string line;
  char c = 0;
  while (std::cin.get(c) && c != '\n') {
    line += c;
    if (line.size() > limit + 1) {
      throw failure{std::string(what) + ": the first line of standard input exceeds " +
                        std::to_string(limit) + " bytes",
                    2};
    }
  }
  return without_line_break(std::move(line));
}

std::vector<std::pair<const CLI::Option*, std::string>> in_command_line_order(
    const CLI::App& cmd, std::initializer_list<const CLI::Option*> options) {
  std::vector<std::pair<const CLI::Option*, std::string>> out;
  std::map<const CLI::Option*, std::size_t> taken;
  for (const CLI::Option* opt : cmd.parse_order()) {
    if (std::find(options.begin(), options.end(), opt) == options.end()) continue;
    // parse_order lists an option once per value it took, in command-line order.
    const std::size_t i = taken[opt]++;
    if (i < opt->results().size()) out.emplace_back(opt, opt->results()[i]);
  }
  return out;
}

}  // namespace authpp::cli

int main(int argc, char** argv) {
  CLI::App app{"authpp: Auth.js-compatible authentication in C++", "authpp"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "authpp " AUTHPP_VERSION_STRING);
  authpp::cli::add_secret_command(app);
  authpp::cli::add_apple_secret_command(app);
  authpp::cli::add_token_command(app);
  authpp::cli::add_user_command(app);
  authpp::cli::add_db_command(app);
  authpp::cli::add_config_command(app);
  authpp::cli::add_serve_command(app);
#if AUTHPP_WITH_CURL
  authpp::cli::add_client_commands(app);
#endif
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
