// The client scenarios of issue 5, in the order they run (they share one cookie jar per client
// and server, so order is part of the scenario), and how results are normalised for comparison.
// A scenario's `run(client, origin)` uses only the next-auth/react call signature; js_client.mjs
// and cpp_client.mjs map it onto the browser and the CLI.

const ALICE = { username: "alice", password: "wonderland" };
const signIn = (client, fields, extra = {}) => client.signIn("credentials", { redirect: false, ...extra, ...fields });

// The servers under test. `customCode` is each server's documented custom error code for the
// same input (username carol, right password): Auth.js's authorize throws a CredentialsSignin
// subclass with code "invalid_pw" (authjs_server.mjs); authpp's store-backed provider cannot be
// made to throw, and its own custom code is "account_disabled" for a disabled account
// (authpp_server.mjs disables carol). The scenario compares the shape: same error, a code equal
// to the server's documented one, same ok/status/url.
export const SERVERS = {
  authjs: { name: "Auth.js", customCode: "invalid_pw" },
  authpp: { name: "authpp", customCode: "account_disabled" },
};

export const SCENARIOS = [
  { name: "providers", run: (c) => c.providers() },
  { name: "csrf", run: (c) => c.csrf() },
  { name: "session before sign-in", run: (c) => c.session() },
  { name: "bad credentials", run: (c) => signIn(c, { username: "alice", password: "not-the-password" }) },
  { name: "unknown user", run: (c) => signIn(c, { username: "mallory", password: "wonderland" }) },
  {
    name: "custom error code",
    run: (c) => signIn(c, { username: "carol", password: "wonderland" }),
    normalise: (r, server) => (r?.code === server.customCode ? { ...r, code: "<the server's custom code>" } : r),
  },
  { name: "session after failed sign-ins", run: (c) => c.session() },
  { name: "good credentials (redirect off)", run: (c) => signIn(c, ALICE) },
  { name: "session after sign-in", run: (c) => c.session() },
  { name: "redirect_to same-origin path", run: (c) => signIn(c, ALICE, { redirectTo: "/dashboard?tab=1#top" }) },
  { name: "redirect_to same-origin absolute", run: (c, origin) => signIn(c, ALICE, { redirectTo: origin + "/dashboard" }) },
  { name: "redirect_to foreign", run: (c) => signIn(c, ALICE, { redirectTo: "https://evil.example/" }) },
  {
    name: "redirect_to protocol-relative",
    run: (c) => signIn(c, ALICE, { redirectTo: "//evil.example/x" }),
    // docs/security.md, "Callback URLs //evil.com/x": Auth.js keeps ORIGIN//evil.example/x,
    // authpp falls back to the origin, because the path turns into a protocol-relative URL as
    // soon as an application reuses it.
    deviation: {
      servers: ["authpp"],
      name: "docs/security.md: callback URL //host falls back to the origin",
      expect: (r) => ({ ...r, url: "ORIGIN" }),
    },
  },
  {
    name: "redirect_to with a backslash",
    run: (c) => signIn(c, ALICE, { redirectTo: "/\\evil.example/x" }),
    // docs/security.md, "Callback URLs with \": Auth.js keeps ORIGIN/\evil.example/x, which a
    // browser reads as //evil.example/x; authpp falls back to the origin.
    deviation: {
      servers: ["authpp"],
      name: "docs/security.md: callback URL with a backslash falls back to the origin",
      expect: (r) => ({ ...r, url: "ORIGIN" }),
    },
  },
  { name: "authorization params", run: (c) => c.signIn("credentials", { redirect: false, ...ALICE }, { prompt: "login", foo: "a b" }) },
  { name: "session still signed in", run: (c) => c.session() },
  { name: "sign-out (redirect off)", run: (c) => c.signOut({ redirect: false }) },
  { name: "session after sign-out", run: (c) => c.session() },
  { name: "sign-out again, redirect_to /bye", run: (c) => c.signOut({ redirect: false, redirectTo: "/bye" }) },
  { name: "sign-out, redirect_to foreign", run: (c) => c.signOut({ redirect: false, redirectTo: "https://evil.example/x" }) },
  // An empty redirectTo is sent as "" (only undefined falls back to the page URL), and the server
  // treats it as absent; a non-http(s) URL has an opaque origin and falls back to the origin.
  { name: "redirect_to empty string", run: (c) => signIn(c, ALICE, { redirectTo: "" }) },
  { name: "session after empty redirect_to", run: (c) => c.session() },
  { name: "redirect_to mailto:", run: (c) => signIn(c, ALICE, { redirectTo: "mailto:a@evil.example" }) },
  { name: "sign-out, redirect_to empty string", run: (c) => c.signOut({ redirect: false, redirectTo: "" }) },
  { name: "session after that sign-out", run: (c) => c.session() },
];


const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

// normalise replaces what legitimately differs between runs: the server's origin (plain and
// percent-encoded) by ORIGIN, a CSRF token by its shape, a session's `expires` by its shape (and
// whether it is now + 30 days, the default maxAge, within a minute).
export function normalise(value, origin) {
  const walk = (v, key) => {
    if (typeof v === "string") {
      if (key === "expires") {
        const ms = Date.parse(v);
        const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v);
        return iso && Math.abs(ms - Date.now() - THIRTY_DAYS_MS) < 60_000 ? "<ISO-8601, now + 30 days>" : v;
      }
      if (/^[0-9a-f]{64}$/.test(v)) return "<64 hex>";
      return v.split(origin).join("ORIGIN").split(encodeURIComponent(origin)).join("ORIGIN");
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value);
}

// runScenarios runs every scenario in order on one client against one server and returns
// {scenario name: normalised result}; a call that throws yields {thrown: message} and the run
// goes on, so one failure does not hide the rest of the table.
export async function runScenarios(client, origin, server, scenarios = SCENARIOS) {
  const results = {};
  for (const s of scenarios) {
    await client.reset();
    let r;
    try {
      r = normalise(await s.run(client, origin), origin);
      if (s.normalise) r = s.normalise(r, server);
    } catch (e) {
      r = { thrown: String(e.message ?? e).split("\n").slice(0, 3).join(" ") };
    }
    results[s.name] = r;
  }
  return results;
}
