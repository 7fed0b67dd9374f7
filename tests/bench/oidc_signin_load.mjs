// The load driver of the OIDC sign-in benchmark (bench/oidc_signin.sh, issue 10): C concurrent
// complete sign-ins, each as a browser does it, for D seconds, against a server's base URL:
//   1. GET  /api/auth/csrf                          → 200 {csrfToken}, the CSRF cookie
//   2. POST /api/auth/signin/oidc                   form csrfToken, callbackUrl;
//      X-Auth-Return-Redirect: 1                    → 200 {url: the authorization URL}, check cookies
//   3. GET  the authorization URL at the IdP         → 302 Location: the callback URL (not followed)
//   4. GET  the callback URL at the server           → 302 to the callbackUrl, a session-token cookie
// Each flow has its own cookie jar; connections are kept alive (one node:http Agent per origin,
// at most C sockets each). A flow whose any step is off counts as a failure (by step) and the
// next one starts. Prints one JSON line: completed, failures, sign-ins per second, p50 / p99 / max
// of a whole flow and the median of each step in ms, and the driver's own CPU time over the run
// (as a share of one core).
// Before the run, one flow is checked end to end: its session (GET /api/auth/session) must name
// the IdP's user. --cookie-file FILE writes the cookies that browser then holds (CSRF, callback
// URL, session token: "name=value; …") to FILE, for a wrk run against GET /session.
// Usage: node oidc_signin_load.mjs BASE_URL [--concurrency C] [--seconds D] [--provider ID]
//                                  [--cookie-file FILE] [--warmup-only]
import http from "node:http";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const base = args[0]?.replace(/\/$/, "");
if (!base || base.startsWith("--")) {
  console.error("usage: node oidc_signin_load.mjs BASE_URL [--concurrency C] [--seconds D] [--provider ID] [--cookie-file FILE] [--warmup-only]");
  process.exit(2);
}
const concurrency = Number(option("--concurrency", 16));
const seconds = Number(option("--seconds", 10));
const provider = option("--provider", "oidc");
const cookieFile = option("--cookie-file");
const callbackUrl = `${base}/after-login`;
const SESSION = /(^|\.)session-token$/;

const agents = new Map(); // origin → keep-alive Agent
function agentFor(origin) {
  let agent = agents.get(origin);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
    agents.set(origin, agent);
  }
  return agent;
}

// request: one HTTP exchange, body read whole. → {status, headers, body}
function request(method, url, { headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ method, host: u.hostname, port: u.port, path: u.pathname + u.search,
      agent: agentFor(u.origin), headers: body ? { ...headers, "content-length": Buffer.byteLength(body) } : headers },
    (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

// CookieJar: a browser's jar for one host, enough for these flows (every cookie has Path=/).
class CookieJar {
  cookies = new Map();
  take(setCookie) {
    for (const line of setCookie ?? []) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (gone || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }
  find(pattern) {
    for (const [n, v] of this.cookies) if (pattern.test(n)) return `${n}=${v}`;
    return undefined;
  }
}

class StepError extends Error {
  constructor(step, detail) {
    super(`${step}: ${detail}`);
    this.step = step;
  }
}

// signIn runs one whole flow; throws a StepError naming the step that was off.
// steps, when given, receives the duration of each of the four steps (ms).
async function signIn(jar, steps) {
  let t = performance.now();
  const lap = () => { const now = performance.now(); steps?.push(now - t); t = now; };
  const csrf = await request("GET", `${base}/api/auth/csrf`, { headers: { accept: "application/json" } });
  if (csrf.status !== 200) throw new StepError("csrf", `status ${csrf.status}`);
  jar.take(csrf.headers["set-cookie"]);
  const { csrfToken } = JSON.parse(csrf.body);
  lap();

  const form = new URLSearchParams({ csrfToken, callbackUrl }).toString();
  const signin = await request("POST", `${base}/api/auth/signin/${provider}`, {
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1",
      cookie: jar.header() },
    body: form,
  });
  if (signin.status !== 200) throw new StepError("signin", `status ${signin.status} ${signin.body.slice(0, 200)}`);
  jar.take(signin.headers["set-cookie"]);
  const authorizationUrl = JSON.parse(signin.body).url;
  if (!authorizationUrl || authorizationUrl.startsWith(base)) throw new StepError("signin", `url ${authorizationUrl}`);
  lap();

  const authorize = await request("GET", authorizationUrl);
  if (authorize.status !== 302 || !authorize.headers.location) {
    throw new StepError("authorize", `status ${authorize.status} ${authorize.body.slice(0, 200)}`);
  }
  const callback = new URL(authorize.headers.location, authorizationUrl).href;
  if (!callback.startsWith(`${base}/`)) throw new StepError("authorize", `location ${callback}`);
  lap();

  const done = await request("GET", callback, { headers: { cookie: jar.header() } });
  jar.take(done.headers["set-cookie"]);
  if (done.status !== 302) throw new StepError("callback", `status ${done.status} ${done.body.slice(0, 200)}`);
  if (done.headers.location !== callbackUrl) throw new StepError("callback", `location ${done.headers.location}`);
  const session = jar.find(SESSION);
  if (!session) throw new StepError("callback", "no session cookie");
  lap();
  return session;
}

// Check one flow end to end before measuring (this also fills any cache the server keeps).
const jar = new CookieJar();
try {
  await signIn(jar);
  const session = await request("GET", `${base}/api/auth/session`, { headers: { cookie: jar.header() } });
  const user = JSON.parse(session.body)?.user;
  if (session.status !== 200 || !user?.email) throw new Error(`session ${session.status} ${session.body}`);
  if (cookieFile) writeFileSync(cookieFile, jar.header() + "\n");
} catch (e) {
  console.error(`the first sign-in failed: ${e.message}`);
  process.exit(1);
}
if (args.includes("--warmup-only")) {
  for (const a of agents.values()) a.destroy();
  process.exit(0);
}

const durations = [];
const stepDurations = [[], [], [], []]; // csrf, signin, authorize, callback of completed flows
const failures = {};
let firstFailure;
const startedAt = performance.now();
const cpuAtStart = process.cpuUsage();
const endAt = startedAt + seconds * 1000;

async function worker() {
  while (performance.now() < endAt) {
    const t0 = performance.now();
    try {
      const steps = [];
      await signIn(new CookieJar(), steps);
      steps.forEach((d, i) => stepDurations[i].push(d));
      // A flow that ends after the deadline still counts: it ran (mostly) within it, and the
      // elapsed time below is measured to the last flow's end.
      durations.push(performance.now() - t0);
    } catch (e) {
      const step = e.step ?? "network";
      failures[step] = (failures[step] ?? 0) + 1;
      firstFailure ??= e.message;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - startedAt) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
for (const a of agents.values()) a.destroy();

const pct = (list, p) => (list.length ? list[Math.min(list.length - 1, Math.floor(p * list.length))] : NaN);
durations.sort((a, b) => a - b);
for (const list of stepDurations) list.sort((a, b) => a - b);
const failed = Object.values(failures).reduce((a, b) => a + b, 0);
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
console.log(JSON.stringify({
  base, concurrency, seconds: round(elapsed, 2), completed: durations.length, failed, failures,
  ...(firstFailure ? { firstFailure } : {}),
  signinsPerSecond: round(durations.length / elapsed), p50ms: round(pct(durations, 0.5), 2),
  p99ms: round(pct(durations, 0.99), 2), maxms: round(durations.at(-1) ?? NaN, 2),
  stepP50ms: Object.fromEntries(["csrf", "signin", "authorize", "callback"].map((n, i) => [n, round(pct(stepDurations[i], 0.5), 2)])),
  driverCpuPercent: round((cpu.user + cpu.system) / 1e4 / elapsed),
}));
