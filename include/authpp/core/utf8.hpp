#pragma once

#include <cstddef>
#include <string_view>

// UTF-8 well-formedness (Unicode 15 Table 3-7, RFC 3629): no overlong forms, no surrogates,
// nothing above U+10FFFF. Shared by the JSON reader and writer and the HTTP codecs.
namespace authpp {

// utf8_sequence_length returns the length (1–4) of the well-formed UTF-8 sequence at the start of
// `s`, or 0 when there is none.
std::size_t utf8_sequence_length(std::string_view s) noexcept;

// is_utf8 tells whether all of `s` is well-formed UTF-8.
bool is_utf8(std::string_view s) noexcept;

}  // namespace authpp
