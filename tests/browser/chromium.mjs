// launchChromium starts Debian's Chromium, headless, with a fresh profile in a temporary
// directory (removed when the test process exits) and the flags every test here needs: no
// sandbox (we run as root), no GPU, no QUIC, nothing fetched in the background.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { tempDir } from "../integration/server_harness.mjs";

export const CHROMIUM = "/usr/bin/chromium";

// extraArgs: more command-line flags (say, --host-resolver-rules); the other options go to
// playwright's launchPersistentContext.
export async function launchChromium({ extraArgs = [], ...options } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launchPersistentContext(tempDir("authpp-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", ...extraArgs],
    ...options,
  });
}
