#pragma once

#include <authpp/auth/provider.hpp>
#include <authpp/core/result.hpp>
#include <authpp/server/config.hpp>

#include <optional>
#include <string_view>

// The `email` provider of `authpp serve`: [email] turned into the engine's provider, its links
// delivered by the mail module (SMTP, or a file in development).
namespace authpp::server {

// email_from_settings builds the provider `settings` describe, or nullopt when [email] names no
// transport. A "file" transport without a file writes <data_dir>/mail.jsonl. It fails with
// errc::invalid_config naming the field (email.smtp_url, email.from, …).
result<std::optional<email_provider>> email_from_settings(const email_settings& settings,
                                                          std::string_view data_dir);

}  // namespace authpp::server
