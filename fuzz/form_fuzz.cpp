// Fuzzes http::url_search_params::parse with the round-trip property of the WHATWG URL Standard:
// whatever parses, serialised and parsed again, gives the same pairs (URLSearchParams guarantees
// this because its parser only produces valid UTF-8, which the serializer escapes losslessly).
#include <authpp/http/form.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto once = authpp::http::url_search_params::parse(input);
  if (!once) {
    if (once.error().code != authpp::errc::limit_exceeded) std::abort();
    return 0;
  }
  const std::string serialised = once->to_string();
  // The serializer's output can be up to 9 times longer (a U+FFFD per byte, escaped), so parse
  // it back without the byte limit; the pair count cannot grow.
  const auto twice = authpp::http::url_search_params::parse(
      serialised, {.max_bytes = serialised.size(), .max_pairs = once->size()});
  if (!twice || twice->pairs() != once->pairs()) std::abort();
  if (twice->to_string() != serialised) std::abort();
  return 0;
}
