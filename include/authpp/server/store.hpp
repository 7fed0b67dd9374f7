#pragma once

#include <authpp/adapters/adapter.hpp>
#include <authpp/core/result.hpp>
#include <authpp/server/config.hpp>

#include <memory>
#include <string>

// The one place that turns configuration into a store, for `authpp serve` and the commands that
// manage its database: PostgreSQL when `[database] url` (or DATABASE_URL) is set, else the
// embedded SQLite file `storage.database`.
namespace authpp::server {

// uses_postgres tells whether the configuration names a PostgreSQL database.
[[nodiscard]] bool uses_postgres(const app_config& config);

// store_name is what messages call the database: the SQLite path, or `host:port/database` (never
// the url, which may hold a password).
[[nodiscard]] std::string store_name(const app_config& config);

// open_store opens the configured database, applying its missing migrations, with the errors of
// open_sqlite_store or open_postgres_store.
[[nodiscard]] result<std::unique_ptr<adapters::adapter>> open_store(const app_config& config);

// newest_schema_version is the newest schema version this build knows for the configured kind
// of database.
[[nodiscard]] int newest_schema_version(const app_config& config);

// store_schema_versions reads the applied and the newest known schema version of the configured
// database without changing it. The applied version is 0 for a database authpp never migrated.
struct schema_versions {
  int applied = 0;
  int known = 0;
};
[[nodiscard]] result<schema_versions> store_schema_versions(const app_config& config);

}  // namespace authpp::server
