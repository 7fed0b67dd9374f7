// The browser test page: next-auth/react bundled with esbuild at test time, in memory (never
// written to the tree), plus a one-line HTML page that loads it. Servers serve it from their own
// origin, because next-auth/react calls the relative base path /api/auth. `entry` picks another
// entry module than client_entry.mjs (webauthn_entry.mjs adds next-auth/webauthn).
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>authpp interop</title>
<script src="/next-auth-client.js"></script></head><body>next-auth/react test page</body></html>`;

export async function buildClientPage({ entry = "./client_entry.mjs" } = {}) {
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    logLevel: "error",
    // What a Next.js client bundle sees (interop-notes.md): production, and no NEXTAUTH_URL
    // family, so the client uses the relative /api/auth on the page's own origin.
    define: {
      "process.env.NODE_ENV": '"production"',
      "process.env.NEXTAUTH_URL": "undefined",
      "process.env.NEXTAUTH_URL_INTERNAL": "undefined",
      "process.env.VERCEL_URL": "undefined",
    },
  });
  const js = out.outputFiles[0].text;
  return {
    // serve answers a GET for any path outside the base path: the bundle, or the HTML page.
    serve(path, res) {
      if (path === "/next-auth-client.js") {
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(js);
      } else {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(HTML);
      }
    },
  };
}
