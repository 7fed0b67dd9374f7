// The tests' PostgreSQL from Node: a fresh database in the throw-away cluster that ctest's
// `postgres` fixture starts (scripts/pg-cluster.sh writes its url to $AUTHPP_TEST_PG_STATE/url),
// dropped when the test ends. Like the C++ tests' pg_database, it fails, never skips, without one.
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";

export function adminUrl() {
  if (process.env.AUTHPP_TEST_PG_URL) return process.env.AUTHPP_TEST_PG_URL;
  const state = process.env.AUTHPP_TEST_PG_STATE;
  if (!state) {
    throw new Error("no PostgreSQL for this test: run it through ctest, which starts a throw-away cluster " +
      "(scripts/pg-cluster.sh; needs Debian's postgresql-15), or set AUTHPP_TEST_PG_URL");
  }
  return readFileSync(`${state}/url`, "utf8").trim();
}

// createDatabase makes an empty database and returns {url, pool (pg.Pool on it), sql(text,
// params) -> rows, drop()}.
export async function createDatabase() {
  const admin = adminUrl();
  const name = `authpp_js_${randomBytes(6).toString("hex")}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${name}`);
  await adminClient.end();
  const url = admin.slice(0, admin.lastIndexOf("/") + 1) + name;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    url,
    pool,
    async sql(text, params = []) {
      return (await pool.query(text, params)).rows;
    },
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
