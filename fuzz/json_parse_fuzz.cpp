// Differential fuzzing of parse_json and dump_json against the library they stand in for: for
// every input, either both refuse it or both build the same value (same types, same
// serialisation), and dump_json writes exactly dump()'s bytes. The allowed differences are
// parse_json's nesting bound and its refusal of text after a NUL byte.
#include <authpp/core/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto ours = authpp::parse_json(text, 128);
  const authpp::json theirs = authpp::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!ours && ours.error().code == authpp::errc::limit_exceeded) return 0;
  // The library takes a NUL byte outside a string for the end of the input and ignores what
  // follows; parse_json refuses such text (as JSON.parse does).
  if (!ours && !theirs.is_discarded() && text.find('\0') != std::string_view::npos) return 0;
  if (theirs.is_discarded() != !ours) std::abort();  // one accepted what the other refused
  if (ours) {
    // dump() throws on invalid UTF-8, which neither parser may have let through. The writer
    // must give dump()'s bytes.
    const std::string expected = theirs.dump();
    const auto written = authpp::dump_json(*ours);
    if (ours->type() != theirs.type() || ours->dump() != expected || !written ||
        *written != expected) {
      std::abort();
    }
  }
  return 0;
}
