#pragma once

#include <authpp/core/result.hpp>
#include <authpp/http/form.hpp>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authpp::client {

// authorization_params is the reference's `SignInAuthorizationParams`: what `signIn` appends to
// the sign-in URL after the `?` it always adds, as `new URLSearchParams(x).toString()`. Each form
// of the TypeScript union has a constructor:
//   string                   -> a query string, parsed as URLSearchParams parses it (a leading
//                               `?` is dropped, `+` is a space) and serialised again;
//   string[][]               -> a vector of pairs (or a braced list), in order, duplicates kept;
//   Record<string, string>   -> a std::map, in JavaScript's own-key order: integer-like keys
//                               ascending first, then the others (the map's order stands in for
//                               insertion order);
//   URLSearchParams          -> an http::url_search_params, as is.
class authorization_params {
 public:
  authorization_params() = default;
  authorization_params(std::string_view query);  // NOLINT(google-explicit-constructor)
  authorization_params(const char* query)        // NOLINT(google-explicit-constructor)
      : authorization_params(std::string_view(query)) {}
  authorization_params(std::vector<std::pair<std::string, std::string>> pairs);            // NOLINT
  authorization_params(std::initializer_list<std::pair<std::string, std::string>> pairs);  // NOLINT
  authorization_params(const std::map<std::string, std::string>& record);                  // NOLINT
  authorization_params(http::url_search_params params);                                    // NOLINT

  // to_string returns the serialisation that follows the `?` (possibly empty).
  std::string to_string() const { return params_.to_string(); }
  const http::url_search_params& params() const noexcept { return params_; }

  // error is set when a query string could not be read (errc::limit_exceeded: longer than 64 KiB
  // or more than 256 pairs); sign_in then fails with it instead of sending a partial URL.
  const std::optional<auth_error>& error() const noexcept { return error_; }

 private:
  http::url_search_params params_;
  std::optional<auth_error> error_;
};

// js_object_key_order returns `keys` in the order JavaScript enumerates an object's own string
// keys (ECMA-262 OrdinaryOwnPropertyKeys): array indices ("0" … "4294967294", no leading zeros)
// ascending, then the other keys in insertion order. Both the Record form above and sign_in's
// form body (`{...options, csrfToken, callbackUrl}`) are JavaScript objects.
std::vector<std::string> js_object_key_order(const std::vector<std::string>& keys);

}  // namespace authpp::client
