#pragma once

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

// Runs the independent Python implementations the webauthn tests compare against (Debian's
// python3-cbor2 and python3-fido2). A missing interpreter or package is a test failure that names
// the package, never a skip.
namespace authpp::webauthn::test {

struct tool_output {
  int status = -1;
  std::string out;  // stdout; the script's diagnostics go to stderr (shown by ctest)
};

// run_python runs tests/unit/webauthn/<script> with the system python3 and returns its output.
inline tool_output run_python(std::string_view script, std::string_view args = {}) {
  const std::string command = std::string(AUTHPP_PYTHON3) + " " + AUTHPP_WEBAUTHN_TEST_DIR + "/" +
                              std::string(script) + " " + std::string(args);
  tool_output result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  result.status = ::pclose(pipe);
  return result;
}

// missing_package_message explains a failed tool run.
inline std::string missing_package_message(std::string_view package) {
  return std::string("the Python cross-check failed: it needs ") + AUTHPP_PYTHON3 +
         " with the Debian package " + std::string(package) +
         " (apt-get install -y python3-cbor2 python3-fido2, or scripts/install-deps.sh)";
}

}  // namespace authpp::webauthn::test
