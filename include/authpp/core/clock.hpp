#pragma once

#include <chrono>

namespace authpp {

// clock is where authpp reads the time: inject a fixed clock in tests, never sleep.
class clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~clock() = default;
  virtual time_point now() const = 0;
};

// system_clock reads std::chrono::system_clock.
class system_clock final : public clock {
 public:
  time_point now() const override;
};

// default_clock returns a process-wide system_clock (stateless, thread-safe).
const clock& default_clock() noexcept;

// to_unix_seconds truncates `t` to whole seconds since the epoch, as JWT NumericDate does.
inline long long to_unix_seconds(clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace authpp
