#pragma once

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <sys/wait.h>

// Runs a real tool from a test (an independent implementation to compare against).
namespace authpp::test {

struct command_output {
  int status = -1;  // the exit status, or -1 when the command did not exit normally
  std::string out;  // what it wrote to stdout
};

// run_command runs `command` with /bin/sh and returns its exit status and standard output.
inline command_output run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  command_output result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

// require_tool fails the calling test's set-up loudly, naming the Debian package, when `tool` is
// not on PATH: a missing tool never turns into a skipped check.
inline void require_tool(const std::string& tool, const std::string& package) {
  if (run_command("command -v " + tool + " >/dev/null 2>&1").status != 0) {
    throw std::runtime_error(tool + " is needed by this test (apt-get install " + package + ")");
  }
}

}  // namespace authpp::test
