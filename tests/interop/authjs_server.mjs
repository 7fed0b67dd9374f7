// A reference Auth.js server on a socket: @auth/core 0.41.3's Auth() behind node:http on
// 127.0.0.1, port chosen at run time. The real clients (next-auth/react in Chromium, authpp's
// CLI) talk to it exactly as they would to a Next.js deployment. It can also serve the bundled
// client test page from its own origin, because next-auth/react only works same-origin.
//
// Run alone:  AUTH_SECRET=… node tests/interop/authjs_server.mjs   (prints "listening on URL")
import { createServer } from "node:http";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { Auth } from "@auth/core";
import Credentials from "@auth/core/providers/credentials";
import { CredentialsSignin } from "@auth/core/errors";

export const BASE_PATH = "/api/auth";

// InvalidPassword is the custom-code error of the "custom error code" scenario: Auth.js puts
// `code` into the redirect URL's query (client-wire.md §2.4 table).
class InvalidPassword extends CredentialsSignin {
  code = "invalid_pw";
}

// authjsConfig: alice/wonderland signs in, carol always throws InvalidPassword, anyone else is
// refused with null (→ code "credentials"). Fields are `username` and `password`; authpp's
// store-backed provider reads `email` and falls back to `username`, so one form fits both servers.
//
// `oidc` (optional) adds an OpenID Connect provider next to the credentials one, as an app would
// configure a generic OIDC IdP (e.g. oidc_provider.mjs):
//   {issuer, clientId, clientSecret,
//    checks?            default: not set, i.e. Auth.js's own default ["pkce"]
//    id?, name?         default "oidc", "Test OIDC"
//    client?            e.g. {token_endpoint_auth_method: "client_secret_post",
//                       id_token_signed_response_alg: "ES256"}; Auth.js's default is basic
//    ...any other Auth.js provider option (authorization, idToken, profile…)}
// `errors` (optional): an array that receives what Auth.js logs as errors ({code, error}).
// `adapter` (optional): an Auth.js adapter (e.g. @auth/pg-adapter's); sessions are then kept in
// it (strategy "database"), and the credentials provider is left out, since Auth.js refuses it
// with database sessions.
// `email` (optional): {send(params)} adds an e-mail provider (id "email") whose
// sendVerificationRequest calls `send`; without `adapter`, users and tokens live in memory
// (memoryAdapter) and sessions stay JWTs.
export function authjsConfig(secret, { oidc, errors, adapter, email } = {}) {
  const quiet = errors ? { error(e) { errors.push({ code: e?.type ?? e?.name, error: e }); }, warn() {}, debug() {} }
                       : { error() {}, warn() {}, debug() {} };
  return {
    secret,
    basePath: BASE_PATH,
    trustHost: true,
    // Auth.js logs every refused sign-in as an error; keep test output readable.
    logger: process.env.AUTHJS_DEBUG ? undefined : quiet,
    ...(adapter ? { adapter, session: { strategy: "database" } } : email ? { adapter: memoryAdapter() } : {}),
    providers: [
      ...(adapter ? [] : [credentials()]),
      ...(oidc ? [oidcProvider(oidc)] : []),
      ...(email ? [{ id: "email", type: "email", name: "Email", maxAge: 86400, options: {},
                     sendVerificationRequest: (params) => email.send(params) }] : []),
    ],
  };
}

// memoryAdapter is the least of an Auth.js adapter that e-mail sign-in with JWT sessions uses:
// users by e-mail, and verification tokens that work once.
export function memoryAdapter() {
  const users = new Map(), tokens = new Map();
  return {
    async createUser(u) { const user = { ...u, id: String(users.size + 1) }; users.set(user.id, user); return user; },
    async getUser(id) { return users.get(id) ?? null; },
    async getUserByEmail(email) { return [...users.values()].find((u) => u.email === email) ?? null; },
    async getUserByAccount() { return null; },
    async updateUser(u) { const user = { ...users.get(u.id), ...u }; users.set(u.id, user); return user; },
    async linkAccount(a) { return a; },
    async createVerificationToken(t) { tokens.set(`${t.identifier} ${t.token}`, t); return t; },
    async useVerificationToken({ identifier, token }) {
      const key = `${identifier} ${token}`, t = tokens.get(key) ?? null;
      tokens.delete(key);
      return t;
    },
  };
}

function credentials() {
  return Credentials({
    credentials: { username: {}, password: {} },
    authorize: async ({ username, password }) => {
      if (username === "carol") throw new InvalidPassword();
      if (username === "alice" && password === "wonderland") {
        return { id: "1", name: "Alice", email: "alice@example.com" };
      }
      return null;
    },
  });
}

function oidcProvider({ id = "oidc", name = "Test OIDC", issuer, clientId, clientSecret, checks, ...rest }) {
  if (!issuer || !clientId) throw new Error("authjsConfig: oidc needs issuer and clientId");
  return { id, name, type: "oidc", issuer, clientId, clientSecret, ...(checks ? { checks } : {}), ...rest };
}

// toRequest turns a node request into a web Request; the URL's origin is the Host the client
// used, which is what trustHost: true makes Auth.js believe.
async function toRequest(req) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of [value].flat()) headers.append(name, v);
  }
  const init = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD") {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    init.body = Buffer.concat(chunks);
  }
  return new Request(`http://${req.headers.host}${req.url}`, init);
}

async function sendResponse(res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const setCookies = response.headers.getSetCookie();
  if (setCookies.length) headers["set-cookie"] = setCookies;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

// startAuthjsServer listens on 127.0.0.1:0. `page` (optional, from client_page.mjs) is served
// for every GET outside the base path, so navigation targets such as /dashboard load it too.
// `oidc` and `adapter` (optional) are authjsConfig's; the returned `errors` collects what Auth.js
// logs as errors (empty unless something failed).
export async function startAuthjsServer({ secret, page, oidc, adapter, email } = {}) {
  if (!secret) throw new Error("startAuthjsServer: a secret is required");
  const errors = [];
  const config = authjsConfig(secret, { oidc, errors, adapter, email });
  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url, "http://x").pathname;
      if (path === BASE_PATH || path.startsWith(BASE_PATH + "/")) {
        await sendResponse(res, await Auth(await toRequest(req), config));
      } else if (page && req.method === "GET") {
        page.serve(path, res);
      } else {
        res.writeHead(404).end();
      }
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(e?.stack ?? e));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    errors,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startAuthjsServer({ secret: process.argv[2] ?? process.env.AUTH_SECRET });
  console.log(`listening on ${server.url}`);
}
