/**
 * The beginner scenario driven only through the REST API, as a client of orchestrator-core would drive it: create a
 * group and two users, modify, a refused terminate, then terminate in order; with the websocket receiving the
 * invalidation of a process it started.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

describe(`the beginner scenario over HTTP (${backend})`, () => {
  let t: TestServer;
  const products: Record<string, string> = {};

  before(async () => {
    t = await startTestServer();
    const { body } = await t.request("GET", "/api/products");
    for (const p of body) products[p.name] = p.product_id;
  });
  after(() => t?.close());

  /** Post the form pages one by one as the UI does (510 for each page but the last); returns the process detail. */
  async function run(workflow: string, pages: Record<string, unknown>[]): Promise<any> {
    for (let i = 0; i < pages.length; i++) {
      const r = await t.request("POST", `/api/processes/${workflow}`, pages.slice(0, i));
      assert.equal(r.status, 510, `${workflow} page ${i}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.type, "FormNotCompleteError");
      assert.equal(typeof r.body.form.properties, "object");
    }
    const created = await t.request("POST", `/api/processes/${workflow}`, pages);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const detail = await t.settle(created.body.id);
    assert.equal(detail.last_status, "completed", JSON.stringify(detail.steps.at(-1)));
    return detail;
  }
  const subscriptionOf = (detail: any): string => detail.subscriptions[0].subscription_id;

  let group: string;
  let internal: string;
  let external: string;

  it("creates a user group, watched over the websocket", { timeout: 60_000 }, async () => {
    const socket = new WebSocket(`${t.url.replace("http", "ws")}/api/ws/events`);
    const messages: any[] = [];
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const pong = new Promise((resolve) => socket.on("message", (data) => (data.toString() === "__pong__" ? resolve(true) : messages.push(JSON.parse(data.toString())))));
    socket.send("__ping__");
    assert.equal(await pong, true);

    const first = await t.request("POST", "/api/processes/create_user_group", []);
    assert.equal(first.status, 510);
    assert.deepEqual(first.body.form.$defs.ProductEnum.enum, [products["User Group"]]);
    const detail = await run("create_user_group", [{ product: products["User Group"] }, { group_name: "Admins" }]);
    group = subscriptionOf(detail);
    assert.equal(detail.workflow_target, "CREATE");
    assert.equal(detail.steps[0].name, "Start");
    assert.equal(detail.steps.at(-1).name, "Done");
    assert.equal(detail.form, null);

    // the invalidations of this process, its counts and its new subscription arrive
    for (let i = 0; i < 100 && !messages.some((m) => m.value.type === "subscriptions" && m.value.id === group); i++) await new Promise((r) => setTimeout(r, 20));
    socket.close();
    const values = messages.map((m) => { assert.equal(m.name, "invalidateCache"); return m.value; });
    assert.ok(values.some((v) => v.type === "processes" && v.id === detail.process_id), JSON.stringify(values));
    assert.ok(values.some((v) => v.type === "processes" && v.id === "LIST"));
    assert.ok(values.some((v) => v.type === "processStatusCounts"));
    assert.ok(values.some((v) => v.type === "subscriptions" && v.id === group));
  });

  it("refuses names longer than the example's forms allow (400 naming the field), before any process exists", async () => {
    const before = (await t.request("GET", "/api/processes")).body.length;
    const long = "x".repeat(256);
    const r = await t.request("POST", "/api/processes/create_user_group", [{ product: products["User Group"] }, { group_name: long }]);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const error = r.body.validation_errors.find((e: { loc: string[] }) => e.loc.includes("group_name"));
    assert.ok(error, JSON.stringify(r.body));
    assert.match(error.msg, /255/);
    assert.equal((await t.request("GET", "/api/processes")).body.length, before);
  });

  it("creates two users in the group, choosing it from the dropdown", async () => {
    const page = await t.request("POST", "/api/processes/create_user", [{ product: products["User internal"] }]);
    assert.equal(page.status, 510);
    assert.match(JSON.stringify(page.body.form), new RegExp(group));
    internal = subscriptionOf(await run("create_user", [{ product: products["User internal"] }, { username: "alice", age: 30, user_group_ids: [group] }]));
    external = subscriptionOf(await run("create_user", [{ product: products["User external"] }, { username: "bob", user_group_ids: [group] }]));
    const list = await t.request("GET", "/api/subscriptions?filter=status,active&sort=description,asc");
    assert.deepEqual(list.body.map((s: any) => s.product.name).sort(), ["User Group", "User external", "User internal"]);
    assert.equal(list.headers.get("content-range"), "subscriptions 0-2/3");
  });

  it("modifies the group and a user", async () => {
    await run("modify_user_group", [{ subscription_id: group }, { group_name: "Administrators" }]);
    await run("modify_user", [{ subscription_id: internal }, { username: "alice2" }]);
    const detail = await t.request("GET", `/api/subscriptions/${group}`);
    assert.match(detail.body.description, /Administrators/);
    assert.deepEqual(detail.body.processes.map((p: any) => p.workflow_name), ["create_user_group", "modify_user_group"]);
  });

  it("refuses to terminate the group while users use it, with the reason", async () => {
    const allowed = await t.request("GET", `/api/subscriptions/workflows/${group}`);
    assert.equal(allowed.status, 200);
    const terminate = allowed.body.terminate.find((w: any) => w.name === "terminate_user_group");
    assert.ok(terminate.reason, JSON.stringify(allowed.body));
    const refused = await t.request("POST", "/api/processes/terminate_user_group", [{ subscription_id: group }, {}]);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.type, "FormValidationError");
    assert.ok(refused.body.validation_errors.length > 0);
  });

  it("terminates the users, then the group", async () => {
    await run("terminate_user", [{ subscription_id: internal }, {}]);
    await run("terminate_user", [{ subscription_id: external }, {}]);
    const allowed = await t.request("GET", `/api/subscriptions/workflows/${group}`);
    assert.equal(allowed.body.terminate.find((w: any) => w.name === "terminate_user_group").reason, undefined);
    await run("terminate_user_group", [{ subscription_id: group }, {}]);
    const terminated = await t.request("GET", "/api/subscriptions?filter=status,terminated");
    assert.equal(terminated.body.length, 3);
    const processes = await t.request("GET", "/api/processes?filter=is_task,false&range=0,99");
    assert.equal(processes.body.length, 8);
    assert.ok(processes.body.every((p: any) => p.last_status === "completed"));
  });

  it("serves the domain model with its block tree", async () => {
    const model = await t.request("GET", `/api/subscriptions/domain-model/${internal}`);
    assert.equal(model.status, 200);
    assert.equal(model.body.subscription_id, internal);
    const blocks = JSON.stringify(model.body);
    assert.match(blocks, /subscription_instance_id/);
    assert.match(blocks, /owner_subscription_id/);
    const missing = await t.request("GET", "/api/subscriptions/domain-model/00000000-0000-0000-0000-000000000000");
    assert.equal(missing.status, 404);
  });
});
