#include <authpp/adapters/password.hpp>
#include <authpp/adapters/user_store.hpp>
#include <authpp/server/config.hpp>
#include <authpp/server/store.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <termios.h>
#include <unistd.h>

#include "commands.hpp"

namespace authpp::cli {

void add_database_options(CLI::App* cmd, database_location& where) {
  cmd->add_option("--config", where.config, "TOML configuration file (for its database)");
  cmd->add_option("--database", where.database,
                  "SQLite database file (default: storage.database, ./var/authpp.db), or a "
                  "postgresql:// url (default: [database] url, DATABASE_URL)");
}

server::app_config database_config(const database_location& where) {
  server::load_options load;
  load.database = where.database;
  load.require_secret = false;
  auto config = server::load_config(where.config, server::current_environment(), load);
  if (!config) throw failure{config.error().detail, 2};
  return std::move(*config);
}

std::unique_ptr<adapters::adapter> open_database(const server::app_config& config) {
  auto store = server::open_store(config);
  if (!store) throw failure{server::store_name(config) + ": " + store.error().message()};
  return std::move(*store);
}

// check_email refuses what cannot be an address before touching the database.
std::string check_email(const std::string& email) {
  const std::string e = adapters::normalize_email(email);
  const auto at = e.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == e.size()) {
    throw failure{"'" + email + "' is not an email address", 2};
  }
  return e;
}

std::string utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf.data(), n);
}

adapters::user_record existing_user(adapters::adapter& store, const std::string& email) {
  auto user = store.find_by_email(email);
  if (!user) throw failure{user.error().message()};
  if (!*user) throw failure{"no user with email " + email};
  return std::move(**user);
}

namespace {

struct user_options {
  database_location where;
  std::string email;
  std::optional<std::string> name;
  std::optional<std::string> username;
};

std::unique_ptr<adapters::adapter> open_store(const user_options& o) {
  return open_database(database_config(o.where));
}

// echo_off hides what is typed while it lives, when stdin is a terminal.
class echo_off {
 public:
  echo_off() {
    if (::isatty(STDIN_FILENO) == 0 || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  echo_off(const echo_off&) = delete;
  echo_off& operator=(const echo_off&) = delete;
  ~echo_off() {
    if (!active_) return;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    std::cerr << '\n';
  }

 private:
  termios saved_{};
  bool active_ = false;
};

// read_password reads the first line of stdin (scripts pipe it in; a terminal gets a prompt
// without echo). The bound is checked while reading, so a huge input is never buffered.
std::string read_password() {
  if (::isatty(STDIN_FILENO) != 0) std::cerr << "Password: " << std::flush;
  const echo_off quiet;
  std::string line;
  char c = 0;
  while (std::cin.get(c) && c != '\n') {
    line += c;
    if (line.size() > adapters::max_password_size + 1) break;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > adapters::max_password_size) {
    throw failure{"password exceeds " + std::to_string(adapters::max_password_size) + " bytes", 2};
  }
  if (line.empty()) throw failure{"no password: write it as the first line of stdin", 2};
  return line;
}

std::string hash(const std::string& password) {
  auto h = adapters::hash_password(password);
  if (!h) throw failure{h.error().message()};
  return std::move(*h);
}

// printable replaces control characters, so that a stored name cannot drive the terminal.
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

void add(const user_options& o) {
  const std::string email = check_email(o.email);
  if (o.username && o.username->empty()) throw failure{"--username must not be empty", 2};
  const std::string password = read_password();
  const std::string encoded = hash(password);
  auto store = open_store(o);
  adapters::new_user u;
  u.email = email;
  u.name = o.name;
  u.username = o.username;
  auto added = store->add_user(u, encoded);
  if (!added) {
    // The store's detail says which of email and username is taken.
    if (added.error().code == errc::already_exists) throw failure{added.error().detail};
    throw failure{email + ": " + added.error().message()};
  }
  // Printed only after the insert committed: a script may rely on "added" meaning stored.
  std::cout << "added " << added->email << " (id " << added->id << ")" << std::endl;
}

void list(const user_options& o) {
  auto store = open_store(o);
  auto users = store->list_users();
  if (!users) throw failure{users.error().message()};
  std::vector<std::array<std::string, 5>> rows;
  rows.push_back({"EMAIL", "USERNAME", "NAME", "STATUS", "CREATED"});
  for (const auto& u : *users) {
    rows.push_back({printable(u.email), printable(u.username.value_or("-")),
                    printable(u.name.value_or("-")), u.disabled ? "disabled" : "active",
                    utc(u.created_at)});
  }
  std::array<std::size_t, 5> width{};
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

// end_sessions ends every session of `user_id`: it deletes the database sessions, and bumps the
// user's session version, which ends the JWT sessions at their next read (within `bound`, the
// configured auth.jwt_revocation_bound). It says how many database sessions ended and when the
// JWT ones do.
std::string end_sessions(adapters::adapter& store, const std::string& user_id,
                         std::optional<std::chrono::seconds> bound) {
  auto ended = store.delete_user_sessions(user_id);
  if (!ended) throw failure{ended.error().message()};
  if (auto bumped = store.bump_session_version(user_id); !bumped) {
    throw failure{bumped.error().message()};
  }
  const std::string jwt =
      !bound
          ? "JWT sessions are not checked (auth.jwt_revocation_bound = false)"
          : "JWT sessions end at their next read within " + std::to_string(bound->count()) + " s";
  return " (" + std::to_string(*ended) +
         (*ended == 1 ? " database session" : " database sessions") + " ended; " + jwt + ")";
}

void set_disabled(const user_options& o, bool disabled) {
  const std::string email = check_email(o.email);
  const server::app_config config = database_config(o.where);
  auto store = open_database(config);
  const adapters::user_record user = existing_user(*store, email);
  if (auto r = store->set_disabled(email, disabled); !r) throw failure{r.error().message()};
  const std::string ended =
      disabled ? end_sessions(*store, user.id, config.auth.session.jwt_revocation_bound)
               : std::string();
  std::cout << (disabled ? "disabled " : "enabled ") << email << ended << '\n';
}

void passwd(const user_options& o) {
  const std::string email = check_email(o.email);
  const server::app_config config = database_config(o.where);
  auto store = open_database(config);
  const adapters::user_record user = existing_user(*store, email);
  const std::string encoded = hash(read_password());
  auto r = store->set_password(user.id, encoded);
  if (!r) throw failure{r.error().message()};
  // Whoever knew the old password may be signed in: a new password ends every session.
  const std::string ended = end_sessions(*store, user.id, config.auth.session.jwt_revocation_bound);
  std::cout << "password changed for " << email << ended << '\n';
}

// remove deletes a user with their password, linked accounts and database sessions; their JWT
// sessions end at the next check. Irreversible, so it wants --yes.
void remove(const user_options& o, bool yes) {
  const std::string email = check_email(o.email);
  if (!yes) {
    throw failure{
        "deleting " + email + " cannot be undone (their accounts and sessions go too): add --yes",
        2};
  }
  auto store = open_store(o);
  const adapters::user_record user = existing_user(*store, email);
  auto accounts = store->accounts_of(user.id);
  if (!accounts) throw failure{accounts.error().message()};
  auto deleted = store->delete_user(user.id);
  if (!deleted) throw failure{deleted.error().message()};
  if (!*deleted) throw failure{"no user with email " + email};
  const std::size_t n = accounts->size();
  std::cout << "deleted " << email << " (" << n << (n == 1 ? " linked account" : " linked accounts")
            << " and every session with them)\n";
}

void revoke(const user_options& o) {
  const std::string email = check_email(o.email);
  const server::app_config config = database_config(o.where);
  auto store = open_database(config);
  // Computed first: nothing is printed unless it worked.
  const std::string ended = end_sessions(*store, existing_user(*store, email).id,
                                         config.auth.session.jwt_revocation_bound);
  std::cout << "signed out " << email << ended << '\n';
}

}  // namespace

// `authpp user add|list|disable|enable|passwd|delete|totp|passkeys` manages the accounts of the
// built-in credentials provider in the database of `authpp serve` (SQLite or PostgreSQL). Passwords
// come on stdin, never as arguments, which other users could read in the process list.
void add_user_command(CLI::App& app) {
  auto* user = app.add_subcommand("user", "Manage the users of authpp serve's database");
  user->require_subcommand(1);
  auto o = std::make_shared<user_options>();

  auto* add_cmd = user->add_subcommand("add", "Add a user; the password is read from stdin");
  add_cmd->add_option("email", o->email, "Email address")->required();
  add_cmd->add_option("--name", o->name, "Display name");
  add_cmd->add_option("--username", o->username, "Username (an alternative to the email)");
  add_database_options(add_cmd, o->where);
  add_cmd->callback([o] { add(*o); });

  auto* list_cmd = user->add_subcommand("list", "List users");
  add_database_options(list_cmd, o->where);
  list_cmd->callback([o] { list(*o); });

  auto* disable_cmd = user->add_subcommand("disable", "Refuse sign-in to a user");
  disable_cmd->add_option("email", o->email, "Email address")->required();
  add_database_options(disable_cmd, o->where);
  disable_cmd->callback([o] { set_disabled(*o, true); });

  auto* enable_cmd = user->add_subcommand("enable", "Allow sign-in to a disabled user");
  enable_cmd->add_option("email", o->email, "Email address")->required();
  add_database_options(enable_cmd, o->where);
  enable_cmd->callback([o] { set_disabled(*o, false); });

  auto* passwd_cmd =
      user->add_subcommand("passwd", "Set a user's password; the new one is read from stdin");
  passwd_cmd->add_option("email", o->email, "Email address")->required();
  add_database_options(passwd_cmd, o->where);
  passwd_cmd->callback([o] { passwd(*o); });

  auto yes = std::make_shared<bool>(false);
  auto* delete_cmd = user->add_subcommand(
      "delete", "Delete a user with their password, linked accounts and sessions");
  delete_cmd->add_option("email", o->email, "Email address")->required();
  delete_cmd->add_flag("--yes", *yes, "Confirm: deleting cannot be undone");
  add_database_options(delete_cmd, o->where);
  delete_cmd->callback([o, yes] { remove(*o, *yes); });

  add_user_totp_command(*user);
  add_user_passkeys_command(*user);
}

void add_session_revoke_command(CLI::App& session) {
  auto o = std::make_shared<user_options>();
  auto* cmd = session.add_subcommand(
      "revoke", "End every database session of a user (they must sign in again)");
  cmd->add_option("email", o->email, "Email address")->required();
  add_database_options(cmd, o->where);
  cmd->callback([o] { revoke(*o); });
}

}  // namespace authpp::cli
