#pragma once

#include <authpp/client/client.hpp>
#include <authpp/http/form.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authpp::client {

// client::state is shared by every copy of a client and never changes after create(); the jar and
// the transport synchronise themselves, so no lock is needed here.
struct client::state {
  std::string origin;   // "http://127.0.0.1:3000"
  std::string base;     // origin + base path, no trailing slash
  std::string current;  // callbackUrl fallback and base for relative navigation
  authpp::client::navigator navigate;
  authpp::client::logger logger_fn;
  std::shared_ptr<transport> net;
  std::shared_ptr<cookie_jar> jar;
  int max_redirects = 10;

  // exchange sends `call` with the jar's cookies and stores the cookies of the reply.
  result<http_reply> exchange(http_call call) const;
  result<http_reply> fetch_data(std::string_view path,
                                const std::optional<json>& body = std::nullopt) const;
  result<std::string> csrf_for_post(const client& self) const;
  result<void> navigate_to(std::string_view url) const;
  result<void> follow(std::string_view url) const;
  void log(log_level level, const std::string& message) const;
};

namespace detail {

// has_scheme tells whether `url` starts with a URL scheme and `:` (so that WHATWG `new URL(url)`
// without a base does not throw for lack of one).
bool has_scheme(std::string_view url);

// url_query returns the query of `url` (between `?` and `#`) as URLSearchParams reads it. It
// fails with errc::invalid_response if the query is over the form limits.
result<http::url_search_params> url_query(std::string_view url);

// resolve_url resolves `ref` against the absolute http(s) URL `base` as a browser resolves an
// assignment to location.href (RFC 3986 §5.2 without dot-segment removal). It fails with
//   errc::invalid_url if `base` is not absolute http(s), or the result has another scheme.
result<std::string> resolve_url(std::string_view base, std::string_view ref);

}  // namespace detail
}  // namespace authpp::client
