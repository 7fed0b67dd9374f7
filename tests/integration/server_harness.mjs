// Starts `authpp serve` on 127.0.0.1 with a port chosen at run time and a fresh data directory,
// and gives tests a cookie-keeping HTTP client for it. Shared by the integration and browser tests.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { once } from "node:events";

export const BIN = process.env.AUTHPP_BIN;

// tempDir makes a directory that is removed when the test process exits (data directories,
// configurations, secrets: nothing of a run is left in /tmp).
const tempDirs = [];
process.on("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
export function tempDir(prefix = "authpp-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

// startServer runs `authpp serve ARGS` and resolves once it prints its address. The demo
// credentials printed in dev mode are parsed too. Rejects (with the output) if it exits first.
export async function startServer(args, { env = {}, dataDir = tempDir(), listen = "127.0.0.1:0" } = {}) {
  const proc = spawn(BIN, ["serve", "--listen", listen, "--data-dir", dataDir, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  proc.stdout.on("data", (d) => (out.stdout += d));
  proc.stderr.on("data", (d) => (out.stderr += d));
  const port = await new Promise((resolve, reject) => {
    const check = () => {
      const m = out.stdout.match(/listening on https?:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout.on("data", check);
    proc.on("exit", (code) => reject(new Error(`authpp serve exited ${code}\n${out.stdout}\n${out.stderr}`)));
  });
  const demo = {
    email: out.stdout.match(/email:\s+(\S+)/)?.[1],
    password: out.stdout.match(/password:\s+(\S+)/)?.[1],
  };
  return {
    proc, out, port, demo, dataDir,
    url: `${/listening on https/.test(out.stdout) ? "https" : "http"}://127.0.0.1:${port}`,
    async stop(signal = "SIGTERM") {
      // Gone already (exited, or killed by a signal: then exitCode stays null).
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = await once(proc, "exit");
      return code;
    },
  };
}

// runCli runs `authpp ARGS` and returns {status, stdout, stderr} (stderr also on success:
// warnings go there) without throwing.
export function runCli(args, { input = "", env = {} } = {}) {
  const r = spawnSync(BIN, args, { input, encoding: "utf8", env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// freePort asks the kernel for a loopback port nothing listens on, for a server a test starts.
export async function freePort() {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

// accepts tells whether something accepts connections on the loopback `port` yet.
export function accepts(port) {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

export function writeConfig(dir, text) {
  const path = join(dir, "authpp.toml");
  writeFileSync(path, text);
  return path;
}

// Browser is a cookie-keeping client that talks to the server as next-auth/react's fetches do.
export class Browser {
  constructor(base) {
    this.base = base;
    this.jar = new Map();
  }
  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async fetch(path, init = {}) {
    const headers = { ...(init.headers ?? {}) };
    if (this.jar.size) headers.cookie = this.cookieHeader();
    const res = await fetch(this.base + path, { ...init, headers, redirect: "manual" });
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split("; ");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq), value = pair.slice(eq + 1);
      if (value === "" || attrs.some((a) => a === "Max-Age=0")) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    let body = text;
    try { body = JSON.parse(text); } catch {}
    return { status: res.status, headers: res.headers, body };
  }
  async csrf() {
    return (await this.fetch("/api/auth/csrf")).body.csrfToken;
  }
  async post(path, form) {
    return this.fetch(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
      body: new URLSearchParams(form).toString(),
    });
  }
  async signIn(email, password, callbackUrl = this.base + "/") {
    const csrfToken = await this.csrf();
    return this.post("/api/auth/callback/credentials?", { email, password, csrfToken, callbackUrl });
  }
  async signOut() {
    const csrfToken = await this.csrf();
    return this.post("/api/auth/signout", { csrfToken, callbackUrl: this.base + "/" });
  }
  async session() {
    return (await this.fetch("/api/auth/session")).body;
  }
}
