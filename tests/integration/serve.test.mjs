// `authpp serve` end to end over HTTP on 127.0.0.1: dev start, sign-in with good, bad and
// disabled credentials, session, sign-out, health, metrics, access log, storage failure and
// recovery, graceful shutdown, and each class of configuration error.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { renameSync, statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import net from "node:net";
import { once } from "node:events";
import http from "node:http";
import https from "node:https";
import { execFileSync } from "node:child_process";
import { Browser, runCli, startServer, tempDir, writeConfig } from "./server_harness.mjs";

const server = await startServer(["--dev"]);
after(() => server.stop());

test("dev mode generates a 0600 secret and prints demo credentials once", async () => {
  assert.match(server.demo.email, /@/);
  assert.ok(server.demo.password?.length >= 12);
  assert.equal(statSync(join(server.dataDir, "secret")).mode & 0o777, 0o600);
  assert.match(server.out.stdout, /sign in: /);
  // A second start on the same data directory reuses the secret and prints no credentials.
  const again = await startServer(["--dev"], { dataDir: server.dataDir });
  await again.stop();
  assert.equal(again.demo.password, undefined);
});

test("a good sign-in sets the session; the demo page and /session show the user", async () => {
  const b = new Browser(server.url);
  const res = await b.signIn(server.demo.email, server.demo.password);
  assert.equal(res.status, 200);
  assert.equal(res.body.url, server.url + "/");
  const session = await b.session();
  assert.equal(session.user.email, server.demo.email);
  const home = await b.fetch("/");
  assert.match(home.body, /You are signed in/);
  assert.match(home.headers.get("content-security-policy"), /default-src 'none'/);
});

test("a wrong password and an unknown user fail the same way", async () => {
  const b = new Browser(server.url);
  const wrong = await b.signIn(server.demo.email, "not-the-password");
  const unknown = await b.signIn("nobody@example.com", "whatever");
  const expected = server.url + "/api/auth/signin?error=CredentialsSignin&code=credentials";
  assert.equal(wrong.body.url, expected);
  assert.equal(unknown.body.url, expected);
  assert.equal(await b.session(), null);
});

test("a disabled account is refused with code=account_disabled", async () => {
  const db = join(server.dataDir, "authpp.db");
  assert.equal(runCli(["user", "add", "dora@example.com", "--name", "Dora", "--database", db], { input: "correct horse\n" }).status, 0);
  const b = new Browser(server.url);
  assert.equal((await b.signIn("dora@example.com", "correct horse")).body.url, server.url + "/");
  assert.equal(runCli(["user", "disable", "dora@example.com", "--database", db]).status, 0);
  const c = new Browser(server.url);
  assert.equal((await c.signIn("dora@example.com", "correct horse")).body.url,
    server.url + "/api/auth/signin?error=CredentialsSignin&code=account_disabled");
  // The wrong password on a disabled account does not reveal that the account exists.
  assert.match((await c.signIn("dora@example.com", "nope")).body.url, /code=credentials$/);
});

test("sign-out clears the session", async () => {
  const b = new Browser(server.url);
  await b.signIn(server.demo.email, server.demo.password);
  const res = await b.signOut();
  assert.equal(res.body.url, server.url + "/");
  assert.equal(await b.session(), null);
  assert.match((await b.fetch("/")).body, /not signed in/);
});

test("healthz, metrics and the access log", async () => {
  const health = await fetch(server.url + "/healthz");
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok", database: "ok" });
  const metrics = await (await fetch(server.url + "/metrics")).text();
  assert.match(metrics, /authpp_http_requests_total\{endpoint="session",status="200"\} \d+/);
  assert.match(metrics, /authpp_sign_ins_total\{result="succeeded"\} [1-9]/);
  assert.match(metrics, /authpp_sign_ins_total\{result="failed"\} [1-9]/);
  assert.match(metrics, /authpp_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
  assert.match(metrics, /authpp_open_connections \d+/);
  const lines = server.out.stdout.split("\n").filter((l) => l.startsWith("{"));
  assert.ok(lines.length > 5);
  for (const line of lines) {
    const entry = JSON.parse(line);
    assert.ok(entry.method && entry.path && entry.status, line);
    // No cookie value (CSRF pairs carry %7C, tokens start eyJ), query string or password.
    assert.deepEqual(Object.keys(entry).sort(), ["bytes", "method", "ms", "path", "remote", "status", "time"]);
    assert.doesNotMatch(line, /%7C|eyJ|\?|correct horse/);
    assert.ok(!line.includes(server.demo.password), line);
  }
});

// Behind a TLS proxy (trusted X-Forwarded-Proto: https) the session cookie is
// __Secure-authjs.session-token: a sign-in must still count as succeeded (it was once classified
// by the cookie name the server guessed at start-up, and counted as failed).
test("sign-ins are counted whatever the session cookie is called", async () => {
  const s = await startServer(["--dev"], { env: { AUTH_TRUST_HOST: "1" } });
  try {
    const proxy = { "X-Forwarded-Proto": "https" };
    const csrf = await fetch(s.url + "/api/auth/csrf", { headers: proxy });
    const { csrfToken } = await csrf.json();
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const res = await fetch(s.url + "/api/auth/callback/credentials", {
      method: "POST",
      headers: {
        ...proxy,
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Auth-Return-Redirect": "1",
        Cookie: cookie,
      },
      body: new URLSearchParams({ email: s.demo.email, password: s.demo.password, csrfToken }),
    });
    assert.equal(res.status, 200);
    assert.ok(res.headers.getSetCookie().some((c) => c.startsWith("__Secure-authjs.session-token=")));
    const metrics = await (await fetch(s.url + "/metrics")).text();
    assert.match(metrics, /authpp_sign_ins_total\{result="succeeded"\} 1$/m);
    assert.match(metrics, /authpp_sign_ins_total\{result="failed"\} 0$/m);
  } finally {
    await s.stop();
  }
});

test("the database removed while running: health 503, sign-in 503, then recovery", async () => {
  const s = await startServer(["--dev"]);
  try {
    const db = join(s.dataDir, "authpp.db");
    renameSync(db, db + ".away");
    const health = await fetch(s.url + "/healthz");
    assert.equal(health.status, 503);
    const b = new Browser(s.url);
    const res = await b.signIn(s.demo.email, s.demo.password);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.match(s.out.stderr, /StorageUnavailable|ServiceUnavailable/);
    // Sessions need no database: the rest keeps being served.
    assert.equal((await fetch(s.url + "/api/auth/csrf")).status, 200);
    renameSync(db + ".away", db);
    assert.equal((await fetch(s.url + "/healthz")).status, 200);
    assert.equal((await b.signIn(s.demo.email, s.demo.password)).body.url, s.url + "/");
  } finally {
    await s.stop();
  }
});

test("SIGTERM shuts down gracefully with exit code 0", async () => {
  const s = await startServer(["--dev"]);
  const b = new Browser(s.url);
  await b.csrf();
  assert.equal(await s.stop("SIGTERM"), 0);
  assert.match(s.out.stdout, /authpp stopped/);
});

// The signal handler used to be installed after "listening" was printed: a SIGTERM sent at once
// killed the process (17 of 20 starts here) instead of stopping it.
test("SIGTERM the moment `listening` is printed still stops gracefully", async () => {
  const codes = [];
  for (let i = 0; i < 10; i++) {
    const s = await startServer(["--dev"]);
    codes.push(await s.stop("SIGTERM"));
  }
  assert.deepEqual(codes, Array(10).fill(0));
});

test("configuration errors stop start-up with exit code 2 and name the key or file", async () => {
  const dir = tempDir();
  const cases = [
    ["[server]\nlisen = \"127.0.0.1:1\"\n", /server\.lisen/],
    ["[server]\nmax_body_bytes = \"big\"\n", /server\.max_body_bytes/],
    ["[auth]\nsecrets = []\n", /secret/],
    // A weak secret lets anyone guess it and forge sessions: refused outside dev mode.
    ["[auth]\nsecrets = [\"changeme\"]\n", /auth\.secrets: secret 1 of 1 is weak \(8 characters/],
    ["[server]\nlisten = \"example.com:3000\"\n", /'example\.com' is a host name; listen on an IP address/],
  ];
  for (const [toml, pattern] of cases) {
    const r = runCli(["serve", "--config", writeConfig(dir, toml), "--data-dir", dir]);
    assert.equal(r.status, 2, toml);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const missing = runCli(["serve", "--config", join(dir, "nope.toml")]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.toml/);
  // Port in use.
  const blocker = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => blocker.once("listening", r));
  const port = blocker.address().port;
  const busy = runCli(["serve", "--dev", "--data-dir", tempDir(), "--listen", `127.0.0.1:${port}`]);
  blocker.close();
  assert.equal(busy.status, 2);
  assert.match(busy.stderr, new RegExp(`${port}.*in use`));
});

test("dev mode warns about a weak secret without printing it, and --listen localhost binds 127.0.0.1", async () => {
  const s = await startServer(["--dev"], { listen: "localhost:0", env: { AUTH_SECRET: "changeme" } });
  try {
    assert.match(s.out.stdout, /authpp listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(s.out.stderr, /\[warn\] WeakSecret: auth\.secrets: secret 1 of 1 is weak/);
    assert.doesNotMatch(s.out.stderr + s.out.stdout, /changeme/);
  } finally {
    await s.stop();
  }
});

test("TLS: with a certificate and key configured, the server speaks HTTPS and sets __Secure- cookies", async () => {
  const dir = tempDir();
  const key = join(dir, "key.pem"), cert = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const config = writeConfig(dir, `[server.tls]\ncertificate = "${cert}"\nprivate_key = "${key}"\n`);
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  try {
    assert.match(s.url, /^https:/);
    const res = await new Promise((resolve, reject) => {
      https.get(`${s.url}/api/auth/csrf`, { ca: readFileSync(cert) }, (r) => {
        let body = "";
        r.on("data", (d) => (body += d));
        r.on("end", () => resolve({ status: r.statusCode, headers: r.headers, body }));
      }).on("error", reject);
    });
    assert.equal(res.status, 200);
    assert.match(JSON.parse(res.body).csrfToken, /^[0-9a-f]{64}$/);
    const cookies = res.headers["set-cookie"].join("\n");
    assert.match(cookies, /^__Host-authjs\.csrf-token=.*; Secure; SameSite=Lax$/m);
    assert.match(cookies, /^__Secure-authjs\.callback-url=https%3A%2F%2F127\.0\.0\.1/m);

    // The CLI reaches it only when told whom to trust: the certificate is self-signed.
    const url = `${s.url}/api/auth`;
    const untrusted = runCli(["csrf", "--url", url]);
    assert.equal(untrusted.status, 1, untrusted.stdout);
    assert.match(untrusted.stderr, /certificate/i);
    const trusted = runCli(["csrf", "--url", url, "--cacert", cert]);
    assert.equal(trusted.status, 0, trusted.stderr);
    assert.match(JSON.parse(trusted.stdout).csrfToken, /^[0-9a-f]{64}$/);
    const insecure = runCli(["csrf", "--url", url, "--insecure"]);
    assert.equal(insecure.status, 0, insecure.stderr);
    assert.match(insecure.stderr, /warning: --insecure: the server's certificate is not checked/);
    const missing = runCli(["csrf", "--url", url, "--cacert", join(dir, "nope.pem")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--cacert: cannot read .*nope\.pem/);
    // A proxy that is not there is a transport failure, not a silent direct connection.
    const proxied = runCli(["csrf", "--url", url, "--cacert", cert, "--proxy", "http://127.0.0.1:9"]);
    assert.equal(proxied.status, 1);
  } finally {
    await s.stop();
  }
});

// A password-guessing flood used to hold the I/O threads (each Argon2id check ~30 ms) and stall
// every other request. Checks now wait on the worker pool: /session keeps answering, every
// guess gets its proper answer, and past the pool's queue guesses are refused at once with 503
// and Retry-After rather than queued without bound.
test("a sign-in flood waits on the worker pool: /session answers, a full queue is 503 + Retry-After", async () => {
  const dir = tempDir();
  // Rate limits off: this test is about the pool (the limits have their own test).
  const config = writeConfig(dir, "[server]\nworker_threads = 1\nworker_queue = 2\n[rate_limit]\nenabled = false\n");
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  try {
    const reader = new Browser(s.url);
    assert.equal((await reader.signIn(s.demo.email, s.demo.password)).body.url, s.url + "/");
    const guessers = Array.from({ length: 24 }, () => new Browser(s.url));
    await Promise.all(guessers.map((g) => g.csrf()));
    const guesses = Promise.all(guessers.map((g) =>
      g.post("/api/auth/callback/credentials?", { email: s.demo.email, password: "wrong", csrfToken: g.jar.get("authjs.csrf-token").split("%7C")[0], callbackUrl: s.url + "/" })));
    const sessions = [];
    for (let i = 0; i < 20; i++) sessions.push(await reader.session());
    const answers = await guesses;
    for (const session of sessions) assert.equal(session?.user?.email, s.demo.email);
    const refused = answers.filter((a) => a.status === 200);
    const overloaded = answers.filter((a) => a.status === 503);
    assert.equal(refused.length + overloaded.length, answers.length, JSON.stringify(answers.map((a) => a.status)));
    for (const a of refused) assert.match(a.body.url, /error=CredentialsSignin&code=credentials$/);
    assert.ok(overloaded.length > 0, "24 guesses at once never filled a queue of 2");
    for (const a of overloaded) assert.equal(a.headers.get("retry-after"), "5");
    const metrics = (await reader.fetch("/metrics")).body;
    assert.match(metrics, new RegExp(`authpp_worker_rejected_total\\{pool="password"\\} ${overloaded.length}\\n`));
    assert.match(metrics, /authpp_worker_threads\{pool="password"\} 1\n/);
    // Session reads kept their own pool: nothing of the flood reached it.
    assert.match(metrics, /authpp_worker_threads\{pool="store"\} 4\n/);
    assert.match(metrics, /authpp_worker_rejected_total\{pool="store"\} 0\n/);
    assert.match(metrics, new RegExp(`authpp_sign_ins_total\\{result="failed"\\} ${refused.length + overloaded.length}\\n`));
  } finally {
    await s.stop();
  }
});

test("SIGTERM with password checks queued and running: every answered request is whole, exit 0", async () => {
  const dir = tempDir();
  const config = writeConfig(dir, "[server]\nworker_threads = 1\nworker_queue = 64\nshutdown_timeout = 5\n[rate_limit]\nenabled = false\n");
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  const guessers = Array.from({ length: 16 }, () => new Browser(s.url));
  await Promise.all(guessers.map((g) => g.csrf()));
  const guesses = Promise.allSettled(guessers.map((g) =>
    g.post("/api/auth/callback/credentials?", { email: s.demo.email, password: "wrong", csrfToken: g.jar.get("authjs.csrf-token").split("%7C")[0], callbackUrl: s.url + "/" })));
  // Wait until the pool is busy, then stop.
  const probe = new Browser(s.url);
  while (!/authpp_worker_busy\{pool="password"\} 1\n/.test((await probe.fetch("/metrics")).body)) {}
  assert.equal(await s.stop("SIGTERM"), 0);
  for (const r of await guesses) {
    if (r.status === "fulfilled") assert.ok([200, 503].includes(r.value.status), String(r.value.status));
  }
});

test("/metrics behind a bearer token, or on its own listener (then 404 on the main one)", async () => {
  const token = "metrics-token-0123456789";
  const dir = tempDir();
  const s = await startServer(["--dev", "--config", writeConfig(dir, `[metrics]\ntoken = "${token}"\n`)], { dataDir: dir });
  try {
    const b = new Browser(s.url);
    const none = await b.fetch("/metrics");
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate"), /^Bearer/);
    assert.equal((await b.fetch("/metrics", { headers: { authorization: `Bearer ${token}x` } })).status, 401);
    const ok = await b.fetch("/metrics", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.match(ok.body, /authpp_worker_queue_depth\{pool="password"\} 0\n/);
  } finally {
    await s.stop();
  }
  const dir2 = tempDir();
  const t = await startServer(["--dev", "--config", writeConfig(dir2, `[metrics]\nlisten = "127.0.0.1:0"\n`)], { dataDir: dir2 });
  try {
    const metricsUrl = t.out.stdout.match(/metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/)[1];
    assert.equal((await new Browser(t.url).fetch("/metrics")).status, 404);
    const own = await new Browser(metricsUrl).fetch("/metrics");
    assert.equal(own.status, 200);
    assert.match(own.body, /authpp_http_requests_total/);
    assert.equal((await new Browser(metricsUrl).fetch("/api/auth/session")).status, 404);
  } finally {
    await t.stop();
  }
  const bad = runCli(["serve", "--config", writeConfig(tempDir(), `[metrics]\ntoken = "short"\n`), "--dev", "--data-dir", tempDir()]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /metrics\.token: must be at least 16 characters/);
});

test("an error flood is throttled in the log: five lines a second per code", async () => {
  // Neither a public URL nor trust_host: every request is an UntrustedHost error.
  const secret = runCli(["secret"]).stdout.trim();
  const s = await startServer([], { env: { AUTH_SECRET: secret } });
  try {
    const b = new Browser(s.url);
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) assert.equal((await b.fetch("/api/auth/session")).status, 500);
    const seconds = Math.ceil((Date.now() - t0) / 1000) + 1;
    await new Promise((r) => setImmediate(r));
    const lines = s.out.stderr.split("\n").filter((l) => l.includes("[error] UntrustedHost"));
    assert.ok(lines.length >= 1);
    assert.ok(lines.length <= 5 * seconds, `${lines.length} lines in about ${seconds} s`);
  } finally {
    await s.stop();
  }
});

// Password guessing against authpp serve: past the free failures the account is locked for the
// guessing address (the owner elsewhere is not), answered 429 with CredentialsSignin and code
// rate_limited, which next-auth/react's signIn() reports as such; past posts_per_minute every
// POST from the address is 429; both counted in /metrics.
test("rate limits: an account locked for a guessing address, POSTs per address per minute", async () => {
  const dir = tempDir();
  const config = writeConfig(dir, "[rate_limit]\nposts_per_minute = 12\nfree_failures = 3\nmax_backoff = 60\n");
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  try {
    const guesser = new Browser(s.url);
    for (let i = 0; i < 4; i++) {
      assert.match((await guesser.signIn(s.demo.email, "wrong")).body.url, /code=credentials$/);
    }
    const locked = await guesser.signIn(s.demo.email, s.demo.password);
    assert.equal(locked.status, 429);
    assert.equal(locked.body.url, s.url + "/api/auth/signin?error=CredentialsSignin&code=rate_limited");
    assert.equal(locked.headers.get("retry-after"), "1");
    // Five POSTs so far from 127.0.0.1; the twelfth is the last one allowed this minute.
    const other = new Browser(s.url);
    const token = await other.csrf();
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await other.post("/api/auth/signout", { csrfToken: token })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 429]);
    const metrics = (await other.fetch("/metrics")).body;
    assert.match(metrics, /authpp_rate_limited_total\{limit="sign_in"\} 1\n/);
    assert.match(metrics, /authpp_rate_limited_total\{limit="posts"\} 1\n/);
  } finally {
    await s.stop();
  }
});

test("JWT sessions are revocable: `session revoke`, `user passwd` and `user disable` end them at the next read", async () => {
  const dir = tempDir();
  // 0: the store is asked at every read, so the test needs no waiting (the bound itself is
  // covered by the engine's tests with a clock they control).
  const config = writeConfig(dir, "[auth]\njwt_revocation_bound = 0\n");
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  const db = join(dir, "authpp.db");
  try {
    const laptop = new Browser(s.url);
    assert.equal((await laptop.signIn(s.demo.email, s.demo.password)).body.url, s.url + "/");
    assert.match(laptop.jar.get("authjs.session-token"), /^eyJ/, "a JWT session");
    // A stolen copy of the cookie, kept aside: revocation must end it too.
    const stolen = laptop.jar.get("authjs.session-token");
    assert.equal((await laptop.session()).user.email, s.demo.email);

    const revoked = runCli(["session", "revoke", s.demo.email, "--config", config, "--database", db]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /JWT sessions end at their next read within 0 s/);
    assert.equal(await laptop.session(), null);
    assert.equal(laptop.jar.get("authjs.session-token"), undefined, "the cookie is cleared");
    const thief = new Browser(s.url);
    thief.jar.set("authjs.session-token", stolen);
    assert.equal(await thief.session(), null, "a copy of the revoked token is refused too");
    assert.match(s.out.stderr, /SessionRevoked/);

    // Signing in again works, under the new version; a new password ends that session.
    await laptop.signIn(s.demo.email, s.demo.password);
    assert.equal((await laptop.session()).user.email, s.demo.email);
    const changed = runCli(["user", "passwd", s.demo.email, "--config", config, "--database", db], { input: "a new long passphrase\n" });
    assert.equal(changed.status, 0, changed.stderr);
    assert.equal(await laptop.session(), null);

    // Disabling ends it; enabling does not bring the old session back.
    await laptop.signIn(s.demo.email, "a new long passphrase");
    const before = laptop.jar.get("authjs.session-token");
    assert.equal(runCli(["user", "disable", s.demo.email, "--config", config, "--database", db]).status, 0);
    assert.equal(await laptop.session(), null);
    assert.equal(runCli(["user", "enable", s.demo.email, "--config", config, "--database", db]).status, 0);
    laptop.jar.set("authjs.session-token", before);
    assert.equal(await laptop.session(), null);
  } finally {
    await s.stop();
  }
});

test("database sessions: the cookie is an opaque token; sign-out, `user disable`, `session revoke` and `user passwd` end sessions everywhere", async () => {
  const dir = tempDir();
  const config = writeConfig(dir, '[auth]\nsession_strategy = "database"\n');
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  try {
    const laptop = new Browser(s.url);
    assert.equal((await laptop.signIn(s.demo.email, s.demo.password)).body.url, s.url + "/");
    const token = laptop.jar.get("authjs.session-token");
    assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((await laptop.session()).user.email, s.demo.email);
    // A copy of the cookie (another device, or a thief) stops working when its owner signs out.
    const copy = new Browser(s.url);
    copy.jar.set("authjs.session-token", token);
    assert.equal((await copy.session()).user.email, s.demo.email);
    await laptop.signOut();
    assert.equal(await copy.session(), null);

    // Disabling the user from the CLI ends their open sessions at the next request.
    const phone = new Browser(s.url);
    await phone.signIn(s.demo.email, s.demo.password);
    assert.equal((await phone.session()).user.email, s.demo.email);
    const db = join(dir, "authpp.db");
    const disabled = runCli(["user", "disable", s.demo.email, "--database", db]);
    assert.equal(disabled.status, 0);
    assert.match(disabled.stdout, /\(1 database session ended; JWT sessions end at their next read within 60 s\)/);
    assert.equal(await phone.session(), null);
    assert.equal(phone.jar.get("authjs.session-token"), undefined);

    // `authpp session revoke` signs a user out of every device; a new password does too.
    assert.equal(runCli(["user", "enable", s.demo.email, "--database", db]).status, 0);
    const tablet = new Browser(s.url);
    await tablet.signIn(s.demo.email, s.demo.password);
    const revoked = runCli(["session", "revoke", s.demo.email, "--database", db]);
    assert.equal(revoked.status, 0);
    assert.equal(revoked.stdout, `signed out ${s.demo.email} (1 database session ended; JWT sessions end at their next read within 60 s)\n`);
    assert.equal(await tablet.session(), null);
    await tablet.signIn(s.demo.email, s.demo.password);
    const changed = runCli(["user", "passwd", s.demo.email, "--database", db], { input: "a new long passphrase\n" });
    assert.equal(changed.status, 0);
    assert.match(changed.stdout, /\(1 database session ended;/);
    assert.equal(await tablet.session(), null);
    // Each sign-in finished on a worker thread is still counted as the success it was.
    const metrics = (await tablet.fetch("/metrics")).body;
    assert.match(metrics, /authpp_sign_ins_total\{result="succeeded"\} 4\n/);
    assert.match(metrics, /authpp_sign_ins_total\{result="failed"\} 0\n/);
  } finally {
    await s.stop();
  }
});

test("an OAuth provider down at start-up: healthz reports it, sign-in says Configuration, and both recover once it is up", async () => {
  // A port nothing listens on yet: the provider's issuer.
  const probe = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => probe.once("listening", r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  const issuer = `http://127.0.0.1:${port}`;
  const dir = tempDir();
  const config = writeConfig(dir, `[[providers]]
type = "oidc"
id = "corp"
name = "Corp SSO"
issuer = "${issuer}"
client_id = "authpp-test"
client_secret = "not-a-real-secret"
`);
  const s = await startServer(["--dev", "--config", config]);
  let idp;
  try {
    const b = new Browser(s.url);
    const providers = (await b.fetch("/api/auth/providers")).body;
    assert.equal(providers.corp.type, "oidc");
    assert.equal(providers.corp.name, "Corp SSO");
    const refused = await b.post("/api/auth/signin/corp", { csrfToken: await b.csrf() });
    assert.equal(refused.body.url, s.url + "/api/auth/error?error=Configuration");
    const down = await fetch(s.url + "/healthz");
    assert.equal(down.status, 200); // the server itself is healthy
    const downBody = await down.json();
    assert.equal(downBody.providers.corp.status, "unavailable");
    assert.match(downBody.providers.corp.problem, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(JSON.stringify(downBody), /not-a-real-secret/);

    // The provider comes up: discovery and an empty key set are enough to start a sign-in.
    idp = http.createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/.well-known/openid-configuration") {
        res.end(JSON.stringify({ issuer, authorization_endpoint: issuer + "/authorize",
          token_endpoint: issuer + "/token", jwks_uri: issuer + "/jwks" }));
      } else if (req.url === "/jwks") {
        res.end(JSON.stringify({ keys: [] }));
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
    await new Promise((r) => idp.listen(port, "127.0.0.1", r));
    const started = await b.post("/api/auth/signin/corp?login_hint=ada", { csrfToken: await b.csrf() });
    const url = new URL(started.body.url);
    assert.equal(url.origin + url.pathname, issuer + "/authorize");
    assert.equal(url.searchParams.get("client_id"), "authpp-test");
    assert.equal(url.searchParams.get("login_hint"), "ada");
    assert.equal(url.searchParams.get("redirect_uri"), s.url + "/api/auth/callback/corp");
    const up = await (await fetch(s.url + "/healthz")).json();
    assert.equal(up.providers.corp, "ok");
  } finally {
    idp?.close();
    await s.stop();
  }
});

// slowProviderConfig starts `idp` (an http.Server playing the provider) on a free port and writes
// a configuration naming it as the OAuth provider "slow", all checks off, so that a bare
// GET /api/auth/callback/slow?code=… goes straight to its token endpoint. `before` comes first.
async function slowProviderConfig(dir, idp, before = "") {
  await new Promise((r) => idp.listen(0, "127.0.0.1", r));
  const upstream = `http://127.0.0.1:${idp.address().port}`;
  return writeConfig(dir, `${before}[[providers]]
type = "oauth"
id = "slow"
client_id = "authpp-test"
client_secret = "not-a-real-secret"
authorization_endpoint = "${upstream}/authorize"
token_endpoint = "${upstream}/token"
userinfo_endpoint = "${upstream}/userinfo"
checks = []
`);
}

test("a client that leaves cancels the OAuth call it was waiting on: the provider sees its connection closed", async () => {
  let tokenRequested, upstreamClosed;
  const requested = new Promise((r) => (tokenRequested = r));
  const closed = new Promise((r) => (upstreamClosed = r));
  // The provider's token endpoint never answers; it reports the request, then its close.
  const idp = http.createServer((req, res) => {
    if (req.url === "/token") {
      req.resume();
      res.on("close", () => upstreamClosed(res.writableEnded));
      tokenRequested();
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  const dir = tempDir();
  const s = await startServer(["--dev", "--config", await slowProviderConfig(dir, idp)]);
  try {
    const { port } = new URL(s.url);
    const client = net.connect(Number(port), "127.0.0.1");
    await new Promise((r) => client.once("connect", r));
    client.write(`GET /api/auth/callback/slow?code=abc HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await requested;
    client.destroy(); // the browser gives up
    // The engine's token request is cancelled: the provider's connection closes unanswered, and
    // the log says why (cancelled, not the outbound client's 10-second timeout).
    assert.equal(await closed, false);
    const logged = /CallbackRouteError: provider slow: token request: ([^\n]*)/;
    while (!logged.test(s.out.stderr)) await once(s.proc.stderr, "data");
    assert.match(s.out.stderr.match(logged)[1], /cancelled/);
    assert.equal((await fetch(s.url + "/healthz")).status, 200);
  } finally {
    idp.close();
    await s.stop();
  }
});

test("SIGTERM while OAuth callbacks wait on the provider: exit 0 within shutdown_timeout, the provider's connections closed", async () => {
  let requests = 0, allRequested, allClosed;
  const requested = new Promise((r) => (allRequested = r));
  const closedAll = new Promise((r) => (allClosed = r));
  let closes = 0;
  const waiting = 4;
  // A token endpoint that never answers.
  const idp = http.createServer((req, res) => {
    req.resume();
    res.on("close", () => { if (++closes === waiting) allClosed(); });
    if (++requests === waiting) allRequested();
  });
  const dir = tempDir();
  const config = await slowProviderConfig(dir, idp, "[server]\nshutdown_timeout = 2\n");
  const s = await startServer(["--dev", "--config", config], { dataDir: dir });
  try {
    const calls = Array.from({ length: waiting }, (_, i) =>
      fetch(`${s.url}/api/auth/callback/slow?code=c${i}`, { redirect: "manual" }).then((r) => r.status, () => "reset"));
    await requested;
    const started = process.hrtime.bigint();
    assert.equal(await s.stop("SIGTERM"), 0);
    // Stopped by shutdown_timeout (2 s), not by the outbound client's 10-second total timeout.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 8);
    await closedAll;
    for (const status of await Promise.all(calls)) {
      assert.ok(status === "reset" || status === 302 || status === 503, String(status));
    }
  } finally {
    idp.close();
    await s.stop();
  }
});
