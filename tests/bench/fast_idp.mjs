// A fast local OpenID Provider for the OIDC sign-in benchmark (bench/oidc_signin.sh, issue 10).
// Not a conformant provider (tests/interop/oidc_provider.mjs is the real one, oidc-provider 9):
// just enough of the code flow, with no interactive login, so that the relying party's share of
// a sign-in is what the benchmark sees. One node:http process, one thread.
//   GET  /.well-known/openid-configuration   issuer http://127.0.0.1:PORT, RS256 only, S256 only,
//                                            authorization_response_iss_parameter_supported
//   GET  /jwks                               one RS256 key (RSA 2048, made at start), with kid
//   GET  /authorize                          approves at once: 302 to redirect_uri with code,
//                                            state (echoed when sent) and iss; remembers the
//                                            client_id, redirect_uri, nonce and code_challenge
//   POST /token                              client_secret_basic (form-encoded id and secret,
//                                            RFC 6749 §2.3.1), the code (once), redirect_uri,
//                                            PKCE S256; answers {access_token, token_type,
//                                            expires_in, id_token} with an RS256 ID token
//   GET  /userinfo                           the claims, for a Bearer access token it issued
//   GET  /_stats                             requests per user-agent and path, and refusals
// The RSA key and its KeyObject are made once; each token request costs one RSA-2048 signature
// (≈ 1 ms of CPU on this machine), which is the IdP's main cost.
// Usage: node fast_idp.mjs PORT CLIENT_ID CLIENT_SECRET   (PORT 0 = any; prints "listening URL")
import http from "node:http";
import { createHash, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from "node:crypto";

const [port, clientId, clientSecret] = [Number(process.argv[2] ?? 0), process.argv[3] ?? "bench",
  process.argv[4] ?? "bench-client-secret"];

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicJwk = publicKey.export({ format: "jwk" });
// kid: the RFC 7638 thumbprint of the public key.
const kid = createHash("sha256").update(JSON.stringify({ e: publicJwk.e, kty: "RSA", n: publicJwk.n }))
  .digest("base64url");
const jwksBody = JSON.stringify({ keys: [{ ...publicJwk, kid, alg: "RS256", use: "sig" }] });
const jwtHeader = Buffer.from(JSON.stringify({ alg: "RS256", kid, typ: "JWT" })).toString("base64url");

const USER = { sub: "bench-sub", name: "Bench User", email: "bench@example.com", email_verified: true };
const CODE_TTL_MS = 60_000;
const TOKEN_TTL_S = 3600;

let issuer; // set once listening
let discoveryBody;
const codes = new Map(); // code → {clientId, redirectUri, nonce, challenge, expires}
const accessTokens = new Map(); // access token → expiry (ms)
const stats = { requests: {}, refused: {} }; // requests: "user-agent METHOD /path" → count

const count = (table, key) => { table[key] = (table[key] ?? 0) + 1; };
const formDecode = (s) => decodeURIComponent(s.replace(/\+/g, " "));

function reply(res, status, body, headers = {}) {
  const data = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data),
    "cache-control": "no-store", ...headers });
  res.end(data);
}

function refuse(res, status, error, why) {
  count(stats.refused, why);
  reply(res, status, { error, error_description: why });
}

function safeEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// clientFromBasic: [id, secret] of an Authorization: Basic header, form-decoded, or null.
function clientFromBasic(header) {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  try {
    return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
  } catch {
    return null;
  }
}

function idToken(audience, nonce) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: audience, ...USER, iat: now, exp: now + 300 };
  if (nonce !== undefined) claims.nonce = nonce;
  const input = `${jwtHeader}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}

function authorize(res, query) {
  const redirectUri = query.get("redirect_uri");
  if (query.get("client_id") !== clientId) return refuse(res, 400, "invalid_client", "unknown client_id");
  if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return refuse(res, 400, "invalid_request", "redirect_uri");
  if (query.get("response_type") !== "code") return refuse(res, 400, "unsupported_response_type", "response_type");
  if (!(query.get("scope") ?? "").split(" ").includes("openid")) return refuse(res, 400, "invalid_scope", "no openid scope");
  const challenge = query.get("code_challenge");
  if (!challenge || query.get("code_challenge_method") !== "S256") return refuse(res, 400, "invalid_request", "PKCE S256 required");
  const code = randomBytes(24).toString("base64url");
  codes.set(code, { clientId, redirectUri, nonce: query.get("nonce") ?? undefined, challenge,
    expires: Date.now() + CODE_TTL_MS });
  const location = new URL(redirectUri);
  location.searchParams.append("code", code);
  if (query.has("state")) location.searchParams.append("state", query.get("state"));
  location.searchParams.append("iss", issuer);
  res.writeHead(302, { location: location.href, "content-length": 0 });
  res.end();
}

function token(req, res, body) {
  const client = clientFromBasic(req.headers.authorization);
  if (!client || client[0] !== clientId || !safeEqual(client[1], clientSecret)) {
    return refuse(res, 401, "invalid_client", "client authentication");
  }
  const form = new URLSearchParams(body);
  if (form.get("grant_type") !== "authorization_code") return refuse(res, 400, "unsupported_grant_type", "grant_type");
  const code = form.get("code");
  const grant = code && codes.get(code);
  if (!grant) return refuse(res, 400, "invalid_grant", "unknown or used code");
  codes.delete(code);
  if (grant.expires < Date.now()) return refuse(res, 400, "invalid_grant", "code expired");
  if (grant.clientId !== client[0]) return refuse(res, 400, "invalid_grant", "code of another client");
  if (form.get("redirect_uri") !== grant.redirectUri) return refuse(res, 400, "invalid_grant", "redirect_uri mismatch");
  const verifier = form.get("code_verifier") ?? "";
  if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) {
    return refuse(res, 400, "invalid_grant", "PKCE verifier mismatch");
  }
  const accessToken = randomBytes(24).toString("base64url");
  accessTokens.set(accessToken, Date.now() + TOKEN_TTL_S * 1000);
  reply(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: TOKEN_TTL_S,
    scope: "openid profile email", id_token: idToken(grant.clientId, grant.nonce) });
}

function userinfo(req, res) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  const expires = m && accessTokens.get(m[1]);
  if (!expires || expires < Date.now()) return refuse(res, 401, "invalid_token", "userinfo token");
  reply(res, 200, USER);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, issuer);
  count(stats.requests, `${(req.headers["user-agent"] ?? "-").split(" ")[0]} ${req.method} ${url.pathname}`);
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    try {
      switch (`${req.method} ${url.pathname}`) {
        case "GET /.well-known/openid-configuration": return reply(res, 200, discoveryBody);
        case "GET /jwks": return reply(res, 200, jwksBody, { "content-type": "application/jwk-set+json" });
        case "GET /authorize": return authorize(res, url.searchParams);
        case "POST /token": return token(req, res, Buffer.concat(chunks).toString("utf8"));
        case "GET /userinfo": return userinfo(req, res);
        case "GET /_stats": return reply(res, 200, { ...stats, pendingCodes: codes.size });
        default: return reply(res, 404, { error: "not_found" });
      }
    } catch (e) {
      refuse(res, 500, "server_error", String(e?.message ?? e));
    }
  });
});
server.keepAliveTimeout = 60_000;

// Codes never redeemed (a flow cut off at the end of a run) and old access tokens go once a minute.
setInterval(() => {
  const now = Date.now();
  for (const [code, grant] of codes) if (grant.expires < now) codes.delete(code);
  for (const [t, expires] of accessTokens) if (expires < now) accessTokens.delete(t);
}, 60_000).unref();

server.listen(port, "127.0.0.1", () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  discoveryBody = JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic"],
    code_challenge_methods_supported: ["S256"],
    grant_types_supported: ["authorization_code"],
    scopes_supported: ["openid", "profile", "email"],
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nonce", "name", "email", "email_verified"],
    authorization_response_iss_parameter_supported: true,
  });
  console.log(`listening ${issuer}`);
});
process.on("SIGTERM", () => process.exit(0));
