// The account page in a real browser against `authpp serve --dev` (where it is on, with TOTP):
// the demo user signs in with the password, adds a passkey (a virtual authenticator, as in
// passkey.test.mjs), turns the authenticator app on with the key the page shows, signs in again
// with password and code, removes the passkey, and turns the app off with a recovery code. Screenshots go to $AUTHPP_ARTIFACTS (default ./artifacts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { freePort, startServer } from "../integration/server_harness.mjs";

const artifacts = process.env.AUTHPP_ARTIFACTS ?? "artifacts";
mkdirSync(artifacts, { recursive: true });
let server, base, context, page, cdp, authenticatorId, totpKey, recoveryCodes;

// WebAuthn refuses IP addresses as relying party ids: the browser uses the name localhost.
before(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await startServer(["--dev"], { listen: `127.0.0.1:${port}` });
  context = await launchChromium({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  }));
});

after(async () => {
  await context?.close();
  await server?.stop();
});

const accountUrl = () => `${base}/api/auth/account`;
const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

// totp is RFC 6238's code (SHA-1, 6 digits, 30 s) for the base32 `key` at `when`, written here
// independently of the server's implementation.
function totp(key, when = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of key) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const secret = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

// signOut signs out through the sign-out page, which then goes where the last sign-in went.
async function signOut() {
  await page.goto(`${base}/api/auth/signout`);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith("/signout")),
    page.getByRole("button", { name: /sign out/i }).click()]);
  assert.equal(await session(), null);
}

async function session() {
  return (await page.request.get(`${base}/api/auth/session`)).json();
}

// passwordSignIn signs the demo user in through the form, with `code` in the second step when
// the server asks for one, and lands on the account page.
async function passwordSignIn(code) {
  await page.goto(accountUrl());
  await page.waitForURL(/\/api\/auth\/signin\?callbackUrl=/);
  await page.getByLabel("Email or username").fill(server.demo.email);
  await page.getByLabel(/password/i).fill(server.demo.password);
  const submit = page.getByRole("button", { name: "Sign in with Credentials" });
  if (!code) {
    await Promise.all([page.waitForURL(accountUrl()), submit.click()]);
    return;
  }
  await Promise.all([page.waitForURL(/code=totp_required/), submit.click()]);
  await shot("account-signin-code");
  // The step asks for everything again (nothing of the first post travels in the URL).
  await page.getByLabel("Email or username").fill(server.demo.email);
  await page.getByLabel(/password/i).fill(server.demo.password);
  await page.getByLabel("Authentication code").fill(code);
  await Promise.all([page.waitForURL(accountUrl()), submit.click()]);
}

test("a signed-out visitor is sent to sign in and comes back to the page", async () => {
  await passwordSignIn();
  assert.equal(await page.title(), "Your account");
  assert.match(await page.locator("p.lead").innerText(), new RegExp(server.demo.email));
  assert.match(await page.locator("section", { has: page.getByRole("heading", { name: "Passkeys" }) }).innerText(),
    /No passkeys yet/);
  await shot("account-page");
});

test("add a passkey from the page", async () => {
  const removes = page.getByRole("button", { name: /^Remove the Passkey/ });
  const status = page.locator("[data-passkey-status]");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await Promise.race([removes.first().waitFor(), status.waitFor()]);
  assert.equal(await status.isVisible(), false, await status.innerText());
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].rpId, "localhost");
  assert.equal(await removes.count(), 1);
  await shot("account-passkey-added");
});

test("turn the authenticator app on with the key the page shows", async () => {
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.getByLabel("Code from the app").waitFor();
  assert.equal(await page.getByRole("img", { name: "QR code for your authenticator app" }).count(), 1);
  totpKey = (await page.locator("p.key code").innerText()).trim();
  assert.match(totpKey, /^[A-Z2-7]{32}$/);
  // The code field has the focus, as the next thing to do.
  assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-code");
  await shot("account-totp-enrol");

  await page.getByLabel("Code from the app").fill(totp(totpKey, Date.now() - 5 * 60_000));
  await page.getByRole("button", { name: "Turn on" }).click();
  assert.match(await page.getByRole("alert").innerText(), /code was not accepted/);

  await page.getByLabel("Code from the app").fill(totp(totpKey));
  await page.getByRole("button", { name: "Turn on" }).click();
  assert.match(await page.getByRole("status").innerText(), /Authenticator app on/);
  const codes = await page.locator("ul.codes code").allInnerTexts();
  assert.equal(codes.length, 10);
  recoveryCodes = codes;
  await shot("account-totp-on");

  // Shown once: a reload lists how many are left, not the codes.
  await page.reload();
  assert.equal(await page.locator("ul.codes").count(), 0);
  assert.match(await page.locator("body").innerText(), /Recovery codes left: 10/);
});

test("signing in with the password now takes a code from the app", async () => {
  await signOut();
  // The next period's code: the one typed at enrolment was used and cannot be replayed.
  await passwordSignIn(totp(totpKey, Date.now() + 30_000));
  assert.equal((await session()).user.email, server.demo.email);
});

test("remove the passkey; it no longer signs in", async () => {
  await Promise.all([page.waitForURL(accountUrl()), page.getByRole("button", { name: /^Remove the Passkey/ }).click()]);
  assert.match(await page.getByRole("status").innerText(), /Passkey removed/);
  assert.match(await page.locator("body").innerText(), /No passkeys yet/);
  await shot("account-passkey-removed");

  // The browser still holds the credential; the server no longer accepts it.
  await signOut();
  await page.goto(`${base}/api/auth/signin`);
  const form = page.locator("form[data-passkey-options]");
  await Promise.all([page.waitForURL(/error=WebAuthnVerificationError/),
    form.getByRole("button", { name: "Sign in with a passkey" }).click()]);
  assert.equal(await session(), null);
});

test("turn the authenticator app off with a recovery code", async () => {
  // The app's codes up to the next period are used: a recovery code stands in for one.
  await passwordSignIn(recoveryCodes[1]);
  await page.getByLabel("Code from the app, or a recovery code").fill(recoveryCodes[0]);
  await page.getByRole("button", { name: "Turn off" }).click();
  assert.match(await page.getByRole("status").innerText(), /Authenticator app off/);
  await shot("account-totp-off");

  // And the password alone signs in again.
  await signOut();
  await passwordSignIn();
  assert.equal((await session()).user.email, server.demo.email);
});
