/**
 * The REST the WFO UI 9 calls besides processes and subscriptions, over real HTTP: named forms (`/api/forms/{key}`),
 * translations, `/api/user/*`, the settings page's extras (cache names and flush, search index reset, overview,
 * the `ws-status` websocket), the websocket subprotocol echo; and with authentication on, every new route (search
 * included) denied without a token, translations public.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { z } from "zod";
import { ask, formPage, registerForm } from "../src/index.js";
import { startTestServer, type ApiResponse, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";
import { startTokenIssuer, type TokenIssuer } from "./support/oidc.js";
import { tempDir } from "./support/files.js";

registerForm("test_configure_reminder", async function* (state) {
  const first = yield* ask(formPage({ name: z.string().min(1) }, { title: "Reminder" }));
  const second = yield* ask(formPage({ every_days: z.number().int().min(1).max(365) }, { title: "Interval" }));
  return { name: first.name, every_days: second.every_days, user: state.user, form_key: state.form_key };
});

function assertProblem(response: ApiResponse, status: number, ...patterns: RegExp[]): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.status, status);
  for (const pattern of patterns) assert.match(response.body.detail, pattern);
}

/** Opens a websocket; resolves with the accepted subprotocol and the first message, or the close code. */
function openSocket(url: string, protocols?: string[]): Promise<{ protocol?: string; message?: string; code?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    const timer = setTimeout(() => reject(new Error(`no answer from ${url}`)), 5000);
    socket.on("message", (data) => {
      clearTimeout(timer);
      resolve({ protocol: socket.protocol, message: data.toString() });
      socket.close();
    });
    socket.on("close", (code) => {
      clearTimeout(timer);
      resolve({ protocol: socket.protocol, code });
    });
    socket.on("error", () => undefined);
    socket.on("open", () => socket.send("__ping__"));
  });
}

describe(`the WFO UI's other REST calls (${backend})`, () => {
  let t: TestServer;
  const folder = tempDir("translations");

  before(async () => {
    mkdirSync(folder.path, { recursive: true });
    writeFileSync(join(folder.path, "nl-NL.json"), JSON.stringify({ forms: { fields: { group_name: "Groepsnaam" } }, workflow: { create_user_group: "Gebruikersgroep maken" } }));
    writeFileSync(join(folder.path, "de-DE.json"), "{ not json");
    t = await startTestServer({ env: { RUN_SCHEDULER: "false", TRANSLATIONS_DIR: folder.path, EXPOSE_SETTINGS: "true" } });
  });
  after(async () => {
    await t?.close();
    folder.cleanup();
  });

  it("runs a named form page by page: 510 with the next page, 400 field errors, 200 with the result, 404 unknown", async () => {
    const first = await t.request("POST", "/api/forms/test_configure_reminder", []);
    assert.equal(first.status, 510);
    assert.equal(first.body.type, "FormNotCompleteError");
    assert.equal(first.body.form.title, "Reminder");
    const second = await t.request("POST", "/api/forms/test_configure_reminder", [{ name: "backup" }]);
    assert.equal(second.status, 510);
    assert.equal(second.body.form.title, "Interval");
    const invalid = await t.request("POST", "/api/forms/test_configure_reminder", [{ name: "backup" }, { every_days: 1000 }]);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.type, "FormValidationError");
    assert.deepEqual(invalid.body.validation_errors[0].loc, ["every_days"]);
    const done = await t.request("POST", "/api/forms/test_configure_reminder", [{ name: "backup" }, { every_days: 7 }]);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(done.body, { name: "backup", every_days: 7, user: "SYSTEM", form_key: "test_configure_reminder" });
    assertProblem(await t.request("POST", "/api/forms/no_such_form", []), 404, /no_such_form/);
    assertProblem(await t.request("POST", `/api/forms/${"f".repeat(256)}`, []), 422, /params\.form_key/, /at most 255/);
    assertProblem(await t.request("POST", "/api/forms/test_configure_reminder", { name: "x" }), 422, /body/);
    assertProblem(await t.request("POST", "/api/forms/test_configure_reminder", [{ name: "a\u0000" }]), 422, /body\.0\.name/, /NUL/);
  });

  it("serves translations: workflows from the database, the app's file merged, any locale", async () => {
    const en = await t.request("GET", "/api/translations/en-GB");
    assert.equal(en.status, 200);
    assert.deepEqual(en.body.forms, { fields: {} });
    assert.equal(typeof en.body.workflow.create_user_group, "string");
    assert.equal(typeof en.body.workflow.modify_note, "string");
    const nl = await t.request("GET", "/api/translations/nl-NL");
    assert.deepEqual(nl.body.forms.fields, { group_name: "Groepsnaam" });
    assert.equal(nl.body.workflow.create_user_group, "Gebruikersgroep maken");
    assert.equal(nl.body.workflow.modify_note, en.body.workflow.modify_note);
    // a broken file is left out (and logged), the rest answered
    assert.deepEqual((await t.request("GET", "/api/translations/de-DE")).body, en.body);
    assertProblem(await t.request("GET", "/api/translations/english"), 422, /params\.locale/, /en-GB/);
    assertProblem(await t.request("GET", "/api/translations/..%2F..%2Fetc%2Fpasswd"), 422, /params\.locale/);
  });

  it("takes the UI's error reports and user logs", async () => {
    const error = await t.request("POST", "/api/user/error", { message: "Cannot read properties of undefined", page: "/subscriptions" });
    assert.deepEqual([error.status, error.body], [200, {}]);
    const log = await t.request("POST", "/api/user/log/alice@example.com", { message: "signed in" });
    assert.deepEqual([log.status, log.body], [200, {}]);
    assertProblem(await t.request("POST", "/api/user/error", ["not", "an", "object"]), 422, /body/);
    assertProblem(await t.request("POST", "/api/user/error", { message: "x".repeat(70_000) }), 413, /65536 bytes/);
    assertProblem(await t.request("POST", `/api/user/log/${"u".repeat(256)}`, {}), 422, /params\.user_name/, /at most 255/);
  });

  it("answers the settings page: cache names and flush, search index reset, overview without secrets", async () => {
    const names = await t.request("GET", "/api/settings/cache-names");
    assert.deepEqual(Object.keys(names.body), ["all"]);
    const flushed = await t.request("DELETE", "/api/settings/cache/all");
    assert.deepEqual([flushed.status, flushed.body], [200, null]);
    assertProblem(await t.request("DELETE", "/api/settings/cache/redis"), 400, /Invalid cache name "redis"/, /all/);
    const reset = await t.request("POST", "/api/settings/search-index/reset");
    assert.deepEqual([reset.status, reset.body], [200, null]);
    const overview = await t.request("GET", "/api/settings/overview");
    assert.equal(overview.status, 200);
    assert.equal(overview.body.length, 1);
    const variables = Object.fromEntries(overview.body[0].variables.map((v: any) => [v.env_name, v.env_value]));
    assert.equal(variables.MAX_WORKERS, 4);
    assert.equal(variables.EXPOSE_SETTINGS, true);
    assert.equal(variables.OIDC_ISSUER, null);
    const names2 = overview.body[0].variables.map((v: any) => v.env_name);
    assert.deepEqual(names2, [...names2].sort());
    if (t.uri.includes("@")) assert.doesNotMatch(String(variables.DATABASE_URI), /:[^:@/]+@/, "the password is hidden");
  });

  it("sends the engine status on ws-status, and again when it changes", async () => {
    const url = `${t.url.replace("http", "ws")}/api/settings/ws-status/`;
    const socket = new WebSocket(url);
    const messages: any[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on("message", (data) => {
        messages.push(JSON.parse(data.toString()));
        if (messages.length === 1) resolve();
      });
      socket.on("error", reject);
    });
    assert.equal(messages[0]["engine-status"].global_status, "RUNNING");
    await t.request("PUT", "/api/settings/status", { global_lock: true });
    for (let i = 0; i < 100 && !messages.some((m) => m["engine-status"].global_lock); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(messages.some((m) => m["engine-status"].global_lock === true), JSON.stringify(messages));
    await t.request("PUT", "/api/settings/status", { global_lock: false });
    socket.close();
  });

  it("echoes the UI's websocket subprotocol with authentication off too", async () => {
    const events = `${t.url.replace("http", "ws")}/api/ws/events`;
    assert.deepEqual(await openSocket(events, ["base64.bearer.token", "any-token"]), { protocol: "base64.bearer.token", message: "__pong__" });
    assert.deepEqual(await openSocket(events), { protocol: "", message: "__pong__" });
  });
});

describe(`the WFO UI's REST calls with authentication (${backend})`, () => {
  let t: TestServer;
  let issuer: TokenIssuer;
  let token: string;

  before(async () => {
    issuer = await startTokenIssuer();
    token = await issuer.token();
    t = await startTestServer({ env: { ...issuer.env, RUN_SCHEDULER: "false" } });
  });
  after(async () => {
    await t?.close();
    issuer?.close();
  });

  it("denies every new route without a token, and answers with one", async () => {
    const calls: [string, string, unknown?][] = [
      ["POST", "/api/search/subscriptions", {}],
      ["GET", "/api/search/paths?q=status"],
      ["GET", "/api/search/definitions"],
      ["POST", "/api/forms/test_configure_reminder", []],
      ["POST", "/api/user/error", { message: "x" }],
      ["POST", "/api/user/log/alice", { message: "x" }],
      ["GET", "/api/settings/cache-names"],
      ["DELETE", "/api/settings/cache/all"],
      ["POST", "/api/settings/search-index/reset"],
      ["GET", "/api/settings/overview"],
    ];
    for (const [method, path, body] of calls) {
      assertProblem(await t.request(method, path, body), 401, /Not authenticated/);
      const ok = await t.request(method, path, body, { authorization: `Bearer ${token}` });
      assert.ok([200, 510].includes(ok.status), `${method} ${path}: ${ok.status} ${JSON.stringify(ok.body)}`);
    }
    // the named form knows who filled it in
    const done = await t.request("POST", "/api/forms/test_configure_reminder", [{ name: "n" }, { every_days: 1 }], { authorization: `Bearer ${token}` });
    assert.equal(done.body.user, "alice");
    // translations are public, as in orchestrator-core (the UI loads them before signing in)
    assert.equal((await t.request("GET", "/api/translations/en-GB")).status, 200);
  });

  it("takes the ws-status token from the query and closes without one", async () => {
    const url = `${t.url.replace("http", "ws")}/api/settings/ws-status/`;
    assert.equal((await openSocket(url)).code, 1008);
    assert.equal((await openSocket(`${url}?token=garbage`)).code, 1008);
    const ok = await openSocket(`${url}?token=${token}`);
    assert.equal(JSON.parse(ok.message!)["engine-status"].global_status, "RUNNING");
  });
});
