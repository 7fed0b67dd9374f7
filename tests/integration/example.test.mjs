// The README's C++ example is a real program: run it against `authpp serve` with the demo user,
// then with a wrong password.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startServer } from "./server_harness.mjs";

const server = await startServer(["--dev"]);
after(() => server.stop());
const example = process.env.AUTHPP_EXAMPLE;

test("client_quickstart signs in, reads the session and signs out", () => {
  const out = execFileSync(example, [`${server.url}/api/auth`, server.demo.email, server.demo.password], { encoding: "utf8" });
  assert.match(out, new RegExp(`signed in as ${server.demo.email}`));
});

test("client_quickstart reports a refused sign-in and exits 1", () => {
  let status = 0, stderr = "";
  try {
    execFileSync(example, [`${server.url}/api/auth`, server.demo.email, "wrong"], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    status = e.status;
    stderr = String(e.stderr);
  }
  assert.equal(status, 1);
  assert.match(stderr, /CredentialsSignin/);
});
