// Issue 5: each client scenario gives the same result whichever client talks to whichever
// server. Four combinations:
//   next-auth/react (Chromium) × Auth.js   — the reference: its results ARE the expected values,
//                                             recorded by running it, never typed by hand;
//   next-auth/react (Chromium) × authpp serve (behind a same-origin proxy that serves the page);
//   authpp CLI (C++ client)    × Auth.js;
//   authpp CLI (C++ client)    × authpp serve.
// Results are normalised (origin → ORIGIN, CSRF token and `expires` → their shapes) and compared
// exactly. Where authpp differs from Auth.js on purpose (docs/security.md), the scenario names the
// difference and asserts it. The "custom error code" scenario compares shapes, because the two
// servers' credentials providers differ: Auth.js's authorize throws code "invalid_pw" for carol,
// authpp's store-backed provider answers "account_disabled" for carol's disabled account (see
// scenarios.mjs, SERVERS). A scenario table is printed at the end. The C++ columns need
// `authpp signin --help` to work; without it those tests fail (they are never skipped).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startAuthjsServer } from "./authjs_server.mjs";
import { startAuthppServer } from "./authpp_server.mjs";
import { startSameOriginProxy } from "./same_origin_proxy.mjs";
import { buildClientPage } from "./client_page.mjs";
import { launchJsClient } from "./js_client.mjs";
import { cppClient, cppClientProblem } from "./cpp_client.mjs";
import { SCENARIOS, SERVERS, runScenarios, normalise } from "./scenarios.mjs";
import { formatTable } from "./table.mjs";

const secret = randomBytes(32).toString("base64url");
let authjs, authpp, proxy;
const browsers = [];

const COMBINATIONS = [
  { key: "js×authjs", client: "js", server: "authjs" },
  { key: "js×authpp", client: "js", server: "authpp" },
  { key: "cpp×authjs", client: "cpp", server: "authjs" },
  { key: "cpp×authpp", client: "cpp", server: "authpp" },
];
const results = {}; // combination key → {scenario → normalised result}
const cells = {}; // combination key → {scenario → {mark, detail}}

before(async () => {
  const page = await buildClientPage();
  authjs = await startAuthjsServer({ secret, page });
  authpp = await startAuthppServer({ secret });
  proxy = await startSameOriginProxy({ upstream: authpp.url, page });
});

after(async () => {
  console.log(formatTable(SCENARIOS.map((s) => s.name), COMBINATIONS.map((c) => c.key), cells, results["js×authjs"]));
  for (const b of browsers) await b.close();
  await proxy?.stop();
  await authpp?.stop();
  await authjs?.stop();
});

// origins: the JS client reaches authpp through the proxy (same origin as the page); the CLI
// talks to `authpp serve` directly.
function originOf({ client, server }) {
  if (server === "authjs") return authjs.url;
  return client === "js" ? proxy.url : authpp.url;
}

async function clientFor(combination) {
  const origin = originOf(combination);
  if (combination.client === "cpp") return cppClient(origin);
  const c = await launchJsClient(origin);
  browsers.push(c);
  return c;
}

// expectedFor is the reference result, adjusted by a declared deviation for this server.
function expectedFor(scenario, server, all = results) {
  const reference = all["js×authjs"][scenario.name];
  const d = scenario.deviation;
  if (!d || !d.servers.includes(server)) return { value: reference };
  const value = d.expect(reference);
  // A deviation that does not change anything would hide a regression towards Auth.js.
  assert.notDeepEqual(value, reference, `deviation "${d.name}" changes nothing`);
  return { value, deviation: d.name };
}

// compare fills the table column of a combination and returns the list of mismatches.
function compare(combination, scenarios = SCENARIOS, all = results, table = cells) {
  const column = (table[combination.key] = {});
  const mismatches = [];
  for (const s of scenarios) {
    const actual = all[combination.key][s.name];
    const { value, deviation } = expectedFor(s, combination.server, all);
    let ok = true;
    try {
      assert.deepStrictEqual(actual, value);
    } catch {
      ok = false;
    }
    column[s.name] = ok
      ? { mark: deviation ? "✓ (deviation)" : "✓" }
      : { mark: "✗", detail: `expected ${JSON.stringify(value)}\n      actual   ${JSON.stringify(actual)}` };
    if (!ok) mismatches.push({ scenario: s.name, expected: value, actual });
  }
  return mismatches;
}

test("next-auth/react × Auth.js: record the expected values", async () => {
  const combination = COMBINATIONS[0];
  const client = await clientFor(combination);
  results[combination.key] = await runScenarios(client, originOf(combination), SERVERS.authjs);
  cells[combination.key] = Object.fromEntries(SCENARIOS.map((s) => [s.name, { mark: "✓ (reference)" }]));
  // Sanity checks on the reference itself, so a broken peer cannot define "expected".
  const r = results[combination.key];
  for (const [name, value] of Object.entries(r)) assert.ok(!value?.thrown, `${name}: ${value?.thrown}`);
  assert.equal(r["csrf"], "<64 hex>");
  assert.equal(r["session before sign-in"], null);
  assert.deepEqual(r["custom error code"], {
    error: "CredentialsSignin", code: "<the server's custom code>", status: 200, ok: true, url: null,
  });
  assert.deepEqual(r["session after sign-in"], {
    user: { name: "Alice", email: "alice@example.com" }, expires: "<ISO-8601, now + 30 days>",
  });
  assert.equal(r["session after sign-out"], null);
});

for (const combination of COMBINATIONS.slice(1)) {
  test(`${combination.client === "js" ? "next-auth/react" : "authpp CLI"} × ${SERVERS[combination.server].name}`, async () => {
    assert.ok(results["js×authjs"], "the reference run did not complete");
    if (combination.client === "cpp") {
      const problem = cppClientProblem();
      if (problem) {
        cells[combination.key] = Object.fromEntries(SCENARIOS.map((s) => [s.name, { mark: "— (no CLI)" }]));
        assert.fail(`the C++ client CLI is not available: ${problem}`);
      }
    }
    const client = await clientFor(combination);
    results[combination.key] = await runScenarios(client, originOf(combination), SERVERS[combination.server]);
    const mismatches = compare(combination);
    assert.deepEqual(mismatches, [], `${mismatches.length} scenario(s) differ from next-auth/react × Auth.js`);
  });
}

// Navigation (redirect on) cannot be compared through return values: next-auth/react assigns
// window.location. Compare where the page lands, on both servers, with the JS client.
test("next-auth/react with redirect on lands on the same pages on both servers", async () => {
  const landings = {};
  for (const combination of COMBINATIONS.filter((c) => c.client === "js")) {
    const client = browsers.find((b) => b.currentUrl === originOf(combination) + "/") ?? (await clientFor(combination));
    const origin = originOf(combination);
    const navigate = async (fn, args) => {
      await client.reset();
      const landed = client.page.waitForEvent("framenavigated", (f) => f === client.page.mainFrame());
      // Not awaited inside the page: the navigation destroys the evaluating context.
      await client.page.evaluate(([f, a]) => void window.nextAuth[f](...a), [fn, args]);
      await landed;
      await client.page.waitForLoadState("load");
      await client.idle();
      return normalise(client.page.url(), origin);
    };
    landings[combination.key] = {
      "bad credentials": await navigate("signIn", ["credentials", { username: "alice", password: "nope", redirectTo: "/dashboard" }]),
      "good credentials": await navigate("signIn", ["credentials", { username: "alice", password: "wonderland", redirectTo: "/dashboard" }]),
      "unknown provider": await navigate("signIn", ["nope", { redirectTo: "/after" }]),
      "sign-out": await navigate("signOut", [{ redirectTo: "/bye" }]),
    };
  }
  console.log("navigation (redirect on):", JSON.stringify(landings, null, 2));
  assert.equal(landings["js×authjs"]["good credentials"], "ORIGIN/dashboard");
  assert.deepEqual(landings["js×authpp"], landings["js×authjs"]);
});
