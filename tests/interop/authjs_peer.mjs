// A reference Auth.js server in-process: @auth/core's Auth() with a credentials provider, driven
// by web Request objects (no framework, no sockets). Shared by the interop test files.
import { Auth } from "@auth/core";
import Credentials from "@auth/core/providers/credentials";
import { execFileSync } from "node:child_process";

export const ORIGIN = "http://localhost:3000";

// authjsConfig returns the Auth.js configuration our tests run against. `authorize` accepts
// alice/wonderland; a `pad` field (a length) makes the jwt callback add a claim that large, to
// force chunked session cookies.
export function authjsConfig(secret) {
  return {
    secret,
    basePath: "/api/auth",
    trustHost: true,
    providers: [
      Credentials({
        credentials: { username: {}, password: {}, pad: {} },
        authorize: async (c) =>
          c.username === "alice" && c.password === "wonderland"
            ? { id: "1", name: "Alice", email: "alice@example.com", pad: Number(c.pad ?? 0) }
            : null,
      }),
    ],
    callbacks: {
      jwt: ({ token, user }) => {
        if (user?.pad) token.pad = "x".repeat(user.pad);
        return token;
      },
      session: ({ session, token }) => {
        if (token.pad) session.pad = token.pad.length;
        return session;
      },
    },
  };
}

// call sends one request to Auth.js and returns {status, body, setCookies, headers}.
export async function call(config, method, path, { cookie, form, json, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (cookie) init.headers.cookie = cookie;
  if (form) {
    init.headers["content-type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  } else if (json !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  const res = await Auth(new Request(ORIGIN + path, init), config);
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, setCookies: res.headers.getSetCookie(), headers: res.headers };
}

// cookiePairs turns Set-Cookie strings into {name: value} for the cookies they set (deletions
// excluded), values still percent-encoded as on the wire.
export function cookiePairs(setCookies) {
  const out = {};
  for (const sc of setCookies) {
    const [pair] = sc.split(";");
    const eq = pair.indexOf("=");
    const value = pair.slice(eq + 1);
    if (value !== "") out[pair.slice(0, eq)] = value;
  }
  return out;
}

// authpp runs the authpp CLI; peer runs the interop peer tool. Both return trimmed stdout and
// throw (with stderr) on a non-zero exit.
export function authpp(args, input = "") {
  return execFileSync(process.env.AUTHPP_BIN, args, { input, encoding: "utf8" }).trim();
}
export function peer(args, input = "") {
  return execFileSync(process.env.AUTHPP_PEER, args, { input, encoding: "utf8" }).trim();
}

// runFails runs fn and returns the child's stderr when it exits non-zero, or null when it
// succeeded (so a wrongly accepted input fails an assertion instead of passing silently).
export function runFails(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return { status: e.status, stderr: String(e.stderr) };
  }
}
