// Forward-auth: real nginx (auth_request) and real Caddy (forward_auth) in front of a trivial
// upstream that echoes the headers it receives, with `authpp serve` answering their questions at
// /api/auth/forward. Debian's nginx and caddy, each started here on a free loopback port in a temp
// dir and stopped by PID. A signed-out visitor is sent to sign in; Chromium signs in through the
// proxy and reaches the upstream with the identity headers; a forged identity header from the
// client never reaches the upstream. Then one sign-in across sibling hosts: nginx serves
// auth.example.test (authpp) and app1/app2.example.test (guarded), Chromium resolving them to
// loopback; the session cookie's Domain (auth.session_cookie_domain) carries the sign-in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { once } from "node:events";
import { join } from "node:path";
import { launchChromium } from "../browser/chromium.mjs";
import { Browser, accepts, freePort, startServer, tempDir, writeConfig } from "./server_harness.mjs";

const NGINX = "/usr/sbin/nginx";
const CADDY = "/usr/bin/caddy";
const artifacts = process.env.AUTHPP_ARTIFACTS ?? "artifacts";
const children = [];
let authpp, upstream, nginxUrl, caddyUrl;

// start runs a proxy and resolves once its port accepts (bounded; one that exits is reported).
async function start(name, command, args, port, env = {}) {
  const out = { text: "" };
  const proc = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout.on("data", (d) => (out.text += d));
  proc.stderr.on("data", (d) => (out.text += d));
  children.push(proc);
  for (let i = 0; i < 3000 && !(await accepts(port)); i++) {
    if (proc.exitCode !== null) throw new Error(`${name} exited at start:\n${out.text}`);
  }
  assert.ok(await accepts(port), `${name} is not listening:\n${out.text}`);
}

// nginxMain is an nginx.conf around `servers` for a throw-away instance: in the foreground, its
// files and temp paths in `dir`.
function nginxMain(dir, servers) {
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, d), { recursive: true });
  return `master_process off;
daemon off;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${servers}
}
`;
}

function nginxConfig(dir, port, authppPort, upstreamPort) {
  const identity = `proxy_set_header Host $http_host;
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;`;
  return nginxMain(dir, `  server {
    listen 127.0.0.1:${port};
    location /api/auth/ {
      proxy_pass http://127.0.0.1:${authppPort};
      proxy_set_header Host $http_host;
    }
    # auth_request's question: 2xx lets the request through, 401 sends it to @signin.
    location = /_authpp {
      internal;
      proxy_pass http://127.0.0.1:${authppPort}/api/auth/forward;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      ${identity}
    }
    # Asked again in redirect mode, authpp answers the 302 to its sign-in page.
    location @signin {
      rewrite ^ /api/auth/forward?mode=redirect? break;
      proxy_pass http://127.0.0.1:${authppPort};
      ${identity}
    }
    location / {
      auth_request /_authpp;
      auth_request_set $auth_user $upstream_http_x_auth_request_user;
      auth_request_set $auth_email $upstream_http_x_auth_request_email;
      auth_request_set $auth_name $upstream_http_x_auth_request_name;
      auth_request_set $auth_cookie $upstream_http_set_cookie;
      error_page 401 = @signin;
      proxy_set_header X-Auth-Request-User $auth_user;
      proxy_set_header X-Auth-Request-Email $auth_email;
      proxy_set_header X-Auth-Request-Name $auth_name;
      add_header Set-Cookie $auth_cookie;
      proxy_pass http://127.0.0.1:${upstreamPort};
    }
  }`);
}

function caddyfile(port, authppPort, upstreamPort) {
  return `{
  admin off
  auto_https off
}
http://127.0.0.1:${port} {
  handle /api/auth/* {
    reverse_proxy 127.0.0.1:${authppPort}
  }
  handle {
    forward_auth 127.0.0.1:${authppPort} {
      uri /api/auth/forward?mode=redirect
      copy_headers X-Auth-Request-User X-Auth-Request-Email X-Auth-Request-Name
    }
    reverse_proxy 127.0.0.1:${upstreamPort}
  }
}
`;
}

before(async () => {
  assert.ok(existsSync(NGINX), "nginx not found: install Debian's nginx package");
  assert.ok(existsSync(CADDY), "caddy not found: install Debian's caddy package");
  // The application behind the proxies: it echoes what it was sent, identity headers included.
  upstream = createHttpServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url, headers: req.headers }));
  }).listen(0, "127.0.0.1");
  await once(upstream, "listening");

  const dir = tempDir("authpp-forward-");
  const config = writeConfig(dir, `[server]\ntrusted_proxies = ["127.0.0.1"]\n[forward_auth]\nenabled = true\n` +
    `allowed_hosts = ["127.0.0.1"]\n`);
  authpp = await startServer(["--dev", "--config", config], { dataDir: dir });

  const nginxPort = await freePort();
  const nginxDir = join(dir, "nginx");
  mkdirSync(nginxDir);
  writeFileSync(join(nginxDir, "nginx.conf"), nginxConfig(nginxDir, nginxPort, authpp.port, upstream.address().port));
  await start("nginx", NGINX, ["-p", nginxDir, "-c", join(nginxDir, "nginx.conf")], nginxPort);
  nginxUrl = `http://127.0.0.1:${nginxPort}`;

  const caddyPort = await freePort();
  const caddyDir = join(dir, "caddy");
  mkdirSync(caddyDir);
  writeFileSync(join(caddyDir, "Caddyfile"), caddyfile(caddyPort, authpp.port, upstream.address().port));
  await start("caddy", CADDY, ["run", "--config", join(caddyDir, "Caddyfile"), "--adapter", "caddyfile"], caddyPort,
    { HOME: caddyDir, XDG_DATA_HOME: caddyDir, XDG_CONFIG_HOME: caddyDir });
  caddyUrl = `http://127.0.0.1:${caddyPort}`;
});

after(async () => {
  for (const proc of children) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await once(proc, "exit");
    }
  }
  await authpp?.stop();
  upstream?.close();
});

for (const [name, url] of [["nginx", () => nginxUrl], ["caddy", () => caddyUrl]]) {
  test(`${name}: a signed-out visitor is sent to sign in and never reaches the upstream`, async () => {
    const res = await fetch(`${url()}/reports?q=1`, { redirect: "manual", headers: { "x-auth-request-user": "admin" } });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location"));
    assert.equal(location.pathname, "/api/auth/signin");
    assert.equal(location.searchParams.get("callbackUrl"), `${url()}/reports?q=1`);
    assert.doesNotMatch(await res.text(), /"headers"/, "the upstream answered a signed-out visitor");
  });

  test(`${name}: a signed-in user reaches the upstream as who they are; a forged header does not pass`, async () => {
    const b = new Browser(url());
    const signedIn = await b.signIn(authpp.demo.email, authpp.demo.password, `${url()}/`);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const res = await b.fetch("/reports", { headers: { "X-Auth-Request-User": "admin", "X-Auth-Request-Email": "admin@evil.example" } });
    assert.equal(res.status, 200);
    assert.equal(res.body.path, "/reports");
    assert.equal(res.body.headers["x-auth-request-user"], authpp.demo.email);
    assert.equal(res.body.headers["x-auth-request-email"], authpp.demo.email);
    assert.equal(res.body.headers["x-auth-request-name"], "Demo User");
  });
}

test("nginx: Chromium signs in through the proxy and lands on the page it asked for", async () => {
  mkdirSync(artifacts, { recursive: true });
  const context = await launchChromium();
  try {
    const page = await context.newPage();
    await page.goto(`${nginxUrl}/reports?q=1`);
    assert.equal(await page.title(), "Sign in");
    await page.getByLabel("Email or username").fill(authpp.demo.email);
    await page.getByLabel(/password/i).fill(authpp.demo.password);
    await Promise.all([page.waitForURL(`${nginxUrl}/reports?q=1`), page.getByRole("button", { name: "Sign in with Credentials" }).click()]);
    const echoed = JSON.parse(await page.locator("body").innerText());
    assert.equal(echoed.headers["x-auth-request-email"], authpp.demo.email);
    await page.screenshot({ path: join(artifacts, "forward-auth-nginx.png") });
  } finally {
    await context.close();
  }
});

// nginx in front of authpp on auth.example.test and two guarded apps on app1/app2.example.test.
function siblingsConfig(dir, port, authppPort, upstreamPort) {
  const guarded = (name) => `
  server {
    listen 127.0.0.1:${port};
    server_name ${name};
    location = /_authpp {
      internal;
      proxy_pass http://127.0.0.1:${authppPort}/api/auth/forward;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
    location @signin {
      rewrite ^ /api/auth/forward?mode=redirect? break;
      proxy_pass http://127.0.0.1:${authppPort};
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
    location / {
      auth_request /_authpp;
      auth_request_set $auth_email $upstream_http_x_auth_request_email;
      auth_request_set $auth_cookie $upstream_http_set_cookie;
      error_page 401 = @signin;
      proxy_set_header X-Auth-Request-Email $auth_email;
      add_header Set-Cookie $auth_cookie;
      proxy_pass http://127.0.0.1:${upstreamPort};
    }
  }`;
  return nginxMain(dir, `  server {
    listen 127.0.0.1:${port};
    server_name auth.example.test;
    location / {
      proxy_pass http://127.0.0.1:${authppPort};
      proxy_set_header Host $http_host;
    }
  }
  ${guarded("app1.example.test")}
  ${guarded("app2.example.test")}`);
}

test("nginx: one sign-in on auth.example.test lets Chromium into app1 and app2, and one sign-out ends both", async () => {
  const dir = tempDir("authpp-siblings-");
  const port = await freePort();
  const config = writeConfig(dir, `[server]\ntrusted_proxies = ["127.0.0.1"]\n` +
    `[auth]\nurl = "http://auth.example.test:${port}"\nsession_cookie_domain = "example.test"\n` +
    `[forward_auth]\nenabled = true\nallowed_hosts = ["*.example.test"]\n`);
  const server = await startServer(["--dev", "--config", config], { dataDir: dir });
  const nginxDir = join(dir, "nginx");
  mkdirSync(nginxDir);
  writeFileSync(join(nginxDir, "nginx.conf"), siblingsConfig(nginxDir, port, server.port, upstream.address().port));
  await start("nginx (siblings)", NGINX, ["-p", nginxDir, "-c", join(nginxDir, "nginx.conf")], port);
  const context = await launchChromium({ extraArgs: ["--host-resolver-rules=MAP *.example.test 127.0.0.1"] });
  try {
    const page = await context.newPage();
    const app1 = `http://app1.example.test:${port}/reports?q=1`;
    await page.goto(app1);
    assert.equal(new URL(page.url()).host, `auth.example.test:${port}`, "app1 did not send the visitor to authpp");
    assert.equal(await page.title(), "Sign in");
    await page.getByLabel("Email or username").fill(server.demo.email);
    await page.getByLabel(/password/i).fill(server.demo.password);
    await Promise.all([page.waitForURL(app1), page.getByRole("button", { name: "Sign in with Credentials" }).click()]);
    assert.equal(JSON.parse(await page.locator("body").innerText()).headers["x-auth-request-email"], server.demo.email);
    const session = (await context.cookies(app1)).find((c) => c.name === "authjs.session-token");
    assert.equal(session?.domain, ".example.test", "the session cookie is not shared by the subdomains");

    // app2 was never visited: the same session lets the user in without signing in again.
    const app2 = `http://app2.example.test:${port}/inbox`;
    await page.goto(app2);
    assert.equal(page.url(), app2);
    const echoed = JSON.parse(await page.locator("body").innerText());
    assert.equal(echoed.path, "/inbox");
    assert.equal(echoed.headers["x-auth-request-email"], server.demo.email);
    await page.screenshot({ path: join(artifacts, "forward-auth-siblings.png") });

    // Signing out on the auth host ends the session everywhere.
    await page.goto(`http://auth.example.test:${port}/api/auth/signout`);
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: /sign out/i }).click()]);
    await page.goto(app2);
    assert.equal(new URL(page.url()).host, `auth.example.test:${port}`, "app2 still let the user in after sign-out");
  } finally {
    await context.close();
    await server.stop();
  }
});
