#include <authpp/mail/mail.hpp>
#include <authpp/server/email.hpp>

#include <filesystem>
#include <memory>
#include <utility>

namespace authpp::server {

namespace {

std::filesystem::path mail_file(const email_settings& settings, std::string_view data_dir) {
  return settings.file.empty() ? std::filesystem::path(data_dir) / "mail.jsonl"
                               : std::filesystem::path(settings.file);
}

mail::smtp_options smtp_options_of(const email_settings& settings) {
  return {.url = settings.smtp_url,
          .from = settings.from,
          .username = settings.username,
          .password = settings.password,
          .allow_plaintext = settings.allow_plaintext,
          .ca_file = settings.ca_file};
}

}  // namespace

result<void> check_email_settings(const email_settings& settings) {
  if (settings.transport.empty()) return {};
  if (settings.transport == "file") {
    // The data directory is created by serve; a file named elsewhere needs its directory.
    if (settings.file.empty()) return {};
    const auto dir = std::filesystem::absolute(settings.file).parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return auth_error{errc::invalid_config,
                        "email.file: directory " + dir.string() + " does not exist"};
    }
    return {};
  }
  auto made = mail::smtp_sender(smtp_options_of(settings));
  if (!made) return made.error();
  return {};
}

result<std::optional<email_provider>> email_from_settings(const email_settings& settings,
                                                          std::string_view data_dir) {
  if (settings.transport.empty()) return std::optional<email_provider>{};
  std::shared_ptr<mail::sender> sender;
  if (settings.transport == "file") {
    auto made = mail::file_sender(mail_file(settings, data_dir));
    if (!made) return made.error();
    sender = std::move(*made);
  } else {
    auto made = mail::smtp_sender(smtp_options_of(settings));
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
