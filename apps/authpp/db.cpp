#include <authpp/adapters/adapter.hpp>
#include <authpp/server/store.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"

namespace authpp::cli {
namespace {

std::string describe(int version, int known) {
  return "schema version " + std::to_string(version) + " of " + std::to_string(known);
}

// require_existing refuses a SQLite path with no file: a typo must not look like an empty
// database (nor create one).
void require_existing(const server::app_config& config, const std::string& name) {
  if (!server::uses_postgres(config) && !std::filesystem::exists(config.storage.database)) {
    throw failure{name + ": no database here (`authpp db migrate` creates one)"};
  }
}

}  // namespace

// `authpp db status` says whether the database needs migrations, without changing it;
// `authpp db migrate` applies them (authpp serve also does, at start), so an operator can
// migrate before rolling a new release out. `authpp db purge` deletes expired sessions and
// verification tokens, as serve does every storage.purge_interval, for a cron job when that is
// off.
void add_db_command(CLI::App& app) {
  auto* db = app.add_subcommand("db", "Inspect and migrate the database (SQLite or PostgreSQL)");
  db->require_subcommand(1);
  auto o = std::make_shared<database_location>();

  auto* status = db->add_subcommand("status", "Print the schema version; change nothing");
  add_database_options(status, *o);
  status->callback([o] {
    const server::app_config config = database_config(*o);
    const std::string name = server::store_name(config);
    require_existing(config, name);
    auto v = server::store_schema_versions(config);
    if (!v) throw failure{name + ": " + v.error().message()};
    if (v->applied > v->known) {
      throw failure{name + ": " + describe(v->applied, v->known) +
                    ": written by a newer authpp, which this one cannot open"};
    }
    std::cout << name << ": " << describe(v->applied, v->known);
    const int pending = v->known - v->applied;
    if (pending == 0) {
      std::cout << ", up to date\n";
    } else {
      std::cout << ", " << pending << (pending == 1 ? " migration" : " migrations")
                << " to apply: run `authpp db migrate`\n";
    }
  });

  auto* migrate =
      db->add_subcommand("migrate", "Apply the missing migrations (creates a missing SQLite file)");
  add_database_options(migrate, *o);
  migrate->callback([o] {
    const server::app_config config = database_config(*o);
    const std::string name = server::store_name(config);
    // Read before: opening migrates to the newest version this build knows, or fails.
    auto before = server::store_schema_versions(config);
    const int from = before ? before->applied : 0;
    (void)open_database(config);
    const int to = server::newest_schema_version(config);
    if (from == to) {
      std::cout << name << ": " << describe(from, to) << ", up to date\n";
    } else {
      std::cout << name << ": migrated from schema version " << from << " to " << to << '\n';
    }
  });

  auto* purge = db->add_subcommand("purge", "Delete expired sessions and verification tokens");
  add_database_options(purge, *o);
  purge->callback([o] {
    const server::app_config config = database_config(*o);
    const std::string name = server::store_name(config);
    require_existing(config, name);
    auto store = open_database(config);
    auto done = adapters::purge_expired(*store, std::chrono::system_clock::now());
    if (!done) throw failure{name + ": " + done.error().message()};
    std::cout << name << ": deleted " << done->sessions << " expired sessions and "
              << done->verification_tokens << " expired verification tokens\n";
  });
}

}  // namespace authpp::cli
