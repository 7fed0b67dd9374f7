// A real OpenID Provider for tests: panva's oidc-provider 9.13.3 (pinned in package-lock.json) on
// 127.0.0.1, a free port, issuer http://127.0.0.1:<port>. authpp's OAuth/OIDC support is tested
// against it, and the real Auth.js is run against it first (oidc.test.mjs) to show what the
// reference implementation does with it.
//
// Logins go through oidc-provider's interaction flow, answered by the small handler below (not
// devInteractions): GET /interaction/:uid shows a login form (fields `login`, `password`) or, when
// consent is due, grants the requested scopes and claims at once (autoConsent, the default) or
// shows a consent form. A browser can use those pages; loginThrough() drives them with fetch.
//
// Run alone:  node tests/interop/oidc_provider.mjs [--port N] [--redirect-uri URL]...
//             prints "listening on <issuer>" and the client it registered.
//
// What was surprising (oidc-provider 9.13.3 with Auth.js @auth/core 0.41.3, Node 20):
// - Auth.js builds the user of a `type: "oidc"` provider from the ID token only and never calls
//   userinfo; oidc-provider puts scope claims (name, email, picture…) only at userinfo unless
//   `conformIdTokenClaims: false`. Without it the session has no name and no email.
// - Auth.js discovers ({issuer}/.well-known/openid-configuration) on every sign-in and on every
//   callback; plain http is fine. It checks the RFC 9207 `iss` parameter, which oidc-provider
//   always adds to the authorization response (authorization_response_iss_parameter_supported).
// - Auth.js's authorization request has no `state` and no `nonce` with its default checks
//   ["pkce"]; oidc-provider accepts that (neither is required for response_type=code), and PKCE
//   is made mandatory here with `pkce.required: () => true` (S256 is the only method offered).
// - Every query parameter of the POST /api/auth/signin/<id> request is copied into the
//   authorization URL (prompt, login_hint…), between redirect_uri and the check parameters; the
//   scope comes last ("openid profile email", added because discovery leaves none on the URL).
// - client_secret_basic from Auth.js form-encodes id and secret before base64 (space → "+",
//   RFC 6749 §2.3.1); oidc-provider decodes them the same way, so secrets with spaces, "+", ":",
//   "/" and "%" work either way (the tests use such a secret).
// - The token request body is redirect_uri, code, code_verifier, grant_type (then client_id,
//   client_secret for client_secret_post); fixtures/oidc_authjs_wire.md has the whole wire.
// - The consent result must be merged with the login result of the same request
//   (mergeWithLastSubmission: true); unmerged, prompt=login shows the login page a second time.
// - oidc-provider's built-in in-memory adapter warns at start ("development-only") and is an LRU
//   of 1000 entries per provider, where a registered client could be evicted; a plain Map per
//   provider (memoryAdapter below) avoids both. Clients can be registered after start through it
//   (addClient): the relying party's redirect_uri contains its port, which is only known once it
//   listens, and it must know the issuer before that.
// - To log request bodies without taking them from oidc-provider (which reads req itself and
//   warns when something upstream already did), the logger wraps req.iterator, which is what
//   oidc-provider's body reader consumes.
// - The interaction cookies are path-scoped (_interaction: /interaction/<uid>, _interaction_resume:
//   /auth/<uid>, _session: /, each with a .sig companion, attribute names in lower case);
//   CookieJar below honours Path like a browser. On 127.0.0.1 a browser sends these cookies to
//   every other local port too (cookies are not port-scoped), so the relying party sees them.
// - oidc-provider 9 warns at import that Node 22 is preferred; it works on Node 20. Its default
//   ttl functions print a notice each; fixed ttl values silence them.
// - In a browser, Auth.js's own sign-in page (GET /api/auth/signin) has a button per provider that
//   posts to /api/auth/signin/oidc; its logo comes from authjs.dev (fails offline, harmlessly).
import { createServer } from "node:http";
import { once } from "node:events";
import { generateKeyPairSync, randomBytes, createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import Provider from "oidc-provider";

export const DEFAULT_ACCOUNTS = [
  {
    sub: "alice-sub",
    login: "alice",
    password: "wonderland",
    email: "alice@example.com",
    email_verified: true,
    name: "Alice Liddell",
    picture: "https://example.com/alice.png",
  },
];

// generateSigningKeys returns private JWKs: one RS256 (RSA 2048) and one ES256 (P-256) key.
export function generateSigningKeys() {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  return [
    { ...rsa, kid: thumbprint(rsa), alg: "RS256", use: "sig" },
    { ...ec, kid: thumbprint(ec), alg: "ES256", use: "sig" },
  ];
}

// thumbprint: RFC 7638 JWK thumbprint (SHA-256, base64url) of the public members.
function thumbprint(jwk) {
  const members = jwk.kty === "RSA" ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash("sha256").update(JSON.stringify(members)).digest("base64url");
}

const PUBLIC_MEMBERS = ["kty", "kid", "alg", "use", "n", "e", "crv", "x", "y"];
const publicJwk = (jwk) => Object.fromEntries(PUBLIC_MEMBERS.filter((k) => k in jwk).map((k) => [k, jwk[k]]));

// memoryAdapter: oidc-provider's storage adapter interface over one Map per provider instance.
function memoryAdapter() {
  const store = new Map(); // key → { value, expiresAt (ms, or Infinity) }
  const get = (key) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.value;
  };
  const set = (key, value, expiresIn) =>
    store.set(key, { value, expiresAt: typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity });
  return class MemoryAdapter {
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    async upsert(id, payload, expiresIn) {
      set(this.key(id), payload, expiresIn);
      if (this.model === "Session") set(`sessionUid:${payload.uid}`, id, expiresIn);
      if (payload.userCode) set(`userCode:${payload.userCode}`, id, expiresIn);
      if (payload.grantId) {
        const members = get(`grant:${payload.grantId}`) ?? new Set();
        members.add(this.key(id));
        set(`grant:${payload.grantId}`, members);
      }
    }
    async find(id) {
      return get(this.key(id));
    }
    async findByUid(uid) {
      const id = get(`sessionUid:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }
    async findByUserCode(userCode) {
      const id = get(`userCode:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }
    async consume(id) {
      const payload = get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId) {
      for (const key of get(`grant:${grantId}`) ?? []) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  };
}

const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${html(title)}</title></head>
<body><h1>${html(title)}</h1>
${body}
</body></html>
`;
}

function loginPage(uid, { client, hint, error }) {
  return page(
    "Sign in to the test OpenID Provider",
    `<p>Client: <code>${html(client)}</code></p>
${error ? `<p id="error" role="alert">${html(error)}</p>\n` : ""}<form id="login" method="post" action="/interaction/${html(uid)}/login">
<label>Login <input name="login" value="${html(hint ?? "")}" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
<form id="abort" method="post" action="/interaction/${html(uid)}/abort"><button type="submit">Cancel</button></form>`,
  );
}

function consentPage(uid, { client, scopes }) {
  return page(
    "Authorize the application",
    `<p>Client <code>${html(client)}</code> asks for: <code>${html(scopes.join(" "))}</code></p>
<form id="consent" method="post" action="/interaction/${html(uid)}/confirm"><button type="submit">Allow</button></form>
<form id="abort" method="post" action="/interaction/${html(uid)}/abort"><button type="submit">Deny</button></form>`,
  );
}

async function readForm(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
}

// startOidcProvider starts the provider. Options (all optional):
//   clients      client metadata registered at start: {client_id, client_secret, redirect_uris,
//                token_endpoint_auth_method (client_secret_basic | client_secret_post | none),
//                id_token_signed_response_alg, …}; more can be added later with addClient().
//   keys         private signing JWKs (default: generateSigningKeys(), an RS256 and an ES256 key)
//   accounts     [{sub, login, password, email, email_verified, name, picture}] (default: alice,
//                login "alice" or "alice@example.com", password "wonderland")
//   autoConsent  grant every requested scope and claim without a consent page (default true)
//   port         (default 0: a free port)
//   config       extra oidc-provider configuration, merged over the defaults below
// Returns {issuer, url, port, provider, jwks, accounts, requests, interactions, addClient(), close()}:
// `requests` logs every request {method, url, rawHeaders, body?, status, response?} (body: the
// raw request body when oidc-provider read one; response: a JSON reply such as the token
// endpoint's), `interactions` every interaction page shown {uid, prompt, params}.
export async function startOidcProvider({
  clients = [],
  keys = generateSigningKeys(),
  accounts = DEFAULT_ACCOUNTS,
  autoConsent = true,
  port = 0,
  config = {},
} = {}) {
  let handler = (req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${server.address().port}`;
  const issuer = url;

  const findBySub = (sub) => accounts.find((a) => a.sub === sub);
  const findByLogin = (login) => accounts.find((a) => a.login === login || a.email === login);

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients,
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "picture"],
    },
    // Auth.js reads profile claims from the ID token only.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Fixed lifetimes (seconds); oidc-provider's default functions print a notice each.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
    },
    async findAccount(ctx, sub) {
      const account = findBySub(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const { login, password, ...claims } = account;
          return claims;
        },
      };
    },
    ...config,
  });

  const requests = [];
  const interactions = [];

  // Log every request; tee the body as oidc-provider reads it.
  provider.use(async (ctx, next) => {
    const entry = { method: ctx.method, url: ctx.url, rawHeaders: [...ctx.req.rawHeaders] };
    requests.push(entry);
    const req = ctx.req;
    const iterator = req.iterator;
    req.iterator = function (...args) {
      const inner = iterator.apply(this, args);
      const chunks = [];
      return (async function* () {
        for await (const chunk of inner) {
          chunks.push(chunk);
          yield chunk;
        }
        entry.body = Buffer.concat(chunks).toString("utf8");
      })();
    };
    await next();
    entry.status = ctx.status;
    if (ctx.body && typeof ctx.body === "object" && !Buffer.isBuffer(ctx.body) && typeof ctx.body.pipe !== "function") {
      entry.response = structuredClone(ctx.body);
    }
  });

  // The interaction pages.
  provider.use(async (ctx, next) => {
    const m = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path);
    if (!m) return next();
    const [, uid, action] = m;
    if ((action ? "POST" : "GET") !== ctx.method) {
      ctx.status = 405;
      return;
    }
    ctx.set("cache-control", "no-store");
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (e) {
      ctx.status = 400;
      ctx.type = "text/plain";
      ctx.body = `interaction not found: ${e.message}\n`;
      return;
    }
    if (details.uid !== uid) {
      ctx.status = 400;
      ctx.type = "text/plain";
      ctx.body = "interaction cookie does not match the URL\n";
      return;
    }
    const { prompt, params } = details;
    // The consent result must keep the login result of the same authorization request (merged):
    // otherwise prompt=login asks for the login again once consent is given.
    const finish = async (result, { merge = false } = {}) => {
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge }));
      ctx.status = 303;
    };
    const consent = async () => {
      const { missingOIDCScope = [], missingOIDCClaims = [], missingResourceScopes = {} } = prompt.details;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (missingOIDCScope.length) grant.addOIDCScope(missingOIDCScope.join(" "));
      if (missingOIDCClaims.length) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(" "));
      }
      await finish({ consent: { grantId: await grant.save() } }, { merge: true });
    };

    if (!action) {
      interactions.push({ uid, prompt: prompt.name, params: { ...params } });
      if (prompt.name === "login") {
        ctx.type = "html";
        ctx.body = loginPage(uid, { client: params.client_id, hint: params.login_hint });
      } else if (prompt.name === "consent" && autoConsent) {
        await consent();
      } else if (prompt.name === "consent") {
        ctx.type = "html";
        ctx.body = consentPage(uid, { client: params.client_id, scopes: String(params.scope ?? "").split(" ") });
      } else {
        ctx.status = 501;
        ctx.type = "text/plain";
        ctx.body = `unsupported prompt ${prompt.name}\n`;
      }
      return;
    }

    const form = await readForm(ctx.req);
    if (action === "abort") {
      await finish({ error: "access_denied", error_description: "End-User aborted interaction" });
    } else if (action === "login" && prompt.name === "login") {
      const account = findByLogin(form.login);
      if (!account || account.password !== form.password) {
        ctx.status = 200;
        ctx.type = "html";
        ctx.body = loginPage(uid, { client: params.client_id, hint: form.login, error: "Invalid login or password." });
        return;
      }
      await finish({ login: { accountId: account.sub } });
    } else if (action === "confirm" && prompt.name === "consent") {
      await consent();
    } else {
      ctx.status = 400;
      ctx.type = "text/plain";
      ctx.body = `unexpected ${action} for prompt ${prompt.name}\n`;
    }
  });

  handler = provider.callback();

  return {
    issuer,
    url,
    port: server.address().port,
    provider,
    jwks: { keys: keys.map(publicJwk) },
    accounts,
    requests,
    interactions,
    // addClient registers client metadata after start (e.g. once the relying party's port and so
    // its redirect_uri is known). Invalid metadata throws.
    async addClient(metadata) {
      await provider.Client.validate(metadata);
      await provider.Client.adapter.upsert(metadata.client_id, structuredClone(metadata));
      return metadata;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

// CookieJar: cookies of one host, honouring Path, Max-Age and Expires (Domain, Secure and
// SameSite are ignored: everything here is http://127.0.0.1).
export class CookieJar {
  cookies = new Map(); // `${path}\t${name}` → {name, value, path, expires}

  store(setCookies, requestUrl) {
    const defaultPath = (() => {
      const p = new URL(requestUrl).pathname;
      const i = p.lastIndexOf("/");
      return i <= 0 ? "/" : p.slice(0, i);
    })();
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), path: defaultPath, expires: Infinity };
      for (const attr of attrs) {
        const [k, ...v] = attr.split("=");
        const value = v.join("=");
        const key = k.toLowerCase();
        if (key === "path" && value.startsWith("/")) cookie.path = value;
        else if (key === "max-age") cookie.expires = Date.now() + Number(value) * 1000;
        else if (key === "expires" && cookie.expires === Infinity) cookie.expires = Date.parse(value);
      }
      const key = `${cookie.path}\t${cookie.name}`;
      if (cookie.expires <= Date.now()) this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
  }

  header(url) {
    const path = new URL(url).pathname;
    const matches = [...this.cookies.values()].filter(
      (c) => c.expires > Date.now() && (path === c.path || path.startsWith(c.path.endsWith("/") ? c.path : c.path + "/")),
    );
    matches.sort((a, b) => b.path.length - a.path.length); // longer paths first, like browsers
    return matches.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  get(name) {
    return [...this.cookies.values()].find((c) => c.name === name)?.value;
  }

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set("cookie", cookie);
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    this.store(res.headers.getSetCookie(), url);
    return res;
  }
}

// findForm returns {action, fields} of the form with the given id in an HTML page, or undefined.
function findForm(htmlText, id) {
  const m = new RegExp(`<form[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</form>`).exec(htmlText);
  if (!m) return undefined;
  const action = /\baction="([^"]*)"/.exec(m[0])[1].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(n));
  const fields = {};
  for (const input of m[1].matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    if (name) fields[name] = /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? "";
  }
  return { action, fields };
}

// loginThrough follows the IdP's redirects from `authorizationUrl` with fetch (redirect:
// "manual", keeping the IdP's cookies in `cookieJar`), signs in with {login, password} on the
// login page (when one is shown: an IdP session in the jar can skip it), confirms the consent
// page when one is shown (or cancels both with {deny: true}), and returns the redirect URL that
// points back at the relying party's redirect_uri (with code, state, iss… or error), without
// following it. Throws when the login is refused or the flow goes anywhere unexpected.
export async function loginThrough(authorizationUrl, { login, password, deny = false } = {}, cookieJar = new CookieJar()) {
  const idp = new URL(authorizationUrl).origin;
  const redirectUri = new URL(authorizationUrl).searchParams.get("redirect_uri");
  let url = authorizationUrl;
  let init = {};
  for (let step = 0; step < 20; step++) {
    const res = await cookieJar.fetch(url, init);
    init = {};
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      const next = new URL(res.headers.get("location"), url).href;
      if (redirectUri && next.split(/[?#]/)[0] === redirectUri) return next;
      if (new URL(next).origin !== idp) throw new Error(`loginThrough: redirected away from the IdP to ${next}`);
      url = next;
      continue;
    }
    const text = await res.text();
    if (res.status !== 200) throw new Error(`loginThrough: ${res.status} at ${url}: ${text.slice(0, 500)}`);
    const wanted = deny ? "abort" : findForm(text, "login") ? "login" : "consent";
    if (wanted === "login" && /id="error"/.test(text)) throw new Error(`loginThrough: the IdP refused the login of ${login}`);
    const form = findForm(text, wanted);
    if (!form) throw new Error(`loginThrough: no ${wanted} form at ${url}: ${text.slice(0, 500)}`);
    if (wanted === "login") Object.assign(form.fields, { login, password });
    url = new URL(form.action, url).href;
    init = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form.fields).toString(),
    };
  }
  throw new Error("loginThrough: too many redirects");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
  const redirectUris = opt("--redirect-uri");
  const client = {
    client_id: "authpp-test",
    client_secret: "authpp-test-secret",
    redirect_uris: redirectUris.length
      ? redirectUris
      : ["http://127.0.0.1:3000/api/auth/callback/oidc", "http://localhost:3000/api/auth/callback/oidc"],
    token_endpoint_auth_method: "client_secret_basic",
  };
  const idp = await startOidcProvider({ clients: [client], port: Number(opt("--port")[0] ?? 0) });
  console.log(`listening on ${idp.issuer}`);
  console.log(JSON.stringify({ client, accounts: idp.accounts.map(({ login, password, sub }) => ({ login, password, sub })) }, null, 2));
}
