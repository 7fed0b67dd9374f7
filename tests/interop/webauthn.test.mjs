// Passkeys through the real next-auth/webauthn client: `signIn("passkey")` of next-auth (with
// @simplewebauthn/browser 9, both pinned in package-lock.json), bundled into the test page and run
// in Debian's Chromium against `authpp serve`, with Chrome's virtual authenticator (DevTools
// protocol, WebAuthn domain) in place of a security key. A new address registers a passkey and is
// signed up; after signing out, the discoverable passkey alone (no address) signs the same user
// in; a clone of the passkey whose signature counter went backwards is refused.
//
// Origin: WebAuthn refuses an IP address as relying party id, so the browser loads the page from
// http://localhost:PORT, PORT being the same-origin proxy's (which, like `authpp serve`, listens
// on 127.0.0.1 only; Chromium resolves localhost to the loopback addresses itself). The proxy
// forwards the browser's Host (localhost:PORT) and X-Forwarded-Host, and `authpp serve --dev`
// trusts the host, so its origin is http://localhost:PORT and the passkey provider's defaults
// (rp_id = the request's host, origins = [the request's origin]) are exactly the page's: no
// [passkey] rp_id/origins configuration is needed, and none is given, so the defaults are what
// this test proves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runCli, startServer } from "../integration/server_harness.mjs";
import { startSameOriginProxy } from "./same_origin_proxy.mjs";
import { buildClientPage } from "./client_page.mjs";
import { launchJsClient } from "./js_client.mjs";

const artifacts = process.env.AUTHPP_ARTIFACTS ?? "artifacts";
mkdirSync(artifacts, { recursive: true });

const EMAIL = "new@example.com";
let server, proxy, client, page, cdp, origin, authenticatorId;
// The requests the page sent to the base path, in order, for the wire assertions.
let wire = [];

before(async () => {
  // --dev: the passkey provider is on by default, the Host is trusted, the store is SQLite.
  server = await startServer(["--dev"]);
  proxy = await startSameOriginProxy({
    upstream: server.url,
    page: await buildClientPage({ entry: "./webauthn_entry.mjs" }),
  });
  origin = proxy.url.replace("//127.0.0.1:", "//localhost:");
  client = await launchJsClient(origin);
  page = client.page;
  page.on("request", (r) => {
    // The URL as sent: URL.search would drop the empty query of "…/callback/passkey?".
    const path = r.url().slice(origin.length);
    if (path.startsWith("/api/auth/")) wire.push({ method: r.method(), path, body: r.postData(), request: r });
  });
  cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
});

after(async () => {
  await client?.close();
  await proxy?.stop();
  await server?.stop();
});

// webauthnSignIn runs next-auth/webauthn's signIn in the page and waits until the network is idle
// (its session refresh included).
async function webauthnSignIn(provider, options) {
  wire = [];
  const result = await page.evaluate(([p, o]) => window.webauthnSignIn(p, o), [provider, options]);
  await client.idle();
  return result;
}

async function credentials() {
  return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

// storedPasskeys is the operator's view (`authpp user passkeys`) of the user's passkeys.
function storedPasskeys(email) {
  const r = runCli(["user", "passkeys", email, "--database", join(server.dataDir, "authpp.db")]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function only(method, prefix) {
  const found = wire.filter((r) => r.method === method && r.path.startsWith(prefix));
  assert.equal(found.length, 1, JSON.stringify(wire.map((r) => `${r.method} ${r.path}`)));
  return found[0];
}

// The form next-auth/webauthn posted to /callback/passkey, as a plain object.
function callbackForm() {
  return Object.fromEntries(new URLSearchParams(only("POST", "/api/auth/callback/passkey").body));
}

// What the server answered to that POST (JSON: {url}).
async function callbackAnswer() {
  return (await only("POST", "/api/auth/callback/passkey").request.response()).json();
}

// The options request's answer: its JSON body and its Set-Cookie header.
async function optionsAnswer() {
  const res = await only("GET", "/api/auth/webauthn-options/passkey").request.response();
  assert.equal(res.status(), 200);
  return { body: await res.json(), setCookie: (await res.headerValue("set-cookie")) ?? "" };
}

// The challenge cookie: set by every options answer, as Auth.js sets it.
const CHALLENGE_COOKIE = /^authjs\.challenge=[^;]+;(.*; )?HttpOnly(;|$)/im;

test("the passkey provider is listed as a webauthn one", async () => {
  const providers = await client.providers();
  assert.equal(providers.passkey?.type, "webauthn");
  assert.equal(providers.passkey.id, "passkey");
});

test("a new address registers a passkey and is signed up", async () => {
  assert.equal(await client.session(), null);
  const result = await webauthnSignIn("passkey", { email: EMAIL, redirect: false });
  // next-auth/webauthn's answer: error and code are null (not undefined) on success, and url is
  // the callback URL, here the page's own (redirectTo defaults to window.location.href).
  assert.deepEqual(result, { error: null, code: null, status: 200, ok: true, url: origin + "/" });

  // The wire next-auth/webauthn spoke (client-wire.md §2.8): providers, the options for the
  // address, then the CSRF token and the callback POST.
  assert.deepEqual(wire.slice(0, 4).map((r) => `${r.method} ${r.path}`), [
    "GET /api/auth/providers",
    `GET /api/auth/webauthn-options/passkey?email=${encodeURIComponent(EMAIL)}`,
    "GET /api/auth/csrf",
    "POST /api/auth/callback/passkey?",
  ]);
  const options = await optionsAnswer();
  assert.equal(options.body.action, "register");
  assert.equal(options.body.options.rp.id, "localhost");
  assert.equal(options.body.options.user.name, EMAIL);
  assert.equal(options.body.options.authenticatorSelection.residentKey, "required");
  assert.match(options.setCookie, CHALLENGE_COOKIE);
  const form = callbackForm();
  assert.deepEqual(Object.keys(form), ["email", "data", "action", "csrfToken", "callbackUrl"]);
  assert.equal(form.action, "register");
  assert.equal(form.email, EMAIL);
  assert.equal(form.callbackUrl, origin + "/");
  const credential = JSON.parse(form.data);
  assert.equal(credential.type, "public-key");
  assert.ok(credential.response.attestationObject);
  assert.deepEqual(await callbackAnswer(), { url: origin + "/" });

  const session = await client.session();
  assert.equal(session?.user?.email, EMAIL);
  // The challenge cookie is used up and cleared; the session cookie is set for localhost.
  const cookies = await page.context().cookies(origin);
  assert.equal(cookies.find((c) => c.name === "authjs.challenge"), undefined);
  assert.ok(cookies.find((c) => c.name === "authjs.session-token"));

  // The authenticator made one discoverable credential for the relying party "localhost", and
  // the server stored it under the same id (standard base64 in the store, base64url in CDP).
  const creds = await credentials();
  assert.equal(creds.length, 1);
  assert.equal(creds[0].rpId, "localhost");
  assert.equal(creds[0].isResidentCredential, true);
  assert.equal(Buffer.from(creds[0].credentialId, "base64").toString("base64url"), credential.id);
  assert.match(storedPasskeys(EMAIL), /passkeys: 1\n/);

  // For a person to look at: the page with the session it got.
  await page.evaluate((s) => {
    document.body.innerHTML = "";
    const pre = document.createElement("pre");
    pre.textContent = "Signed in with a passkey (next-auth/webauthn):\n" + JSON.stringify(s, null, 2);
    document.body.append(pre);
  }, session);
  await page.screenshot({ path: join(artifacts, "webauthn-signed-in.png"), fullPage: true });
});

test("signed out, the discoverable passkey alone signs the same user in", async () => {
  const out = await client.signOut({ redirect: false });
  assert.equal(out.url, origin + "/");
  assert.equal(await client.session(), null);

  const before = (await credentials())[0].signCount;
  const result = await webauthnSignIn("passkey", { redirect: false });
  assert.deepEqual(result, { error: null, code: null, status: 200, ok: true, url: origin + "/" });
  assert.equal(wire[1].path, "/api/auth/webauthn-options/passkey?");
  // Without an address, and signed out: authentication, with no allowCredentials (the
  // authenticator offers its discoverable credential for the relying party).
  const options = await optionsAnswer();
  assert.equal(options.body.action, "authenticate");
  assert.equal(options.body.options.rpId, "localhost");
  assert.equal(options.body.options.allowCredentials, undefined);
  assert.match(options.setCookie, CHALLENGE_COOKIE);
  const form = callbackForm();
  assert.deepEqual(Object.keys(form), ["data", "action", "csrfToken", "callbackUrl"]);
  assert.equal(form.action, "authenticate");
  assert.ok(JSON.parse(form.data).response.signature);
  assert.deepEqual(await callbackAnswer(), { url: origin + "/" });

  assert.equal((await client.session())?.user?.email, EMAIL);
  // Chrome's virtual authenticator counts its signatures: what the next test relies on.
  assert.ok((await credentials())[0].signCount > before, "the signature counter advanced");
  assert.match(storedPasskeys(EMAIL), /passkeys: 1\n/);
});

test("a clone of the passkey whose counter went backwards is refused", async () => {
  await client.signOut({ redirect: false });
  assert.equal(await client.session(), null);

  // The same key pair, user handle and id, but the signature counter back at 0 (a cloned
  // authenticator): its next signature carries 1, not more than the counter the server stored.
  const [original] = await credentials();
  assert.ok(original.signCount >= 1);
  const clone = (signCount) => ({
    credentialId: original.credentialId,
    isResidentCredential: original.isResidentCredential,
    rpId: original.rpId,
    privateKey: original.privateKey,
    userHandle: original.userHandle,
    signCount,
  });
  await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: original.credentialId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: clone(0) });

  const result = await webauthnSignIn("passkey", { redirect: false });
  // On failure next-auth/webauthn still answers ok: true, status 200 (the server answers the
  // X-Auth-Return-Redirect POST with 200 and the error in data.url), url null, the error named.
  assert.deepEqual(result, { error: "WebAuthnVerificationError", code: null, status: 200, ok: true, url: null });
  assert.equal(callbackForm().action, "authenticate");
  // The server's answer is Auth.js's for a client-safe error that is no SignInError (so its page
  // is the error page, not the sign-in page): {url: ORIGIN/api/auth/error?error=…}.
  assert.deepEqual(await callbackAnswer(), { url: origin + "/api/auth/error?error=WebAuthnVerificationError" });
  // …and the reason it logged (server-side only) is the counter.
  assert.match(server.out.stderr, /WebAuthnVerificationError.*counter/);
  assert.equal(await client.session(), null);
  assert.equal((await page.context().cookies(origin)).find((c) => c.name === "authjs.session-token"), undefined);

  // The refusal was about the counter, not the key: the same credential with its counter ahead
  // of the server's signs in again.
  await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: original.credentialId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: clone(original.signCount + 10) });
  const again = await webauthnSignIn("passkey", { redirect: false });
  assert.deepEqual(again, { error: null, code: null, status: 200, ok: true, url: origin + "/" });
  assert.equal((await client.session())?.user?.email, EMAIL);
});

test("options the server refuses: signIn resolves to undefined, with no ceremony", async () => {
  await client.signOut({ redirect: false });
  // Registration for an address that has an account, asked for while signed out: refused (a
  // passkey is added to an existing account only by its signed-in user).
  const logged = [];
  const onConsole = (m) => m.type() === "error" && logged.push(m.text());
  page.on("console", onConsole);
  const result = await webauthnSignIn("passkey", { email: EMAIL, action: "register", redirect: false });
  page.off("console", onConsole);
  assert.equal(result, undefined);
  const res = await only("GET", "/api/auth/webauthn-options/passkey").request.response();
  assert.equal(res.status(), 400);
  assert.deepEqual(await res.json(), { error: "Invalid request" });
  // next-auth/webauthn logs the answer's body and posts nothing.
  assert.ok(logged.some((t) => t.includes("Invalid request")), JSON.stringify(logged));
  assert.deepEqual(wire.filter((r) => r.method === "POST"), []);
  assert.equal((await credentials()).length, 1);
  assert.match(storedPasskeys(EMAIL), /passkeys: 1\n/);
  assert.equal(await client.session(), null);
});
