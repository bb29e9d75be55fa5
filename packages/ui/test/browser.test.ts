/**
 * The beginner scenario in a real browser (Debian's chromium through playwright-core) against a real server: create
 * a user group and a user in it, watch the processes finish live, modify the user, see the group's terminate blocked
 * with its reason, terminate user then group, retry a task that failed once, pause and resume the engine, edit a
 * description. Saves a screenshot of each page: in tmp/ui-screenshots/<back-end>/, or with UPDATE_SCREENSHOTS=1 in
 * docs/screenshots/ (the README's pictures), so a test run leaves the work tree as it was.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { REPO_ROOT } from "../../core/test/support/files.ts";
import { backend } from "../../core/test/support/db.ts";
import { browserSkip, launchBrowser } from "./support/browser.ts";
import { clippedTables, horizontalOverflow } from "./support/layout.ts";
import { FLAKY_TASK, REVIEW_TASK, startUiServer, type UiTestServer } from "./support/server.ts";

const EXTRA_SCREENSHOTS = join(REPO_ROOT, "tmp", "ui-screenshots", backend);
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(REPO_ROOT, "docs", "screenshots") : join(EXTRA_SCREENSHOTS, "docs");
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

describe(`the web UI in a browser (${backend})`, { skip: browserSkip }, () => {
  let t: UiTestServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(EXTRA_SCREENSHOTS, { recursive: true });
    const [server, launched] = await Promise.allSettled([startUiServer(), launchBrowser()]);
    // whichever started is kept for after(), so a failure of the other does not leave it running
    if (server.status === "fulfilled") t = server.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (server.status === "rejected") throw server.reason;
    if (launched.status === "rejected") throw launched.reason;
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => errors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const go = (path: string) => page.goto(`${t.url}${path}`);
  /** A screenshot for looking at by hand, not for the docs: tmp/ui-screenshots/. */
  const extraShot = (name: string, on: Page = page) => on.screenshot({ path: join(EXTRA_SCREENSHOTS, `${name}.png`), fullPage: true });
  /** Waits until the process page's heading shows `status` (it updates over the websocket, no reload). */
  const processStatus = (status: string, on: Page = page) => on.locator(`h1 [data-status="${status}"]`).waitFor();

  /** Starts a workflow from a subscription's Actions menu. */
  async function startAction(subscription: RegExp, action: string) {
    await go("/subscriptions?tab=all");
    await page.getByRole("link", { name: subscription }).click();
    await page.getByRole("button", { name: /Actions/ }).click();
    await page.getByRole("menuitem", { name: new RegExp(action) }).click();
    await page.waitForURL(/\/workflows\/new\//);
  }

  /** Submits the current form page and waits for the new process to complete. */
  async function submitAndComplete() {
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(new RegExp(`/(workflows|tasks)/${UUID}$`));
    await processStatus("completed");
  }

  it("shows the live connection", async () => {
    await go("/subscriptions");
    await page.locator('.live-badge[data-state="connected"]').waitFor();
    await page.getByRole("heading", { name: "Subscriptions" }).waitFor();
  });

  it("says so when nothing has run yet, and where to start", async () => {
    await go("/workflows");
    const empty = page.getByRole("status").filter({ hasText: "No workflows yet" });
    await empty.waitFor();
    assert.equal(await empty.getByRole("link", { name: "Start a workflow" }).getAttribute("href"), "/workflows/new");
    assert.equal(await page.locator("main table").count(), 0, "an empty list is a sentence, not an empty table");
  });

  it("creates a user group through New workflow → product → form", async () => {
    await go("/workflows");
    await page.getByRole("link", { name: "New workflow" }).click();
    await page.getByRole("list", { name: "Products" }).waitFor();
    await shot("new-subscription");
    await page.getByRole("link", { name: /^User Group/ }).click();
    // an empty required field is refused by the server and shown next to the field
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator(".field-error").first().waitFor();
    assert.equal(await page.getByLabel("Group Name").getAttribute("aria-invalid"), "true");
    await page.getByLabel("Group Name").fill("Admins");
    await shot("start-workflow");
    await submitAndComplete();
    await page.getByRole("list", { name: "Steps" }).getByText("Create subscription").waitFor();
  });

  it("creates a user in the group through the dropdown; the workflows list updates live", async () => {
    const list = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await list.goto(`${t.url}/workflows?tab=completed`);
    await list.getByRole("link", { name: "create_user_group" }).waitFor();

    await go("/workflows/new");
    await page.getByRole("link", { name: /^User internal/ }).click();
    await page.getByLabel("Username").fill("ann");
    await page.getByLabel("Age").fill("30");
    await page.getByLabel("User Group Ids").selectOption({ label: "User Group Admins" });
    await submitAndComplete();
    await shot("process-detail");

    // the other page was not reloaded: the websocket's invalidation brought the new process in
    await list.getByRole("link", { name: "create_user", exact: true }).waitFor();
    await list.close();

    await go("/workflows?tab=completed");
    await page.getByRole("link", { name: "create_user", exact: true }).waitFor();
    await shot("workflows");
    await page.getByLabel("Workflow", { exact: true }).selectOption("create_user_group");
    await page.getByRole("link", { name: "create_user", exact: true }).waitFor({ state: "detached" });
    await page.getByRole("link", { name: "create_user_group" }).waitFor();
    await go("/subscriptions");
    await page.getByRole("link", { name: /^User ann from group Admins/ }).waitFor();
    await page.getByRole("link", { name: "User Group Admins" }).waitFor();
    await shot("subscriptions");
    // the server searches and sorts
    await page.getByRole("searchbox", { name: "Search subscriptions" }).fill("ann");
    await page.waitForURL(/q=ann/);
    await page.getByRole("link", { name: "User Group Admins" }).waitFor({ state: "detached" });
    await page.getByRole("link", { name: /^User ann/ }).waitFor();
    await page.getByRole("searchbox", { name: "Search subscriptions" }).fill("");
    await page.getByRole("button", { name: /Description/ }).click();
    await page.waitForURL(/sort=description(,|%2C)asc/);
    const first = page.locator("tbody tr").first();
    await first.getByRole("link", { name: "User Group Admins" }).waitFor();
  });

  it("an empty Active tab says what the other tab has and switches to it", async () => {
    await go("/workflows");
    const empty = page.getByRole("status").filter({ hasText: "No active workflows — 2 completed" });
    await empty.waitFor();
    assert.equal(await page.locator("main table").count(), 0);
    await empty.getByRole("button", { name: "Show completed workflows" }).click();
    await page.waitForURL(/tab=completed/);
    await page.getByRole("tab", { name: "Completed", selected: true }).waitFor();
    await page.getByRole("link", { name: "create_user", exact: true }).waitFor();
    // a search that finds nothing in either tab says so and offers to clear it
    await page.getByRole("searchbox", { name: "Search workflows" }).fill("nothing-like-this");
    const none = page.getByRole("status").filter({ hasText: "No workflows match the search and filters" });
    await none.waitFor();
    await none.getByRole("button", { name: "Clear search and filters" }).click();
    await page.getByRole("link", { name: "create_user", exact: true }).waitFor();
    assert.equal(await page.getByRole("searchbox", { name: "Search workflows" }).inputValue(), "");
  });

  it("modifies the user from its Actions menu", async () => {
    await startAction(/^User ann/, "Modify user");
    const age = page.getByLabel("Age");
    assert.equal(await age.inputValue(), "30");
    await age.fill("31");
    await submitAndComplete();
    await page.getByRole("link", { name: /^User ann/ }).click();
    await page.getByRole("list", { name: "Product blocks" }).getByText("31", { exact: true }).waitFor();
  });

  it("sets an out-of-sync subscription in sync after confirmation", async () => {
    // as a process that failed midway leaves it (the beginner workflows themselves never do)
    await t.server.database.db.updateTable("subscriptions").set({ insync: false }).where("description", "=", "User Group Admins").execute();
    await go("/subscriptions");
    await page.getByRole("link", { name: "User Group Admins" }).click();
    await page.getByText("out of sync", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Set in sync" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/Set "User Group Admins" in sync\?/).waitFor();
    await dialog.getByRole("button", { name: "Set in sync" }).click();
    await page.getByText("in sync", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Set in sync" }).waitFor({ state: "detached" });
  });

  it("shows the group's terminate blocked while a user uses it, with the reason", async () => {
    await go("/subscriptions");
    await page.getByRole("link", { name: "User Group Admins" }).click();
    await page.getByRole("list", { name: "Product blocks" }).getByText("In use by").waitFor();
    // the menu works from the keyboard: ArrowDown opens it on the first item, Escape closes it
    await page.getByRole("button", { name: /Actions/ }).focus();
    await page.keyboard.press("ArrowDown");
    await page.getByRole("menuitem", { name: /Modify user group/ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "menuitem");
    await page.keyboard.press("Escape");
    await page.getByRole("menu").waitFor({ state: "detached" });
    await page.getByRole("button", { name: /Actions/ }).click();
    const terminate = page.getByRole("menuitem", { name: /Terminate user group/ });
    assert.equal(await terminate.getAttribute("aria-disabled"), "true");
    assert.match(await terminate.innerText(), /in use by other subscriptions.*Used by: User ann from group Admins/is);
    await shot("subscription-detail");
    // choosing it does nothing (Playwright refuses to click a disabled item itself)
    await terminate.dispatchEvent("click");
    assert.match(page.url(), new RegExp(`/subscriptions/${UUID}$`));
    await page.keyboard.press("Escape");
  });

  it("terminates the user, then the group", async () => {
    await startAction(/^User ann/, "Terminate user");
    await page.getByText(/Are you sure you want to remove User ann/).waitFor();
    await submitAndComplete();
    await startAction(/^User Group Admins/, "Terminate user group");
    await submitAndComplete();
    await go("/subscriptions?tab=terminated");
    await page.getByRole("link", { name: /^User ann/ }).waitFor();
    await page.getByRole("link", { name: "User Group Admins" }).waitFor();
  });

  it("keeps a note's lines: shown and saved as they are", async () => {
    const processes = (await (await fetch(`${t.url}/api/processes?range=0,0`)).json()) as { process_id: string; workflow_name: string; is_task: boolean }[];
    const target = processes[0]!;
    const note = "line one\nline two\n\tתיאור";
    const patched = await fetch(`${t.url}/api/processes/${target.process_id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ note }) });
    assert.equal(patched.status, 200);
    await go(`/${target.is_task ? "tasks" : "workflows"}/${target.process_id}`);
    const box = page.getByLabel("Note");
    await page.waitForFunction((expected) => (document.querySelector("form.inline-edit textarea") as HTMLTextAreaElement | null)?.value === expected, note);
    await box.focus();
    await box.press("Control+End");
    await box.pressSequentially("!");
    await page.getByRole("button", { name: "Save note" }).click();
    await page.getByRole("button", { name: "Save note" }).and(page.locator(":disabled")).waitFor();
    const saved = (await (await fetch(`${t.url}/api/processes/${target.process_id}`)).json()) as { note: string };
    assert.equal(saved.note, `${note}!`);
  });

  it("retries a task that failed once", async () => {
    await go("/tasks");
    await page.getByRole("link", { name: "New task" }).click();
    await page.getByRole("link", { name: new RegExp(FLAKY_TASK) }).click();
    await page.getByText("No input needed.").waitFor();
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(new RegExp(`/tasks/${UUID}$`));
    await processStatus("failed");
    await page.getByRole("alert").getByText(/flaky system did not answer/).waitFor();
    await page.getByText("Traceback").click();
    await shot("process-failed");
    await page.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Retry" }).click();
    await processStatus("completed");
    await go("/tasks?tab=completed");
    await page.getByRole("link", { name: FLAKY_TASK }).waitFor();
    await shot("tasks");
  });

  it("shows the form of a suspended step inline; submitting it resumes the task", async () => {
    await go("/tasks/new");
    await page.getByRole("link", { name: new RegExp(REVIEW_TASK) }).click();
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(new RegExp(`/tasks/${UUID}$`));
    await processStatus("suspended");
    const form = page.getByRole("form", { name: "Review" });
    await form.getByText("Check the system by hand").waitFor();
    await form.getByLabel("Reviewer").fill("x");
    await form.getByLabel("Checked Items").fill("0");
    await form.getByLabel("Outcome").selectOption({ label: "Repaired something" });
    await form.getByLabel("Remarks").fill("Replaced a cable.\nAll fine now.");
    await form.getByRole("button", { name: "Submit" }).click();
    // the server's validation errors appear next to their fields
    await form.locator(".has-error").nth(1).waitFor();
    assert.equal(await form.getByLabel("Reviewer").getAttribute("aria-invalid"), "true");
    assert.equal(await form.getByLabel("Checked Items").getAttribute("aria-invalid"), "true");
    await shot("process-suspended");
    await form.getByLabel("Reviewer").fill("ann");
    await form.getByLabel("Checked Items").fill("3");
    await form.getByRole("button", { name: "Submit" }).click();
    await processStatus("completed");
    await page.getByRole("list", { name: "Steps" }).getByText("Record the review").click();
    await page.getByText('"recorded": "ann: repaired"').waitFor();
  });

  it("pauses and resumes the engine", async () => {
    await go("/settings");
    await page.getByRole("button", { name: "Pause engine" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Pause" }).click();
    await page.locator('[data-testid="engine-status"] [data-status="PAUSED"]').waitFor();
    await page.getByText("Workers online").waitFor();
    await shot("settings");
    await page.getByRole("button", { name: "Resume engine" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Resume" }).click();
    await page.locator('[data-testid="engine-status"] [data-status="RUNNING"]').waitFor();
  });

  it("shows a start form while the engine is paused, with a banner that explains and resumes it", async () => {
    const setLock = async (globalLock: boolean) => {
      const response = await fetch(`${t.url}/api/settings/status`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ global_lock: globalLock }),
      });
      assert.equal(response.status, 200);
    };
    await setLock(true);
    await go("/workflows/new");
    await page.getByRole("link", { name: /^User Group/ }).click();
    const banner = page.getByRole("status").filter({ hasText: "The engine is paused: no new process starts" });
    await banner.waitFor();
    assert.match(await banner.innerText(), /The engine is paused: no new process starts until it is resumed\./);
    // the form is there to fill in while paused, with no error on top of the banner
    await page.getByLabel("Group Name").waitFor();
    assert.equal(await page.getByRole("alert").count(), 0);
    await extraShot("start-paused");
    await banner.getByRole("button", { name: "Resume engine" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Resume" }).click();
    await banner.waitFor({ state: "detached" });
    await page.getByLabel("Group Name").waitFor();

    // paused while the form is open: the form stays, the banner comes live, a refused submit keeps the input
    await setLock(true);
    await banner.waitFor();
    await page.getByLabel("Group Name").fill("Operators");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Not submitted: the engine is paused. Your input is kept; submit again once it runs.").waitFor();
    assert.equal(await page.getByLabel("Group Name").inputValue(), "Operators");
    await extraShot("start-paused-form");
    await banner.getByRole("button", { name: "Resume engine" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Resume" }).click();
    await banner.waitFor({ state: "detached" });
    await submitAndComplete();
  });

  it("shows the metadata, edits a description, and flags registration problems", async () => {
    await go("/metadata/products");
    await page.getByRole("button", { name: "Edit description of User Group" }).click();
    await page.getByLabel("Description of User Group").fill("Groups of users");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("cell", { name: /Groups of users/ }).waitFor();
    await shot("metadata-products");
    for (const section of ["product-blocks", "resource-types", "workflows"]) {
      await go(`/metadata/${section}`);
      await page.locator("tbody tr").first().waitFor();
    }
    await shot("metadata-workflows");
    await go("/metadata/registration");
    const flaky = page.getByRole("row", { name: new RegExp(FLAKY_TASK) });
    await flaky.waitFor();
    assert.match(await flaky.innerText(), /task/);
    await shot("metadata-registration");
    assert.deepEqual(errors, []);
  });

  /** Every list page. */
  const LIST_PAGES = [
    "/workflows?tab=completed",
    "/tasks?tab=completed",
    "/subscriptions?tab=all",
    "/metadata/products",
    "/metadata/product-blocks",
    "/metadata/resource-types",
    "/metadata/workflows",
    "/metadata/tasks",
    "/metadata/registration",
  ];
  /** A cell of a row of data: the list has loaded (whatever the earlier tests left in it). */
  const dataCell = (on: Page) => on.locator("main tbody td:not([colspan])").first();

  it("schedules a task, runs it now, changes its trigger and deletes it", async () => {
    await go("/schedules");
    await page.getByText("No scheduled tasks").waitFor();
    await page.getByRole("button", { name: "New schedule" }).click();
    const form = page.getByRole("form", { name: "Create schedule" });
    await form.getByLabel("Name").fill("Nightly products check");
    await form.getByLabel("Task").selectOption("task_validate_products");
    await form.getByLabel("Cron (UTC)").check();
    await form.getByLabel("Cron expression").fill("61 * * * *");
    await form.getByRole("button", { name: "Create schedule" }).click();
    await form.getByRole("alert").filter({ hasText: /cron: not a cron expression/ }).waitFor();
    await form.getByLabel("Cron expression").fill("30 2 * * *");
    await form.getByRole("button", { name: "Create schedule" }).click();
    const row = page.getByRole("row", { name: /Nightly products check/ });
    await row.getByText("cron 30 2 * * * (UTC)").waitFor();
    await row.getByText("never run").waitFor();
    await row.getByRole("button", { name: "Run Nightly products check now" }).click();
    await row.locator('[data-status="completed"]').waitFor();
    await shot("schedules");
    await row.getByRole("button", { name: "Edit Nightly products check" }).click();
    const edit = page.getByRole("form", { name: "Save Nightly products check" });
    await edit.getByLabel("Interval").check();
    await edit.getByLabel("Every (seconds)").fill("7200");
    // the form pages: checked as typed, then against the task's form (it has none: an extra field is refused)
    await edit.getByLabel("Form pages (JSON)").fill("{");
    await edit.getByRole("button", { name: "Save Nightly products check" }).click();
    await edit.getByRole("alert").filter({ hasText: /Form pages: not JSON/ }).waitFor();
    await edit.getByLabel("Form pages (JSON)").fill('[{"colour": "red"}]');
    await edit.getByRole("button", { name: "Save Nightly products check" }).click();
    await edit.getByRole("alert").filter({ hasText: /user_inputs: they do not start task_validate_products/ }).waitFor();
    await edit.getByLabel("Form pages (JSON)").fill("[{}]");
    await edit.getByRole("button", { name: "Save Nightly products check" }).click();
    await row.getByText("every 2 h").waitFor();
    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await page.getByText("No scheduled tasks").waitFor();
  });

  it("fits every list at 1,360 px: no table cuts off its last column", async () => {
    assert.equal(await page.getByRole("button", { name: "Menu" }).isVisible(), false, "the navigation is not folded at this width");
    for (const path of LIST_PAGES) {
      await go(path);
      await dataCell(page).waitFor();
      assert.deepEqual(await clippedTables(page), [], `${path} at 1,360 px`);
      assert.deepEqual(await horizontalOverflow(page), [], `${path} at 1,360 px`);
      if (path.startsWith("/workflows")) await extraShot("wide-workflows");
    }
  });

  it("works at 760 px: the navigation folds behind a button and nothing sticks out", async () => {
    const narrow = await browser.newPage({ viewport: { width: 760, height: 900 } });
    narrow.setDefaultTimeout(15_000);
    narrow.on("pageerror", (error) => errors.push(error.message));
    const check = async (what: string) => {
      assert.deepEqual(await horizontalOverflow(narrow), [], `${what} at 760 px`);
      assert.deepEqual(await clippedTables(narrow), [], `${what} at 760 px`);
    };
    try {
      await narrow.goto(`${t.url}/subscriptions?tab=all`);
      await narrow.getByRole("link", { name: "User Group Admins" }).waitFor();
      const nav = narrow.getByRole("navigation", { name: "Main" });
      const menu = narrow.getByRole("button", { name: "Menu" });
      assert.equal(await nav.isVisible(), false, "the navigation is folded");
      assert.equal(await menu.getAttribute("aria-expanded"), "false");
      await menu.click();
      assert.equal(await menu.getAttribute("aria-expanded"), "true");
      await nav.getByRole("link", { name: "Subscriptions" }).waitFor();
      await check("the open navigation");
      await extraShot("narrow-menu", narrow);
      // Escape folds it again; choosing a page goes there and folds it
      await narrow.keyboard.press("Escape");
      await nav.waitFor({ state: "hidden" });
      await menu.click();
      await nav.getByRole("link", { name: /Tasks/ }).click();
      await narrow.waitForURL(/\/tasks$/);
      await nav.waitFor({ state: "hidden" });

      for (const path of LIST_PAGES) {
        await narrow.goto(`${t.url}${path}`);
        await dataCell(narrow).waitFor();
        await check(path);
      }
      await narrow.goto(`${t.url}/workflows?tab=completed`);
      await extraShot("narrow-workflows", narrow);
      await narrow.getByRole("link", { name: "create_user_group" }).first().click();
      await narrow.getByRole("list", { name: "Steps" }).waitFor();
      await check("a process");
      await extraShot("narrow-process", narrow);
      await narrow.goto(`${t.url}/subscriptions?tab=all`);
      await narrow.getByRole("link", { name: "User Group Admins" }).click();
      await narrow.getByRole("list", { name: "Product blocks" }).waitFor();
      await check("a subscription");
      await extraShot("narrow-subscription", narrow);
      await narrow.goto(`${t.url}/workflows/new`);
      await narrow.getByRole("link", { name: /^User internal/ }).click();
      await narrow.getByLabel("Username").waitFor();
      await check("a start form");
      await narrow.goto(`${t.url}/settings`);
      await narrow.getByText("Workers online").waitFor();
      await check("the settings");
    } finally {
      await narrow.close();
    }
    assert.deepEqual(errors, []);
  });
});
