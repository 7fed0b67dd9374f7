// E-mail sign-in (magic links) through `authpp serve`: links sent over real SMTP to a throw-away
// aiosmtpd server (tests/test_support/smtp_sink.py), asked for by a plain HTTP client, by our C++
// client (`authpp signin`), and by the real next-auth/react in Chromium; each link followed
// through its confirmation page, and a reused link refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Browser, BIN, startServer, tempDir, writeConfig } from "../integration/server_harness.mjs";
import { startAuthjsServer } from "./authjs_server.mjs";
import { startSameOriginProxy } from "./same_origin_proxy.mjs";
import { buildClientPage } from "./client_page.mjs";
import { launchJsClient } from "./js_client.mjs";

const SINK = new URL("../test_support/smtp_sink.py", import.meta.url).pathname;
// Debian's python3-aiosmtpd is installed for the system interpreter, not for a python3 that comes
// first in PATH (pyenv, a virtualenv): CMake passes the system one.
const PYTHON = process.env.AUTHPP_PYTHON3 ?? "/usr/bin/python3";

// startSink runs the SMTP sink on a free port. It writes each message before it answers 250, so
// once a sign-in request has been answered its mail is on disk: nothing to wait for.
async function startSink() {
  const dir = tempDir("authpp-smtp-");
  const proc = spawn(PYTHON, [SINK, dir], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  proc.stderr.on("data", (d) => (err += d));
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening 127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    proc.on("error", (e) => reject(new Error(`${PYTHON}: ${e.message} (Debian package python3-aiosmtpd)`)));
    proc.on("exit", (code) =>
      reject(new Error(`smtp_sink exited with ${code}: ${err} (Debian package python3-aiosmtpd)`)));
  });
  return {
    port,
    messages: () =>
      readdirSync(dir).filter((f) => f.startsWith("message-")).sort()
        .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8"))),
    stop: () => proc.kill(),
  };
}

async function startEmailServer(t, emailToml) {
  const dir = tempDir();
  const config = writeConfig(dir, `[email]\n${emailToml}`);
  const server = await startServer(["--dev", "--config", config], { dataDir: dir });
  t.after(() => server.stop());
  return { server, dir };
}

// linkOf reads the sign-in link from a mail's text body: "Sign in to HOST\nURL\n\n".
function linkOf(mail) {
  const lines = mail.text.split("\n");
  assert.match(lines[0], /^Sign in to /);
  return lines[1];
}

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&#x2F;": "/" };
// hiddenFields reads the confirmation page's form, as a browser would submit it.
function hiddenFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2].replace(/&(amp|lt|gt|quot|#39|#x27|#x2F);/g, (e) => ENTITIES[e]);
  }
  return fields;
}

// follow opens `link` in `browser` and posts its confirmation form; returns the POST's answer.
async function follow(browser, link) {
  const page = await browser.fetch(link.slice(browser.base.length));
  assert.equal(page.status, 200);
  return browser.post("/api/auth/callback/email", hiddenFields(page.body));
}

test("a link sent over SMTP signs a new user up once; opening it alone uses nothing", async (t) => {
  const sink = await startSink();
  t.after(() => sink.stop());
  const { server: s } = await startEmailServer(t,
    `transport = "smtp"\nsmtp_url = "smtp://127.0.0.1:${sink.port}"\nfrom = "authpp <no-reply@authpp.test>"\n`);

  const providers = await (await fetch(s.url + "/api/auth/providers")).json();
  assert.equal(providers.email.type, "email");

  const b = new Browser(s.url);
  const csrfToken = await b.csrf();
  const asked = await b.post("/api/auth/signin/email",
    { email: " Bob@Example.com ", csrfToken, callbackUrl: s.url + "/welcome" });
  assert.equal(asked.body.url, `${s.url}/api/auth/verify-request?provider=email&type=email`);
  const [mail] = sink.messages();
  assert.deepEqual(mail.rcpt_tos, ["bob@example.com"]);
  assert.equal(mail.mail_from, "no-reply@authpp.test");
  assert.equal(mail.headers.Subject, `Sign in to ${new URL(s.url).host}`);
  assert.deepEqual(mail.defects, []);
  const link = linkOf(mail);
  assert.ok(link.startsWith(`${s.url}/api/auth/callback/email?callbackUrl=`), link);
  assert.ok(mail.html.includes("Sign in"));

  // A mail scanner fetches the link: it gets the confirmation page, no session, and the token
  // survives.
  const scanner = new Browser(s.url);
  const page = await scanner.fetch(link.slice(s.url.length));
  assert.equal(page.status, 200);
  assert.match(page.body, /Sign in as <strong>bob@example\.com<\/strong>/);
  assert.equal(await scanner.session(), null);

  const used = await follow(b, link);
  assert.equal(used.body.url, s.url + "/welcome");
  assert.equal((await b.session()).user.email, "bob@example.com");

  // Replay: the same link, from another browser, is refused.
  const other = new Browser(s.url);
  const replayed = await follow(other, link);
  assert.equal(replayed.body.url, `${s.url}/api/auth/error?error=Verification`);
  assert.equal(await other.session(), null);
});

test("`authpp signin --provider email` asks for a link like signIn('email', {redirect: false})", async (t) => {
  const sink = await startSink();
  t.after(() => sink.stop());
  const { server: s, dir } = await startEmailServer(t,
    `transport = "smtp"\nsmtp_url = "smtp://127.0.0.1:${sink.port}"\nfrom = "no-reply@authpp.test"\n`);
  const out = execFileSync(BIN, ["signin", "--url", s.url + "/api/auth", "--jar", join(dir, "jar.txt"),
    "--provider", "email", "--no-redirect", "-f", "email=carol@example.com"], { encoding: "utf8" });
  const response = JSON.parse(out);
  assert.equal(response.error, null);
  assert.equal(response.ok, true);
  assert.equal(response.url, `${s.url}/api/auth/verify-request?provider=email&type=email`);
  const [mail] = sink.messages();
  assert.deepEqual(mail.rcpt_tos, ["carol@example.com"]);
  const b = new Browser(s.url);
  await follow(b, linkOf(mail));
  assert.equal((await b.session()).user.email, "carol@example.com");
});

test("next-auth/react in Chromium: signIn('email') sends the link, the confirmation page signs in", async (t) => {
  const { server: s, dir } = await startEmailServer(t, `transport = "file"\n`);
  const page = await buildClientPage();
  const proxy = await startSameOriginProxy({ upstream: s.url, page });
  t.after(() => proxy.stop());
  const client = await launchJsClient(proxy.url);
  t.after(() => client.close());

  const response = await client.signIn("email", { email: "dana@example.com", redirect: false });
  assert.equal(response.ok, true);
  assert.equal(response.error ?? null, null);
  assert.equal(response.url, `${proxy.url}/api/auth/verify-request?provider=email&type=email`);
  const lines = readFileSync(join(dir, "mail.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].to, "dana@example.com");
  assert.ok(lines[0].url.startsWith(`${proxy.url}/api/auth/callback/email?`), lines[0].url);

  const p = client.page;
  await p.goto(lines[0].url, { waitUntil: "load" });
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(`${proxy.url}/`, { waitUntil: "load" });
  await client.reset();
  assert.equal((await client.session()).user.email, "dana@example.com");

  // The used link, opened again, ends on the error page.
  await p.goto(lines[0].url, { waitUntil: "load" });
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(`${proxy.url}/api/auth/error?error=Verification`);
});

// Our client against the real Auth.js: the same request, the same SignInResponse, and a link of
// the same shape as authpp's (callbackUrl, token, email, in that order).
test("`authpp signin --provider email` against Auth.js: the same answer, a link of the same shape", async (t) => {
  const sent = [];
  const authjs = await startAuthjsServer({ secret: "a".repeat(43), email: { send: (p) => void sent.push(p) } });
  t.after(() => authjs.stop());
  const dir = tempDir();
  // Not execFileSync: Auth.js runs in this process and must keep answering.
  const { stdout: out } = await promisify(execFile)(BIN, ["signin", "--url", authjs.url + "/api/auth",
    "--jar", join(dir, "jar.txt"), "--provider", "email", "--no-redirect", "--current-url", authjs.url + "/here",
    "-f", "email=Erin@Example.com"], { encoding: "utf8" });
  const response = JSON.parse(out);
  assert.equal(response.error, null);
  assert.equal(response.ok, true);
  assert.equal(response.url, `${authjs.url}/api/auth/verify-request?provider=email&type=email`);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].identifier, "erin@example.com");
  const link = new URL(sent[0].url);
  assert.equal(link.pathname, "/api/auth/callback/email");
  assert.deepEqual([...link.searchParams.keys()], ["callbackUrl", "token", "email"]);
  assert.equal(link.searchParams.get("callbackUrl"), authjs.url + "/here");
  assert.match(link.searchParams.get("token"), /^[0-9a-f]{64}$/);
  assert.deepEqual(authjs.errors, []);

  // authpp's link has the same parameters, in the same order.
  const { server: s, dir: dataDir } = await startEmailServer(t, `transport = "file"\n`);
  const b = new Browser(s.url);
  await b.post("/api/auth/signin/email", { email: "erin@example.com", csrfToken: await b.csrf(), callbackUrl: s.url + "/here" });
  const ours = new URL(JSON.parse(readFileSync(join(dataDir, "mail.jsonl"), "utf8").trim()).url);
  assert.deepEqual([...ours.searchParams.keys()], ["callbackUrl", "token", "email"]);
});
