#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

// HTTP dates in the IMF-fixdate form of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT"), which
// is also what JavaScript's Date.prototype.toUTCString() prints for the `Expires` cookie attribute
// (client-wire.md §5.2). Computed with <chrono> calendar types only: no locale, no gmtime.
namespace authpp::http {

// format_http_date returns `t`, truncated towards the past to whole seconds, as an IMF-fixdate.
std::string format_http_date(std::chrono::system_clock::time_point t);

// parse_http_date reads an IMF-fixdate. The day name must be one of Mon…Sun but is not checked
// against the date (RFC 9110 lets recipients ignore it). It fails with
//   errc::malformed_input if `text` is not exactly an IMF-fixdate naming a real calendar date and
//                         a time from 00:00:00 to 23:59:60 ("60" is read as 59, RFC 9110 allows
//                         a leap second).
[[nodiscard]] result<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

}  // namespace authpp::http
