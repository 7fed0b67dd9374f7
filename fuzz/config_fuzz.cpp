// Fuzzes the TOML configuration of `authpp serve` (server::load_config_text): whatever the file
// holds, loading answers with a configuration or with one line of errc::invalid_config, never a
// crash, a hang or an exception; and what loads, loads again the same from the same text.
#include <authpp/server/config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  authpp::server::load_options options;
  options.require_secret = false;
  const auto loaded = authpp::server::load_config_text(text, "fuzz.toml", {}, options);
  if (!loaded) {
    if (loaded.error().code != authpp::errc::invalid_config) std::abort();
    // Operators read the error as one line, which a log line must not split.
    if (loaded.error().detail.find_first_of("\r\n") != std::string::npos) std::abort();
    return 0;
  }
  const auto again = authpp::server::load_config_text(text, "fuzz.toml", {}, options);
  if (!again || again->providers.size() != loaded->providers.size() ||
      again->storage.database != loaded->storage.database ||
      again->auth.secrets != loaded->auth.secrets) {
    std::abort();
  }
  return 0;
}
