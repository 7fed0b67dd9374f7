#pragma once

#include <authpp/core/result.hpp>
#include <authpp/http/cookie.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Session cookie chunking as Auth.js's SessionStore does it (client-wire.md §5.5, server-flows.md
// §3.4, TV-14): a value too long for one cookie is split over `<base>.0`, `<base>.1`, … so that
// each Set-Cookie stays under the browsers' 4096-byte limit.
namespace authpp::cookies {

// chunk_size is the number of value characters per cookie: 4096 allowed minus an estimated 160
// for the name and attributes. Values are ASCII in practice (JWE or opaque tokens); chunks are
// cut by byte.
inline constexpr std::size_t chunk_size = 3936;

// max_chunks bounds reassembly: 32 chunks hold about 126 KB, far more than browsers send.
inline constexpr std::size_t max_chunks = 32;

// write_session_cookie returns the Set-Cookie list that stores `value` under `base_name`: first a
// deletion (empty value, Max-Age=0, `attributes` without Expires) for every distinct cookie in
// `request_cookies` whose name starts with `base_name` and whose value is not empty, in request
// order; then the new cookie(s): `base_name` alone when `value` fits in one chunk, otherwise
// `base_name.0` … `base_name.(n-1)`. A new cookie whose name has a deletion replaces it at the
// deletion's position. An empty `value` yields only the deletions, as in Auth.js.
std::vector<http::set_cookie> write_session_cookie(std::string_view base_name,
                                                   std::string_view value,
                                                   const std::vector<http::cookie>& request_cookies,
                                                   const http::set_cookie& attributes);

// clear_session_cookie returns a deletion for every distinct non-empty cookie of
// `request_cookies` whose name starts with `base_name`, in request order.
std::vector<http::set_cookie> clear_session_cookie(std::string_view base_name,
                                                   const std::vector<http::cookie>& request_cookies,
                                                   const http::set_cookie& attributes);

// read_session_cookie reassembles the session cookie from the request. Cookies with an empty
// value are ignored, and for a repeated name the first one counts (http::find_cookie). With
// chunks `base_name.<n>` present, their values are concatenated in numeric order whatever the
// header order, and an unsuffixed `base_name` is ignored; otherwise the unsuffixed cookie is the
// value; with neither the result is nullopt. Other names that merely start with `base_name` are
// ignored. It fails with
//   errc::limit_exceeded if there are more than max_chunks chunks,
//   errc::missing_chunk  if the chunk numbers are not exactly 0…n-1 (a gap, no `.0`) or a suffix
//                        is not a canonical decimal number (`.x`, `.01`, `.`).
[[nodiscard]] result<std::optional<std::string>> read_session_cookie(
    std::string_view base_name, const std::vector<http::cookie>& request_cookies);

}  // namespace authpp::cookies
