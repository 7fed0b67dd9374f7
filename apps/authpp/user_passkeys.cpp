// `authpp user passkeys EMAIL [--remove ID]`: an operator's view of a user's passkeys (the
// authenticators the passkey provider stored), and the removal of one that was lost or stolen.
// Public data only: credential ids and times, never the public keys, which identify nothing
// and would only clutter tickets.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"

namespace authpp::cli {
namespace {

struct passkeys_options {
  database_location where;
  std::string email;
  std::optional<std::string> remove;
};

void list(adapters::adapter& store, const adapters::user_record& user) {
  auto passkeys = store.list_authenticators(user.id);
  if (!passkeys) throw failure{passkeys.error().message()};
  std::cout << "email: " << user.email << '\n' << "passkeys: " << passkeys->size() << '\n';
  for (const auto& p : *passkeys) {
    std::cout << "- id: " << p.credential_id << '\n'
              << "  created: " << (p.created_at ? utc(*p.created_at) : "unknown") << '\n'
              << "  last used: " << (p.last_used_at ? utc(*p.last_used_at) : "never") << '\n'
              << "  kind: "
              << (p.credential_device_type == "multiDevice" ? "synced (multi-device)"
                                                            : "single device")
              << (p.credential_backed_up ? ", backed up" : "") << '\n'
              << "  transports: " << p.transports.value_or("unknown") << '\n';
  }
}

void remove(adapters::adapter& store, const server::app_config& config,
            const adapters::user_record& user, const std::string& id) {
  auto found = store.find_authenticator(id);
  if (!found) throw failure{found.error().message()};
  // Only the named user's: an id of another user's passkey is "not found" here, too.
  auto removed = store.delete_authenticator(user.id, id);
  if (!removed) throw failure{removed.error().message()};
  if (!*removed) {
    throw failure{user.email + " has no passkey with id " + id +
                  " (list them with `authpp user passkeys " + user.email + "`)"};
  }
  // Its account link goes with it, so that the store tells the same story as the page.
  if (*found) {
    auto unlinked = store.unlink_account(config.passkey.provider.id, (*found)->provider_account_id);
    if (!unlinked)
      throw failure{"removed the passkey, not its account link: " + unlinked.error().message()};
  }
  std::cout << "removed passkey " << id << " of " << user.email
            << ": it no longer signs in (the authenticator may keep it; the user can delete it "
               "there)\n";
}

}  // namespace

void add_user_passkeys_command(CLI::App& user_command) {
  auto o = std::make_shared<passkeys_options>();
  auto* cmd =
      user_command.add_subcommand("passkeys", "List a user's passkeys, or remove one (--remove)");
  cmd->add_option("email", o->email, "Email address")->required();
  cmd->add_option("--remove", o->remove,
                  "Remove the passkey with this id (as listed), e.g. a lost or stolen one");
  add_database_options(cmd, o->where);
  cmd->callback([o] {
    const std::string email = check_email(o->email);
    if (o->remove && o->remove->empty()) throw failure{"--remove: give a passkey id", 2};
    const server::app_config config = database_config(o->where);
    auto store = open_database(config);
    const adapters::user_record user = existing_user(*store, email);
    if (o->remove) {
      remove(*store, config, user, *o->remove);
    } else {
      list(*store, user);
    }
  });
}

}  // namespace authpp::cli
