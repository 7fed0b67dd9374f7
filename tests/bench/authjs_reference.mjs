// The reference for the load benchmark: @auth/core 0.41.3's Auth() behind node:http with a
// credentials provider, as a Next.js route handler would run it. Usage:
//   node authjs_reference.mjs PORT SECRET
// Prints "listening PORT" once ready.
import http from "node:http";
import { Auth } from "@auth/core";
import Credentials from "@auth/core/providers/credentials";

const [port, secret] = [Number(process.argv[2] ?? 0), process.argv[3] ?? "bench-secret"];
const config = {
  secret,
  basePath: "/api/auth",
  trustHost: true,
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      // Constant-time-irrelevant stand-in: the benchmark measures the protocol, not hashing.
      authorize: async (c) => (c.email === "bench@example.com" && c.password === "bench-password"
        ? { id: "1", name: "Bench", email: "bench@example.com" } : null),
    }),
  ],
};

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method, headers: req.headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
  });
  const response = await Auth(request, config);
  const headers = {};
  response.headers.forEach((v, k) => { if (k !== "set-cookie") headers[k] = v; });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
});
server.listen(port, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
