// Fuzzes the client's cookie jar: Set-Cookie headers as a hostile server sends them (RFC 6265
// parsing, domain and path rules, prefixes) and the Netscape file it saves and loads. Input: lines;
// each is a Set-Cookie applied for one of a few URLs chosen by its first byte. Properties: no
// crash; the saved file loads back with no line skipped and the same cookies (so one hostile
// cookie can never corrupt the jar for later calls); the raw input read as a jar file never
// crashes either. The clock is fixed: with the real one a cookie could expire between the save
// and the load (a finding of 2026-12-03, the harness's fault, not the jar's).
#include <authpp/client/cookie_jar.hpp>
#include <authpp/core/clock.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

class fixed_clock final : public authpp::clock {
 public:
  time_point now() const override { return time_point{std::chrono::seconds{1'800'000'000}}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using authpp::client::cookie_jar;
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  static constexpr const char* urls[] = {"http://localhost:3000/api/auth/csrf",
                                         "https://app.example.com/a/b", "http://127.0.0.1/",
                                         "https://sub.app.example.com/"};
  static const fixed_clock clock;
  cookie_jar jar(clock);
  std::string_view rest = input;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (line.empty()) continue;
    const char* url = urls[static_cast<unsigned char>(line.front()) % 4];
    line.remove_prefix(1);
    (void)jar.store(line, url);
    (void)jar.cookie_header_for(url);
  }
  const std::string saved = jar.to_netscape();
  cookie_jar again(clock);
  const auto loaded = again.load_netscape(saved);
  if (!loaded || !loaded->empty()) std::abort();
  if (again.to_netscape() != saved) std::abort();
  cookie_jar raw(clock);
  (void)raw.load_netscape(input);
  return 0;
}
