/** Debian's chromium driven by playwright-core (no browser download), headless. */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Why the browser tests are skipped (chromium is not installed), or false to run them. With REQUIRE_BROWSER=1 (set
 * by .ci/run) a missing browser fails instead: CI never skips them.
 */
export const browserSkip: string | false = (() => {
  if (existsSync(CHROMIUM)) return false;
  const how = `chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH to run the browser tests`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`REQUIRE_BROWSER=1 but ${how}`);
  return how;
})();

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
