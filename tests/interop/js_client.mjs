// The real next-auth/react client in headless Chromium (Debian's, via playwright-core), on the
// test page served from the same origin as the server under test. One browser per server: cookies
// are not port-scoped, so two servers on 127.0.0.1 must not share a cookie store.
import { rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { tempDir } from "../integration/server_harness.mjs";

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchJsClient(origin) {
  const profile = tempDir("authpp-chromium-"); // fresh: no cookies from an earlier run
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());

  // Network idle as a condition, not a delay: count requests in flight and resolve when none are
  // left. Every step waits for it, so nothing from one step can land during the next.
  let inFlight = 0;
  let waiters = [];
  const settle = () => {
    if (inFlight === 0) for (const w of waiters.splice(0)) w();
  };
  page.on("request", () => inFlight++);
  for (const ev of ["requestfinished", "requestfailed"]) page.on(ev, () => (inFlight--, settle()));
  const idle = () => new Promise((resolve) => (inFlight === 0 ? resolve() : waiters.push(resolve)));

  await page.goto(origin + "/", { waitUntil: "load" });
  await page.waitForFunction(() => window.nextAuth !== undefined);

  const call = async (fn, args = []) => {
    const result = await page.evaluate(([f, a]) => window.nextAuth[f](...a), [fn, args]);
    await idle();
    return result;
  };
  return {
    name: "next-auth/react",
    page,
    idle,
    currentUrl: origin + "/",
    providers: () => call("getProviders"),
    csrf: () => call("getCsrfToken"),
    session: () => call("getSession"),
    // The page URL is the default redirectTo of both calls (client-wire.md §2.4, §2.5).
    signIn: (provider, options, authorizationParams) =>
      call("signIn", authorizationParams ? [provider, options, authorizationParams] : [provider, options]),
    signOut: (options) => call("signOut", [options]),
    // signInThroughIdp runs signIn(provider) with its redirect, logs in on the test OpenID
    // Provider's form at `issuer` (oidc_provider.mjs) and waits until the page is back at its
    // start URL (the default callbackUrl) with next-auth/react loaded and the network idle.
    async signInThroughIdp(provider, issuer, { login, password }) {
      // Not awaited inside the page: signIn assigns window.location and the page goes away.
      await page.evaluate((id) => void window.nextAuth.signIn(id), provider);
      const escaped = issuer.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      await page.waitForURL(new RegExp(`^${escaped}/interaction/[A-Za-z0-9_-]+$`));
      const title = await page.title();
      await page.getByLabel("Login").fill(login);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${origin}/`, { waitUntil: "load" });
      await page.waitForFunction(() => window.nextAuth !== undefined);
      await idle();
      return { loginPageTitle: title };
    },
    // reset puts the page back on its start URL, so every scenario sees the same current URL.
    async reset() {
      if (page.url() !== origin + "/") await page.goto(origin + "/", { waitUntil: "load" });
      await page.waitForFunction(() => window.nextAuth !== undefined);
      await idle();
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
