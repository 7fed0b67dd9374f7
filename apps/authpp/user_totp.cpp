// `authpp user totp enable|confirm|status|disable EMAIL`: an operator's hands on the TOTP second
// factor that `authpp serve` asks for when [totp] is enabled. The secret is sealed for its user
// under the configured AUTH_SECRET exactly as the engine opens it; codes come on stdin, never as
// arguments, which other users could read in the process list.
#include <authpp/core/clock.hpp>
#include <authpp/mfa/recovery_codes.hpp>
#include <authpp/mfa/sealed_secret.hpp>
#include <authpp/mfa/totp.hpp>
#include <authpp/pages/qr.hpp>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "commands.hpp"

namespace authpp::cli {
namespace {

struct totp_cli_options {
  database_location where;
  std::string email;
  std::optional<std::string> qr_file;
};

// A code is 6 to 8 digits, perhaps with spaces; anything longer is not one.
constexpr std::size_t max_code_bytes = 64;

// target is the configuration `authpp serve` would load, its database and the user named.
struct target {
  server::app_config config;
  std::unique_ptr<adapters::adapter> store;
  adapters::user_record user;
};

target open_target(const totp_cli_options& o, bool needs_secrets) {
  const std::string email = check_email(o.email);
  target t{database_config(o.where), nullptr, {}};
  // Checked before the database is opened: a usage error should change nothing.
  if (needs_secrets && t.config.auth.secrets.empty()) {
    throw failure{
        "no secret: TOTP secrets are sealed under the AUTH_SECRET that authpp serve uses; set "
        "AUTH_SECRET (with serve --dev: the contents of <data_dir>/secret) or auth.secrets in "
        "--config",
        2};
  }
  t.store = open_database(t.config);
  t.user = existing_user(*t.store, email);
  return t;
}

std::optional<adapters::totp_record> enrolment_of(const target& t) {
  auto found = t.store->find_totp(t.user.id);
  if (!found) throw failure{found.error().message()};
  return std::move(*found);
}

// warn_if_off says so when this configuration would not ask for codes, since the operator may
// expect the enrolment to take effect at once.
void warn_if_off(const server::app_config& config) {
  if (config.auth.totp.enabled) return;
  std::cerr << "authpp: note: [totp] enabled is false in this configuration: authpp serve asks "
               "for codes only when it is true\n";
}

// file_for_secrets creates `path` for writing, mode 0600 (a QR code holds the TOTP secret). It
// refuses an existing file rather than widening or reusing what someone else may read.
int file_for_secrets(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw failure{"--qr: cannot create " + path + ": " + std::strerror(errno), 2};
  }
  return fd;
}

void write_all(int fd, const std::string& path, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw failure{"--qr: cannot write " + path + ": " + std::strerror(e)};
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(path.c_str());
    throw failure{"--qr: cannot write " + path + ": " + std::strerror(e)};
  }
}

void write_qr(const std::string& path, const std::string& uri) {
  auto code = pages::encode_qr(uri);
  if (!code) throw failure{"--qr: " + code.error().message()};
  write_all(file_for_secrets(path), path, pages::to_svg(*code, 4, "TOTP enrolment QR code"));
}

template <class T>
T checked(result<T> r) {
  if (!r) throw failure{r.error().message()};
  return std::move(*r);
}

// start_enrolment replaces a pending enrolment of `user_id` by `sealed`, with the recovery codes
// of `hashes`. An enrolment whose codes could not be stored is removed again: the operator is
// told it failed, so it must not be there.
result<void> start_enrolment(adapters::adapter& store, const std::string& user_id,
                             const std::string& sealed, const std::vector<std::string>& hashes) {
  if (auto begun = store.begin_totp(user_id, sealed); !begun) return begun.error();
  if (auto stored = store.set_recovery_codes(user_id, hashes); !stored) {
    (void)store.delete_totp(user_id);
    return stored.error();
  }
  return {};
}

void enable(const totp_cli_options& o) {
  target t = open_target(o, true);
  if (auto existing = enrolment_of(t); existing && existing->confirmed) {
    // Replacing it would leave the user with an unconfirmed factor, so with a password alone.
    throw failure{t.user.email +
                  " has a confirmed TOTP already; remove it first with `authpp user "
                  "totp disable " +
                  t.user.email + "`"};
  }
  const auto& options = t.config.auth.totp;
  const bytes secret = checked(mfa::new_totp_secret());
  const std::string sealed = checked(mfa::seal_secret(secret, t.user.id, t.config.auth.secrets));
  const std::string uri = mfa::otpauth_uri(options.issuer, t.user.email, secret, options.params);
  const mfa::recovery_codes recovery = checked(mfa::new_recovery_codes());
  // The file first: if it cannot be written, nothing was replaced in the database.
  if (o.qr_file) write_qr(*o.qr_file, uri);
  if (auto started = start_enrolment(*t.store, t.user.id, sealed, recovery.hashes); !started) {
    if (o.qr_file) ::unlink(o.qr_file->c_str());  // it holds a secret that was never enrolled
    throw failure{t.user.email + ": " + started.error().message()};
  }
  warn_if_off(t.config);
  std::cout << "TOTP enrolment started for " << t.user.email
            << " (pending: sign-ins ask for no code until `authpp user totp confirm "
            << t.user.email << "` reads a current one)\n"
            << uri << '\n'
            << "key: " << mfa::base32(secret) << "  (for typing into the app instead of the QR)\n"
            << "recovery codes (each works once instead of a code; shown only now):\n";
  for (const std::string& c : recovery.codes) std::cout << c << '\n';
  std::cout << std::flush;
}

// read_code reads a TOTP code as the first line of stdin.
std::string read_code() {
  if (::isatty(STDIN_FILENO) != 0) std::cerr << "TOTP code: " << std::flush;
  std::string code = read_secret_line("TOTP code", max_code_bytes);
  if (code.empty())
    throw failure{"no code: write the app's current code as the first line of stdin", 2};
  return code;
}

void confirm(const totp_cli_options& o) {
  target t = open_target(o, true);
  const std::string code = read_code();
  const auto enrolment = enrolment_of(t);
  if (!enrolment)
    throw failure{t.user.email + " has no TOTP; start with `authpp user totp enable`"};
  if (enrolment->confirmed) throw failure{t.user.email + "'s TOTP is confirmed already"};
  auto secret = mfa::open_secret(enrolment->sealed_secret, t.user.id, t.config.auth.secrets);
  if (!secret) {
    throw failure{t.user.email +
                  "'s TOTP secret cannot be opened with the configured AUTH_SECRET (" +
                  secret.error().message() + ")"};
  }
  const auto step = mfa::verify_totp(*secret, code, default_clock().now(),
                                     t.config.auth.totp.params, enrolment->last_used_step);
  if (!step) {
    throw failure{
        "the code was not accepted: check the app's clock and that [totp] matches the "
        "parameters the app was given"};
  }
  if (!checked(t.store->use_totp_step(t.user.id, *step, true))) {
    throw failure{"the code was used already; wait for the next one"};
  }
  warn_if_off(t.config);
  std::cout << "TOTP confirmed for " << t.user.email << ": sign-ins now need a code\n";
}

void status(const totp_cli_options& o) {
  const target t = open_target(o, false);
  const auto enrolment = enrolment_of(t);
  std::cout << "email: " << t.user.email << '\n';
  if (!enrolment) {
    std::cout << "totp: none\n";
    return;
  }
  const auto hashes = checked(t.store->recovery_code_hashes(t.user.id));
  // Never the sealed secret: status output ends up in tickets and logs.
  std::cout << "totp: " << (enrolment->confirmed ? "confirmed" : "pending (not confirmed)") << '\n'
            << "created: " << utc(enrolment->created_at) << '\n'
            << "recovery codes left: " << hashes.size() << '\n';
}

void disable(const totp_cli_options& o) {
  const target t = open_target(o, false);
  if (!checked(t.store->delete_totp(t.user.id))) throw failure{t.user.email + " has no TOTP"};
  std::cout << "removed the TOTP and recovery codes of " << t.user.email
            << ": sign-ins need the password alone\n";
}

CLI::App* add_email_command(CLI::App& totp, const std::string& name, const std::string& help,
                            totp_cli_options& o) {
  auto* cmd = totp.add_subcommand(name, help);
  cmd->add_option("email", o.email, "Email address")->required();
  add_database_options(cmd, o.where);
  return cmd;
}

}  // namespace

void add_user_totp_command(CLI::App& user) {
  auto* totp = user.add_subcommand("totp", "Manage a user's TOTP second factor");
  totp->require_subcommand(1);
  totp->footer(
      "The secret is sealed under the first of the secrets authpp serve uses (AUTH_SECRET_3..1,\n"
      "AUTH_SECRET, or auth.secrets in --config): enable and confirm need them. Sign-ins ask for\n"
      "a code once the enrolment is confirmed and [totp] enabled = true.");
  auto o = std::make_shared<totp_cli_options>();

  auto* enable_cmd = add_email_command(
      *totp, "enable",
      "Start a TOTP enrolment (pending until confirmed): print the otpauth:// URI and ten "
      "recovery codes",
      *o);
  enable_cmd->add_option("--qr", o->qr_file,
                         "Also write the URI as a QR code (SVG) to this new file, mode 0600");
  enable_cmd->callback([o] { enable(*o); });

  auto* confirm_cmd = add_email_command(
      *totp, "confirm", "Confirm an enrolment with the app's current code, read from stdin", *o);
  confirm_cmd->callback([o] { confirm(*o); });

  auto* status_cmd = add_email_command(
      *totp, "status", "Show whether a user has TOTP, confirmed or pending, never the secret", *o);
  status_cmd->callback([o] { status(*o); });

  auto* disable_cmd = add_email_command(
      *totp, "disable", "Remove a user's TOTP and recovery codes (a lost device)", *o);
  disable_cmd->callback([o] { disable(*o); });
}

}  // namespace authpp::cli
