#include <authpp/mail/mail.hpp>
#include <authpp/server/email.hpp>

#include <filesystem>
#include <memory>
#include <utility>

namespace authpp::server {

result<std::optional<email_provider>> email_from_settings(const email_settings& settings,
                                                          std::string_view data_dir) {
  if (settings.transport.empty()) return std::optional<email_provider>{};
  std::shared_ptr<mail::sender> sender;
  if (settings.transport == "file") {
    const std::filesystem::path file = settings.file.empty()
                                           ? std::filesystem::path(data_dir) / "mail.jsonl"
                                           : std::filesystem::path(settings.file);
    auto made = mail::file_sender(file);
    if (!made) return made.error();
    sender = std::move(*made);
  } else {
    auto made = mail::smtp_sender({.url = settings.smtp_url,
                                   .from = settings.from,
                                   .username = settings.username,
                                   .password = settings.password,
                                   .allow_plaintext = settings.allow_plaintext,
                                   .ca_file = settings.ca_file});
    if (!made) return made.error();
    sender = std::move(*made);
  }
  email_provider p;
  p.max_age = settings.max_age;
  p.sends_per_hour = settings.sends_per_hour;
  p.send_verification_request = [sender](const verification_request& r) {
    return sender->send({.to = r.identifier, .url = r.url, .expires = r.expires});
  };
  return std::optional<email_provider>(std::move(p));
}

}  // namespace authpp::server
