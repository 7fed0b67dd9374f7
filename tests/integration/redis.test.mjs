// Rate limits across a fleet: two `authpp serve` processes count one client's POSTs in one Redis
// (a throw-away redis-server of this test's own, Debian's redis-server), so spreading requests
// over the instances gains nothing; and with Redis gone, both keep serving (fail open) and say so
// in their logs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { once } from "node:events";
import { Browser, accepts, freePort, startServer, tempDir, writeConfig } from "./server_harness.mjs";

const REDIS = "/usr/bin/redis-server";
let redis, port;
const servers = [];

async function startRedis() {
  const dir = tempDir("authpp-redis-");
  redis = spawn(REDIS, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--dir", dir, "--logfile", `${dir}/redis.log`], { stdio: "ignore" });
  // Ready once the port accepts; bounded by attempts, and a Redis that exits is reported.
  for (let i = 0; i < 2000 && !(await accepts(port)); i++) {
    if (redis.exitCode !== null) throw new Error("redis-server exited at start");
  }
  assert.ok(await accepts(port), "redis-server is not listening");
}

before(async () => {
  assert.ok(existsSync(REDIS), "redis-server not found: install Debian's redis-server package");
  port = await freePort();
  await startRedis();
  for (let i = 0; i < 2; i++) {
    const dir = tempDir();
    const config = writeConfig(dir, `[rate_limit]\nposts_per_minute = 6\nredis_url = "redis://127.0.0.1:${port}"\n`);
    servers.push(await startServer(["--dev", "--config", config], { dataDir: dir }));
  }
});

after(async () => {
  for (const s of servers) await s.stop();
  if (redis.exitCode === null) { redis.kill("SIGKILL"); await once(redis, "exit"); }
});

async function signOutPosts(s, n) {
  const b = new Browser(s.url);
  const csrfToken = await b.csrf();
  const statuses = [];
  for (let i = 0; i < n; i++) statuses.push((await b.post("/api/auth/signout", { csrfToken })).status);
  return statuses;
}

test("one client's POSTs are counted once across two instances on one Redis", async () => {
  const [a, b] = servers;
  assert.deepEqual(await signOutPosts(a, 3), [200, 200, 200]);
  assert.deepEqual(await signOutPosts(b, 3), [200, 200, 200]);
  // The seventh POST of the minute from 127.0.0.1, whichever instance it reaches.
  assert.deepEqual(await signOutPosts(a, 1), [429]);
  assert.deepEqual(await signOutPosts(b, 1), [429]);
  const metrics = (await new Browser(b.url).fetch("/metrics")).body;
  assert.match(metrics, /authpp_rate_limited_total\{limit="posts"\} 1\n/);
});

test("Redis gone: both instances keep serving (no limit applied) and log why", async () => {
  redis.kill("SIGKILL");
  await once(redis, "exit");
  for (const s of servers) {
    assert.deepEqual(await signOutPosts(s, 3), [200, 200, 200]);
    assert.match(s.out.stdout + s.out.stderr, /RateLimitStoreError.*127\.0\.0\.1:\d+/);
  }
});
