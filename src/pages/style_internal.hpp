#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/pages/pages.hpp>

#include <optional>
#include <string>
#include <string_view>

// Theme validation, the stylesheet and the Content-Security-Policy of the built-in pages. Kept
// apart from the templates so that the security checks can be read on their own.
namespace authpp::pages::detail {

// url_origin returns "scheme://host[:port]" (lowercased) when `url` is an absolute URL whose
// scheme is https (or http when `allow_http`) and whose authority is a plain host and port, so
// that the result is a valid CSP host-source. Userinfo, IPv6 literals, whitespace, quotes and
// control characters are refused.
std::optional<std::string> url_origin(std::string_view url, bool allow_http);

// is_safe_link accepts a URL for an href or a form action: a relative reference, or an absolute
// http(s) URL, with no whitespace or control characters (no `javascript:` or `data:`).
bool is_safe_link(std::string_view url) noexcept;

// display_host returns the host of an absolute http(s) URL, or an empty string.
std::string display_host(std::string_view url);

// stylesheet returns the complete text of the page's <style> element for `t`: the validated
// theme colours as CSS variables, the colour scheme, then the fixed rules.
std::string stylesheet(const theme& t);

// content_security_policy returns the policy for a page whose <style> content is `style`.
// `img_origin` is the logo origin (or empty); `form_action` the sources after 'self'; `script`
// the page's one inline script, allowed by its hash with fetches to this origin (or empty: none).
std::string content_security_policy(std::string_view style, std::string_view img_origin,
                                    std::string_view form_action, std::string_view script = {});

}  // namespace authpp::pages::detail
