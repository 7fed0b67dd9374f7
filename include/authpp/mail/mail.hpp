#pragma once

#include <authpp/core/result.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

// Delivery of e-mail sign-in links (magic links): the default Auth.js sign-in mail
// (server-flows.md §8.1), sent over SMTP with libcurl, or appended to a file for development.
namespace authpp::mail {

// message is one e-mail. Every member of these structs has an initialiser, so designated
// initialisers may name any subset.
struct message {
  std::string from{};     // "Name <addr@host>" or "addr@host"
  std::string to{};       // one address
  std::string subject{};  // UTF-8
  std::string text{};     // text/plain body (UTF-8)
  std::string html{};     // text/html alternative (UTF-8); empty: text only
};

// sign_in_link is what an e-mail sign-in sends: to whom, the link, and until when it works.
struct sign_in_link {
  std::string to{};
  std::string url{};
  std::chrono::system_clock::time_point expires{};
};

// default_brand_color is Auth.js's default theme colour, the sign-in button's background.
inline constexpr std::string_view default_brand_color = "#346df1";

// sign_in_message composes the default sign-in mail for `link`, as Auth.js's: subject
// "Sign in to {host}" and text "Sign in to {host}\n{url}\n\n", where host is the link URL's host
// with its port (WHATWG `URL.host`; empty when `url` is not an absolute http(s) URL), and an HTML
// body with one "Sign in" button linking to `url`. Every value is HTML-escaped in the HTML, and
// the host gets zero-width spaces before its dots so that mail clients do not turn it into a
// link. `brand_color` must be a CSS hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa) or a colour
// keyword (letters only); anything else is replaced by default_brand_color, as it lands in a
// style attribute. It does not check `from` or `to`: the senders do.
message sign_in_message(const sign_in_link& link, std::string_view from,
                        std::string_view brand_color = default_brand_color);

// sender delivers sign-in links. send blocks (network, disk): call it where blocking is allowed.
// Thread-safe.
class sender {
 public:
  virtual ~sender() = default;
  // send delivers sign_in_message(link, …). Every sender fails with
  //   errc::malformed_input if `link.to` is not a single addr-spec (local@domain, ASCII, no
  //                         display name, comma, angle bracket, CR or LF),
  //   errc::invalid_url     unless `link.url` is an absolute http(s) URL,
  // and then with the failures its factory lists.
  [[nodiscard]] virtual result<void> send(const sign_in_link& link) = 0;
};

// smtp_options configures smtp_sender.
struct smtp_options {
  std::string url{};   // smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS from
                       // the start); ports default to 25 and 465
  std::string from{};  // envelope and header sender
  std::string username{}, password{};  // AUTH when username is set
  // smtp:// requires STARTTLS unless the host is a loopback address (127.0.0.0/8, ::1,
  // "localhost", written as such: names are not resolved for this): a relay on the same machine
  // needs no TLS, though STARTTLS is still used when offered (and its certificate must then
  // verify); anything else must not get credentials or links in clear text.
  bool allow_plaintext = false;  // explicit opt-out, for a trusted network
  std::string ca_file{};         // extra CA bundle (tests use a self-signed CA); empty: system
  std::chrono::milliseconds connect_timeout{10'000}, total_timeout{30'000};
};

// smtp_sender sends sign_in_message through libcurl's SMTP, one connection per message. Options
// are validated here; it fails with errc::invalid_config naming the field as [email] in the
// configuration does ("email.smtp_url", "email.from", …) when the URL is not smtp:// or smtps://
// with a host (and no userinfo, path, query or fragment), `from` is not "addr" or "Name <addr>", a
// password comes without a username, `ca_file` cannot be read, or a timeout is not positive. Its
// send fails, besides the checks every sender makes, with
//   errc::dns_failure       if the host name does not resolve,
//   errc::connect_failure   if no TCP connection could be made,
//   errc::tls_failure       if TLS fails, or the server does not offer STARTTLS when required,
//   errc::timed_out         if connect_timeout or total_timeout elapses,
//   errc::mail_auth_failed  if the server refuses the username and password,
//   errc::mail_rejected     if the server refuses the sender, the recipient or the message,
//   errc::transport_failure for any other failure of the exchange.
// Error details name host:port and the server's reply, never the password or the link.
result<std::unique_ptr<sender>> smtp_sender(smtp_options options);

// file_sender appends one JSON line per link to `path` (created 0600 if missing):
// {"to":…,"url":…,"expires":"<ISO-8601 UTC with ms>","subject":…}. For development: links land
// where a developer can read them. Lines are written whole (one write, O_APPEND) so concurrent
// senders never interleave. It fails with errc::invalid_config if the file cannot be opened for
// appending; its send fails, besides the checks every sender makes, with
// errc::storage_unavailable if the line cannot be written whole.
result<std::unique_ptr<sender>> file_sender(std::filesystem::path path);

}  // namespace authpp::mail
