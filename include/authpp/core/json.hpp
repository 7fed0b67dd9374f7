#pragma once

#include <authpp/core/result.hpp>

#include <string>
#include <string_view>
#include <unordered_map>

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

// json_object_builder fills an object member by member. ordered_json looks a name up by walking
// its members, so adding n members one by one costs O(n²): a 64 KiB body of 8000 distinct names
// is then a few seconds of CPU per request. The builder keeps an index once an object grows past
// a few members, so building costs O(n), with the library's rule for repeated names: the first
// position and the last value.
class json_object_builder {
 public:
  // The builder makes `object` an empty object and fills it; `object` must outlive it.
  explicit json_object_builder(json& object);

  // member returns the value named `name`, added at the end as null when absent.
  json& member(std::string name);

 private:
  json::object_t* members_;
  std::unordered_map<std::string, std::size_t> index_;  // built once members_ outgrows a scan
};

// dump_json returns the bytes `value.dump()` returns (no whitespace, members in order, strings
// escaped as JSON.stringify escapes them, UTF-8 kept as is), faster. It fails with
// errc::malformed_input where dump() throws: a string (or member name) that is not UTF-8.
[[nodiscard]] result<std::string> dump_json(const json& value);

}  // namespace authpp
