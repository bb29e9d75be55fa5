/**
 * End-to-end check of SURF's stock WFO UI (@orchestrator-ui/orchestrator-ui-components, mounted by this folder's
 * Next.js host) against orchestrator-ts: `npm run e2e:wfo-ui` at the repository root.
 *
 * Installs the host if it is missing (npm ci here, ~0.7 GB), builds it unless the build is newer than its sources,
 * starts the beginner example on a fresh PGlite database in a temp folder and the host on free ports, then in Debian's
 * chromium (playwright-core, CHROMIUM_PATH to use another): the subscriptions list, a user group created through the
 * start-workflow form, its process page until it completes (live over the websocket), the subscription's detail with
 * its product-block tree, and its termination; then the other pages load. Any API request answered 4xx/5xx (but 510,
 * the form protocol) or GraphQL answer with errors fails it, unless listed in KNOWN_GAPS. Prints each step with its
 * time; screenshots go to docs/screenshots/wfo-ui/. Exits non-zero on the first failure, after printing the failed
 * requests and the browser's errors.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";

const HOST_APP = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HOST_APP, "..", "..");
const BEGINNER = join(REPO, "examples", "beginner");
const SCREENSHOTS = join(REPO, "docs", "screenshots", "wfo-ui");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const GROUP = "Admins";

const started = performance.now();
const children: ChildProcess[] = [];
let tempFolder: string | undefined;
let browser: Browser | undefined;
const browserErrors: string[] = [];
const failedCalls: string[] = [];
const serverOutput: string[] = [];

/**
 * Failures the server is known to answer differently from orchestrator-core, where the page still works; reported,
 * not failed (docs/wfo-ui.md, "Known differences").
 */
const KNOWN_GAPS: [RegExp, string][] = [];
const known = (failure: string) => KNOWN_GAPS.find(([pattern]) => pattern.test(failure));
const unexpectedFailures = () => [...new Set(failedCalls)].filter((failure) => !known(failure));

/** What the UI's websocket (/api/ws/events) received: answers to its keepalive, and cache invalidations. */
const live = { pongs: 0, invalidations: 0 };

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function step<T>(name: string, run: () => Promise<T> | T): Promise<T> {
  const begin = performance.now();
  process.stdout.write(`• ${name} … `);
  try {
    const result = await run();
    process.stdout.write(`ok (${seconds(begin)})\n`);
    return result;
  } catch (error) {
    process.stdout.write(`FAILED (${seconds(begin)})\n`);
    throw error;
  }
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The newest modification time under `paths` (files or folders, node_modules and .next left out). */
function newest(paths: string[]): number {
  let latest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else latest = Math.max(latest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return latest;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? ok(address.port) : fail(new Error("no port"))));
    });
  });
}

/** Starts a long-running child and resolves once a line of its output matches `ready`. */
function startChild(name: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 90_000) {
  return new Promise<RegExpMatchArray>((ok, fail) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    const timer = setTimeout(() => fail(new Error(`${name} not ready after ${timeoutMs / 1000} s:\n${serverOutput.join("")}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      serverOutput.push(`[${name}] ${text}`);
      const match = text.match(ready);
      if (match) {
        clearTimeout(timer);
        ok(match);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited (${code ?? signal}):\n${serverOutput.join("")}`));
    });
  });
}

async function cleanup() {
  await browser?.close().catch(() => undefined);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all(
    children.map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((done) => child.once("exit", done)))),
  );
  if (tempFolder) rmSync(tempFolder, { recursive: true, force: true });
}

async function main() {
  console.log(`WFO UI end-to-end check (host: ${HOST_APP})`);
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);

  await step("install the host (npm ci, only when node_modules is missing or older than the lockfile)", () => {
    const marker = join(HOST_APP, "node_modules", ".package-lock.json");
    if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(join(HOST_APP, "package-lock.json")).mtimeMs) return;
    run("npm", ["ci", "--no-audit", "--no-fund"], HOST_APP);
  });

  await step("build the host (next build, only when a source is newer than the build)", () => {
    const buildId = join(HOST_APP, ".next", "BUILD_ID");
    const sources = ["pages", "public", "config.ts", "route.ts", "next.config.mjs", "tsconfig.json", "package-lock.json"].map((p) => join(HOST_APP, p));
    if (existsSync(buildId) && statSync(buildId).mtimeMs > newest(sources)) return;
    run(join(HOST_APP, "node_modules", ".bin", "next"), ["build"], HOST_APP, { NEXT_TELEMETRY_DISABLED: "1" });
  });

  const [apiPort, uiPort] = [await freePort(), await freePort()];
  tempFolder = mkdtempSync(join(tmpdir(), "wfo-ui-e2e-"));
  const api = `http://127.0.0.1:${apiPort}`;
  const ui = `http://127.0.0.1:${uiPort}`;

  await step(`start orchestrator-ts (examples/beginner, fresh PGlite database) on ${api}`, () =>
    startChild(
      "orchestrator",
      join(REPO, "node_modules", ".bin", "tsx"),
      ["main.ts"],
      BEGINNER,
      { DATABASE_URI: `pglite://${join(tempFolder!, "db")}`, HOST: "127.0.0.1", PORT: String(apiPort), LOG_LEVEL: "warn" },
      /ready, serving on/,
    ),
  );

  await step(`start the WFO UI host (next start) on ${ui}`, () =>
    startChild(
      "wfo-ui",
      join(HOST_APP, "node_modules", ".bin", "next"),
      ["start", "-H", "127.0.0.1", "-p", String(uiPort)],
      HOST_APP,
      {
        NEXT_TELEMETRY_DISABLED: "1",
        ORCHESTRATOR_API_HOST: api,
        ORCHESTRATOR_GRAPHQL_HOST: api,
        ORCHESTRATOR_WEBSOCKET_URL: `ws://127.0.0.1:${apiPort}/api/ws/events`,
        USE_WEB_SOCKETS: "true",
        OAUTH2_ACTIVE: "false",
        NEXTAUTH_URL: `${ui}/api/auth`,
      },
      /Ready in/,
    ),
  );

  const page = await step("open chromium", async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on("pageerror", (error) => browserErrors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on("response", async (response) => {
      const url = response.url();
      // GraphQL answers errors with a 200 and an errors list
      if (url === `${api}/api/graphql`) {
        const body = (await response.json().catch(() => ({}))) as { errors?: { message: string }[] };
        const operation = response.request().postData()?.match(/(?:query|mutation)\s+(\w+)/)?.[1] ?? "?";
        for (const error of body.errors ?? []) failedCalls.push(`POST /api/graphql ${operation} (${response.status()}): ${error.message}`);
        return;
      }
      if (response.status() >= 400 && response.status() !== 510) {
        failedCalls.push(`${response.request().method()} ${url.startsWith(api) ? url.slice(api.length) : url} → ${response.status()}`);
      }
    });
    page.on("websocket", (socket) => {
      if (!socket.url().startsWith(`ws://127.0.0.1:${apiPort}/api/ws/events`)) return;
      socket.on("framereceived", ({ payload }) => {
        const text = String(payload);
        if (text === "__pong__") live.pongs++;
        else if (text.includes("invalidateCache")) live.invalidations++;
      });
    });
    page.on("requestfailed", (request) => {
      // a navigation cancels the previous page's requests (net::ERR_ABORTED): not the server's doing
      if (request.url().startsWith(api) && request.failure()?.errorText !== "net::ERR_ABORTED") failedCalls.push(`${request.method()} ${request.url().slice(api.length)} → ${request.failure()?.errorText}`);
    });
    return page;
  });

  mkdirSync(SCREENSHOTS, { recursive: true });
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  await step("subscriptions list (POST /api/search/subscriptions)", async () => {
    const searched = page.waitForResponse((r) => r.url().startsWith(`${api}/api/search/subscriptions`) && r.request().method() === "POST");
    const versions = page.waitForResponse((r) => r.url().startsWith(`${api}/api/graphql`) && (r.request().postData() ?? "").includes("applicationVersions"), { timeout: 10_000 });
    await page.goto(`${ui}/subscriptions`);
    const response = await searched;
    if (response.status() !== 200) throw new Error(`search answered ${response.status()}: ${await response.text()}`);
    await page.getByRole("heading", { name: "Subscriptions" }).first().waitFor();
    // the header flags a server whose orchestrator-core API version (GraphQL version) is below what the UI needs
    await versions;
    const flagged = await page.getByText("Incompatible version").waitFor({ state: "visible", timeout: 1_500 }).then(() => true, () => false);
    if (flagged) throw new Error('the header shows "Incompatible version"');
    await shot("01-subscriptions-empty");
  });

  await step("start create_user_group from the New subscription picker", async () => {
    await page.getByRole("button", { name: "New subscription" }).click();
    await page.getByRole("option", { name: /^User Group/ }).first().click();
    await page.waitForURL(/\/workflows\/new\/create_user_group/);
    await page.getByText("Group Name").waitFor();
    await shot("02-start-workflow-form");
  });

  const processUrl = await step("fill in the form and submit (POST /api/processes/create_user_group)", async () => {
    // pydantic-forms' label is not tied to its input (no for/id), so the field is found as the form's only textbox
    await page.getByRole("textbox").fill(GROUP);
    await page.getByRole("button", { name: /^Start workflow/ }).click();
    await page.waitForURL(new RegExp(`/workflows/${UUID}$`));
    return page.url();
  });

  await step("process page until it completes (live over the websocket)", async () => {
    await page.getByText("COMPLETED", { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByText("Provision user group").first().waitFor();
    if (live.pongs === 0) throw new Error("the websocket /api/ws/events never answered __ping__ with __pong__");
    if (live.invalidations === 0) throw new Error("no invalidateCache message came over the websocket while the process ran");
    await shot("03-process-completed");
  });

  await step("the subscription in the list, then its detail page", async () => {
    await page.goto(`${ui}/subscriptions`);
    await page.getByText(`User Group ${GROUP}`).first().waitFor();
    // free text through the search endpoint's query
    const searched = page.waitForResponse((r) => r.url().startsWith(`${api}/api/search/subscriptions`) && r.request().postData()?.includes(GROUP) === true);
    await page.getByPlaceholder("Search...").fill(GROUP);
    await page.getByPlaceholder("Search...").press("Enter");
    if ((await searched).status() !== 200) throw new Error("the free-text search failed");
    await page.getByText(`User Group ${GROUP}`).first().waitFor();
    await shot("04-subscriptions-list");
    await page.getByText(`User Group ${GROUP}`).first().click();
    await page.waitForURL(new RegExp(`/subscriptions/${UUID}$`));
    await page.getByText(`User Group ${GROUP}`).first().waitFor();
  });

  const subscriptionUrl = page.url();
  await step("product-block tree (Service configuration)", async () => {
    await page.getByRole("tab", { name: /Service configuration/i }).click();
    await page.getByText("UserGroupBlock", { exact: true }).first().waitFor();
    await page.getByText("Group Name", { exact: true }).waitFor();
    await shot("05-product-block-tree");
  });

  await step("the detail's other tabs: General, Workflows, Related subscriptions", async () => {
    await page.getByRole("tab", { name: /General/ }).click();
    await page.getByText("Subscription details").first().waitFor();
    await page.getByRole("tab", { name: /Workflows/ }).click();
    await page.getByText("create_user_group").first().waitFor();
    await page.getByRole("tab", { name: /Related subscriptions/ }).click();
    await page.waitForLoadState("networkidle");
    await page.getByRole("tab", { name: /Service configuration/i }).click();
  });

  await step("terminate it from the Actions menu", async () => {
    await page.getByRole("button", { name: /Actions/i }).click();
    await page.getByText("Terminate user group", { exact: true }).click();
    await page.waitForURL(/\/workflows\/new\/terminate_user_group/);
    await page.getByRole("button", { name: /^Start workflow/ }).waitFor();
    await shot("06-terminate-form");
    await page.getByRole("button", { name: /^Start workflow/ }).click();
    await page.waitForURL(new RegExp(`/workflows/${UUID}$`));
    if (page.url() === processUrl) throw new Error("still on the create process");
    await page.getByText("COMPLETED", { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByText("Terminate user group", { exact: true }).first().waitFor();
    await shot("07-terminate-completed");
  });

  await step("the subscription is terminated", async () => {
    await page.goto(subscriptionUrl);
    await page.getByText("terminated", { exact: true }).waitFor();
    await shot("08-subscription-terminated");
  });

  await step("start page, tasks, metadata and settings pages load", async () => {
    const pages: [string, string | RegExp][] = [
      ["/", "Welcome"],
      ["/tasks", "Tasks"],
      ["/metadata/products", "Metadata"],
      ["/metadata/productblocks", "Metadata"],
      ["/metadata/resource-types", "Metadata"],
      ["/metadata/workflows", "Metadata"],
      ["/metadata/tasks", "Metadata"],
      ["/metadata/scheduled-tasks", "Metadata"],
      ["/settings", "Settings"],
    ];
    for (const [path, heading] of pages) {
      await page.goto(`${ui}${path}`);
      await page.getByRole("heading", { name: heading }).first().waitFor();
      await page.waitForLoadState("networkidle");
      if (path === "/") await shot("09-start-page");
      if (path === "/metadata/products") await shot("10-metadata-products");
    }
  });

  if (unexpectedFailures().length) throw new Error("requests failed along the way (listed below)");
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const page = browser?.contexts()[0]?.pages()[0];
  if (page) {
    const path = join(REPO, "tmp", "wfo-ui-e2e-failure.png");
    mkdirSync(join(REPO, "tmp"), { recursive: true });
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    console.error(`page at failure: ${page.url()} (screenshot ${path})`);
  }
}
const gapsSeen = [...new Set(failedCalls)].filter(known);
if (gapsSeen.length) console.log(`\nknown server gaps seen (not failures):\n  ${gapsSeen.map((f) => `${f}\n    ${known(f)![1]}`).join("\n  ")}`);
if (unexpectedFailures().length) console.log(`\nrequests that failed (510 is the form protocol, not counted):\n  ${unexpectedFailures().join("\n  ")}`);
if (browserErrors.length) console.log(`\nbrowser errors:\n  ${[...new Set(browserErrors)].slice(0, 30).join("\n  ")}`);
await cleanup();
console.log(`\n${failed ? "FAILED" : "passed"} in ${seconds(started)}`);
process.exit(failed ? 1 : 0);
