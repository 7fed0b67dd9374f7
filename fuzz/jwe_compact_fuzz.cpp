// Fuzzes decode_session, the parser every request's session cookie reaches. Property (as in
// jwt-cpp's TokenDecodeFuzz): whatever decodes must re-encode and decode again to the same claims,
// with only `iat`, `exp` and `jti` renewed. Seeds in corpus/jwe_compact/ were made with the
// secrets, salt and clock below, so the fuzzer starts from tokens that authenticate.
#include <authpp/core/clock.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/random.hpp>
#include <authpp/jose/session_token.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace authpp;

constexpr std::string_view salt = "authjs.session-token";
constexpr long long fuzz_now = 1700000000;
const std::array<std::string, 2> secrets = {"fuzz-secret-new", "fuzz-secret-old"};

class fixed_clock final : public authpp::clock {
 public:
  time_point now() const override { return time_point(std::chrono::seconds(fuzz_now)); }
};

// zero_random makes the re-encoding deterministic, so a crash replays exactly.
class zero_random final : public random_source {
 public:
  result<void> fill(std::span<std::byte> out) const override {
    for (std::byte& b : out) b = std::byte{0};
    return {};
  }
};

void check_round_trip(const json& claims) {
  const fixed_clock clock;
  const jose::session_token_options options;
  auto token = jose::encode_session(claims, secrets, salt, clock, zero_random{}, options);
  if (!token) {
    // Adding `iat`/`exp`/`jti` may push a token near the bound over it; anything else is a bug.
    if (token.error().code == errc::limit_exceeded) return;
    std::abort();
  }
  auto again = jose::decode_session(*token, secrets, salt, clock, options);
  if (!again) std::abort();
  json expected = claims;
  expected["iat"] = fuzz_now;
  expected["exp"] = fuzz_now + options.max_age.count();
  expected["jti"] = (*again)["jti"];
  if (*again != expected) std::abort();  // ordered_json: member order counts too
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);  // NOLINT
  const fixed_clock clock;
  auto claims = jose::decode_session(token, secrets, salt, clock);
  if (claims) check_round_trip(*claims);
  return 0;
}
