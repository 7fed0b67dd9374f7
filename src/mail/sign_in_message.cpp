#include <authpp/http/html.hpp>
#include <authpp/http/url.hpp>
#include <authpp/mail/mail.hpp>

#include <algorithm>

// The default sign-in mail of Auth.js (server-flows.md §8.1): the same subject and text, and an
// HTML body with one button. Written for authpp; the layout is a table because mail clients
// ignore most CSS.
namespace authpp::mail {
namespace {

bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The colour goes into style attributes, where escaping alone would still let "red;
// background:url(…)" add CSS of its own. So only a hex colour or a keyword passes.
std::string_view safe_color(std::string_view color) noexcept {
  if (color.size() > 1 && color.front() == '#') {
    const std::string_view digits = color.substr(1);
    const std::size_t n = digits.size();
    if ((n == 3 || n == 4 || n == 6 || n == 8) &&
        std::all_of(digits.begin(), digits.end(), is_hex_digit)) {
      return color;
    }
  } else if (!color.empty() && color.size() <= 32 &&
             std::all_of(color.begin(), color.end(), is_letter)) {
    return color;
  }
  return default_brand_color;
}

// host_of is WHATWG's URL.host: the host and a non-default port.
std::string host_of(std::string_view url) {
  auto parts = http::parse_absolute_url(url);
  if (!parts) return {};
  std::string host = parts->host;
  if (parts->port) host += ":" + std::to_string(*parts->port);
  return host;
}

// A zero-width space before each dot keeps mail clients from linking the host name.
std::string unlinkable(std::string_view escaped_host) {
  std::string out;
  for (char c : escaped_host) {
    if (c == '.') out += "&#8203;";
    out += c;
  }
  return out;
}

std::string html_body(std::string_view host, std::string_view url, std::string_view color) {
  const std::string h = http::escape_html(host);
  const std::string u = http::escape_html(url);
  const std::string c(color);
  const std::string font = "font-family:Helvetica,Arial,sans-serif;";
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Sign in to " + h + "</title>\n</head>\n";
  out += "<body style=\"margin:0;padding:20px 0;background:#f9f9f9;\">\n";
  out +=
      "<table role=\"presentation\" width=\"100%\" border=\"0\" cellspacing=\"0\" "
      "cellpadding=\"0\" style=\"max-width:600px;margin:auto;background:#fff;"
      "border-radius:10px;\">\n";
  out += "<tr><td align=\"center\" style=\"padding:20px 10px 10px;font-size:22px;color:#444;" +
         font + "\">Sign in to <strong>" + unlinkable(h) + "</strong></td></tr>\n";
  out += "<tr><td align=\"center\" style=\"padding:20px 0;\">\n";
  out += "<table role=\"presentation\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\"><tr>";
  out += "<td align=\"center\" style=\"border-radius:5px;background:" + c + ";\">";
  out += "<a href=\"" + u + "\" target=\"_blank\" style=\"display:inline-block;padding:10px 20px;" +
         "border:1px solid " + c + ";border-radius:5px;color:#fff;font-size:18px;" +
         "font-weight:bold;text-decoration:none;" + font + "\">Sign in</a>";
  out += "</td></tr></table>\n</td></tr>\n";
  out +=
      "<tr><td align=\"center\" style=\"padding:0 10px 20px;font-size:16px;line-height:22px;"
      "color:#444;" +
      font + "\">If you did not request this email you can safely ignore it.</td></tr>\n";
  out += "</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace

message sign_in_message(const sign_in_link& link, std::string_view from,
                        std::string_view brand_color) {
  const std::string host = host_of(link.url);
  message m;
  m.from = std::string(from);
  m.to = link.to;
  m.subject = "Sign in to " + host;
  m.text = "Sign in to " + host + "\n" + link.url + "\n\n";
  m.html = html_body(host, link.url, safe_color(brand_color));
  return m;
}

}  // namespace authpp::mail
