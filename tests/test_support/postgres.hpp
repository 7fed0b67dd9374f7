#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>

// The tests' PostgreSQL: a throw-away cluster that ctest starts before the first test that needs
// it and stops after the last (scripts/pg-cluster.sh, the `postgres` fixture in
// tests/CMakeLists.txt). Each test makes its own database in it, so tests run in parallel.
namespace authpp::test {

// pg_admin_url is the cluster's url: AUTHPP_TEST_PG_URL when set (a server of one's own), else
// the one the fixture wrote to $AUTHPP_TEST_PG_STATE/url. Without either it throws, naming the
// way to get one: a test needing PostgreSQL fails, it never skips.
inline std::string pg_admin_url() {
  if (const char* url = std::getenv("AUTHPP_TEST_PG_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  const char* state = std::getenv("AUTHPP_TEST_PG_STATE");
  std::ifstream in(std::string(state != nullptr ? state : "") + "/url");
  std::string url;
  if (state == nullptr || !std::getline(in, url) || url.empty()) {
    throw std::runtime_error(
        "no PostgreSQL for this test: run it through ctest, which starts a throw-away cluster "
        "(scripts/pg-cluster.sh; needs Debian's postgresql-15), or set AUTHPP_TEST_PG_URL");
  }
  return url;
}

// pg_exec runs `sql` (one or more statements) on the database at `url` and returns the first
// column of the first row of the last statement ("" without one). It throws on any error.
inline std::string pg_exec(const std::string& url, const std::string& sql) {
  const std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the test PostgreSQL: " +
                             std::string(PQerrorMessage(c.get())));
  }
  const std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  const ExecStatusType s = PQresultStatus(r.get());
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
  }
  if (s == PGRES_TUPLES_OK && PQntuples(r.get()) > 0 && PQnfields(r.get()) > 0) {
    return PQgetvalue(r.get(), 0, 0);
  }
  return "";
}

// pg_database is a fresh, empty database in the test cluster, dropped (with its connections)
// when the object dies.
class pg_database {
 public:
  pg_database() : admin_(pg_admin_url()) {
    std::random_device rd;
    char name[32];
    std::snprintf(name, sizeof name, "authpp_t_%08x%08x", rd(), rd());
    name_ = name;
    pg_exec(admin_, "CREATE DATABASE " + name_);
    url_ = admin_.substr(0, admin_.rfind('/') + 1) + name_;
  }
  pg_database(const pg_database&) = delete;
  pg_database& operator=(const pg_database&) = delete;
  ~pg_database() {
    try {
      pg_exec(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {  // the cluster is gone already: nothing to clean
    }
  }

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // exec runs `sql` in this database (see pg_exec).
  std::string exec(const std::string& sql) const { return pg_exec(url_, sql); }

 private:
  std::string admin_, name_, url_;
};

}  // namespace authpp::test
