#pragma once

#include <string>
#include <string_view>

namespace authpp::http {

// escape_html makes `text` safe as HTML text and as a double- or single-quoted attribute value:
// & < > " ' become entities, everything else is kept.
std::string escape_html(std::string_view text);

}  // namespace authpp::http
