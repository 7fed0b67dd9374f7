// `authpp serve` set up as the peer of the reference Auth.js server (authjs_server.mjs): the same
// users in its SQLite store, the given secret from AUTH_SECRET, and AUTH_TRUST_HOST so that it
// builds absolute URLs from the (forwarded) host the client used, as Auth.js with trustHost does.
import { join } from "node:path";
import { runCli, startServer, tempDir } from "../integration/server_harness.mjs";

// CUSTOM_CODE_USER is who gets a custom `code` on sign-in. authpp's store-backed provider cannot
// throw Auth.js's `invalid_pw`; its own custom code is `account_disabled`, given to a disabled
// account after the right password. carol is disabled here (Auth.js throws for carol).
export const USERS = [
  { email: "alice@example.com", name: "Alice", username: "alice", password: "wonderland" },
  { email: "carol@example.com", name: "Carol", username: "carol", password: "wonderland", disabled: true },
];

function cli(args, input) {
  const r = runCli(args, { input });
  if (r.status !== 0) throw new Error(`authpp ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
}

export async function startAuthppServer({ secret }) {
  const dataDir = tempDir("authpp-interop-");
  const database = join(dataDir, "authpp.db");
  for (const u of USERS) {
    cli(["user", "add", u.email, "--name", u.name, "--username", u.username, "--database", database], u.password + "\n");
    if (u.disabled) cli(["user", "disable", u.email, "--database", database]);
  }
  return startServer([], { dataDir, env: { AUTH_SECRET: secret, AUTH_TRUST_HOST: "1" } });
}

// oidcProviderToml is the [[providers]] table of authpp serve for a generic OpenID Provider with
// id "oidc" (as authjs_server.mjs's oidc option), as lines of TOML.
export function oidcProviderToml({ issuer, clientId, clientSecret, checks }) {
  const toml = (v) => JSON.stringify(v); // a JSON string of printable ASCII is a TOML string
  const lines = [
    "[[providers]]",
    'type = "oidc"',
    'id = "oidc"',
    'name = "Test OIDC"',
    `issuer = ${toml(issuer)}`,
    `client_id = ${toml(clientId)}`,
    `client_secret = ${toml(clientSecret)}`,
  ];
  if (checks) lines.push(`checks = ${JSON.stringify(checks)}`);
  return lines;
}
