// A same-origin front for a server that cannot serve the test page (`authpp serve`): it serves
// the page for every GET outside the base path and forwards the base path to the upstream with
// the browser's Host plus X-Forwarded-Host/-Proto, as a reverse proxy in production would. The
// upstream must trust the forwarded host (AUTH_TRUST_HOST) to build its absolute URLs from it.
//
// `upstream` is a URL, or a function (path) → URL that picks the upstream per request: two servers
// behind one origin (e.g. /api/auth/signin/* to one, /api/auth/callback/* to the other, as
// oidc_authpp.test.mjs does). `page` is optional; without it, GETs outside the base path are 404.
import { createServer, request as httpRequest } from "node:http";
import { once } from "node:events";
import { BASE_PATH } from "./authjs_server.mjs";

export async function startSameOriginProxy({ upstream, page }) {
  const pick = typeof upstream === "function" ? upstream : () => upstream;
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (!(path === BASE_PATH || path.startsWith(BASE_PATH + "/"))) {
      if (req.method === "GET" && page) page.serve(path, res);
      else res.writeHead(404).end();
      return;
    }
    const target = new URL(pick(path));
    const headers = { ...req.headers, "x-forwarded-host": req.headers.host, "x-forwarded-proto": "http" };
    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (upstreamRes) => {
        // rawHeaders keeps every Set-Cookie line separate and in order.
        res.writeHead(upstreamRes.statusCode, upstreamRes.rawHeaders);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on("error", (e) => res.writeHead(502, { "content-type": "text/plain" }).end(String(e)));
    req.pipe(upstreamReq);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
