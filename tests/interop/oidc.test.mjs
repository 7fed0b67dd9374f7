// The real Auth.js (@auth/core 0.41.3) signs in through a real OpenID Provider (oidc-provider
// 9.13.3, oidc_provider.mjs): the reference run that authpp's OAuth/OIDC support will be held to.
// Everything is plain fetch with cookie jars, the way a browser would go: the sign-in POST as
// next-auth/react sends it, the IdP's login page through loginThrough(), the callback back at
// Auth.js, then the session. It runs for the checks ["pkce"] (Auth.js's default) and
// ["pkce", "state", "nonce"], with client_secret_basic and client_secret_post (plus "none" and an
// ES256 ID token), and checks failure paths: a denied login, a missing or tampered check value.
// One test takes the same way in headless Chromium, through Auth.js's own sign-in page and the
// IdP's HTML login form.
// The "wire" test pins what fixtures/oidc_authjs_wire.md records.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { decode } from "@auth/core/jwt";
import { Browser, tempDir } from "../integration/server_harness.mjs";
import { startAuthjsServer } from "./authjs_server.mjs";
import { startOidcProvider, loginThrough, CookieJar } from "./oidc_provider.mjs";

const ALICE = { name: "Alice Liddell", email: "alice@example.com", image: "https://example.com/alice.png" };
const ALICE_LOGIN = { login: "alice", password: "wonderland" };
const SESSION = "authjs.session-token";
const CHECK_COOKIES = { pkce: "authjs.pkce.code_verifier", state: "authjs.state", nonce: "authjs.nonce" };

const secret = randomBytes(32).toString("base64url");
let idp;
let clients = 0;

before(async () => {
  idp = await startOidcProvider();
});

after(async () => {
  await idp?.close();
});

// formEncode is application/x-www-form-urlencoded encoding of one value (RFC 6749 §2.3.1).
const formEncode = (s) => new URLSearchParams({ s }).toString().slice(2);

// relyingParty starts an Auth.js server with an OIDC provider "oidc" for a fresh client of the
// IdP, registered with that server's redirect_uri. The secret has characters that the two sides
// must form-encode alike (space, "+", "/", ":", "%").
async function relyingParty(t, { checks, method = "client_secret_basic", alg } = {}) {
  const clientId = `rp-${++clients}`;
  const clientSecret = method === "none" ? undefined : `${randomBytes(12).toString("base64url")} +/:%`;
  const client = { token_endpoint_auth_method: method, ...(alg ? { id_token_signed_response_alg: alg } : {}) };
  const authjs = await startAuthjsServer({
    secret,
    oidc: { issuer: idp.issuer, clientId, clientSecret, checks, client },
  });
  t.after(() => authjs.stop());
  const redirectUri = `${authjs.url}/api/auth/callback/oidc`;
  await idp.addClient({ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], ...client });
  return { authjs, clientId, clientSecret, redirectUri, callbackUrl: `${authjs.url}/after-login` };
}

// startSignIn does what next-auth/react's signIn("oidc", {callbackUrl}, query) sends: CSRF, then
// the POST with X-Auth-Return-Redirect. Returns the browser (Auth.js cookies), the reply and
// the authorization URL.
async function startSignIn(rp, query = "") {
  const b = new Browser(rp.authjs.url);
  const csrfToken = await b.csrf();
  const res = await b.post(`/api/auth/signin/oidc${query}`, { csrfToken, callbackUrl: rp.callbackUrl });
  assert.equal(res.status, 200);
  assert.equal(typeof res.body?.url, "string", `no authorization URL: ${JSON.stringify(res.body)}`);
  return { b, res, authz: new URL(res.body.url) };
}

// callback GETs the URL the IdP redirected to, at Auth.js, with the browser's cookies.
async function callback(b, url) {
  const u = new URL(url);
  return b.fetch(u.pathname + u.search);
}

const tokenRequests = (from) => idp.requests.slice(from).filter((r) => r.method === "POST" && r.url === "/token");
const header = (rawHeaders, name) => {
  const i = rawHeaders.findIndex((h, j) => j % 2 === 0 && h.toLowerCase() === name);
  return i < 0 ? undefined : rawHeaders[i + 1];
};

const VARIANTS = [
  { checks: ["pkce"], method: "client_secret_basic" },
  { checks: ["pkce"], method: "client_secret_post" },
  { checks: ["pkce", "state", "nonce"], method: "client_secret_basic" },
  { checks: ["pkce", "state", "nonce"], method: "client_secret_post" },
  { checks: ["pkce", "state", "nonce"], method: "none" },
  { checks: ["pkce"], method: "client_secret_basic", alg: "ES256" },
];

for (const variant of VARIANTS) {
  const { checks, method, alg } = variant;
  test(`Auth.js signs in through the OpenID Provider: checks ${checks.join("+")}, ${method}${alg ? `, ${alg} ID token` : ""}`, async (t) => {
    const rp = await relyingParty(t, variant);
    const { b, authz } = await startSignIn(rp, "?login_hint=alice%40example.com&prompt=login");

    // The authorization request: the sign-in query's parameters are forwarded, the checks
    // decide what follows, the scope comes last.
    assert.equal(authz.origin + authz.pathname, `${idp.issuer}/auth`);
    const expectedKeys = ["response_type", "client_id", "redirect_uri", "login_hint", "prompt"];
    if (checks.includes("state")) expectedKeys.push("state");
    expectedKeys.push("code_challenge", "code_challenge_method");
    if (checks.includes("nonce")) expectedKeys.push("nonce");
    expectedKeys.push("scope");
    assert.deepEqual([...authz.searchParams.keys()], expectedKeys);
    const q = Object.fromEntries(authz.searchParams);
    assert.equal(q.response_type, "code");
    assert.equal(q.client_id, rp.clientId);
    assert.equal(q.redirect_uri, rp.redirectUri);
    assert.equal(q.login_hint, "alice@example.com");
    assert.equal(q.prompt, "login");
    assert.match(q.code_challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(q.code_challenge_method, "S256");
    assert.equal(q.scope, "openid profile email");
    if (checks.includes("nonce")) assert.match(q.nonce, /^[A-Za-z0-9_-]{43}$/);
    for (const [check, cookie] of Object.entries(CHECK_COOKIES)) {
      assert.equal(b.jar.has(cookie), checks.includes(check), `${cookie} set: ${b.jar.has(cookie)}`);
    }

    const seen = idp.requests.length;
    const back = new URL(await loginThrough(authz.href, ALICE_LOGIN));

    // The IdP showed its login page with the forwarded parameters, and answered with a code.
    const shown = idp.interactions.filter((i) => i.params.client_id === rp.clientId);
    assert.deepEqual(shown.map((i) => i.prompt), ["login", "consent"]);
    assert.equal(shown[0].params.login_hint, "alice@example.com");
    assert.equal(shown[0].params.prompt, "login");
    assert.equal(back.origin + back.pathname, rp.redirectUri);
    assert.deepEqual([...back.searchParams.keys()], checks.includes("state") ? ["code", "state", "iss"] : ["code", "iss"]);
    assert.equal(back.searchParams.get("iss"), idp.issuer);
    if (checks.includes("state")) assert.equal(back.searchParams.get("state"), q.state);

    const res = await callback(b, back.href);
    assert.equal(res.status, 302, `callback failed: ${JSON.stringify(res.body)} ${JSON.stringify(rp.authjs.errors.map((e) => e.code))}`);
    assert.equal(res.headers.get("location"), rp.callbackUrl);
    assert.ok(b.jar.get(SESSION), "no session cookie after the callback");
    for (const cookie of Object.values(CHECK_COOKIES)) assert.equal(b.jar.has(cookie), false, `${cookie} left behind`);
    assert.deepEqual(rp.authjs.errors, []);

    // Exactly one token request, authenticated the configured way.
    const [token, ...more] = tokenRequests(seen);
    assert.equal(more.length, 0);
    assert.equal(token.status, 200);
    const body = new URLSearchParams(token.body);
    const authorization = header(token.rawHeaders, "authorization");
    if (method === "client_secret_basic") {
      assert.equal(authorization, `Basic ${Buffer.from(`${formEncode(rp.clientId)}:${formEncode(rp.clientSecret)}`).toString("base64")}`);
      assert.deepEqual([...body.keys()], ["redirect_uri", "code", "code_verifier", "grant_type"]);
    } else {
      assert.equal(authorization, undefined);
      const auth = method === "client_secret_post" ? ["client_id", "client_secret"] : ["client_id"];
      assert.deepEqual([...body.keys()], ["redirect_uri", "code", "code_verifier", "grant_type", ...auth]);
      assert.equal(body.get("client_id"), rp.clientId);
      if (method === "client_secret_post") assert.equal(body.get("client_secret"), rp.clientSecret);
    }
    assert.equal(body.get("code"), back.searchParams.get("code"));
    assert.equal(body.get("redirect_uri"), rp.redirectUri);

    // The ID token Auth.js took the user from: signed with the client's algorithm, carrying the
    // profile claims, and the nonce exactly when Auth.js sent one.
    const [head, claims] = token.response.id_token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));
    assert.equal(head.alg, alg ?? "RS256");
    assert.equal(head.kid, idp.jwks.keys.find((k) => k.alg === head.alg).kid);
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.aud, rp.clientId);
    assert.equal(claims.sub, "alice-sub");
    assert.equal(claims.nonce, q.nonce);
    assert.deepEqual([claims.name, claims.email, claims.email_verified, claims.picture], [ALICE.name, ALICE.email, true, ALICE.image]);

    const session = await b.session();
    assert.deepEqual(session?.user, ALICE);
    assert.ok(Date.parse(session.expires) > Date.now());
  });
}

test("a login denied at the IdP comes back as an error that Auth.js reports as OAuthCallbackError", async (t) => {
  const rp = await relyingParty(t, { checks: ["pkce", "state"] });
  const { b, authz } = await startSignIn(rp);
  const back = new URL(await loginThrough(authz.href, { deny: true }));
  assert.equal(back.searchParams.get("error"), "access_denied");
  assert.equal(back.searchParams.get("state"), authz.searchParams.get("state"));
  const seen = idp.requests.length;
  const res = await callback(b, back.href);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), `${rp.authjs.url}/api/auth/signin?error=OAuthCallbackError`);
  assert.equal(b.jar.get(SESSION), undefined);
  assert.deepEqual(tokenRequests(seen), []);
  assert.equal(await b.session(), null);
});

test("the IdP's login page refuses a wrong password; an IdP session skips it", async () => {
  // A client whose redirect_uri nobody listens on: loginThrough never follows it.
  const clientId = "driver-only";
  await idp.addClient({ client_id: clientId, client_secret: "s", redirect_uris: ["http://127.0.0.1:9/cb"] });
  const authz = new URL(`${idp.issuer}/auth`);
  for (const [k, v] of Object.entries({
    response_type: "code", client_id: clientId, redirect_uri: "http://127.0.0.1:9/cb", scope: "openid",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256",
  })) authz.searchParams.set(k, v);
  await assert.rejects(loginThrough(authz.href, { login: "alice", password: "wrong" }), /refused the login of alice/);
  // The same flow with the right password reaches the redirect_uri; a second one from the same
  // cookie jar rides on the IdP session and shows no login page.
  const jar = new CookieJar();
  const first = new URL(await loginThrough(authz.href, ALICE_LOGIN, jar));
  assert.equal(first.origin + first.pathname, "http://127.0.0.1:9/cb");
  assert.match(first.searchParams.get("code"), /^[A-Za-z0-9_-]{43}$/);
  const before = idp.interactions.length;
  const second = new URL(await loginThrough(authz.href, {}, jar));
  assert.match(second.searchParams.get("code"), /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(second.searchParams.get("code"), first.searchParams.get("code"));
  assert.equal(idp.interactions.length, before, "the IdP session did not skip the login");
});

test("Auth.js refuses a callback whose PKCE verifier cookie is missing, before any token request", async (t) => {
  const rp = await relyingParty(t, { checks: ["pkce"] });
  const { b, authz } = await startSignIn(rp);
  const back = await loginThrough(authz.href, ALICE_LOGIN);
  b.jar.delete(CHECK_COOKIES.pkce);
  const seen = idp.requests.length;
  const res = await callback(b, back);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), `${rp.authjs.url}/api/auth/error?error=Configuration`);
  assert.deepEqual(rp.authjs.errors.map((e) => e.code), ["InvalidCheck"]);
  assert.deepEqual(tokenRequests(seen), []);
  assert.equal(b.jar.get(SESSION), undefined);
});

test("Auth.js refuses a callback whose state differs from its state cookie (checks pkce+state+nonce)", async (t) => {
  const rp = await relyingParty(t, { checks: ["pkce", "state", "nonce"] });
  const first = await startSignIn(rp);
  const other = await startSignIn(rp); // a second, valid state of the same server
  const back = new URL(await loginThrough(first.authz.href, ALICE_LOGIN));
  back.searchParams.set("state", other.authz.searchParams.get("state"));
  const seen = idp.requests.length;
  const res = await callback(first.b, back.href);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), `${rp.authjs.url}/api/auth/error?error=Configuration`);
  assert.deepEqual(tokenRequests(seen), []);
  assert.equal(first.b.jar.get(SESSION), undefined);
});

test("in Chromium: Auth.js's sign-in page, the IdP's login form, back signed in", async (t) => {
  const rp = await relyingParty(t, { checks: ["pkce", "state", "nonce"] });
  const profile = tempDir("authpp-chromium-");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // The callbackUrl is the session endpoint, so the last page shows who is signed in.
  const sessionUrl = `${rp.authjs.url}/api/auth/session`;
  await page.goto(`${rp.authjs.url}/api/auth/signin?callbackUrl=${encodeURIComponent(sessionUrl)}`);
  await page.getByRole("button", { name: "Sign in with Test OIDC" }).click();
  await page.waitForURL(new RegExp(`^${idp.issuer}/interaction/[A-Za-z0-9_-]+$`));
  assert.equal(await page.title(), "Sign in to the test OpenID Provider");
  await page.getByLabel("Login").fill("alice@example.com");
  await page.getByLabel("Password").fill("wonderland");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(sessionUrl);
  const session = JSON.parse(await page.locator("body").innerText());
  assert.deepEqual(session.user, ALICE);
  assert.deepEqual(rp.authjs.errors, []);
});

// The facts recorded in fixtures/oidc_authjs_wire.md (checks pkce+state+nonce,
// client_secret_basic), asserted so that the file cannot drift from what Auth.js does.
test("wire: what Auth.js sends and sets with checks pkce+state+nonce", async (t) => {
  const rp = await relyingParty(t, { checks: ["pkce", "state", "nonce"] });
  const b = new Browser(rp.authjs.url);
  const csrfToken = await b.csrf();
  const signin = await b.post("/api/auth/signin/oidc?prompt=login", { csrfToken, callbackUrl: rp.callbackUrl });
  const authz = new URL(signin.body.url);
  assert.equal(signin.headers.get("location"), signin.body.url, "the JSON reply keeps Location");
  assert.deepEqual([...authz.searchParams.keys()], [
    "response_type", "client_id", "redirect_uri", "prompt", "state", "code_challenge", "code_challenge_method", "nonce", "scope",
  ]);
  assert.match(authz.search, /&scope=openid\+profile\+email$/);
  const jwe = "[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+";
  const expires = "Expires=[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT";
  const cookies = signin.headers.getSetCookie();
  assert.equal(cookies.length, 4, cookies.join("\n"));
  assert.equal(cookies[0], `authjs.callback-url=${encodeURIComponent(rp.callbackUrl)}; Path=/; HttpOnly; SameSite=Lax`);
  assert.match(cookies[1], new RegExp(`^authjs\\.state=${jwe}; Max-Age=900; Path=/; ${expires}; HttpOnly; SameSite=Lax$`));
  assert.match(cookies[2], new RegExp(`^authjs\\.pkce\\.code_verifier=${jwe}; Max-Age=900; Path=/; ${expires}; HttpOnly; SameSite=Lax$`));
  assert.match(cookies[3], new RegExp(`^authjs\\.nonce=${jwe}; Path=/; ${expires}; HttpOnly; SameSite=Lax$`));
  const stateExpires = Date.parse(/Expires=([^;]+)/.exec(cookies[1])[1]);
  const nonceExpires = Date.parse(/Expires=([^;]+)/.exec(cookies[3])[1]);
  assert.ok(Math.abs(stateExpires - Date.now() - 900_000) < 5000, "state cookie Expires is not now + 900 s");
  assert.ok(Math.abs(nonceExpires - stateExpires) <= 1000, "nonce cookie Expires differs from the state cookie's");
  // Each check cookie is an Auth.js JWT (salt = the cookie's name) {value, provider, iat, exp,
  // jti}, 900 s long; the values are the state parameter, the PKCE verifier, the nonce.
  assert.match(authz.searchParams.get("state"), new RegExp(`^${jwe}$`));
  const checkValues = {};
  for (const [check, name] of Object.entries(CHECK_COOKIES)) {
    const payload = await decode({ token: b.jar.get(name), secret, salt: name });
    assert.deepEqual(Object.keys(payload).sort(), ["exp", "iat", "jti", "provider", "value"]);
    assert.equal(payload.provider, "oidc");
    assert.equal(payload.exp - payload.iat, 900);
    checkValues[check] = payload.value;
  }
  assert.equal(checkValues.state, authz.searchParams.get("state"));
  assert.equal(checkValues.nonce, authz.searchParams.get("nonce"));
  assert.equal(createHash("sha256").update(checkValues.pkce).digest("base64url"), authz.searchParams.get("code_challenge"));

  const back = await loginThrough(authz.href, ALICE_LOGIN);
  const seen = idp.requests.length;
  const res = await callback(b, back);
  const during = idp.requests.slice(seen);
  assert.deepEqual(during.map((r) => `${r.method} ${r.url} ${r.status}`), [
    "GET /.well-known/openid-configuration 200",
    "POST /token 200",
  ]);
  const [discovery, token] = during;
  const names = (raw) => raw.filter((_, i) => i % 2 === 0);
  assert.deepEqual(names(discovery.rawHeaders), ["host", "connection", "accept", "user-agent", "accept-language", "sec-fetch-mode", "accept-encoding"]);
  assert.deepEqual(names(token.rawHeaders), [
    "host", "connection", "accept", "authorization", "content-type", "user-agent",
    "accept-language", "sec-fetch-mode", "accept-encoding", "content-length",
  ]);
  assert.equal(header(token.rawHeaders, "accept"), "application/json");
  assert.equal(header(token.rawHeaders, "content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
  assert.match(header(token.rawHeaders, "user-agent"), /^oauth4webapi\/v3\.\d+\.\d+$/);
  assert.equal(header(token.rawHeaders, "content-length"), String(Buffer.byteLength(token.body)));
  assert.deepEqual([...new URLSearchParams(token.body).keys()], ["redirect_uri", "code", "code_verifier", "grant_type"]);
  assert.equal(new URLSearchParams(token.body).get("code_verifier"), checkValues.pkce);
  assert.equal(new URLSearchParams(token.body).get("grant_type"), "authorization_code");

  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), rp.callbackUrl);
  const set = res.headers.getSetCookie();
  assert.deepEqual(set.slice(0, 3), [
    "authjs.state=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    "authjs.pkce.code_verifier=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
    "authjs.nonce=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
  ]);
  assert.equal(set.length, 4, set.join("\n"));
  assert.match(set[3], new RegExp(`^authjs\\.session-token=${jwe}; Path=/; ${expires}; HttpOnly; SameSite=Lax$`));
  const sessionExpires = Date.parse(/Expires=([^;]+)/.exec(set[3])[1]);
  assert.ok(Math.abs(sessionExpires - Date.now() - 30 * 24 * 3600 * 1000) < 5000, "session cookie Expires is not now + 30 days");
  assert.deepEqual((await b.session())?.user, ALICE);
});
