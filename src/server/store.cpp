#include <authpp/adapters/postgres_store.hpp>
#include <authpp/adapters/sqlite_store.hpp>
#include <authpp/server/store.hpp>

namespace authpp::server {
namespace {

adapters::postgres_options postgres(const app_config& config) {
  const database_options& d = config.database;
  return {.url = d.url,
          .pool_size = d.pool_size,
          .pool_wait = d.pool_wait,
          .statement_timeout = d.statement_timeout,
          .connect_timeout = d.connect_timeout};
}

}  // namespace

bool uses_postgres(const app_config& config) { return !config.database.url.empty(); }

std::string store_name(const app_config& config) {
  return uses_postgres(config) ? adapters::postgres_server_name(config.database.url)
                               : config.storage.database;
}

result<std::unique_ptr<adapters::adapter>> open_store(const app_config& config) {
  if (uses_postgres(config)) return adapters::open_postgres_store(postgres(config));
  return adapters::open_sqlite_store({.path = config.storage.database});
}

int newest_schema_version(const app_config& config) {
  return uses_postgres(config) ? adapters::postgres_schema_version
                               : adapters::sqlite_schema_version;
}

result<schema_versions> store_schema_versions(const app_config& config) {
  auto v = uses_postgres(config) ? adapters::postgres_applied_version(postgres(config))
                                 : adapters::sqlite_applied_version(config.storage.database);
  if (!v) return v.error();
  return schema_versions{*v, newest_schema_version(config)};
}

}  // namespace authpp::server
