#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace authpp::test {

// temp_dir is a fresh directory under the system temp path, removed with its contents when the
// object dies. Each test gets its own, so tests may run in parallel (ctest -j).
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "authpp-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace authpp::test
