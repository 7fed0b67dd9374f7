#include <authpp/adapters/sqlite_store.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"

namespace authpp::cli {
namespace {

std::string describe(int version) {
  return "schema version " + std::to_string(version) + " of " +
         std::to_string(adapters::sqlite_schema_version);
}

}  // namespace

// `authpp db status` says whether the database needs migrations, without changing it;
// `authpp db migrate` applies them (authpp serve also does, at start), so an operator can
// migrate before rolling a new release out.
void add_db_command(CLI::App& app) {
  auto* db = app.add_subcommand("db", "Inspect and migrate the built-in SQLite database");
  db->require_subcommand(1);
  auto o = std::make_shared<database_location>();

  auto* status = db->add_subcommand("status", "Print the schema version; change nothing");
  add_database_options(status, *o);
  status->callback([o] {
    const std::string path = database_path(*o);
    if (!std::filesystem::exists(path)) {
      throw failure{path + ": no database here (`authpp db migrate` creates one)"};
    }
    auto version = adapters::sqlite_applied_version(path);
    if (!version) throw failure{path + ": " + version.error().message()};
    if (*version > adapters::sqlite_schema_version) {
      throw failure{path + ": " + describe(*version) + ": written by a newer authpp, which this " +
                    "one cannot open"};
    }
    std::cout << path << ": " << describe(*version);
    const int pending = adapters::sqlite_schema_version - *version;
    if (pending == 0) {
      std::cout << ", up to date\n";
    } else {
      std::cout << ", " << pending << (pending == 1 ? " migration" : " migrations")
                << " to apply: run `authpp db migrate`\n";
    }
  });

  auto* migrate = db->add_subcommand("migrate", "Apply the missing migrations (creates the file)");
  add_database_options(migrate, *o);
  migrate->callback([o] {
    const std::string path = database_path(*o);
    auto before = adapters::sqlite_applied_version(path);
    auto store = adapters::open_sqlite_store({.path = path});
    if (!store) throw failure{path + ": " + store.error().message()};
    const int from = before ? *before : 0;
    if (from == adapters::sqlite_schema_version) {
      std::cout << path << ": " << describe(from) << ", up to date\n";
    } else {
      std::cout << path << ": migrated from schema version " << from << " to "
                << adapters::sqlite_schema_version << '\n';
    }
  });
}

}  // namespace authpp::cli
