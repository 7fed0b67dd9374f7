#pragma once

#include <authpp/core/json.hpp>

#include <string>
#include <string_view>

namespace authpp::server {

// render_demo_page is the page at `/` of `authpp serve`: who is signed in (from the engine's
// session JSON, or null) and links to sign in or out, so a newcomer sees the whole flow.
std::string render_demo_page(const json& session, std::string_view base_path);

// demo_page_csp is the page's Content-Security-Policy (no scripts; its one style block hashed).
const std::string& demo_page_csp();

}  // namespace authpp::server
