// A fleet: several `authpp serve` processes on one PostgreSQL, with nothing between them but
// distinct ports, on a cluster of this test's own (it stops and starts the server).
//   1. A user signs in on A, is seen on B, signs out on B, and is gone on A.
//   2. B is killed with SIGKILL during a load run: A keeps serving, without one 5xx, and every
//      session that either instance reported as started is still served by A afterwards.
//   3. PostgreSQL is stopped and started during a load run: A (database sessions) answers 503
//      with Retry-After while it is down (and so does its /healthz), C (JWT sessions) keeps
//      answering 200, and A recovers by itself once the database is back.
// The loops are bounded by request counts and conditions, not by time. The figures of a run are
// printed as one `FLEET_FIGURES {...}` line; docs/reliability.md records them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Browser, runCli, startServer, tempDir, writeConfig } from "./server_harness.mjs";

const CLUSTER = new URL("../../scripts/pg-cluster.sh", import.meta.url).pathname;
const SESSION = "authjs.session-token";
const PASSWORD = "correct horse battery";
const USERS = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
const secret = randomBytes(32).toString("base64url");
const figures = {};

let state, env;
const servers = {};

// cluster runs scripts/pg-cluster.sh ACTION on this test's cluster (start, stop, stop-server,
// start-server).
function cluster(action) {
  execFileSync(CLUSTER, [action, state], { stdio: "ignore" });
}

async function startInstance(strategy) {
  const dataDir = tempDir("authpp-fleet-");
  const config = writeConfig(dataDir, `[auth]\nsession_strategy = "${strategy}"\n[rate_limit]\nenabled = false\n`);
  return startServer(["--config", config], { dataDir, env });
}

before(async () => {
  state = tempDir("authpp-fleet-pg-");
  cluster("start");
  env = { AUTH_SECRET: secret, AUTH_TRUST_HOST: "1", DATABASE_URL: readFileSync(`${state}/url`, "utf8").trim() };
  const migrate = runCli(["db", "migrate"], { env });
  assert.equal(migrate.status, 0, migrate.stderr);
  for (const email of USERS) {
    const r = runCli(["user", "add", email], { input: PASSWORD + "\n", env });
    assert.equal(r.status, 0, r.stderr);
  }
  servers.A = await startInstance("database");
  servers.B = await startInstance("database");
  servers.C = await startInstance("jwt");
});

after(async () => {
  for (const s of Object.values(servers)) await s.stop("SIGKILL");
  if (state) cluster("stop");
  console.log(`FLEET_FIGURES ${JSON.stringify(figures)}`);
});

async function signIn(server, email) {
  const b = new Browser(server.url);
  const r = await b.signIn(email, PASSWORD);
  return r.status === 200 && b.jar.has(SESSION) ? b.jar.get(SESSION) : null;
}

// session reads /session on `server` with the session cookie `token`: {status, retryAfter, email}.
async function session(server, token) {
  const res = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: `${SESSION}=${token}` } });
  const body = await res.json().catch(() => null);
  return { status: res.status, retryAfter: res.headers.get("retry-after"), email: body?.user?.email ?? null };
}

function tally(map, key) {
  map[key] = (map[key] ?? 0) + 1;
}

test("a user signs in on A, is seen on B, signs out on B, and is gone on A", async () => {
  const b = new Browser(servers.A.url);
  assert.equal((await b.signIn(USERS[0], PASSWORD)).status, 200);
  const token = b.jar.get(SESSION);
  assert.equal((await session(servers.B, token)).email, USERS[0]);
  const onB = new Browser(servers.B.url);
  onB.jar.set(SESSION, token);
  assert.equal((await onB.signOut()).status, 200);
  const after = await session(servers.A, token);
  assert.equal(after.status, 200);
  assert.equal(after.email, null);
});

test("B killed with SIGKILL under load: A keeps serving and no started session is lost", async () => {
  const started = []; // {token, email, on}
  const statuses = { A: {}, B: {} };
  let requests = 0;
  let killedAt = null;
  const KILL_AFTER = 600;
  const PER_WORKER = 250;
  const t0 = performance.now();
  const worker = async (w) => {
    for (let i = 0; i < PER_WORKER; ++i) {
      const name = (w + i) % 2 ? "A" : "B";
      const server = servers[name];
      if (++requests === KILL_AFTER) {
        servers.B.proc.kill("SIGKILL");
        killedAt = requests;
      }
      try {
        if (i % 10 === 0) {
          const email = USERS[(w * 7 + i) % USERS.length];
          const token = await signIn(server, email);
          tally(statuses[name], token ? "signed in" : "sign-in refused");
          if (token) started.push({ token, email, on: name });
        } else {
          const mine = started.filter((s) => s.on === name);
          const pick = mine[(w + i) % Math.max(mine.length, 1)];
          const r = await session(server, pick?.token ?? "none");
          tally(statuses[name], r.status);
        }
      } catch {
        tally(statuses[name], "connection error");
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  const elapsed = performance.now() - t0;

  assert.ok(killedAt, "B was killed during the run");
  // A answered everything, and never with a 5xx.
  for (const [status, n] of Object.entries(statuses.A)) {
    assert.ok(status === "200" || status === "signed in", `A answered ${n} × ${status}`);
  }
  // B failed only by being gone (connection errors), never with a 5xx before it died.
  for (const status of Object.keys(statuses.B)) {
    assert.ok(["200", "signed in", "connection error"].includes(status), `B answered ${status}`);
  }
  // Every session reported started, on A or on B, is served by A now.
  let lost = 0;
  for (const s of started) {
    const r = await session(servers.A, s.token);
    if (r.email !== s.email) ++lost;
  }
  assert.equal(lost, 0, `${lost} of ${started.length} started sessions lost`);
  const list = runCli(["user", "list"], { env });
  for (const email of USERS) assert.match(list.stdout, new RegExp(email.replace(".", "\\.")));
  figures.sigkill = {
    requests, killed_after: KILL_AFTER, elapsed_ms: Math.round(elapsed), statuses,
    sessions_started: started.length, sessions_lost: lost,
  };
});

test("PostgreSQL stopped and started under load: 503 with Retry-After, JWT unaffected, recovery by itself", async () => {
  const dbToken = await signIn(servers.A, USERS[1]);
  const jwtToken = await signIn(servers.C, USERS[2]);
  assert.ok(dbToken && jwtToken);

  const phases = { before: { A: {}, C: {} }, down: { A: {}, C: {} }, after: { A: {}, C: {} } };
  let phase = "before";
  let missingRetryAfter = 0;
  let wrongUser = 0;
  let stop = false;
  let downAt = 0, upAt = 0, recoveredAt = 0;
  const counts = { before: 0, down503: 0, after200: 0 };
  const health = {};
  const worker = async () => {
    while (!stop) {
      for (const [name, token, email] of [["A", dbToken, USERS[1]], ["C", jwtToken, USERS[2]]]) {
        const p = phase;
        let r;
        try {
          r = await session(servers[name], token);
        } catch {
          tally(phases[p][name], "connection error");
          continue;
        }
        tally(phases[p][name], r.status);
        if (r.status === 503 && r.retryAfter === null) ++missingRetryAfter;
        if (r.status === 200 && r.email !== email) ++wrongUser;
        if (name === "A") {
          if (p === "before") ++counts.before;
          if (p === "down" && r.status === 503) ++counts.down503;
          if (p === "after" && r.status === 200) {
            if (!recoveredAt) recoveredAt = performance.now();
            ++counts.after200;
          }
        }
      }
    }
  };
  const conductor = async () => {
    const until = async (cond) => {
      for (let i = 0; i < 1_000_000 && !cond(); ++i) await new Promise((r) => setImmediate(r));
      assert.ok(cond(), "the load run stalled");
    };
    await until(() => counts.before >= 200);
    cluster("stop-server");
    downAt = performance.now();
    phase = "down";
    await until(() => counts.down503 >= 500);
    health.down = (await fetch(`${servers.A.url}/healthz`)).status;
    cluster("start-server");
    upAt = performance.now();
    phase = "after";
    await until(() => counts.after200 >= 200);
    health.after = (await fetch(`${servers.A.url}/healthz`)).status;
    stop = true;
  };
  await Promise.all([conductor(), ...Array.from({ length: 8 }, worker)]);

  assert.equal(wrongUser, 0);
  assert.equal(missingRetryAfter, 0, "every 503 says when to come back");
  assert.deepEqual(health, { down: 503, after: 200 }, "/healthz follows the database");
  for (const p of Object.keys(phases)) {
    for (const [status, n] of Object.entries(phases[p].C)) {
      assert.equal(status, "200", `C (JWT) answered ${n} × ${status} while the database was ${p}`);
    }
    for (const [status, n] of Object.entries(phases[p].A)) {
      assert.ok(status === "200" || status === "503", `A answered ${n} × ${status} (${p})`);
    }
  }
  assert.ok(phases.down.A["503"] >= 500);
  assert.ok(phases.after.A["200"] >= 200, "A recovered by itself");
  // The session outlived the outage.
  assert.equal((await session(servers.A, dbToken)).email, USERS[1]);
  figures.postgres_restart = {
    phases,
    outage_ms: Math.round(upAt - downAt),
    recovery_ms_after_start: Math.round(recoveredAt - upAt),
  };
});
