#include "demo_page.hpp"

#include <authpp/core/base64url.hpp>
#include <authpp/http/html.hpp>
#include <authpp/http/uri_component.hpp>
#include <authpp/jose/digest.hpp>

namespace authpp::server {
namespace {

constexpr std::string_view style = R"(
:root{color-scheme:light dark;--fg:#111827;--muted:#6b7280;--bg:#f3f4f6;--card:#fff;--line:#e5e7eb;--brand:#4f46e5}
@media (prefers-color-scheme:dark){:root{--fg:#f3f4f6;--muted:#9ca3af;--bg:#111827;--card:#1f2937;--line:#374151;--brand:#818cf8}}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:24px}
main{background:var(--card);border:1px solid var(--line);border-radius:16px;padding:32px;max-width:440px;width:100%;box-shadow:0 10px 30px rgba(0,0,0,.06)}
h1{font-size:1.4rem;margin:0 0 4px}p{margin:0 0 16px;color:var(--muted)}
.who{display:flex;gap:12px;align-items:center;padding:12px;border:1px solid var(--line);border-radius:12px;margin:16px 0}
.avatar{width:40px;height:40px;border-radius:50%;background:var(--brand);color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700}
.name{font-weight:600}.email{color:var(--muted);font-size:.9rem}
a.button{display:block;text-align:center;background:var(--brand);color:#fff;text-decoration:none;padding:12px;border-radius:10px;font-weight:600}
a.button:focus-visible{outline:3px solid var(--fg);outline-offset:2px}
footer{margin-top:16px;font-size:.85rem;color:var(--muted);text-align:center}footer a{color:inherit}
)";

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

const std::string& demo_page_csp() {
  static const std::string csp = [] {
    return "default-src 'none'; style-src 'sha256-" + base64::encode(jose::sha256(style)) +
           "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  }();
  return csp;
}

std::string render_demo_page(const json& session, std::string_view base_path) {
  const std::string bp = http::escape_html(base_path);
  std::string body;
  if (session.is_object() && session.contains("user")) {
    const json& user = session["user"];
    const std::string name = string_field(user, "name");
    const std::string email = string_field(user, "email");
    const std::string shown = name.empty() ? email : name;
    const std::string initial = shown.empty() ? "?" : shown.substr(0, 1);
    body =
        "<h1>You are signed in</h1><p>This session is an Auth.js-compatible JWT cookie.</p>"
        "<div class=\"who\"><div class=\"avatar\" aria-hidden=\"true\">" +
        http::escape_html(initial) + "</div><div><div class=\"name\">" + http::escape_html(shown) +
        "</div><div class=\"email\">" + http::escape_html(email) +
        "</div></div></div>"
        "<a class=\"button\" href=\"" +
        bp + "/signout\">Sign out</a>";
  } else {
    body =
        "<h1>Welcome to authpp</h1><p>You are not signed in.</p>"
        "<a class=\"button\" href=\"" +
        bp + "/signin?callbackUrl=" + http::escape_html(http::encode_uri_component("/")) +
        "\">Sign in</a>";
  }
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>authpp</title><style>" +
         std::string(style) + "</style></head><body><main>" + body + "<footer>See <a href=\"" + bp +
         "/session\">" + bp + "/session</a> for the raw session.</footer></main></body></html>";
}

}  // namespace authpp::server
