#pragma once

#include <authpp/core/result.hpp>

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace authpp {

// json is the JSON value authpp uses for claims, sessions and provider data. It keeps object
// members in insertion order, as JavaScript does, so that re-encoded claims match Auth.js's bytes.
using json = nlohmann::ordered_json;

// parse_json reads one JSON text (RFC 8259) exactly as `json::parse` does (same values and
// types, same member order, a repeated name keeping its first place and last value, a leading
// UTF-8 byte order mark skipped), several times faster, and with a bound on nesting that the
// library lacks. One difference: the library stops at a NUL byte outside a string and ignores
// the rest ("3\0junk" is 3); here, as in JSON.parse, that is an error. It fails with
//   errc::malformed_input  on any syntax error, invalid UTF-8 or lone surrogate escape,
//   errc::limit_exceeded   if arrays and objects nest deeper than `max_depth`.
[[nodiscard]] result<json> parse_json(std::string_view text, int max_depth = 64);

// dump_json returns the bytes `value.dump()` returns (no whitespace, members in order, strings
// escaped as JSON.stringify escapes them, UTF-8 kept as is), faster. It fails with
// errc::malformed_input where dump() throws: a string (or member name) that is not UTF-8.
[[nodiscard]] result<std::string> dump_json(const json& value);

}  // namespace authpp
