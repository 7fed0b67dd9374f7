// A real browser against `authpp serve`: Debian's Chromium, headless, driven by playwright-core.
// Signs in through the built-in form (a wrong password first), lands signed in, and signs out
// through the sign-out page. Screenshots of each page go to $AUTHPP_ARTIFACTS (default
// ./artifacts) for a person to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { startServer } from "../integration/server_harness.mjs";

const artifacts = process.env.AUTHPP_ARTIFACTS ?? "artifacts";
mkdirSync(artifacts, { recursive: true });
let server, context, page;

before(async () => {
  server = await startServer(["--dev"]);
  context = await launchChromium({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await context?.close();
  await server?.stop();
});

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

test("sign in through the form, with a wrong password first", async () => {
  await page.goto(`${server.url}/api/auth/signin?callbackUrl=${encodeURIComponent(server.url + "/")}`);
  assert.equal(await page.title(), "Sign in");
  await shot("signin");

  await page.getByLabel("Email or username").fill(server.demo.email);
  await page.getByLabel(/password/i).fill("definitely-wrong");
  await Promise.all([page.waitForURL(/error=CredentialsSignin/), page.getByRole("button", { name: "Sign in with Credentials" }).click()]);
  await assert.doesNotReject(page.getByRole("alert").waitFor());
  assert.match(await page.getByRole("alert").innerText(), /check the details/i);
  await shot("signin-error");

  await page.getByLabel("Email or username").fill(server.demo.email);
  await page.getByLabel(/password/i).fill(server.demo.password);
  await Promise.all([page.waitForURL(server.url + "/"), page.getByRole("button", { name: "Sign in with Credentials" }).click()]);
  assert.match(await page.locator("h1").innerText(), /signed in/i);
  await shot("home-signed-in");

  const session = await (await page.request.get(`${server.url}/api/auth/session`)).json();
  assert.equal(session.user.email, server.demo.email);
});

test("sign out through the sign-out page", async () => {
  await page.goto(`${server.url}/api/auth/signout`);
  await shot("signout");
  await Promise.all([page.waitForURL(server.url + "/"), page.getByRole("button", { name: /sign out/i }).click()]);
  assert.match(await page.locator("h1").innerText(), /welcome/i);
  const session = await (await page.request.get(`${server.url}/api/auth/session`)).json();
  assert.equal(session, null);
});

test("the error page looks finished too", async () => {
  await page.goto(`${server.url}/api/auth/error?error=Verification`);
  await shot("error");
  assert.match(await page.locator("body").innerText(), /no longer valid/i);
});
