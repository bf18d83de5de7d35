// A Better Auth server as a Next.js front end runs it, for the API's tests:
// email and password sign-in and the jwt() plugin at its defaults, on the
// machine's Node.js, keeping its data in memory. Listens on 127.0.0.1:$PORT
// and prints "ready" once it does.
//
// One route of its own, for the tests: POST /test/rotate-keys retires the
// current signing key, as jwks.rotationInterval would when it runs out, so
// the next token is signed with a new key while the old one stays in the
// JWKS for the grace period.
import http from "node:http";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const db = { user: [], session: [], account: [], verification: [], jwks: [] };

const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: memoryAdapter(db),
  emailAndPassword: { enabled: true },
  plugins: [jwt()],
  telemetry: { enabled: false },
});
const handler = toNodeHandler(auth);

const server = http.createServer((request, response) => {
  if (request.method === "POST" && request.url === "/test/rotate-keys") {
    const now = new Date();
    for (const key of db.jwks) {
      if (!key.expiresAt || key.expiresAt > now) key.expiresAt = new Date(now.getTime() - 1000);
    }
    response.writeHead(204).end();
    return;
  }
  handler(request, response);
});
server.listen(port, "127.0.0.1", () => console.log("ready"));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
