#pragma once

#include <authpp/core/error.hpp>

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace authpp {

// bad_result_access is thrown by `result<T>::value()` when it holds an error: a caller bug (it
// skipped the check), never a reaction to bad input.
class bad_result_access : public std::logic_error {
 public:
  explicit bad_result_access(const auth_error& e)
      : std::logic_error("authpp: value() on an error result: " + e.message()), error_(e) {}
  const auth_error& error() const noexcept { return error_; }

 private:
  auth_error error_;
};

// result<T> holds either a `T` or an `auth_error`. It copies the member names of C++23
// `std::expected<T, auth_error>` so that moving to it later is a one-line alias. Both sides
// convert implicitly: `return value;`, `return auth_error{...};`.
template <class T>
class [[nodiscard]] result {
 public:
  // result() holds a value-initialised `T`, as `std::expected` does. Asio relies on it: co_spawn
  // and awaitable_operators default-construct an awaitable's value to go with an exception.
  result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}   // NOLINT
  result(auth_error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  // value() throws `bad_result_access` when `!has_value()`.
  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  // Unchecked access. Precondition: has_value() (for error(): !has_value()).
  T& operator*() & noexcept { return *std::get_if<0>(&v_); }
  const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
  T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
  T* operator->() noexcept { return std::get_if<0>(&v_); }
  const T* operator->() const noexcept { return std::get_if<0>(&v_); }
  const auth_error& error() const noexcept { return *std::get_if<1>(&v_); }

 private:
  void check() const {
    if (!has_value()) throw bad_result_access(error());
  }
  std::variant<T, auth_error> v_;
};

// result<void> is success or an `auth_error`.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(auth_error e) : e_(std::move(e)) {}  // NOLINT

  bool has_value() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (e_) throw bad_result_access(*e_);
  }
  const auth_error& error() const noexcept { return *e_; }

 private:
  std::optional<auth_error> e_;
};

}  // namespace authpp
