// The reference for the OIDC sign-in benchmark (bench/oidc_signin.sh, issue 10): @auth/core
// 0.41.3's Auth() behind node:http, as tests/interop/authjs_server.mjs runs it, with its `oidc`
// provider (type "oidc", id "oidc", client_secret_basic) pointed at the given issuer.
// Usage: node authjs_oidc.mjs SECRET ISSUER CLIENT_ID CLIENT_SECRET [CHECKS]
//   CHECKS: comma-separated, e.g. pkce,state,nonce (default: Auth.js's own, ["pkce"])
// Prints "listening URL" once ready; on SIGTERM, how many errors Auth.js logged (to stderr).
import { startAuthjsServer } from "../interop/authjs_server.mjs";

const [secret, issuer, clientId, clientSecret, checks] = process.argv.slice(2);
if (!secret || !issuer || !clientId) {
  console.error("usage: node authjs_oidc.mjs SECRET ISSUER CLIENT_ID CLIENT_SECRET [CHECKS]");
  process.exit(2);
}
const server = await startAuthjsServer({
  secret,
  oidc: { issuer, clientId, clientSecret, ...(checks ? { checks: checks.split(",") } : {}) },
});
console.log(`listening ${server.url}`);
process.on("SIGTERM", () => {
  const first = server.errors[0];
  console.error(`Auth.js logged ${server.errors.length} errors${first ? `; the first: ${first.code} ${first.error?.message ?? ""}` : ""}`);
  process.exit(0);
});
