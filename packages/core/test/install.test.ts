/**
 * A fresh machine's first commands: every installed package admits the supported Node (no EBADENGINE warning from
 * `npm install`), and `npm test` without chromium skips the browser tests with a line saying how to install it —
 * unless REQUIRE_BROWSER=1 (CI), where a missing browser fails.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import semver from "semver";
import { REPO_ROOT } from "./support/files.js";

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  dev?: boolean;
}

function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...rest } = env;
  return rest;
}

describe("installing and testing on a fresh machine", () => {
  it("every locked package admits the Node versions package.json supports (no EBADENGINE)", () => {
    const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    const oldest = semver.minVersion(root.engines.node)!.version;
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockedPackage> };
    const refused: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      if (!path || !range) continue;
      for (const node of [oldest, process.versions.node]) {
        if (!semver.satisfies(node, range)) refused.push(`${path}@${pkg.version} needs node ${range}, not ${node}`);
      }
    }
    assert.deepEqual(refused, []);
  });

  const runBrowserTest = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "--test", join(REPO_ROOT, "packages/ui/test/browser.test.ts")], {
      cwd: REPO_ROOT,
      // NODE_TEST_CONTEXT would make the child report to this runner instead of printing its results
      env: { ...withoutTestContext(process.env), CHROMIUM_PATH: "/nonexistent/chromium", REQUIRE_BROWSER: "", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });

  it("without chromium the browser tests are skipped with one line saying how to install it", () => {
    const run = runBrowserTest({});
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const skips = run.stdout.split("\n").filter((line) => line.includes("# SKIP"));
    assert.equal(skips.length, 1, run.stdout);
    assert.match(skips[0]!, /chromium not found at \/nonexistent\/chromium: install it \(apt-get install chromium\)/);
  });

  it("with REQUIRE_BROWSER=1 (CI) a missing chromium fails", () => {
    const run = runBrowserTest({ REQUIRE_BROWSER: "1" });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout + run.stderr, /REQUIRE_BROWSER=1 but chromium not found/);
  });
});
