/**
 * The web UI signing in with OpenID Connect, in a real browser (Debian's chromium through playwright-core), against a
 * real identity provider (oidc-provider, in this process) and a real server with OAUTH2_ACTIVE: the UI sends the
 * browser to the provider's login and comes back to the page it was on; its API requests and websocket carry the
 * access token (the server answers 401 without one); a process it starts records the user; a refused token is
 * renewed, so is one that is about to expire; sign-out goes through the provider back to its login; a refused or
 * unreachable provider, or a server without the UI's client id, gets a clear error page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { backend } from "../../core/test/support/db.ts";
import { browserSkip, launchBrowser } from "./support/browser.ts";
import { startIdp, type TestIdp } from "./support/idp.ts";
import { startUiServer, type UiTestServer } from "./support/server.ts";

const CLIENT_ID = "orchestrator-ui";
/** The API: the resource indicator the UI asks the provider for, and the audience the server checks. */
const RESOURCE = "https://orchestrator.test/api";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** Short enough that the UI renews the token (a minute before expiry) while the tests run. */
const ACCESS_TOKEN_TTL = 75;

describe(`the web UI signs in with OpenID Connect (${backend})`, { skip: browserSkip }, () => {
  let idp: TestIdp;
  let t: UiTestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  /** Authorization headers of the page's API requests, by path. */
  const apiAuthorization: { path: string; authorization: string | undefined }[] = [];

  before(async () => {
    idp = await startIdp({ clientId: CLIENT_ID, resource: RESOURCE, accessTokenTtl: ACCESS_TOKEN_TTL });
    const [server, launched] = await Promise.allSettled([
      startUiServer({
        env: {
          OAUTH2_ACTIVE: "true",
          OIDC_ISSUER: idp.issuer,
          OIDC_AUDIENCE: RESOURCE,
          OIDC_CLIENT_ID: CLIENT_ID,
          OIDC_EXTRA_PARAMS: JSON.stringify({ resource: RESOURCE }),
        },
      }),
      launchBrowser(),
    ]);
    if (server.status === "fulfilled") t = server.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (server.status === "rejected") throw server.reason;
    if (launched.status === "rejected") throw launched.reason;
    idp.registerUi(t.url);
    ({ context, page } = await newPage());
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin === new URL(t.url).origin && url.pathname.startsWith("/api/")) {
        apiAuthorization.push({ path: url.pathname, authorization: request.headers().authorization });
      }
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
  });

  /** A page in a new browser context (its own cookies: not signed in at the provider); only local requests go out. */
  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    // the provider's pages load a web font: this machine stays off the internet
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => errors.push(error.message));
    return { context, page };
  }

  const onProvider = (on: Page) => on.waitForURL((url) => url.origin === idp.issuer);
  const onUi = (on: Page, path: string | RegExp) =>
    on.waitForURL((url) => url.origin === new URL(t.url).origin && (typeof path === "string" ? `${url.pathname}${url.search}` === path : path.test(url.pathname)));

  /** Fills in the provider's login form (any login, any password) and gives consent. */
  async function signInAtProvider(on: Page, login: string) {
    await onProvider(on);
    await on.locator('input[name="login"]').fill(login);
    await on.locator('input[name="password"]').fill("secret");
    await on.getByRole("button", { name: "Sign-in" }).click();
    await on.getByRole("button", { name: "Continue" }).click();
  }

  /** The access token the UI keeps for this tab (oidc-client-ts's user in sessionStorage). */
  const storedToken = (on: Page) =>
    on.evaluate((key) => {
      const stored = sessionStorage.getItem(key);
      return stored ? (JSON.parse(stored) as { access_token: string }).access_token : null;
    }, `oidc.user:${idp.issuer}:${CLIENT_ID}`);

  it("answers 401 to the API without a token, while the UI's files and its sign-in configuration load", async () => {
    // bodies are read to the end: an unread one keeps its connection busy, and the server's close waits for it
    const get = async (path: string) => {
      const response = await fetch(`${t.url}${path}`);
      return { status: response.status, text: await response.text() };
    };
    assert.equal((await get("/api/processes")).status, 401);
    const index = await get("/");
    assert.equal(index.status, 200);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)?.[1];
    assert.ok(script, "index.html names its script");
    assert.equal((await get(script)).status, 200);
    const deepLink = await get("/workflows/new");
    assert.equal(deepLink.status, 200);
    assert.match(deepLink.text, /<div id="root">/);
    const config = await fetch(`${t.url}/api/auth/config`);
    assert.equal(config.status, 200);
    assert.deepEqual(await config.json(), {
      enabled: true,
      issuer: idp.issuer,
      client_id: CLIENT_ID,
      scope: "openid profile email",
      extra_params: { resource: RESOURCE },
    });
  });

  it("shows why when the provider refuses the sign-in; trying again leads to its login", async () => {
    const other = await newPage();
    try {
      await other.page.goto(`${t.url}/subscriptions`);
      await onProvider(other.page);
      // the provider's login page offers "Cancel": it answers the UI with access_denied
      await other.page.getByRole("link", { name: "[ Cancel ]" }).click();
      await onUi(other.page, /^\/auth\/callback$/);
      await other.page.getByRole("heading", { name: "The identity provider refused the sign-in" }).waitFor();
      assert.match(await other.page.getByRole("alert").innerText(), /access_denied: End-User aborted interaction/);
      await other.page.getByRole("button", { name: "Try again" }).click();
      await onProvider(other.page);
      await other.page.locator('input[name="login"]').waitFor();
    } finally {
      await other.context.close();
    }
  });

  it("sends the browser to the provider's login and back to the page it was on", async () => {
    await page.goto(`${t.url}/workflows?tab=completed`);
    await signInAtProvider(page, "alice");
    await onUi(page, "/workflows?tab=completed");
    await page.getByRole("heading", { name: "Workflows" }).waitFor();
    await page.locator(".user-name", { hasText: "alice" }).waitFor();
    await page.locator('.live-badge[data-state="connected"]').waitFor();
    await page.goto(`${t.url}/subscriptions`);
    await page.getByRole("heading", { name: "Subscriptions" }).waitFor();
    await page.locator("table").waitFor();
    assert.equal(await page.getByRole("alert").count(), 0);
    // every API request but the public configuration carried the token (the server would have answered 401)
    const token = await storedToken(page);
    assert.ok(token);
    const withoutToken = apiAuthorization.filter((r) => r.path !== "/api/auth/config" && r.authorization === undefined);
    assert.deepEqual(withoutToken, []);
    assert.ok(apiAuthorization.some((r) => r.path === "/api/processes" && r.authorization?.startsWith("Bearer ")));
    assert.ok(apiAuthorization.some((r) => r.path === "/api/subscriptions/search" || r.path.startsWith("/api/subscriptions")));
  });

  it("starts a process as the signed-in user; another tab signs in without a login and sees it live", async () => {
    const other = await context.newPage();
    try {
      // same browser, new tab: the provider's session signs it in without asking
      await other.goto(`${t.url}/workflows?tab=completed`);
      await onUi(other, "/workflows?tab=completed");
      await other.locator('.live-badge[data-state="connected"]').waitFor();
      await other.getByRole("heading", { name: "Workflows" }).waitFor();

      await page.goto(`${t.url}/workflows/new`);
      await page.getByRole("link", { name: /^User Group/ }).click();
      await page.getByLabel("Group Name").fill("Signed-in admins");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.waitForURL(new RegExp(`/workflows/${UUID}$`));
      await page.locator('h1 [data-status="completed"]').waitFor();
      await page.getByText("alice", { exact: true }).first().waitFor();
      const processId = page.url().split("/").pop()!;
      const row = await t.server.database.db.selectFrom("processes").select("created_by").where("pid", "=", processId).executeTakeFirstOrThrow();
      assert.equal(row.created_by, "alice");

      // the other tab was not reloaded: its websocket (token as subprotocol) brought the new process
      await other.getByRole("link", { name: "create_user_group" }).waitFor();
    } finally {
      await other.close();
    }
  });

  it("renews the token before it expires, without leaving the page", async () => {
    await page.goto(`${t.url}/subscriptions`);
    await page.getByRole("heading", { name: "Subscriptions" }).waitFor();
    const before = await storedToken(page);
    // renewal starts a minute before expiry: ACCESS_TOKEN_TTL - 60 seconds after the token was issued
    for (let i = 0; i < 80 && (await storedToken(page)) === before; i++) await page.waitForTimeout(500);
    const after = await storedToken(page);
    assert.ok(after && after !== before, "the token was renewed");
    assert.match(page.url(), /\/subscriptions$/);
    await page.getByRole("link", { name: "User Group Signed-in admins" }).waitFor();
  });

  it("renews a token the API refuses, and sends the request again", async () => {
    await page.goto(`${t.url}/subscriptions`);
    await page.getByRole("heading", { name: "Subscriptions" }).waitFor();
    // a token the server cannot verify, stored as if it were valid
    await page.evaluate((key) => {
      const user = JSON.parse(sessionStorage.getItem(key)!) as { access_token: string };
      user.access_token = "not.a.token";
      sessionStorage.setItem(key, JSON.stringify(user));
    }, `oidc.user:${idp.issuer}:${CLIENT_ID}`);
    const refused = apiAuthorization.length;
    await page.reload();
    await page.getByRole("link", { name: "User Group Signed-in admins" }).waitFor();
    assert.equal(await page.getByRole("alert").count(), 0);
    const token = await storedToken(page);
    assert.ok(token && token !== "not.a.token");
    const sent = apiAuthorization.slice(refused);
    assert.ok(sent.some((r) => r.authorization === "Bearer not.a.token"), "the refused token was sent");
    assert.ok(sent.some((r) => r.authorization === `Bearer ${token}`), "the renewed token was sent");
    assert.match(page.url(), /\/subscriptions$/);
  });

  it("signs out at the provider, which sends the browser back to the UI and so to its login", async () => {
    await page.goto(`${t.url}/subscriptions`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await onProvider(page);
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    // back at the UI without a session: it sends the browser to the provider's login
    await onProvider(page);
    await page.locator('input[name="login"]').waitFor();
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), `oidc.user:${idp.issuer}:${CLIENT_ID}`), null);
  });

  it("says sign-in is not configured when the server has no OIDC_CLIENT_ID", async () => {
    const bare = await startUiServer({ env: { OAUTH2_ACTIVE: "true", OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: RESOURCE } });
    const other = await newPage();
    try {
      await other.page.goto(`${bare.url}/subscriptions`);
      await other.page.getByRole("heading", { name: "Sign-in is not configured" }).waitFor();
      assert.match(await other.page.getByRole("alert").innerText(), /the server has no OIDC_CLIENT_ID/);
    } finally {
      await other.context.close();
      await bare.close();
    }
  });

  it("shows a clear error page when the provider cannot be reached", async () => {
    await idp.close();
    const other = await newPage();
    try {
      await other.page.goto(`${t.url}/subscriptions`);
      await other.page.getByRole("heading", { name: "Cannot reach the identity provider" }).waitFor();
      assert.match(await other.page.getByRole("alert").innerText(), new RegExp(idp.issuer.replaceAll(".", "\\.")));
      await other.page.getByRole("button", { name: "Try again" }).waitFor();
    } finally {
      await other.context.close();
    }
    assert.deepEqual(errors, []);
  });
});
