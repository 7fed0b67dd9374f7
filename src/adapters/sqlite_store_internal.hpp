#pragma once

#include <authpp/adapters/user_store.hpp>
#include <authpp/core/result.hpp>

#include <string>

// Test seam for the SQLite backend, outside the public headers. Tests use it to read the
// connection's pragmas and to make the connection read-only with `PRAGMA query_only=1`: the
// tests run as root, for whom chmod does not stop writes, and an open descriptor ignores later
// permission changes anyway.
namespace authpp::adapters::detail {

// sqlite_query_for_testing runs the constant statement `sql` on the store's own connection (under
// its lock) and returns the first column of the first row as text, or "" when there is no row.
// It fails with errc::invalid_config if `store` is not a SQLite store, and with the store's usual
// errors otherwise.
result<std::string> sqlite_query_for_testing(const user_store& store, const char* sql);

}  // namespace authpp::adapters::detail
