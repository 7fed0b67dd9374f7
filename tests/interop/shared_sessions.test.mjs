// Issue 5, shared sessions: with the same secret, a session cookie minted by the real Auth.js
// server is accepted by `authpp serve`, and the reverse; likewise a CSRF double-submit cookie
// from one is accepted by the other's POST. Each server runs on its own port on 127.0.0.1; the
// cookies are carried over by hand from one cookie jar to the other (both use the http names
// authjs.session-token and authjs.csrf-token).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Browser } from "../integration/server_harness.mjs";
import { startAuthjsServer } from "./authjs_server.mjs";
import { startAuthppServer } from "./authpp_server.mjs";

const SESSION = "authjs.session-token";
const CSRF = "authjs.csrf-token";
const ALICE = { name: "Alice", email: "alice@example.com" };

const secret = randomBytes(32).toString("base64url");
const servers = {};

before(async () => {
  servers["Auth.js"] = await startAuthjsServer({ secret });
  servers["authpp"] = await startAuthppServer({ secret });
});

after(async () => {
  await servers["authpp"]?.stop();
  await servers["Auth.js"]?.stop();
});

// signedIn returns a cookie-keeping client signed in as alice on `server`, as next-auth/react
// signs in (form fields, X-Auth-Return-Redirect).
async function signedIn(server) {
  const b = new Browser(server.url);
  const csrfToken = await b.csrf();
  const res = await b.post("/api/auth/callback/credentials?", {
    username: "alice", password: "wonderland", csrfToken, callbackUrl: server.url + "/",
  });
  assert.deepEqual(res.body, { url: server.url + "/" });
  assert.ok(b.jar.get(SESSION), "no session cookie after sign-in");
  return b;
}

const signOut = (b, csrfToken) => b.post("/api/auth/signout", { csrfToken, callbackUrl: b.base + "/" });

for (const [from, to] of [["Auth.js", "authpp"], ["authpp", "Auth.js"]]) {
  test(`a session cookie issued by ${from} is accepted by ${to}, and its refresh back by ${from}`, async () => {
    const issuer = await signedIn(servers[from]);
    const reader = new Browser(servers[to].url);
    reader.jar.set(SESSION, issuer.jar.get(SESSION));

    const session = await reader.session();
    assert.deepEqual(session?.user, ALICE, `${to} did not accept ${from}'s session cookie`);
    assert.ok(Date.parse(session.expires) > Date.now());

    // The reader rolled the session: its new token must be good at the issuer too.
    const rolled = reader.jar.get(SESSION);
    assert.ok(rolled && rolled !== issuer.jar.get(SESSION), `${to} did not refresh the session cookie`);
    const back = new Browser(servers[from].url);
    back.jar.set(SESSION, rolled);
    assert.deepEqual((await back.session())?.user, ALICE);
  });

  test(`a CSRF cookie issued by ${from} is accepted by ${to}'s sign-out, and a wrong token is not`, async () => {
    const issuer = new Browser(servers[from].url);
    const csrfToken = await issuer.csrf();
    const other = await new Browser(servers[from].url).csrf(); // valid format, not this cookie's

    const target = await signedIn(servers[to]);
    target.jar.set(CSRF, issuer.jar.get(CSRF));

    // Negative control first: the cookie alone proves nothing without its token.
    const refused = await signOut(target, other);
    assert.deepEqual(refused.body, { url: `${servers[to].url}/api/auth/signin?error=MissingCSRF` });
    assert.deepEqual((await target.session())?.user, ALICE, "a refused sign-out cleared the session");

    target.jar.set(CSRF, issuer.jar.get(CSRF)); // the session read may have re-set it
    const accepted = await signOut(target, csrfToken);
    assert.deepEqual(accepted.body, { url: servers[to].url + "/" }, `${to} refused ${from}'s CSRF cookie`);
    assert.equal(target.jar.get(SESSION), undefined, "the session cookie was not deleted");
    assert.equal(await target.session(), null);
  });
}

// Control: acceptance above comes from the shared secret, not from lax decoding.
test("a session cookie from an Auth.js server with another secret is refused by authpp", async () => {
  const stranger = await startAuthjsServer({ secret: randomBytes(32).toString("base64url") });
  try {
    const issuer = await signedIn(stranger);
    const reader = new Browser(servers["authpp"].url);
    reader.jar.set(SESSION, issuer.jar.get(SESSION));
    assert.equal(await reader.session(), null);
    assert.equal(reader.jar.get(SESSION), undefined, "authpp did not delete the undecodable cookie");
  } finally {
    await stranger.stop();
  }
});
