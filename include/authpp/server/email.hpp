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

// check_email_settings makes the checks email_from_settings makes, without their side effects
// (`authpp config check`): the SMTP options as smtp_sender validates them (the sender address,
// the CA file, …; no connection is made), and for "file" a directory that exists to hold the
// file (the file itself is not created; the default one goes in the data directory, which serve
// creates). It fails as email_from_settings does.
result<void> check_email_settings(const email_settings& settings);

}  // namespace authpp::server
