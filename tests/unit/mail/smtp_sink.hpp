#pragma once

// smtp_sink runs tests/test_support/smtp_sink.py (aiosmtpd) as a child process for one test: it
// waits for the sink's "listening HOST:PORT" line, reads the messages the sink recorded, and
// kills the sink by its PID when it goes out of scope. The interpreter and script paths come
// from CMake (AUTHPP_PYTHON3, AUTHPP_SMTP_SINK).
#include <authpp/core/json.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit/mail/temp_dir.hpp"

extern char** environ;

namespace authpp::mail::test {

class smtp_sink {
 public:
  // smtp_sink starts the sink with `args` after its directory ("--starttls", cert, key, …).
  // started() tells whether it is listening; failure() says why not.
  explicit smtp_sink(std::vector<std::string> args = {}) {
    if (dir_.path().empty()) {
      failure_ = "cannot create a temporary directory";
      return;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      failure_ = std::string("pipe: ") + std::strerror(errno);
      return;
    }
    std::vector<std::string> argv_text = {AUTHPP_PYTHON3, AUTHPP_SMTP_SINK, dir_.path().string()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);  // clears O_CLOEXEC
    const int spawned = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (spawned != 0) {
      pid_ = -1;
      ::close(fds[0]);
      failure_ = "cannot run " + std::string(AUTHPP_PYTHON3) + ": " + std::strerror(spawned) +
                 "; the mail tests need python3 with the Debian package python3-aiosmtpd "
                 "(scripts/install-deps.sh)";
      return;
    }
    read_listening_line(fds[0]);
    ::close(fds[0]);
  }

  ~smtp_sink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  smtp_sink(const smtp_sink&) = delete;
  smtp_sink& operator=(const smtp_sink&) = delete;

  bool started() const { return port_ != 0; }
  const std::string& failure() const { return failure_; }
  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }
  // url is "smtp://HOST:PORT" (or another scheme) for the address the sink listens on.
  std::string url(std::string_view scheme = "smtp") const {
    return std::string(scheme) + "://" + host_ + ":" + std::to_string(port_);
  }

  // messages returns the records of the messages received so far (smtp_sink.py's docstring),
  // oldest first; auths, those of the AUTH attempts.
  std::vector<json> messages() const { return records("message-"); }
  std::vector<json> auths() const { return records("auth-"); }

 private:
  // read_listening_line reads stdout up to the first line. The sink prints it once its socket
  // listens, so no test ever waits on a timer; the poll bound only guards against a hung child.
  void read_listening_line(int fd) {
    std::string line;
    char c = 0;
    bool closed = false;  // the sink closed its stdout: it is exiting
    while (line.size() < 200) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 30'000) <= 0) break;
      const ssize_t n = ::read(fd, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      closed = n == 0;
      if (n <= 0 || c == '\n') break;
      line += c;
    }
    constexpr std::string_view prefix = "listening ";
    const std::size_t colon = line.rfind(':');
    if (line.starts_with(prefix) && colon != std::string::npos) {
      host_ = line.substr(prefix.size(), colon - prefix.size());
      port_ = static_cast<std::uint16_t>(std::atoi(line.c_str() + colon + 1));
    }
    if (port_ != 0) return;
    int status = 0;
    std::string how = "it printed \"" + line + "\"";
    if (::waitpid(pid_, &status, closed ? 0 : WNOHANG) == pid_) {
      pid_ = -1;
      how = WIFEXITED(status) ? "it exited with status " + std::to_string(WEXITSTATUS(status))
                              : "it was killed";
    }
    failure_ = "the SMTP sink (" + std::string(AUTHPP_SMTP_SINK) + ") did not start: " + how +
               ". The mail tests need " + AUTHPP_PYTHON3 +
               " with the Debian package python3-aiosmtpd (scripts/install-deps.sh)";
  }

  std::vector<json> records(std::string_view prefix) const {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(prefix) && name.ends_with(".json")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<json> out;
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(json::parse(text.str()));
    }
    return out;
  }

  temp_dir dir_;
  pid_t pid_ = -1;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string failure_;
};

}  // namespace authpp::mail::test
