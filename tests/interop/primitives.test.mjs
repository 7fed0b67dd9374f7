// Interop of the wire primitives, both directions, against the real @auth/core 0.41.3:
// session tokens (one and two secrets, http and https cookie names), the CSRF double-submit
// cookie, and session-cookie chunking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encode, decode } from "@auth/core/jwt";
import { authjsConfig, authpp, call, cookiePairs, peer, runFails } from "./authjs_peer.mjs";

const CLAIMS = { name: "Alice", email: "alice@example.com", sub: "1", role: ["admin", "é✓"] };
const SALTS = ["authjs.session-token", "__Secure-authjs.session-token"];

const secretArgs = (secrets) => secrets.flatMap((s) => ["--secret", s]);

for (const salt of SALTS) {
  test(`Auth.js token decodes in authpp to equal claims (${salt})`, async () => {
    const token = await encode({ token: CLAIMS, secret: "s3cret", salt });
    const claims = JSON.parse(authpp(["token", "decode", "--cookie-name", salt, "--secret", "s3cret"], token));
    const reference = await decode({ token, secret: "s3cret", salt });
    assert.deepEqual(claims, reference);
    assert.equal(claims.name, "Alice");
  });

  test(`authpp token decodes in Auth.js to equal claims (${salt})`, async () => {
    const token = authpp(["token", "encode", "--cookie-name", salt, "--secret", "s3cret"], JSON.stringify(CLAIMS));
    const claims = await decode({ token, secret: "s3cret", salt });
    const { iat, exp, jti, ...rest } = claims;
    assert.deepEqual(rest, CLAIMS);
    assert.equal(exp - iat, 2592000);
    assert.match(jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
}

test("two secrets: Auth.js encodes with the first, authpp decodes with either order", async () => {
  const salt = SALTS[0];
  const token = await encode({ token: CLAIMS, secret: ["new", "old"], salt });
  for (const order of [["new", "old"], ["old", "new"]]) {
    const claims = JSON.parse(authpp(["token", "decode", ...secretArgs(order)], token));
    assert.equal(claims.email, CLAIMS.email);
  }
  // Only the retired secret: the kid names "new", so decoding must fail.
  const failed = runFails(() => authpp(["token", "decode", "--secret", "old"], token));
  assert.ok(failed, "token decoded without its secret");
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /no matching secret/);
});

test("two secrets: authpp encodes with the first, Auth.js decodes it and refuses the old alone", async () => {
  const salt = SALTS[0];
  const token = authpp(["token", "encode", ...secretArgs(["new", "old"])], JSON.stringify(CLAIMS));
  assert.equal((await decode({ token, secret: ["old", "new"], salt })).name, "Alice");
  await assert.rejects(decode({ token, secret: "old", salt }));
});

test("a token from the other secret or cookie name is refused by both sides", async () => {
  const token = await encode({ token: CLAIMS, secret: "right", salt: SALTS[0] });
  assert.ok(runFails(() => authpp(["token", "decode", "--secret", "wrong"], token)));
  assert.ok(runFails(() => authpp(["token", "decode", "--secret", "right", "--cookie-name", SALTS[1]], token)));
  const ours = authpp(["token", "encode", "--secret", "right"], JSON.stringify(CLAIMS));
  await assert.rejects(decode({ token: ours, secret: "wrong", salt: SALTS[0] }));
  await assert.rejects(decode({ token: ours, secret: "right", salt: SALTS[1] }));
});

for (const secret of ["csrf-secret", ["s1", "s2"]]) {
  const label = JSON.stringify(secret);
  const list = [secret].flat();

  test(`CSRF cookie minted by Auth.js verifies in authpp (secret ${label})`, async () => {
    const res = await call(authjsConfig(secret), "GET", "/api/auth/csrf");
    const raw = decodeURIComponent(cookiePairs(res.setCookies)["authjs.csrf-token"]);
    assert.equal(peer(["csrf-verify", ...secretArgs(list)], raw), res.body.csrfToken);
    // Forged: the same token with a hash made under another secret.
    assert.ok(runFails(() => peer(["csrf-verify", "--secret", "other"], raw)));
  });

  test(`CSRF cookie minted by authpp is accepted by Auth.js (secret ${label})`, async () => {
    const made = JSON.parse(peer(["csrf-create", ...secretArgs(list)]));
    const [pair, ...attrs] = made.set_cookie.split("; ");
    assert.deepEqual(attrs, ["Path=/", "HttpOnly", "SameSite=Lax"]);
    const res = await call(authjsConfig(secret), "GET", "/api/auth/csrf", { cookie: pair });
    // Auth.js returns the same token and mints no new CSRF cookie when it trusts ours.
    assert.equal(res.body.csrfToken, made.token);
    assert.equal(cookiePairs(res.setCookies)["authjs.csrf-token"], undefined);
    // Under another secret Auth.js distrusts it and mints a fresh token.
    const other = await call(authjsConfig("other"), "GET", "/api/auth/csrf", { cookie: pair });
    assert.notEqual(other.body.csrfToken, made.token);
  });
}

async function signInWithPad(secret, pad) {
  const config = authjsConfig(secret);
  const csrf = await call(config, "GET", "/api/auth/csrf");
  const csrfCookie = csrf.setCookies.map((c) => c.split(";")[0]).find((c) => c.startsWith("authjs.csrf-token="));
  const res = await call(config, "POST", "/api/auth/callback/credentials", {
    cookie: csrfCookie,
    form: { username: "alice", password: "wonderland", pad: String(pad), csrfToken: csrf.body.csrfToken },
  });
  assert.equal(res.status, 302, JSON.stringify(res.body));
  return res.setCookies.filter((c) => c.startsWith("authjs.session-token"));
}

test("chunked session cookies split identically (Auth.js -> authpp)", async () => {
  const chunks = await signInWithPad("chunk-secret", 9000);
  assert.ok(chunks.length >= 3, `expected >= 3 chunks, got ${chunks.length}`);
  const token = chunks.map((c) => c.split(";")[0].split("=")[1]).join("");
  const ours = JSON.parse(peer(["chunk"], token));
  const shape = (list) => list.map((c) => { const [p] = c.split(";"); const [n, v] = p.split("="); return [n, v.length]; });
  assert.deepEqual(shape(ours), shape(chunks));
  // The attributes after the value differ only by Expires, which Auth.js sets and the peer omits.
  const attrs = (c) => c.split("; ").slice(1).filter((a) => !a.startsWith("Expires="));
  assert.deepEqual(attrs(ours[0]), attrs(chunks[0]));
  // authpp reassembles Auth.js's chunks, listed in reverse order, to the same token.
  const header = chunks.map((c) => c.split(";")[0]).reverse().join("; ");
  assert.equal(peer(["unchunk"], header), token);
  const claims = JSON.parse(authpp(["token", "decode", "--secret", "chunk-secret"], token));
  assert.equal(claims.pad.length, 9000);
});

test("chunked session cookies written by authpp are read by Auth.js (authpp -> Auth.js)", async () => {
  const claims = { name: "Alice", email: "alice@example.com", sub: "1", pad: "y".repeat(9000) };
  const token = authpp(["token", "encode", "--secret", "chunk-secret"], JSON.stringify(claims));
  const ours = JSON.parse(peer(["chunk"], token));
  assert.ok(ours.length >= 3);
  const cookie = ours.map((c) => c.split(";")[0]).join("; ");
  const res = await call(authjsConfig("chunk-secret"), "GET", "/api/auth/session", { cookie });
  assert.equal(res.status, 200);
  assert.equal(res.body?.user?.name, "Alice");
  assert.equal(res.body.pad, 9000);
});

test("a chunk missing from the middle is refused by authpp", async () => {
  const chunks = await signInWithPad("chunk-secret", 9000);
  const pairs = chunks.map((c) => c.split(";")[0]);
  const gap = [pairs[0], ...pairs.slice(2)].join("; ");
  const failed = runFails(() => peer(["unchunk"], gap));
  assert.ok(failed, "a session cookie with a gap was reassembled");
  assert.match(failed.stderr, /missing cookie chunk/);
});
