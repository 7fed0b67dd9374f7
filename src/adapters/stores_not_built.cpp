// The stores a build leaves out (AUTHPP_WITH_SQLITE or AUTHPP_WITH_POSTGRES off): their functions
// exist and say so, so that a configuration naming them fails with a clear message.
#include <authpp/adapters/postgres_store.hpp>
#include <authpp/adapters/sqlite_store.hpp>
#include <authpp/features.hpp>

namespace authpp::adapters {

#if !AUTHPP_WITH_SQLITE
namespace {
auth_error sqlite_not_built() {
  return auth_error{errc::not_built, "SQLite: this authpp was built with AUTHPP_WITH_SQLITE=OFF"};
}
}  // namespace

result<std::unique_ptr<adapter>> open_sqlite_store(const sqlite_options&, const random_source&,
                                                   const clock&) {
  return sqlite_not_built();
}
result<int> sqlite_applied_version(const std::string&) { return sqlite_not_built(); }
#endif

#if !AUTHPP_WITH_POSTGRES
namespace {
auth_error postgres_not_built() {
  return auth_error{errc::not_built,
                    "PostgreSQL: this authpp was built with AUTHPP_WITH_POSTGRES=OFF"};
}
}  // namespace

result<std::unique_ptr<adapter>> open_postgres_store(const postgres_options&, const clock&) {
  return postgres_not_built();
}
result<int> postgres_applied_version(const postgres_options&) { return postgres_not_built(); }
std::string postgres_server_name(const std::string&) { return "PostgreSQL (not in this build)"; }
#endif

}  // namespace authpp::adapters
