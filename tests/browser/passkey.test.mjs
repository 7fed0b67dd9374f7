// Passkeys in a real browser against `authpp serve --dev`: Debian's Chromium with a virtual
// authenticator (the Chrome DevTools Protocol's WebAuthn domain, as a platform authenticator with
// a fingerprint reader). A newcomer registers a passkey from the sign-in page, signs out and signs
// in with it; then the attacks the ceremony stops: a cloned authenticator whose counter went
// backwards, a phishing relay on another origin, and a passkey the operator removed. Screenshots
// go to $AUTHPP_ARTIFACTS (default ./artifacts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { once } from "node:events";
import { createServer, request } from "node:http";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { freePort, runCli, startServer, tempDir, writeConfig } from "../integration/server_harness.mjs";

const artifacts = process.env.AUTHPP_ARTIFACTS ?? "artifacts";
mkdirSync(artifacts, { recursive: true });
const email = "newcomer@example.com";
let server, base, context, page, cdp, authenticatorId, relay, relayBase;

// WebAuthn refuses IP addresses as relying party ids, so the browser uses the name localhost
// (the server still listens on 127.0.0.1 only). The passkey origins are configured: in dev mode
// the server trusts the Host header, which a relay controls.
before(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  const config = writeConfig(tempDir("authpp-passkey-config-"), `[passkey]\norigins = ["${base}"]\n`);
  server = await startServer(["--dev", "--config", config], { listen: `127.0.0.1:${port}` });
  context = await launchChromium({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  authenticatorId = await addAuthenticator();

  // The phishing relay: another origin (another port of localhost, so the browser lets it use
  // the relying party id "localhost") that passes every request through to the server.
  relay = createServer((req, res) => {
    const upstream = request({ host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers },
      (answer) => { res.writeHead(answer.statusCode, answer.headers); answer.pipe(res); });
    req.pipe(upstream);
  }).listen(0, "127.0.0.1");
  await once(relay, "listening");
  relayBase = `http://localhost:${relay.address().port}`;
});

after(async () => {
  await context?.close();
  relay?.close();
  await server?.stop();
});

const database = () => join(server.dataDir, "authpp.db");
const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

async function addAuthenticator() {
  const { authenticatorId: id } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });
  return id;
}

async function session() {
  return (await page.request.get(`${base}/api/auth/session`)).json();
}

async function signOut() {
  await page.goto(`${base}/api/auth/signout`);
  await Promise.all([page.waitForURL(`${base}/`), page.getByRole("button", { name: /sign out/i }).click()]);
  assert.equal(await session(), null);
}

// passkeySignIn presses "Sign in with a passkey" on the sign-in page of `origin`, with `address`
// typed into the passkey form's field when given, and waits for the page it lands on.
async function passkeySignIn(origin, address, landing) {
  await page.goto(`${origin}/api/auth/signin?callbackUrl=${encodeURIComponent(`${origin}/`)}`);
  const form = page.locator("form[data-passkey-options]");
  if (address) await form.getByLabel("Email").fill(address);
  await Promise.all([page.waitForURL(landing), form.getByRole("button", { name: "Sign in with a passkey" }).click()]);
}

test("a newcomer registers a passkey, signs out and signs in with it", async () => {
  await page.goto(`${base}/api/auth/signin`);
  await shot("passkey-signin");
  const form = page.locator("form[data-passkey-options]");
  assert.equal(await form.getByLabel("Email").getAttribute("autocomplete"), "username webauthn");

  await passkeySignIn(base, email, `${base}/`);
  assert.equal((await session()).user.email, email);
  await shot("passkey-registered");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].rpId, "localhost");
  assert.equal(credentials[0].isResidentCredential, true);

  await signOut();
  await passkeySignIn(base, "", `${base}/`);
  assert.equal((await session()).user.email, email);

  // The operator sees it, used just now.
  const listed = runCli(["user", "passkeys", email, "--database", database()]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /passkeys: 1\n/);
  assert.match(listed.stdout, /last used: \d{4}-\d\d-\d\dT/);
  assert.match(listed.stdout, /transports: internal/);
  await signOut();
});

test("a cloned authenticator whose counter went backwards is refused", async () => {
  const { credentials: [original] } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.ok(original.signCount > 0, `the virtual authenticator counts: ${original.signCount}`);
  // The clone: the same key on another authenticator, copied before the last sign-ins.
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  authenticatorId = await addAuthenticator();
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...original, signCount: 0 } });

  await passkeySignIn(base, "", /\/api\/auth\/error\?error=WebAuthnVerificationError/);
  assert.match(await page.getByRole("alert").innerText(), /passkey could not be verified/i);
  await shot("passkey-refused");
  assert.equal(await session(), null);

  // The genuine authenticator, still ahead of the stored counter, signs in.
  await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...original, signCount: original.signCount + 10 } });
  await passkeySignIn(base, "", `${base}/`);
  assert.equal((await session()).user.email, email);
  await signOut();
});

test("a sign-in through a phishing relay on another origin is refused", async () => {
  await passkeySignIn(relayBase, "", /error=WebAuthnVerificationError/);
  assert.equal(await session(), null);
  assert.match(server.out.stdout + server.out.stderr, /origin_mismatch/);
});

test("a passkey the operator removed no longer signs in", async () => {
  const listed = runCli(["user", "passkeys", email, "--database", database()]);
  const id = listed.stdout.match(/- id: (\S+)/)[1];
  const removed = runCli(["user", "passkeys", email, "--remove", id, "--database", database()]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, /removed passkey/);
  const again = runCli(["user", "passkeys", email, "--remove", id, "--database", database()]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /has no passkey with id/);

  await passkeySignIn(base, "", /error=WebAuthnVerificationError/);
  assert.equal(await session(), null);
});
