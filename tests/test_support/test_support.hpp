#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

// Shared helpers for authpp's tests: a clock that only moves when told, a random source that
// replays a fixed byte pattern, and `error_of` to assert the exact failure of a result.
namespace authpp::test {

// fixed_clock reads a settable time point.
class fixed_clock final : public authpp::clock {
 public:
  explicit fixed_clock(time_point t) : now_(t) {}
  explicit fixed_clock(long long unix_seconds)
      : now_(time_point(std::chrono::seconds(unix_seconds))) {}
  time_point now() const override { return now_; }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }
  void set(time_point t) { now_ = t; }

 private:
  time_point now_;
};

// counting_random yields bytes 0, 1, 2, … (mod 256) from `start`, continuing across calls. It is
// not thread-safe; tests own one each.
class counting_random final : public authpp::random_source {
 public:
  explicit counting_random(std::uint8_t start = 0) : next_(start) {}
  result<void> fill(std::span<std::byte> out) const override {
    for (std::byte& b : out) b = static_cast<std::byte>(next_++);
    return {};
  }

 private:
  mutable std::uint8_t next_;
};

// failing_random fails every call, to exercise error paths.
class failing_random final : public authpp::random_source {
 public:
  result<void> fill(std::span<std::byte>) const override {
    return auth_error{errc::random_failure, "test source fails on purpose"};
  }
};

// error_of returns the error code of `r`, or nullopt when it holds a value, so that a wrongly
// accepted input fails an EXPECT_EQ cleanly instead of crashing.
template <class T>
std::optional<errc> error_of(const result<T>& r) {
  if (r.has_value()) return std::nullopt;
  return r.error().code;
}

inline bytes from_hex(std::string_view h) {
  bytes out;
  auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<std::byte>(digit(h[i]) << 4 | digit(h[i + 1])));
  }
  return out;
}

}  // namespace authpp::test
