// authpp's C++ client, through its CLI: `authpp signin|signout|session|csrf|providers --url …`.
// Each call is one process; cookies live in a Netscape-format jar file between calls, one jar
// per server (cookies are not port-scoped). Calls run asynchronously: the Auth.js peer may live in
// this very Node process and must keep answering while the CLI waits for it.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { tempDir } from "../integration/server_harness.mjs";
import { BASE_PATH } from "./authjs_server.mjs";

const run = promisify(execFile);
const BIN = process.env.AUTHPP_BIN;

// cppClientProblem says why the CLI client cannot run, or null when `authpp signin --help`
// describes the sign-in command. (Exit 0 alone proves nothing: without the subcommand, CLI11
// prints the top-level help for `authpp signin --help` and exits 0 too.)
export function cppClientProblem() {
  if (!BIN) return "AUTHPP_BIN is not set";
  try {
    const help = execFileSync(BIN, ["signin", "--help"], { encoding: "utf8", stdio: "pipe" });
    if (!help.includes("--no-redirect")) return "`authpp signin --help` does not describe the signin command";
    return null;
  } catch (e) {
    return `\`authpp signin --help\` failed (exit ${e.status}): ${String(e.stderr).trim().split("\n")[0]}`;
  }
}

export function cppClient(origin) {
  const jar = join(tempDir("authpp-jar-"), "cookies.txt");
  const currentUrl = origin + "/";
  // --url names the API base with its path, as NEXTAUTH_URL does for the JS client.
  const common = ["--url", origin + BASE_PATH, "--jar", jar];

  const cli = async (args) => {
    try {
      const { stdout } = await run(BIN, [...args, ...common], { encoding: "utf8" });
      return JSON.parse(stdout);
    } catch (e) {
      throw new Error(`authpp ${args.join(" ")} failed (exit ${e.code}): ${e.stderr ?? e.message}`);
    }
  };
  // redirectArgs maps the JS options object onto the CLI's flags; every other option key is a
  // form field (-f), in order, as the JS client forwards it in the POST body.
  const redirectArgs = ({ redirect, redirectTo, ...fields } = {}) => [
    "--current-url", currentUrl,
    ...(redirect === false ? ["--no-redirect"] : []),
    ...(redirectTo !== undefined ? ["--redirect-to", redirectTo] : []),
    ...Object.entries(fields).flatMap(([k, v]) => ["-f", `${k}=${v}`]),
  ];
  return {
    name: "authpp CLI",
    currentUrl,
    jarPath: jar, // the Netscape cookie file the calls share
    providers: () => cli(["providers"]),
    csrf: async () => (await cli(["csrf"])).csrfToken,
    session: () => cli(["session"]),
    signIn: (provider, options, authorizationParams = {}) =>
      cli(["signin", "--provider", provider, ...redirectArgs(options),
        ...Object.entries(authorizationParams).flatMap(([k, v]) => ["--authorization-param", `${k}=${v}`])]),
    signOut: ({ redirectTo, redirect } = {}) => cli(["signout", ...redirectArgs({ redirect, redirectTo })]),
    async reset() {},
    async close() {},
  };
}
