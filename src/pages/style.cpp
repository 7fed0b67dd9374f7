#include <authpp/core/base64url.hpp>
#include <authpp/jose/digest.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "style_internal.hpp"

namespace authpp::pages {
namespace {

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool is_css_color(std::string_view value) noexcept {
  if (value.empty()) {
    return false;
  }
  if (value[0] == '#') {
    const std::string_view digits = value.substr(1);
    const std::size_t n = digits.size();
    return (n == 3 || n == 4 || n == 6 || n == 8) &&
           std::all_of(digits.begin(), digits.end(), is_hex);
  }
  return value.size() <= 32 &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace authpp::pages

namespace authpp::pages::detail {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return c - 'A' + 10;
}

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (ascii_lower(s[i]) != prefix[i]) {
      return false;
    }
  }
  return true;
}

// Characters never allowed in a URL we emit: whitespace and controls (browsers strip some of them
// while parsing, which is how `java\tscript:` tricks work), and those that end an attribute or a
// CSP source.
bool is_forbidden_url_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
         c == '\\';
}

// The light palette is the default; the dark one is applied at :root (dark) or inside a
// prefers-color-scheme query (auto). Text colours meet WCAG AA (4.5:1) on their backgrounds.
constexpr std::string_view light_vars =
    "--bg:#f4f5f7;--card:#ffffff;--text:#16181d;--muted:#5a6170;--border:#d9dde4;"
    "--input:#ffffff;--hover:#f2f4f7;--ring:rgba(79,70,229,.35);--danger-bg:#fdf0f0;"
    "--danger-border:#f4c7c7;--danger-text:#a11b1b;--icon-bg:#eef0f4;--shadow:0 1px 2px "
    "rgba(16,24,40,.05),0 12px 32px -8px rgba(16,24,40,.12);color-scheme:light;";

constexpr std::string_view dark_vars =
    "--bg:#0d0f13;--card:#171a20;--text:#eceef2;--muted:#a3aab7;--border:#2d323b;"
    "--input:#0f1216;--hover:#20242c;--ring:rgba(129,140,248,.45);--danger-bg:#2b1416;"
    "--danger-border:#5c2227;--danger-text:#fecaca;--icon-bg:#232731;--shadow:0 1px 2px "
    "rgba(0,0,0,.4),0 12px 32px -8px rgba(0,0,0,.6);color-scheme:dark;";

// The fixed rules. No url(), no @import, no external font: the CSP allows nothing else.
constexpr std::string_view rules =
    "*,*::before,*::after{box-sizing:border-box}"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}"
    "body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;"
    "justify-content:center;padding:48px 16px;background:var(--bg);color:var(--text);"
    "font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",\"Noto Sans\","
    "\"Liberation Sans\",Arial,sans-serif;font-size:15px;line-height:1.5;"
    "-webkit-font-smoothing:antialiased}"
    ".page{width:100%;max-width:400px}"
    ".logo{display:block;max-width:200px;max-height:48px;margin:0 auto 28px}"
    ".card{background:var(--card);border:1px solid var(--border);border-radius:14px;"
    "padding:36px 32px;box-shadow:var(--shadow)}"
    ".center{text-align:center}"
    "h1{margin:0 0 6px;font-size:22px;line-height:1.3;font-weight:650;letter-spacing:-.015em}"
    "h1,.lead,.message{text-wrap:balance}"
    ".lead{margin:0 0 28px;color:var(--muted)}"
    ".message{margin:0 0 28px;color:var(--muted)}"
    ".icon{display:flex;align-items:center;justify-content:center;width:52px;height:52px;"
    "margin:0 auto 20px;border-radius:50%;background:var(--icon-bg);color:var(--text)}"
    ".icon.danger{background:var(--danger-bg);color:var(--danger-text)}"
    "svg{width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2;"
    "stroke-linecap:round;stroke-linejoin:round;flex:none}"
    "form{margin:0}"
    ".provider+.provider{margin-top:12px}"
    ".field{margin:0 0 16px}"
    "label{display:block;margin:0 0 6px;font-size:14px;font-weight:600}"
    "input{display:block;width:100%;min-height:44px;margin:0;padding:10px 12px;"
    "font:inherit;font-size:16px;color:var(--text);background:var(--input);"
    "border:1px solid var(--border);border-radius:8px;"
    "transition:border-color .15s,box-shadow .15s}"
    "input::placeholder{color:var(--muted);opacity:.75}"
    "input:focus{outline:none;border-color:var(--brand);box-shadow:0 0 0 3px var(--ring)}"
    ".button{display:flex;align-items:center;justify-content:center;gap:10px;width:100%;"
    "min-height:44px;margin:0;padding:10px 16px;font:inherit;font-size:16px;font-weight:500;"
    "line-height:1.25;text-align:center;text-decoration:none;color:var(--text);"
    "background:var(--card);border:1px solid var(--border);border-radius:8px;cursor:pointer;"
    "transition:background-color .15s,border-color .15s,filter .15s}"
    ".button:hover{background:var(--hover)}"
    ".button.primary{font-weight:600;color:var(--brand-text);background:var(--brand);"
    "border-color:var(--brand)}"
    ".button.primary:hover{filter:brightness(1.1)}"
    ".button:focus-visible,a:focus-visible{outline:3px solid var(--brand);outline-offset:2px}"
    ".button+.button,form+.button{margin-top:12px}"
    ".divider{display:flex;align-items:center;gap:12px;margin:24px 0;color:var(--muted);"
    "font-size:13px;text-transform:uppercase;letter-spacing:.06em}"
    ".divider::before,.divider::after{content:\"\";flex:1;height:1px;background:var(--border)}"
    ".alert{display:flex;gap:10px;align-items:flex-start;margin:0 0 24px;padding:12px 14px;"
    "font-size:14px;color:var(--danger-text);background:var(--danger-bg);"
    "border:1px solid var(--danger-border);border-radius:8px}"
    ".alert svg{width:20px;height:20px;margin-top:1px}"
    ".alert p{margin:0}"
    // The passkey form's status line stays out of the layout until the script has news.
    "[hidden]{display:none!important}"
    ".hint{margin:20px 0 0;font-size:13px;color:var(--muted)}"
    ".field .hint{margin:6px 0 0}"
    // The account page: sections, lists of passkeys and codes, the enrolment QR code.
    "h2{margin:28px 0 12px;font-size:17px}"
    ".notice{margin:0 0 24px;padding:12px 14px;font-size:14px;border:1px solid var(--border);"
    "border-radius:8px}"
    ".items{list-style:none;margin:0 0 16px;padding:0}"
    ".items li{display:flex;justify-content:space-between;align-items:center;gap:12px;"
    "padding:10px 0;border-top:1px solid var(--border)}"
    ".muted{display:block;font-size:13px;color:var(--muted)}"
    ".button.small{width:auto;min-height:36px;padding:6px 12px;font-size:14px}"
    ".codes{display:grid;grid-template-columns:repeat(auto-fit,minmax(12em,1fr));gap:4px 12px;"
    "margin:0 0 16px;padding-left:20px;font-size:.875em}"
    ".codes li{white-space:nowrap}"
    ".qr{display:flex;justify-content:center;margin:12px 0}"
    ".qr svg{width:200px;height:200px;stroke:none}"
    ".key code{word-break:break-all}"
    ".empty{margin:0;color:var(--muted)}"
    ".footer{margin:24px 0 0;text-align:center;font-size:14px;color:var(--muted)}"
    ".footer a{color:var(--text);font-weight:500;text-underline-offset:3px}"
    ".footer a:hover{color:var(--brand)}"
    // The focus ring follows the brand where color-mix() exists; elsewhere the palette's
    // --ring stays (a var() inside an unsupported function would not fall back by itself).
    "@supports (color:color-mix(in srgb,red,blue)){:root{"
    "--ring:color-mix(in srgb,var(--brand) 35%,transparent)}}"
    "@media (max-width:480px){body{padding:24px 12px}"
    ".card{padding:28px 20px;border-radius:12px}.logo{margin-bottom:24px}}"
    "@media (prefers-reduced-motion:reduce){*{transition:none!important}}";

// Relative luminance (WCAG 2.x) of a validated hex colour; nullopt for a named colour.
std::optional<double> hex_luminance(std::string_view color) {
  if (color.empty() || color[0] != '#') {
    return std::nullopt;
  }
  const std::string_view digits = color.substr(1);
  const bool short_form = digits.size() == 3 || digits.size() == 4;
  std::array<double, 3> rgb{};
  for (std::size_t i = 0; i < 3; ++i) {
    const int v = short_form ? hex_value(digits[i]) * 17
                             : hex_value(digits[2 * i]) * 16 + hex_value(digits[2 * i + 1]);
    const double c = v / 255.0;
    rgb[i] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

// A readable text colour for a brand button: whichever of white and near-black contrasts more.
// Named colours default to white except the common light ones.
std::string_view auto_button_text(std::string_view brand) {
  if (const auto lum = hex_luminance(brand)) {
    // Contrast with white is 1.05 / (L + .05); with #111 (L ~ .0056) it is (L + .05) / .0556.
    return 1.05 / (*lum + 0.05) >= (*lum + 0.05) / 0.0556 ? "#ffffff" : "#111111";
  }
  constexpr std::array<std::string_view, 12> light_named = {
      "white",  "yellow", "ivory", "beige",  "lightyellow", "lightgray",
      "silver", "gold",   "khaki", "orange", "lime",        "aqua"};
  return std::find(light_named.begin(), light_named.end(), brand) != light_named.end() ? "#111111"
                                                                                       : "#ffffff";
}

}  // namespace

std::optional<std::string> url_origin(std::string_view url, bool allow_http) {
  std::string_view scheme;
  if (starts_with_ci(url, "https://")) {
    scheme = "https://";
  } else if (allow_http && starts_with_ci(url, "http://")) {
    scheme = "http://";
  } else {
    return std::nullopt;
  }
  if (url.size() > 2048 || std::any_of(url.begin(), url.end(), is_forbidden_url_char)) {
    return std::nullopt;
  }
  const std::string_view rest = url.substr(scheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // A CSP host-source is host[:port] with an ASCII host; anything else (userinfo, IPv6
  // literals, percent-encoding) is refused rather than guessed at.
  const auto host_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':';
  };
  if (authority.empty() || authority.front() == '.' || authority.front() == ':' ||
      !std::all_of(authority.begin(), authority.end(), host_char)) {
    return std::nullopt;
  }
  const std::size_t colon = authority.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
  }
  std::string origin(scheme);
  for (const char c : authority) {
    origin += ascii_lower(c);
  }
  return origin;
}

bool is_safe_link(std::string_view url) noexcept {
  if (url.empty() || url.size() > 4096 ||
      std::any_of(url.begin(), url.end(), is_forbidden_url_char)) {
    return false;
  }
  // A scheme is whatever precedes the first ':' that comes before any '/', '?' or '#'.
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon > url.find_first_of("/?#")) {
    return true;  // relative reference
  }
  return starts_with_ci(url, "https://") || starts_with_ci(url, "http://");
}

std::string display_host(std::string_view url) {
  if (const auto origin = url_origin(url, true)) {
    return origin->substr(origin->find("://") + 3);
  }
  return {};
}

std::string stylesheet(const theme& t) {
  const std::string_view brand =
      is_css_color(t.brand_color) ? std::string_view(t.brand_color) : std::string_view("#4f46e5");
  const std::string_view brand_text =
      is_css_color(t.button_text) ? std::string_view(t.button_text) : auto_button_text(brand);
  std::string css;
  css.reserve(light_vars.size() + dark_vars.size() + rules.size() + 128);
  css += ":root{--brand:";
  css += brand;
  css += ";--brand-text:";
  css += brand_text;
  css += ';';
  if (t.color_scheme == "dark") {
    css += dark_vars;
    css += '}';
  } else {
    css += light_vars;
    css += '}';
    if (t.color_scheme != "light") {
      css += "@media (prefers-color-scheme:dark){:root{";
      css += dark_vars;
      css += "}}";
    }
  }
  css += rules;
  return css;
}

std::string content_security_policy(std::string_view style, std::string_view img_origin,
                                    std::string_view form_action, std::string_view script) {
  std::string csp = "default-src 'none'; style-src 'sha256-";
  csp += base64::encode(jose::sha256(style));
  csp += "'; ";
  if (!script.empty()) {
    // The passkey script, by its hash, and the fetch of its options from this origin.
    csp += "script-src 'sha256-";
    csp += base64::encode(jose::sha256(script));
    csp += "'; connect-src 'self'; ";
  }
  if (!img_origin.empty()) {
    csp += "img-src ";
    csp += img_origin;
    csp += "; ";
  }
  csp += "form-action 'self'";
  if (!form_action.empty()) {
    csp += ' ';
    csp += form_action;
  }
  csp += "; frame-ancestors 'none'; base-uri 'none'";
  return csp;
}

}  // namespace authpp::pages::detail
