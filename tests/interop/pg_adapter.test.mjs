// authpp and the real Auth.js on one PostgreSQL database: @auth/core 0.41.3 with the real
// @auth/pg-adapter 1.11.3 (both from npm, pinned in package-lock.json) in database-session mode,
// and `authpp serve` with DATABASE_URL and session_strategy "database", both signing users in
// through one OpenID Provider (oidc_provider.mjs).
//   1. A shared database: who signed up on one server signs in on the other as the same user
//      (found through the account the first one linked), each server accepts the other's session
//      cookie, and a sign-out on either ends the session on both.
//   2. An existing Auth.js database (pg-adapter's own schema.sql, rows written by pg-adapter) is
//      taken over by authpp serve as it is, and pg-adapter keeps working on it afterwards.
//   3. The real next-auth/react in headless Chromium, on each server's own origin (authpp behind
//      the same-origin proxy with the test page): signIn('oidc') through the IdP's login form,
//      the session, then signOut, which deletes the row; both servers on the one database.
// Needs the `postgres` ctest fixture (a throw-away cluster).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import PostgresAdapter from "@auth/pg-adapter";
import { Browser, runCli, startServer, tempDir, writeConfig } from "../integration/server_harness.mjs";
import { createDatabase } from "../integration/pg_harness.mjs";
import { startAuthjsServer } from "./authjs_server.mjs";
import { oidcProviderToml } from "./authpp_server.mjs";
import { startOidcProvider, loginThrough } from "./oidc_provider.mjs";
import { startSameOriginProxy } from "./same_origin_proxy.mjs";
import { buildClientPage } from "./client_page.mjs";
import { launchJsClient } from "./js_client.mjs";

const SESSION = "authjs.session-token";
const ALICE = { name: "Alice Liddell", email: "alice@example.com", image: "https://example.com/alice.png" };
const ALICE_LOGIN = { login: "alice", password: "wonderland" };
const secret = randomBytes(32).toString("base64url");
let idp;

before(async () => {
  idp = await startOidcProvider();
});
after(async () => {
  await idp?.close();
});

// startPair starts authpp serve and Auth.js on the database at `db`, both with the same OIDC
// provider (one IdP client with both redirect_uris) and the same secret. With `page` (from
// client_page.mjs), Auth.js serves it, and so does a same-origin proxy in front of authpp
// (`authppPage`, its origin), for next-auth/react.
async function startPair(t, db, { page, email } = {}) {
  const clientId = `pg-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(16).toString("base64url");
  const dataDir = tempDir("authpp-pg-");
  const config = writeConfig(dataDir, [
    "[auth]",
    'session_strategy = "database"',
    ...(email ? ["[email]", 'transport = "file"'] : []),
    ...oidcProviderToml({ issuer: idp.issuer, clientId, clientSecret }),
  ].join("\n") + "\n");
  const env = { AUTH_SECRET: secret, AUTH_TRUST_HOST: "1", DATABASE_URL: db.url };
  const authpp = await startServer(["--config", config], { dataDir, env });
  t.after(() => authpp.stop());
  const authjs = await startAuthjsServer({
    secret,
    adapter: PostgresAdapter(db.pool),
    oidc: { issuer: idp.issuer, clientId, clientSecret },
    ...(page ? { page } : {}),
    ...(email ? { email } : {}),
  });
  t.after(() => authjs.stop());
  const proxy = page ? await startSameOriginProxy({ upstream: authpp.url, page }) : null;
  if (proxy) t.after(() => proxy.stop());
  await idp.addClient({
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [authpp, authjs, ...(proxy ? [proxy] : [])].map((s) => `${s.url}/api/auth/callback/oidc`),
    token_endpoint_auth_method: "client_secret_basic",
  });
  return { authpp, authjs, env, config, authppPage: proxy?.url };
}

// oidcSignIn signs alice in on `server` through the IdP and returns her session cookie's value.
async function oidcSignIn(server) {
  const b = new Browser(server.url);
  const csrfToken = await b.csrf();
  const signin = await b.post("/api/auth/signin/oidc", { csrfToken, callbackUrl: `${server.url}/after` });
  assert.equal(typeof signin.body?.url, "string", `no authorization URL: ${signin.status} ${JSON.stringify(signin.body)}`);
  const back = new URL(await loginThrough(signin.body.url, ALICE_LOGIN));
  const callback = await b.fetch(back.pathname + back.search);
  assert.equal(callback.status, 302);
  assert.equal(callback.headers.get("location"), `${server.url}/after`, "the sign-in failed");
  const token = b.jar.get(SESSION);
  assert.ok(token, "no session cookie");
  return token;
}

// sessionOn reads GET /api/auth/session on `server` with `token` as the session cookie.
async function sessionOn(server, token) {
  const b = new Browser(server.url);
  b.jar.set(SESSION, token);
  return b.session();
}

async function signOutOn(server, token) {
  const b = new Browser(server.url);
  b.jar.set(SESSION, token);
  const r = await b.signOut();
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const userOf = (session) => session && { name: session.user?.name, email: session.user?.email, image: session.user?.image };

test("Auth.js and authpp share users, accounts and sessions in one PostgreSQL database", async (t) => {
  const db = await createDatabase();
  t.after(() => db.drop());
  const { authpp, authjs, env } = await startPair(t, db);

  // alice signs up on Auth.js: pg-adapter creates her user, account and session.
  const fromAuthjs = await oidcSignIn(authjs);
  assert.deepEqual(authjs.errors, []);
  const users = await db.sql(`SELECT id, email, name FROM users`);
  assert.equal(users.length, 1);
  const [alice] = users;
  assert.equal(alice.email, ALICE.email);
  const accounts = await db.sql(`SELECT "userId", provider, "providerAccountId" FROM accounts`);
  assert.deepEqual(accounts, [{ userId: alice.id, provider: "oidc", providerAccountId: "alice-sub" }]);

  // authpp accepts Auth.js's session cookie: the session is the database row.
  assert.deepEqual(userOf(await sessionOn(authpp, fromAuthjs)), ALICE);
  assert.deepEqual(userOf(await sessionOn(authjs, fromAuthjs)), ALICE);

  // alice signs in on authpp: the account pg-adapter linked finds her; no second user or account.
  const fromAuthpp = await oidcSignIn(authpp);
  assert.equal((await db.sql(`SELECT count(*)::int AS n FROM users`))[0].n, 1);
  assert.equal((await db.sql(`SELECT count(*)::int AS n FROM accounts`))[0].n, 1);
  const rows = await db.sql(`SELECT "userId" FROM sessions WHERE "sessionToken" = $1`, [fromAuthpp]);
  assert.deepEqual(rows, [{ userId: alice.id }], "authpp's session row names the same user");
  // Auth.js accepts authpp's session cookie.
  assert.deepEqual(userOf(await sessionOn(authjs, fromAuthpp)), ALICE);
  assert.deepEqual(authjs.errors, []);

  // A sign-out on either server ends the session on both.
  await signOutOn(authjs, fromAuthpp);
  assert.equal(await sessionOn(authpp, fromAuthpp), null);
  await signOutOn(authpp, fromAuthjs);
  assert.equal(await sessionOn(authjs, fromAuthjs), null);
  assert.equal((await db.sql(`SELECT count(*)::int AS n FROM sessions`))[0].n, 0);

  // A password user made with authpp's CLI is a user pg-adapter reads; her sessions too.
  const add = runCli(["user", "add", "bob@example.com", "--name", "Bob"], { input: "correct horse battery\n", env });
  assert.equal(add.status, 0, add.stderr);
  const adapter = PostgresAdapter(db.pool);
  const bob = await adapter.getUserByEmail("bob@example.com");
  assert.equal(bob?.name, "Bob");
  const b = new Browser(authpp.url);
  const signin = await b.signIn("bob@example.com", "correct horse battery");
  assert.equal(signin.status, 200, JSON.stringify(signin.body));
  const both = await adapter.getSessionAndUser(b.jar.get(SESSION));
  assert.equal(both?.user.email, "bob@example.com");
  assert.equal(String(both?.session.userId), String(bob.id));
  assert.equal(await adapter.getUserByAccount({ provider: "oidc", providerAccountId: "alice-sub" }).then((u) => u?.email), ALICE.email);
});

test("authpp serve takes over a database Auth.js made, and pg-adapter keeps working on it", async (t) => {
  const db = await createDatabase();
  t.after(() => db.drop());
  await db.pool.query(readFileSync(new URL("../fixtures/authjs_pg_schema.sql", import.meta.url), "utf8"));
  const adapter = PostgresAdapter(db.pool);
  const carol = await adapter.createUser({ name: "Carol", email: "carol@example.com", emailVerified: new Date(), image: null });
  await adapter.linkAccount({ userId: carol.id, type: "oidc", provider: "corp", providerAccountId: "carol-1", access_token: "at", expires_at: 1767225600, token_type: "bearer" });
  const expires = new Date(Date.now() + 86400_000);
  await adapter.createSession({ sessionToken: "carol-session-token", userId: carol.id, expires });
  await adapter.createVerificationToken({ identifier: "carol@example.com", token: "hashed-token", expires });

  // authpp serve migrates it at start, keeping every row, and serves carol's session.
  const { authpp, env } = await startPair(t, db);
  const session = await sessionOn(authpp, "carol-session-token");
  assert.equal(session?.user?.email, "carol@example.com");
  assert.equal(session?.user?.name, "Carol");
  const status = runCli(["db", "status"], { env });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /schema version 4 of 4, up to date/);
  const list = runCli(["user", "list"], { env });
  assert.match(list.stdout, /carol@example\.com/);

  // pg-adapter on the migrated database: its rows and calls unchanged.
  assert.equal((await adapter.getUserByAccount({ provider: "corp", providerAccountId: "carol-1" }))?.id, carol.id);
  const token = await adapter.useVerificationToken({ identifier: "carol@example.com", token: "hashed-token" });
  assert.equal(token?.token, "hashed-token");
  assert.equal(await adapter.useVerificationToken({ identifier: "carol@example.com", token: "hashed-token" }), null);
  // authpp's sign-out deletes the row pg-adapter wrote.
  await signOutOn(authpp, "carol-session-token");
  assert.equal(await adapter.getSessionAndUser("carol-session-token"), null);
});

test("next-auth/react in Chromium signs in and out of both servers in database mode", async (t) => {
  const db = await createDatabase();
  t.after(() => db.drop());
  const page = await buildClientPage();
  const { authjs, authppPage } = await startPair(t, db, { page });
  for (const [name, origin] of [["Auth.js", authjs.url], ["authpp", authppPage]]) {
    const client = await launchJsClient(origin);
    t.after(() => client.close());
    const p = client.page;
    await client.signInThroughIdp("oidc", idp.issuer, { login: ALICE.email, password: "wonderland" });
    assert.deepEqual(userOf(await client.session()), ALICE, `${name}: no session after the sign-in`);
    const token = (await p.context().cookies(origin)).find((c) => c.name === SESSION)?.value;
    assert.ok(token, `${name}: no session cookie`);
    const rows = await db.sql(`SELECT u.email FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = $1`, [token]);
    assert.deepEqual(rows, [{ email: ALICE.email }], `${name}: the session is a row of the shared database`);
    await client.signOut({ redirect: false });
    assert.equal(await client.session(), null, `${name}: still signed in after signOut`);
    assert.equal((await db.sql(`SELECT count(*)::int AS n FROM sessions WHERE "sessionToken" = $1`, [token]))[0].n, 0);
  }
  // One user for the one person, whichever server she used first.
  assert.equal((await db.sql(`SELECT count(*)::int AS n FROM users`))[0].n, 1);
  assert.deepEqual(authjs.errors, []);
});

// A magic link Auth.js mailed, used on authpp: one database, one secret, so the token Auth.js
// stored (sha256(token + secret)) is the one authpp looks up. authpp's confirmation page takes
// the link; the user it creates and the session it starts are rows Auth.js reads.
test("a sign-in link Auth.js sent works on authpp, once, and the session is Auth.js's too", async (t) => {
  const db = await createDatabase();
  t.after(() => db.drop());
  const sent = [];
  const { authpp, authjs } = await startPair(t, db, { email: { send: (p) => void sent.push(p) } });
  const onAuthjs = new Browser(authjs.url);
  const asked = await onAuthjs.post("/api/auth/signin/email",
    { email: "Erin@Example.com", csrfToken: await onAuthjs.csrf(), callbackUrl: authpp.url + "/" });
  assert.equal(asked.body.url, `${authjs.url}/api/auth/verify-request?provider=email&type=email`);
  assert.equal(sent.length, 1);
  // The link as authpp would have sent it: same path and parameters, authpp's origin.
  const link = new URL(sent[0].url);
  const onAuthpp = new Browser(authpp.url);
  const page = await onAuthpp.fetch(link.pathname + link.search);
  assert.equal(page.status, 200);
  const fields = {};
  for (const m of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2].replace(/&#x2F;/g, "/").replace(/&amp;/g, "&");
  }
  const used = await onAuthpp.post("/api/auth/callback/email", fields);
  // The link's callbackUrl is on the other server's origin: the redirect callback keeps the
  // browser on authpp's.
  assert.equal(used.body.url, authpp.url);
  assert.equal((await onAuthpp.session()).user.email, "erin@example.com");
  const token = onAuthpp.jar.get(SESSION);
  const rows = await db.sql(`SELECT u.email, u."emailVerified" IS NOT NULL AS verified FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = $1`, [token]);
  assert.deepEqual(rows, [{ email: "erin@example.com", verified: true }]);
  // Auth.js reads the session authpp started.
  const viaAuthjs = new Browser(authjs.url);
  viaAuthjs.jar.set(SESSION, token);
  assert.equal((await viaAuthjs.session()).user.email, "erin@example.com");
  // Used once: the token row is gone, and the link is refused on either server.
  assert.equal((await db.sql(`SELECT count(*)::int AS n FROM verification_token`))[0].n, 0);
  const again = await new Browser(authpp.url).fetch(link.pathname + link.search);
  const replay = await onAuthpp.post("/api/auth/callback/email", { ...fields, csrfToken: await onAuthpp.csrf() });
  assert.equal(again.status, 200);
  assert.equal(replay.body.url, `${authpp.url}/api/auth/error?error=Verification`);
  assert.deepEqual(authjs.errors, []);
});
