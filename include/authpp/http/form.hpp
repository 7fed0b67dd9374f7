#pragma once

#include <authpp/core/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// application/x-www-form-urlencoded bodies and query strings, with the behaviour of JavaScript's
// URLSearchParams (WHATWG URL Standard §5). next-auth/react posts its forms with URLSearchParams
// (client-wire.md §2.4), and Auth.js reads them into an object where the last duplicate wins
// (client-wire.md §3.2).
namespace authpp::http {

// form_limits bounds the work done on an untrusted body. Both are checked before any decoding.
struct form_limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_pairs = 256;
};

// url_search_params is an ordered list of name/value pairs. Names and values are UTF-8; parse()
// only ever produces valid UTF-8.
class url_search_params {
 public:
  using value_type = std::pair<std::string, std::string>;
  using const_iterator = std::vector<value_type>::const_iterator;

  url_search_params() = default;

  // parse reads `input` with the WHATWG application/x-www-form-urlencoded parser (§5.1): split on
  // `&`, skip empty pieces, the first `=` separates name from value, `+` means space, then a
  // lenient percent-decode (a bad escape stays literal, invalid UTF-8 becomes U+FFFD). One leading
  // `?` is removed, as URLSearchParams' constructor does. It fails with
  //   errc::limit_exceeded if `input` is longer than `limits.max_bytes` or has more than
  //                        `limits.max_pairs` non-empty pieces.
  [[nodiscard]] static result<url_search_params> parse(std::string_view input,
                                                       const form_limits& limits = {});

  // to_string serialises with the WHATWG urlencoded serializer (§5.2): alphanumerics and `*-._`
  // are kept, space becomes `+`, every other byte becomes %XX (uppercase hex). The output is
  // byte-identical to URLSearchParams.toString().
  std::string to_string() const;

  // append adds a pair at the end.
  void append(std::string name, std::string value);

  // set replaces the value of the first pair named `name` and removes the other pairs with that
  // name, keeping the first one's position; without such a pair it appends.
  void set(std::string_view name, std::string value);

  // get returns the value of the first pair named `name`.
  std::optional<std::string> get(std::string_view name) const;

  // last returns the value of the last pair named `name`: Auth.js turns a form into an object in
  // which a later duplicate overwrites an earlier one (client-wire.md §3.2).
  std::optional<std::string> last(std::string_view name) const;

  // get_all returns the values of every pair named `name`, in order.
  std::vector<std::string> get_all(std::string_view name) const;

  // has tells whether a pair is named `name`.
  bool has(std::string_view name) const;

  // remove deletes every pair named `name` (URLSearchParams.delete).
  void remove(std::string_view name);

  std::size_t size() const noexcept { return pairs_.size(); }
  bool empty() const noexcept { return pairs_.empty(); }
  const_iterator begin() const noexcept { return pairs_.begin(); }
  const_iterator end() const noexcept { return pairs_.end(); }
  const std::vector<value_type>& pairs() const noexcept { return pairs_; }

 private:
  std::vector<value_type> pairs_;
};

// form_encode encodes one name or value as url_search_params::to_string does (space as `+`,
// every byte but alphanumerics and `*-._` as %XX): RFC 6749 §2.3.1 encodes OAuth client
// credentials so before HTTP Basic.
std::string form_encode(std::string_view text);

}  // namespace authpp::http
