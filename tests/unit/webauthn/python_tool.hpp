#pragma once

#include <string>
#include <string_view>

#include "test_support/command.hpp"

// Runs the independent Python implementations the webauthn tests compare against (Debian's
// python3-cbor2 and python3-fido2). A missing interpreter or package is a test failure that names
// the package, never a skip.
namespace authpp::webauthn::test {

// run_python runs tests/unit/webauthn/<script> with the system python3 and returns its output.
inline authpp::test::command_output run_python(std::string_view script,
                                               std::string_view args = {}) {
  return authpp::test::run_command(std::string(AUTHPP_PYTHON3) + " " + AUTHPP_WEBAUTHN_TEST_DIR +
                                   "/" + std::string(script) + " " + std::string(args));
}

// missing_package_message explains a failed tool run.
inline std::string missing_package_message(std::string_view package) {
  return std::string("the Python cross-check failed: it needs ") + AUTHPP_PYTHON3 +
         " with the Debian package " + std::string(package) +
         " (apt-get install -y python3-cbor2 python3-fido2, or scripts/install-deps.sh)";
}

}  // namespace authpp::webauthn::test
