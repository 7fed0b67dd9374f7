#include <authpp/core/clock.hpp>

namespace authpp {

clock::time_point system_clock::now() const { return std::chrono::system_clock::now(); }

const clock& default_clock() noexcept {
  static const system_clock instance;
  return instance;
}

}  // namespace authpp
