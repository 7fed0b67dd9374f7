// An example application in a real browser: examples/httplib_app (authpp::cpphttplib) or
// examples/beast_app (authpp::beast), named by AUTHPP_EXAMPLE_APP. Signed out, its page sends
// Chromium to the sign-in page; signed in through the form, the page greets the user; signed out
// through the sign-out page, the page sends it to sign in again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { launchChromium } from "./chromium.mjs";

const APP = process.env.AUTHPP_EXAMPLE_APP;
const name = APP ? APP.split("/").pop() : "";
const artifacts = process.env.AUTHPP_ARTIFACTS ?? "artifacts";
let app, base, context, page;

before(async () => {
  assert.ok(APP, "AUTHPP_EXAMPLE_APP names the example program");
  app = spawn(APP, [], { env: { PATH: process.env.PATH, AUTH_SECRET: "example-app-secret-0123456789abcdef" },
    stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  app.stderr.on("data", (d) => (out += d));
  base = await new Promise((resolve, reject) => {
    app.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    app.on("exit", (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
  mkdirSync(artifacts, { recursive: true });
  context = await launchChromium();
  page = await context.newPage();
});

after(async () => {
  await context?.close();
  if (app && app.exitCode === null) {
    app.kill("SIGTERM");
    await once(app, "exit");
  }
});

test("signed out, the page sends the browser to sign in and back", async () => {
  await page.goto(`${base}/`);
  assert.equal(await page.title(), "Sign in");
  assert.equal(new URL(page.url()).searchParams.get("callbackUrl"), `${base}/`);
  await page.getByLabel(/email/i).fill("ada@example.com");
  await page.getByLabel(/password/i).fill("correct horse");
  await Promise.all([page.waitForURL(`${base}/`), page.getByRole("button", { name: /sign in/i }).click()]);
  assert.equal(await page.locator("h1").innerText(), "Hello Ada Lovelace");
  await page.screenshot({ path: join(artifacts, `${name}-signed-in.png`) });
});

test("signed out again through the sign-out page, the page is closed to the browser", async () => {
  await page.getByRole("link", { name: /sign out/i }).click();
  await Promise.all([page.waitForURL(`${base}/**`), page.getByRole("button", { name: /sign out/i }).click()]);
  await page.goto(`${base}/`);
  assert.equal(await page.title(), "Sign in");
  const session = await (await page.request.get(`${base}/api/auth/session`)).json();
  assert.equal(session, null);
});
