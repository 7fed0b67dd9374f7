// `authpp serve` signs in through a real OpenID Provider (oidc-provider 9.13.3, oidc_provider.mjs),
// held to what the real Auth.js (@auth/core 0.41.3) does with the same configuration in the same
// test: every expected value below comes from running Auth.js next to authpp (one IdP client with
// both servers' redirect_uris, so client_id, client secret and the token request's Authorization
// are the same on both sides), plus the absolute facts of oidc.test.mjs.
//   1. fetch + cookie jar, as oidc.test.mjs drives Auth.js: the sign-in POST, the authorization URL,
//      the check cookies, the IdP's login page, the callback, the session, the token request;
//      and where configured authorization parameters (scope, endpoint, params) land in the URL.
//   2. Cross-server: both servers behind one origin (a proxy routes /api/auth/callback/* to one and
//      the rest to the other); a flow started on one finishes on the other through the shared
//      check cookies (same secret), and each server accepts the other's session token.
//   3. The real next-auth/react in headless Chromium against authpp serve (same-origin proxy); and
//      each server's own sign-in page in Chromium.
//   4. authpp's C++ client CLI with an OAuth provider against both servers.
//   5. Failure paths: a denied login, a tampered or garbled state, a missing PKCE cookie.
// Auth.js's behaviour is what each test asserts. authpp differs on purpose in two ways, not
// asserted here: it caches discovery (Auth.js fetches it at every step) and fetches the JWKS to
// verify the ID token's signature (Auth.js does not verify it).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { decode } from "@auth/core/jwt";
import { Browser, startServer, tempDir, writeConfig } from "../integration/server_harness.mjs";
import { startAuthjsServer } from "./authjs_server.mjs";
import { oidcProviderToml } from "./authpp_server.mjs";
import { startOidcProvider, loginThrough } from "./oidc_provider.mjs";
import { startSameOriginProxy } from "./same_origin_proxy.mjs";
import { buildClientPage } from "./client_page.mjs";
import { launchJsClient } from "./js_client.mjs";
import { cppClient, cppClientProblem } from "./cpp_client.mjs";

const ALICE = { name: "Alice Liddell", email: "alice@example.com", image: "https://example.com/alice.png" };
const ALICE_LOGIN = { login: "alice", password: "wonderland" };
const ALICE_LOGIN_FORM = { login: "alice@example.com", password: "wonderland" };
const SESSION = "authjs.session-token";
const CHECK_COOKIES = { pkce: "authjs.pkce.code_verifier", state: "authjs.state", nonce: "authjs.nonce" };
const ALL_CHECKS = ["pkce", "state", "nonce"];
const SERVER_NAMES = ["Auth.js", "authpp"];

const JWE = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const B64URL_43 = /^[A-Za-z0-9_-]{43}$/;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/;
const THIRTY_DAYS_S = 30 * 24 * 3600;

const secret = randomBytes(32).toString("base64url");
let idp;
let page;
let clients = 0;
const cleanups = []; // for resources shared between tests (the client group), run newest first

before(async () => {
  idp = await startOidcProvider();
  page = await buildClientPage();
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await idp?.close();
});

const onCleanup = (t, fn) => (t ? t.after(fn) : cleanups.push(fn));
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// formEncode is application/x-www-form-urlencoded encoding of one value (RFC 6749 §2.3.1).
const formEncode = (s) => new URLSearchParams({ s }).toString().slice(2);
// A JSON string of printable ASCII is a valid TOML basic string.
const toml = (s) => JSON.stringify(s);

// newClient: a fresh IdP client whose secret has characters both sides must form-encode alike.
function newClient(prefix) {
  return { clientId: `${prefix}-${++clients}`, clientSecret: `${randomBytes(12).toString("base64url")} +/:%` };
}

// startAuthpp runs `authpp serve` with one [[providers]] table of type "oidc", id "oidc", the
// test's secret (AUTH_SECRET) and AUTH_TRUST_HOST (so that it builds URLs from the forwarded host
// behind a proxy, as the Auth.js peer does with trustHost). `checks` absent = authpp's default.
// `toml` (optional): more lines for the provider's table.
async function startAuthpp(t, { clientId, clientSecret, checks, toml: more = [] }) {
  const dataDir = tempDir("authpp-oidc-");
  const lines = [...oidcProviderToml({ issuer: idp.issuer, clientId, clientSecret, checks }), ...more];
  const config = writeConfig(dataDir, lines.join("\n") + "\n");
  const server = await startServer(["--config", config], { dataDir, env: { AUTH_SECRET: secret, AUTH_TRUST_HOST: "1" } });
  onCleanup(t, async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return server;
}

// `provider` (optional): more Auth.js provider options (e.g. authorization).
async function startAuthjs(t, { clientId, clientSecret, checks, alg, withPage = false, provider = {} }) {
  const oidc = { issuer: idp.issuer, clientId, clientSecret, ...(checks ? { checks } : {}), ...provider };
  if (alg) oidc.client = { id_token_signed_response_alg: alg };
  const server = await startAuthjsServer({ secret, oidc, ...(withPage ? { page } : {}) });
  onCleanup(t, () => server.stop());
  return server;
}

// authppErrors: the error types authpp logged ("[authpp][error] Type: …") from stderr offset `from`.
const authppErrors = (server, from = 0) =>
  [...server.out.stderr.slice(from).matchAll(/^\[authpp\]\[error\] (\w+):/gm)].map((m) => m[1]);

// servedPair starts Auth.js and authpp with the same provider configuration and registers one IdP
// client for both (both redirect_uris).
async function servedPair(t, { checks, alg } = {}) {
  const { clientId, clientSecret } = newClient("pair");
  const servers = {
    "Auth.js": await startAuthjs(t, { clientId, clientSecret, checks, alg }),
    authpp: await startAuthpp(t, { clientId, clientSecret, checks }),
  };
  await idp.addClient({
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: Object.values(servers).map((s) => `${s.url}/api/auth/callback/oidc`),
    token_endpoint_auth_method: "client_secret_basic",
    ...(alg ? { id_token_signed_response_alg: alg } : {}),
  });
  return { servers, clientId, clientSecret };
}

// shapeParam: a parameter value with its random parts replaced by their shape and the relying
// party's origin by ORIGIN.
function shapeParam(value, origin) {
  if (JWE.test(value)) return "<JWE>";
  if (B64URL_43.test(value)) return "<43>";
  return value.split(origin).join("ORIGIN");
}

// shapeUrl: an authorization URL as {endpoint, params: [[name, shaped value]…]} (order kept).
function shapeUrl(url, origin) {
  const u = new URL(url);
  return { endpoint: u.origin + u.pathname, params: [...u.searchParams].map(([k, v]) => [k, shapeParam(v, origin)]) };
}

// shapeSetCookie: a Set-Cookie line with the value's random parts and Expires replaced by their
// shape (Expires as an offset from now, when it is now + 900 s or now + 30 days).
function shapeSetCookie(line, origin) {
  const [pair, ...attrs] = line.split("; ");
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  const shapedValue = JWE.test(value) ? "<JWE>" : value.split(encodeURIComponent(origin)).join("ORIGIN");
  const shapedAttrs = attrs.map((a) => {
    const m = /^Expires=(.*)$/.exec(a);
    if (!m || !HTTP_DATE.test(m[1])) return a;
    const delta = (Date.parse(m[1]) - Date.now()) / 1000;
    if (Math.abs(delta - 900) < 5) return "Expires=<now + 900 s>";
    if (Math.abs(delta - THIRTY_DAYS_S) < 5) return "Expires=<now + 30 days>";
    return a;
  });
  return [`${name}=${shapedValue}`, ...shapedAttrs].join("; ");
}

const headerMap = (rawHeaders) => {
  const m = new Map();
  for (let i = 0; i < rawHeaders.length; i += 2) m.set(rawHeaders[i].toLowerCase(), rawHeaders[i + 1]);
  return m;
};
const headerNames = (rawHeaders) => rawHeaders.filter((_, i) => i % 2 === 0);
const tokenRequests = (requests) => requests.filter((r) => r.method === "POST" && r.url === "/token");
const jwtParts = (jwt) => jwt.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));

// decodeChecks opens the check cookies with Auth.js's own decode (salt = the cookie name) and the
// state parameter with its salt "encodedState": what a peer Auth.js would read from them.
async function decodeChecks(checkCookies, authz) {
  const out = {};
  for (const [check, name] of Object.entries(CHECK_COOKIES)) {
    if (checkCookies[name]) out[check] = await decode({ token: checkCookies[name], secret, salt: name });
  }
  const state = authz.searchParams.get("state");
  if (state) out.stateParam = await decode({ token: state, secret, salt: "encodedState" });
  return out;
}

// oidcSignIn takes one whole sign-in the way oidc.test.mjs does for Auth.js: CSRF, the sign-in POST
// as next-auth/react sends it (query → authorization params), the IdP's login page through
// loginThrough(), the callback with the browser's cookies, the session. Records every step.
async function oidcSignIn(server, { query = "", base = server.url } = {}) {
  const b = new Browser(base);
  const callbackUrl = `${base}/after-login`;
  const csrfToken = await b.csrf();
  const signinFrom = idp.requests.length;
  const signin = await b.post(`/api/auth/signin/oidc${query}`, { csrfToken, callbackUrl });
  const duringSignin = idp.requests.slice(signinFrom);
  assert.equal(typeof signin.body?.url, "string", `no authorization URL from ${base}: ${signin.status} ${JSON.stringify(signin.body)}`);
  const authz = new URL(signin.body.url);
  const checkCookies = Object.fromEntries(Object.values(CHECK_COOKIES).filter((n) => b.jar.has(n)).map((n) => [n, b.jar.get(n)]));
  const shownFrom = idp.interactions.length;
  const back = new URL(await loginThrough(authz.href, ALICE_LOGIN));
  const shown = idp.interactions.slice(shownFrom);
  const seen = idp.requests.length;
  const callback = await b.fetch(back.pathname + back.search);
  const during = idp.requests.slice(seen);
  const jarAfterCallback = new Map(b.jar);
  const session = await b.session();
  return { b, base, callbackUrl, signin, duringSignin, authz, checkCookies, shown, back, callback, during, jarAfterCallback, session };
}

// ---------------------------------------------------------------------------------------------
// 1. authpp serve through the OpenID Provider, next to Auth.js.

const VARIANTS = [
  { checks: ["pkce"] },
  { checks: ALL_CHECKS },
  { checks: undefined, alg: "ES256" }, // both servers' default checks (["pkce"]) and an ES256 ID token
];

for (const variant of VARIANTS) {
  const { checks, alg } = variant;
  const effective = checks ?? ["pkce"];
  const label = `${checks ? `checks ${checks.join("+")}` : "default checks"}, client_secret_basic${alg ? `, ${alg} ID token` : ""}`;
  test(`authpp serve signs in through the OpenID Provider as Auth.js does: ${label}`, async (t) => {
    const { servers, clientId, clientSecret } = await servedPair(t, variant);
    const query = "?login_hint=alice%40example.com&prompt=login";
    const ref = await oidcSignIn(servers["Auth.js"], { query });
    const errFrom = servers.authpp.out.stderr.length;
    const got = await oidcSignIn(servers.authpp, { query });
    const authppLog = () => servers.authpp.out.stderr.slice(errFrom);

    // The reference run itself (so that a broken peer cannot define "expected").
    assert.equal(ref.callback.status, 302, `Auth.js failed: ${JSON.stringify(servers["Auth.js"].errors.map((e) => e.code))}`);
    assert.deepEqual(ref.session?.user, ALICE);
    assert.deepEqual(servers["Auth.js"].errors, []);

    // The sign-in POST with X-Auth-Return-Redirect: 200 {url}, Location kept.
    assert.equal(got.signin.status, ref.signin.status);
    assert.equal(got.signin.status, 200);
    assert.deepEqual(Object.keys(got.signin.body), Object.keys(ref.signin.body));
    assert.deepEqual(Object.keys(got.signin.body), ["url"]);
    assert.equal(got.signin.headers.get("location"), got.signin.body.url, "the JSON reply keeps Location");
    assert.equal(got.signin.headers.get("content-type"), ref.signin.headers.get("content-type"));

    // Before answering, Auth.js fetched the IdP's discovery document (it does at every sign-in
    // and callback). authpp fetched it once, at start (its provider check) or at this first
    // sign-in, and keeps it for an hour: during the sign-in, discovery is all it may ask for.
    // The IdP's log is shared, and authpp checks its providers in the background: each server's
    // requests are told apart by their user-agent.
    const fromAuthpp = (x) => headerMap(x.rawHeaders).get("user-agent") === "authpp";
    const summary = (requests) => requests.map((x) => `${x.method} ${x.url.split("?")[0]} ${x.status}`);
    const refDuringSignin = ref.duringSignin.filter((x) => !fromAuthpp(x));
    assert.deepEqual(summary(refDuringSignin), ["GET /.well-known/openid-configuration 200"]);
    for (const line of summary(got.duringSignin.filter(fromAuthpp))) {
      assert.equal(line, "GET /.well-known/openid-configuration 200");
    }
    const authppDiscovery = idp.requests.find((x) => x.url.startsWith("/.well-known/openid-configuration") && fromAuthpp(x));
    assert.ok(authppDiscovery, "authpp fetched the discovery document");
    assert.equal(headerMap(authppDiscovery.rawHeaders).get("accept"), headerMap(refDuringSignin[0].rawHeaders).get("accept"));

    // The authorization URL: Auth.js's endpoint, parameter names in Auth.js's order, values alike
    // apart from the random ones (compared by shape).
    const expectedKeys = ["response_type", "client_id", "redirect_uri", "login_hint", "prompt"];
    if (effective.includes("state")) expectedKeys.push("state");
    expectedKeys.push("code_challenge", "code_challenge_method");
    if (effective.includes("nonce")) expectedKeys.push("nonce");
    expectedKeys.push("scope");
    assert.deepEqual([...ref.authz.searchParams.keys()], expectedKeys);
    assert.deepEqual([...got.authz.searchParams.keys()], [...ref.authz.searchParams.keys()]);
    assert.deepEqual(shapeUrl(got.authz, got.base), shapeUrl(ref.authz, ref.base));
    const q = Object.fromEntries(got.authz.searchParams);
    assert.equal(got.authz.origin + got.authz.pathname, `${idp.issuer}/auth`);
    assert.equal(q.client_id, clientId);
    assert.equal(q.redirect_uri, `${servers.authpp.url}/api/auth/callback/oidc`);
    assert.equal(q.login_hint, "alice@example.com");
    assert.equal(q.prompt, "login");
    assert.equal(q.scope, "openid profile email");
    assert.match(got.authz.search, /&scope=openid\+profile\+email$/, "form encoding, scope last");

    // The check cookies: Auth.js's names, order and attributes, and readable by Auth.js.
    const setAtSignIn = (r) => r.signin.headers.getSetCookie().map((c) => shapeSetCookie(c, r.base));
    assert.deepEqual(setAtSignIn(got), setAtSignIn(ref));
    for (const [check, name] of Object.entries(CHECK_COOKIES)) {
      assert.equal(name in got.checkCookies, effective.includes(check), `${name} set: ${name in got.checkCookies}`);
    }
    const [gotChecks, refChecks] = [await decodeChecks(got.checkCookies, got.authz), await decodeChecks(ref.checkCookies, ref.authz)];
    const keysOf = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Object.keys(v).sort()]));
    assert.deepEqual(keysOf(gotChecks), keysOf(refChecks));
    for (const check of effective) {
      assert.equal(gotChecks[check].provider, "oidc");
      assert.equal(gotChecks[check].exp - gotChecks[check].iat, 900);
    }
    assert.equal(createHash("sha256").update(gotChecks.pkce.value).digest("base64url"), q.code_challenge);
    assert.equal(q.code_challenge_method, "S256");
    if (effective.includes("state")) {
      assert.equal(gotChecks.state.value, q.state);
      assert.match(gotChecks.stateParam.random, B64URL_43);
    }
    if (effective.includes("nonce")) assert.equal(gotChecks.nonce.value, q.nonce);

    // The IdP saw the sign-in query's parameters, showed its login and consent, answered a code.
    assert.deepEqual(got.shown.map((i) => i.prompt), ref.shown.map((i) => i.prompt));
    assert.deepEqual(got.shown.map((i) => i.prompt), ["login", "consent"]);
    assert.equal(got.shown[0].params.login_hint, "alice@example.com");
    assert.equal(got.shown[0].params.prompt, "login");
    assert.equal(got.shown[0].params.client_id, clientId);
    assert.deepEqual([...got.back.searchParams.keys()], [...ref.back.searchParams.keys()]);
    assert.equal(got.back.origin + got.back.pathname, q.redirect_uri);

    // The callback: 302 to the callbackUrl, the check cookies deleted as Auth.js deletes them, a
    // session cookie, then the session.
    assert.equal(got.callback.status, 302, `authpp's callback failed: ${JSON.stringify(got.callback.body)}\n${authppLog()}`);
    assert.equal(got.callback.headers.get("location"), got.callbackUrl);
    const setAtCallback = (r) => r.callback.headers.getSetCookie().map((c) => shapeSetCookie(c, r.base));
    assert.deepEqual(setAtCallback(got), setAtCallback(ref));
    assert.ok(got.jarAfterCallback.get(SESSION), "no session cookie after the callback");
    for (const name of Object.values(CHECK_COOKIES)) assert.equal(got.jarAfterCallback.has(name), false, `${name} left behind`);
    assert.deepEqual(got.session?.user, ALICE);
    assert.ok(Math.abs(Date.parse(got.session.expires) - Date.now() - THIRTY_DAYS_S * 1000) < 60_000, `expires ${got.session.expires}`);
    assert.deepEqual(Object.keys(got.session), Object.keys(ref.session));
    assert.deepEqual(authppErrors(servers.authpp, errFrom), [], authppLog());

    // The token request at the IdP: exactly one, the same body parameters in the same order, the
    // same client authentication and the same headers as Auth.js's oauth4webapi sends.
    const [gotToken, ...moreGot] = tokenRequests(got.during);
    const [refToken] = tokenRequests(ref.during);
    assert.equal(moreGot.length, 0);
    assert.equal(gotToken?.status, 200, `authpp's token request: ${JSON.stringify(gotToken)}`);
    const [gotBody, refBody] = [new URLSearchParams(gotToken.body), new URLSearchParams(refToken.body)];
    assert.deepEqual([...gotBody.keys()], [...refBody.keys()]);
    assert.deepEqual([...gotBody.keys()], ["redirect_uri", "code", "code_verifier", "grant_type"]);
    assert.equal(gotBody.get("redirect_uri"), q.redirect_uri);
    assert.equal(gotBody.get("code"), got.back.searchParams.get("code"));
    assert.equal(gotBody.get("code_verifier"), gotChecks.pkce.value);
    assert.equal(gotBody.get("grant_type"), "authorization_code");
    const [gotHeaders, refHeaders] = [headerMap(gotToken.rawHeaders), headerMap(refToken.rawHeaders)];
    for (const name of ["host", "accept", "authorization", "content-type"]) {
      assert.equal(gotHeaders.get(name), refHeaders.get(name), `token request header ${name}`);
    }
    assert.equal(gotHeaders.get("authorization"), `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString("base64")}`);
    assert.equal(gotHeaders.get("content-length"), String(Buffer.byteLength(gotToken.body)));
    const extra = [...gotHeaders.keys()].filter((n) => n !== "user-agent" && !refHeaders.has(n));
    assert.deepEqual(extra, [], "authpp sends token request headers that Auth.js does not");
    t.diagnostic(`token request header names: Auth.js ${JSON.stringify(headerNames(refToken.rawHeaders))}, authpp ${JSON.stringify(headerNames(gotToken.rawHeaders))}`);
    // Node's fetch adds connection, accept-language, sec-fetch-mode and accept-encoding under
    // Auth.js; the headers Auth.js itself sets are compared above.

    // The ID token behind the session: the client's algorithm, the profile claims, the nonce.
    const [head, claims] = jwtParts(gotToken.response.id_token);
    assert.equal(head.alg, alg ?? "RS256");
    assert.equal(head.kid, idp.jwks.keys.find((k) => k.alg === head.alg).kid);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.nonce, q.nonce);
    assert.equal(jwtParts(refToken.response.id_token)[0].alg, head.alg);

    // What else each server asked the IdP during the callback (authpp verifies the ID token's
    // signature against the JWKS, which Auth.js skips; Auth.js discovers again each time).
    t.diagnostic(`IdP requests during the callback: Auth.js ${JSON.stringify(summary(ref.during))}, authpp ${JSON.stringify(summary(got.during))}`);
    for (const line of summary(got.during)) {
      assert.ok(["GET /.well-known/openid-configuration 200", "POST /token 200", "GET /jwks 200"].includes(line), `unexpected request ${line}`);
    }
  });
}

// Configured authorization parameters: authpp's `scope`, `authorization_endpoint` and
// `authorization_params` against the Auth.js provider options that say the same (authorization
// {url?, params}). Only the sign-in POST (?prompt=login) is compared: parameter names in order,
// and the values apart from the random ones.
const CONFIGURED = [
  {
    name: "authorization_params on a discovered endpoint",
    toml: ['authorization_params = { foo = "bar" }'],
    provider: { authorization: { params: { foo: "bar" } } },
  },
  {
    name: "authorization_params in file order",
    toml: ['authorization_params = { z = "1", a = "2" }'],
    provider: { authorization: { params: { z: "1", a: "2" } } },
  },
  {
    name: "authorization_endpoint with authorization_params",
    toml: () => [`authorization_endpoint = ${toml(`${idp.issuer}/auth`)}`, 'authorization_params = { foo = "bar" }'],
    provider: () => ({ authorization: { url: `${idp.issuer}/auth`, params: { foo: "bar" } } }),
  },
  {
    name: "scope with authorization_params",
    toml: ['scope = "openid email"', 'authorization_params = { foo = "bar" }'],
    provider: { authorization: { params: { scope: "openid email", foo: "bar" } } },
  },
  {
    name: "authorization_endpoint with scope",
    toml: () => [`authorization_endpoint = ${toml(`${idp.issuer}/auth`)}`, 'scope = "openid email"'],
    provider: () => ({ authorization: { url: `${idp.issuer}/auth`, params: { scope: "openid email" } } }),
  },
];

test("configured authorization parameters land where Auth.js puts them", async (t) => {
  for (const c of CONFIGURED) {
    const { clientId, clientSecret } = newClient("conf");
    const value = (v) => (typeof v === "function" ? v() : v);
    const servers = {
      "Auth.js": await startAuthjs(t, { clientId, clientSecret, provider: value(c.provider) }),
      authpp: await startAuthpp(t, { clientId, clientSecret, toml: value(c.toml) }),
    };
    const urls = {};
    for (const name of SERVER_NAMES) {
      const b = new Browser(servers[name].url);
      const res = await b.post("/api/auth/signin/oidc?prompt=login", { csrfToken: await b.csrf(), callbackUrl: `${servers[name].url}/` });
      assert.equal(typeof res.body?.url, "string", `${c.name}, ${name}: ${JSON.stringify(res.body)}`);
      urls[name] = shapeUrl(res.body.url, servers[name].url);
    }
    t.diagnostic(`${c.name}: Auth.js ${urls["Auth.js"].params.map(([k]) => k).join(",")}; authpp ${urls.authpp.params.map(([k]) => k).join(",")}`);
    // The same parameters with the same values, wherever they stand.
    const sorted = (u) => [...u.params].sort(([a], [b]) => a.localeCompare(b));
    assert.equal(urls.authpp.endpoint, urls["Auth.js"].endpoint, c.name);
    assert.deepEqual(sorted(urls.authpp), sorted(urls["Auth.js"]), c.name);
    // And in Auth.js's order.
    const inOrder = () => assert.deepEqual(urls.authpp.params, urls["Auth.js"].params, c.name);
    inOrder();
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Cross-server flows: one origin, /api/auth/callback/* routed to one server and everything else
//    to the other, the same secret; the check cookies of one are read by the other.

for (const [first, second] of [["authpp", "Auth.js"], ["Auth.js", "authpp"]]) {
  test(`a sign-in started on ${first} finishes on ${second} through the shared check cookies (checks pkce+state+nonce)`, async (t) => {
    const { clientId, clientSecret } = newClient("cross");
    const servers = {
      "Auth.js": await startAuthjs(t, { clientId, clientSecret, checks: ALL_CHECKS }),
      authpp: await startAuthpp(t, { clientId, clientSecret, checks: ALL_CHECKS }),
    };
    const routed = [];
    const proxy = await startSameOriginProxy({
      upstream: (path) => {
        const to = path.startsWith("/api/auth/callback/") ? second : first;
        routed.push(`${path} → ${to}`);
        return servers[to].url;
      },
    });
    t.after(() => proxy.stop());
    const redirectUri = `${proxy.url}/api/auth/callback/oidc`;
    await idp.addClient({ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], token_endpoint_auth_method: "client_secret_basic" });
    const errFrom = servers.authpp.out.stderr.length;

    const r = await oidcSignIn(null, { base: proxy.url });
    const log = () => `Auth.js errors ${JSON.stringify(servers["Auth.js"].errors.map((e) => `${e.code}: ${e.error?.message}`))}; authpp log:\n${servers.authpp.out.stderr.slice(errFrom)}`;
    assert.deepEqual(routed, [
      `/api/auth/csrf → ${first}`, `/api/auth/signin/oidc → ${first}`, `/api/auth/callback/oidc → ${second}`, `/api/auth/session → ${first}`,
    ]);
    assert.equal(r.authz.searchParams.get("redirect_uri"), redirectUri);
    assert.deepEqual(Object.keys(r.checkCookies).sort(), Object.values(CHECK_COOKIES).sort());

    assert.equal(r.callback.status, 302, log());
    assert.equal(r.callback.headers.get("location"), r.callbackUrl, log());
    assert.deepEqual(r.callback.headers.getSetCookie().slice(0, 3).map((c) => shapeSetCookie(c, proxy.url)), [
      "authjs.state=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
      "authjs.pkce.code_verifier=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
      "authjs.nonce=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    ]);
    const token = r.jarAfterCallback.get(SESSION);
    assert.ok(token, "no session cookie after the callback");
    const [tokenRequest, ...more] = tokenRequests(r.during);
    assert.equal(more.length, 0);
    assert.equal(tokenRequest.status, 200);
    assert.equal(new URLSearchParams(tokenRequest.body).get("code_verifier"),
      (await decode({ token: r.checkCookies[CHECK_COOKIES.pkce], secret, salt: CHECK_COOKIES.pkce })).value,
      `${second} did not send ${first}'s PKCE verifier`);
    assert.equal(jwtParts(tokenRequest.response.id_token)[1].nonce, r.authz.searchParams.get("nonce"));
    assert.deepEqual(servers["Auth.js"].errors, []);
    assert.deepEqual(authppErrors(servers.authpp, errFrom), [], log());

    // The session minted by the finishing server works there, and at the starting server too.
    for (const name of [second, first]) {
      const reader = new Browser(servers[name].url);
      reader.jar.set(SESSION, token);
      const session = await reader.session();
      assert.deepEqual(session?.user, ALICE, `${name} does not accept the session token of ${second}`);
      assert.ok(Date.parse(session.expires) > Date.now());
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 3 and 4 share the servers: Auth.js serving the test page, authpp behind a same-origin proxy that
// serves it, one IdP client for both (redirect_uris: Auth.js, the proxy, authpp itself for the CLI),
// and one Chromium (next-auth/react) per origin.

let clientSetup;
function clientServers() {
  clientSetup ??= (async () => {
    const { clientId, clientSecret } = newClient("clients");
    const authjs = await startAuthjs(null, { clientId, clientSecret, checks: ALL_CHECKS, withPage: true });
    const authpp = await startAuthpp(null, { clientId, clientSecret, checks: ALL_CHECKS });
    const proxy = await startSameOriginProxy({ upstream: authpp.url, page });
    cleanups.push(() => proxy.stop());
    await idp.addClient({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [authjs.url, proxy.url, authpp.url].map((u) => `${u}/api/auth/callback/oidc`),
      token_endpoint_auth_method: "client_secret_basic",
    });
    return { clientId, servers: { "Auth.js": authjs, authpp }, pageOrigins: { "Auth.js": authjs.url, authpp: proxy.url } };
  })();
  return clientSetup;
}

const browsers = {};
async function browserFor(name) {
  const { pageOrigins } = await clientServers();
  if (!browsers[name]) {
    browsers[name] = launchJsClient(pageOrigins[name]);
    cleanups.push(async () => (await browsers[name]).close());
  }
  return browsers[name];
}

test("next-auth/react in Chromium: signIn('oidc', {redirect: false}, {login_hint}) answers authpp as Auth.js", async () => {
  const { clientId, pageOrigins } = await clientServers();
  const results = {};
  for (const name of SERVER_NAMES) {
    const client = await browserFor(name);
    await client.reset();
    results[name] = await client.signIn("oidc", { redirect: false }, { login_hint: "x" });
  }
  const ref = results["Auth.js"];
  const got = results.authpp;
  assert.equal(typeof ref?.url, "string", `reference: ${JSON.stringify(ref)}`);
  assert.equal(typeof got?.url, "string", `authpp: ${JSON.stringify(got)}`);
  const shape = (r, origin) => ({ ...r, url: shapeUrl(r.url, origin) });
  assert.deepEqual(shape(got, pageOrigins.authpp), shape(ref, pageOrigins["Auth.js"]));
  assert.deepEqual(Object.keys(got), ["error", "code", "status", "ok", "url"]);
  assert.deepEqual([got.error, got.code, got.status, got.ok], [null, null, 200, true]);
  const u = new URL(got.url);
  assert.equal(u.origin + u.pathname, `${idp.issuer}/auth`);
  assert.equal(u.searchParams.get("client_id"), clientId);
  assert.equal(u.searchParams.get("login_hint"), "x");
  assert.equal(u.searchParams.get("redirect_uri"), `${pageOrigins.authpp}/api/auth/callback/oidc`);
  assert.deepEqual([...u.searchParams.keys()], [
    "response_type", "client_id", "redirect_uri", "login_hint", "state", "code_challenge", "code_challenge_method", "nonce", "scope",
  ]);
  // The providers list next-auth/react read before posting is the same too.
  const providers = {};
  for (const name of SERVER_NAMES) {
    const p = await (await browserFor(name)).providers();
    providers[name] = JSON.parse(JSON.stringify(p).split(pageOrigins[name]).join("ORIGIN"));
  }
  assert.deepEqual(providers.authpp, providers["Auth.js"]);
});

for (const name of SERVER_NAMES) {
  test(`next-auth/react in Chromium: signIn('oidc') through the IdP's login form ends signed in at ${name}`, async () => {
    const { pageOrigins, servers } = await clientServers();
    const origin = pageOrigins[name];
    const client = await browserFor(name);
    await client.reset();
    const errFrom = servers.authpp.out.stderr.length;
    const p = client.page;
    // Not awaited inside the page: signIn assigns window.location and the page goes away.
    // The callbackUrl is the page's own URL (origin + "/"): it ends back on the test page.
    const { loginPageTitle } = await client.signInThroughIdp("oidc", idp.issuer, ALICE_LOGIN_FORM);
    assert.equal(loginPageTitle, "Sign in to the test OpenID Provider");
    const session = await client.session();
    assert.deepEqual(session?.user, ALICE, `${name}: ${JSON.stringify(session)}\n${servers.authpp.out.stderr.slice(errFrom)}`);
    const raw = await p.evaluate(async () => (await fetch("/api/auth/session")).json());
    assert.deepEqual(raw.user, ALICE);
    assert.ok(Date.parse(raw.expires) > Date.now());
    const cookies = await p.context().cookies(origin);
    assert.ok(cookies.some((c) => c.name === SESSION), "no session cookie in the browser");
    for (const check of Object.values(CHECK_COOKIES)) assert.ok(!cookies.some((c) => c.name === check), `${check} left behind`);
    if (name === "authpp") assert.deepEqual(authppErrors(servers.authpp, errFrom), []);
  });
}

// The servers' own sign-in pages in Chromium (fresh profile each): the provider's button posts to
// /signin/oidc, the 302 takes the browser to the IdP's login form, back at the callbackUrl (the
// session endpoint, so the last page shows who is signed in). The page's CSP can block the 302
// (form-action applies to the redirects after a form submission): that is watched for, so a block
// fails at once instead of timing out.
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function launchChromium(t) {
  const profile = tempDir("authpp-chromium-");
  const context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context.pages()[0] ?? (await context.newPage());
}

async function signInPageFlow(t, server) {
  const p = await launchChromium(t);
  const cspViolation = new Promise((resolve) => p.on("console", (m) => /Content Security Policy/.test(m.text()) && resolve(m.text())));
  const sessionUrl = `${server.url}/api/auth/session`;
  const response = await p.goto(`${server.url}/api/auth/signin?callbackUrl=${encodeURIComponent(sessionUrl)}`);
  const csp = response.headers()["content-security-policy"] ?? null;
  await p.getByRole("button", { name: "Sign in with Test OIDC" }).click();
  const atIdp = p.waitForURL(new RegExp(`^${escapeRegExp(idp.issuer)}/interaction/[A-Za-z0-9_-]+$`))
    .then(() => null, (e) => `never reached the IdP: ${e.message.split("\n")[0]}`);
  const blocked = await Promise.race([atIdp, cspViolation]);
  assert.equal(blocked, null, `the sign-in page (Content-Security-Policy: ${csp}) did not take the browser to ${idp.issuer}`);
  await p.getByLabel("Login").fill("alice");
  await p.getByLabel("Password").fill("wonderland");
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(sessionUrl);
  const session = JSON.parse(await p.locator("body").innerText());
  assert.deepEqual(session.user, ALICE, JSON.stringify(session));
  return { csp };
}

test("in Chromium: Auth.js's own sign-in page, the IdP's login form, back signed in", async (t) => {
  const { servers } = await servedPair(t, { checks: ALL_CHECKS });
  await signInPageFlow(t, servers["Auth.js"]);
});

test("in Chromium: authpp's own sign-in page, first visit (the IdP not discovered yet), back signed in", async (t) => {
  const { servers } = await servedPair(t, { checks: ALL_CHECKS });
  const { csp } = await signInPageFlow(t, servers.authpp);
  t.diagnostic(`authpp's sign-in page CSP: ${csp}`);
});

test("in Chromium: authpp's own sign-in page once the IdP is discovered, back signed in", async (t) => {
  const { servers } = await servedPair(t, { checks: ALL_CHECKS });
  // One sign-in POST makes authpp discover the IdP (it keeps the document for an hour).
  const b = new Browser(servers.authpp.url);
  const res = await b.post("/api/auth/signin/oidc", { csrfToken: await b.csrf(), callbackUrl: `${servers.authpp.url}/` });
  assert.equal(typeof res.body?.url, "string");
  const { csp } = await signInPageFlow(t, servers.authpp);
  assert.match(csp, new RegExp(`form-action 'self' ${escapeRegExp(idp.issuer)}[;]`));
});

// readNetscapeJar: {name: value} of a curl-format cookie file (HttpOnly lines start "#HttpOnly_").
function readNetscapeJar(path) {
  const out = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line || (line.startsWith("#") && !line.startsWith("#HttpOnly_"))) continue;
    const fields = line.split("\t");
    if (fields.length >= 7) out[fields[5]] = fields[6];
  }
  return out;
}

test("authpp's C++ client CLI starts an OIDC sign-in on both servers alike, and its cookies finish it", async (t) => {
  assert.equal(cppClientProblem(), null, "the C++ client CLI is not available");
  const { clientId, servers } = await clientServers();
  const results = {};
  for (const name of SERVER_NAMES) {
    const origin = servers[name].url;
    const client = cppClient(origin);
    // authpp signin --provider oidc --no-redirect --authorization-param login_hint=x
    //   --authorization-param prompt=login
    const r = await client.signIn("oidc", { redirect: false }, { login_hint: "x", prompt: "login" });
    results[name] = { r, origin, client };
  }
  const ref = results["Auth.js"].r;
  const got = results.authpp.r;
  assert.equal(typeof got?.url, "string", JSON.stringify(got));
  const shape = ({ r, origin }) => ({ ...r, url: shapeUrl(r.url, origin) });
  assert.deepEqual(shape(results.authpp), shape(results["Auth.js"]));
  assert.deepEqual([got.error, got.code, got.status, got.ok], [null, null, 200, true]);
  const u = new URL(got.url);
  assert.equal(u.origin + u.pathname, `${idp.issuer}/auth`);
  assert.equal(u.searchParams.get("client_id"), clientId);
  assert.equal(u.searchParams.get("login_hint"), "x");
  assert.equal(u.searchParams.get("prompt"), "login");
  assert.deepEqual([...u.searchParams.keys()], [...new URL(ref.url).searchParams.keys()]);
  assert.deepEqual([...u.searchParams.keys()].slice(3, 5), ["login_hint", "prompt"]);

  // The CLI kept the check cookies in its jar: with them, the flow finishes at the same server.
  for (const name of SERVER_NAMES) {
    const { r, origin, client } = results[name];
    const jar = readNetscapeJar(client.jarPath);
    assert.deepEqual(Object.keys(jar).filter((k) => Object.values(CHECK_COOKIES).includes(k)).sort(),
      Object.values(CHECK_COOKIES).sort(), `${name}: the CLI's jar lacks check cookies: ${Object.keys(jar)}`);
    const back = new URL(await loginThrough(r.url, ALICE_LOGIN));
    assert.equal(back.origin + back.pathname, `${origin}/api/auth/callback/oidc`);
    const cookie = Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(back, { headers: { cookie }, redirect: "manual" });
    assert.equal(res.status, 302, `${name}: callback with the CLI's cookies: ${res.status}`);
    assert.equal(res.headers.get("location"), `${origin}/`);
    const session = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`))?.split(";")[0];
    assert.ok(session, `${name}: no session cookie`);
    const body = await (await fetch(`${origin}/api/auth/session`, { headers: { cookie: session } })).json();
    assert.deepEqual(body?.user, ALICE, `${name}: ${JSON.stringify(body)}`);
  }
});

// ---------------------------------------------------------------------------------------------
// 5. Failure paths, on both servers: the Auth.js-named results.

// failedCallback runs a sign-in whose callback is spoiled by `spoil` ("deny" at the IdP, or a
// function of {b, back, server} that changes the callback URL or the cookies) and records the
// callback's answer.
async function failedCallback(server, name, spoil) {
  const b = new Browser(server.url);
  const csrfToken = await b.csrf();
  const signin = await b.post("/api/auth/signin/oidc", { csrfToken, callbackUrl: `${server.url}/after-login` });
  const authz = new URL(signin.body.url);
  const back = new URL(await loginThrough(authz.href, spoil === "deny" ? { deny: true } : ALICE_LOGIN));
  if (spoil !== "deny") await spoil({ b, back, server });
  const errFrom = name === "authpp" ? server.out.stderr.length : server.errors.length;
  const seen = idp.requests.length;
  const res = await b.fetch(back.pathname + back.search);
  const errors = name === "authpp" ? authppErrors(server, errFrom) : server.errors.slice(errFrom).map((e) => e.code);
  return {
    status: res.status,
    location: res.headers.get("location")?.split(server.url).join("ORIGIN"),
    setCookies: res.headers.getSetCookie().map((c) => shapeSetCookie(c, server.url)),
    session: b.jar.get(SESSION) ?? null,
    tokenRequests: tokenRequests(idp.requests.slice(seen)).length,
    sessionAfter: await b.session(),
    errors,
    back,
  };
}

const SPOILERS = {
  "a login denied at the IdP": "deny",
  "a state from another sign-in of the same server": async ({ back, server }) => {
    const other = new Browser(server.url);
    const res = await other.post("/api/auth/signin/oidc", { csrfToken: await other.csrf(), callbackUrl: `${server.url}/x` });
    back.searchParams.set("state", new URL(res.body.url).searchParams.get("state"));
  },
  "a garbled state": async ({ back }) => {
    const state = back.searchParams.get("state");
    const i = state.lastIndexOf(".") - 10; // inside the ciphertext
    back.searchParams.set("state", state.slice(0, i) + (state[i] === "A" ? "B" : "A") + state.slice(i + 1));
  },
  "a missing PKCE verifier cookie": async ({ b }) => void b.jar.delete(CHECK_COOKIES.pkce),
};
// The Location every server must answer with (client-safe error names, absolute URLs).
const EXPECTED_FAILURES = {
  "a login denied at the IdP": "ORIGIN/api/auth/signin?error=OAuthCallbackError",
  "a state from another sign-in of the same server": "ORIGIN/api/auth/error?error=Configuration",
  "a garbled state": "ORIGIN/api/auth/error?error=Configuration",
  "a missing PKCE verifier cookie": "ORIGIN/api/auth/error?error=Configuration",
};

test("failure paths on authpp end as on Auth.js: denied login, tampered state, missing PKCE cookie (checks pkce+state+nonce)", async (t) => {
  const { servers } = await servedPair(t, { checks: ALL_CHECKS });
  const results = {};
  for (const [spoiler, spoil] of Object.entries(SPOILERS)) {
    for (const name of SERVER_NAMES) results[`${name}: ${spoiler}`] = await failedCallback(servers[name], name, spoil);
  }
  for (const spoiler of Object.keys(SPOILERS)) {
    const ref = results[`Auth.js: ${spoiler}`];
    const got = results[`authpp: ${spoiler}`];
    const expected = EXPECTED_FAILURES[spoiler];
    if (spoiler === "a login denied at the IdP") assert.equal(got.back.searchParams.get("error"), "access_denied");
    for (const [who, r] of [["Auth.js", ref], ["authpp", got]]) {
      assert.equal(r.status, 302, `${who}, ${spoiler}`);
      assert.equal(r.location, expected, `${who}, ${spoiler}`);
      assert.equal(r.session, null, `${who}, ${spoiler}: a session cookie`);
      assert.equal(r.sessionAfter, null, `${who}, ${spoiler}: a session`);
      assert.equal(r.tokenRequests, 0, `${who}, ${spoiler}: a token request`);
      assert.equal(r.errors.length, 1, `${who}, ${spoiler}: logged ${JSON.stringify(r.errors)}`);
    }
    t.diagnostic(`${spoiler}: Set-Cookie Auth.js ${JSON.stringify(ref.setCookies)}, authpp ${JSON.stringify(got.setCookies)}`);
    t.diagnostic(`${spoiler}: logged errors Auth.js ${JSON.stringify(ref.errors)}, authpp ${JSON.stringify(got.errors)}`);
  }
  await t.test("failed callbacks log the error types Auth.js logs", () => {
    for (const spoiler of Object.keys(SPOILERS)) {
      assert.deepEqual(results[`authpp: ${spoiler}`].errors, results[`Auth.js: ${spoiler}`].errors, spoiler);
    }
  });
  await t.test("failed callbacks set the cookies Auth.js sets (none)", () => {
    for (const spoiler of Object.keys(SPOILERS)) {
      assert.deepEqual(results[`authpp: ${spoiler}`].setCookies, results[`Auth.js: ${spoiler}`].setCookies, spoiler);
    }
  });
});
