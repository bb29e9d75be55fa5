/**
 * The rest of the REST API over real HTTP: health, OpenAPI and docs, metrics, products, product blocks, resource
 * types, workflows and their registration view, the subscription list and its errors, set in sync, customer
 * descriptions, CORS and unknown routes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LazyWorkflowInstance } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";
import { TEST_WORKFLOWS_FILE } from "./support/engine-db.js";

const MISSING = "00000000-0000-0000-0000-000000000000";

describe(`the catalogue and subscription routes (${backend})`, () => {
  let t: TestServer;
  let group: string;
  let groupProduct: string;

  before(async () => {
    t = await startTestServer();
    const products = (await t.request("GET", "/api/products")).body;
    groupProduct = products.find((p: any) => p.name === "User Group").product_id;
    const created = await t.request("POST", "/api/processes/create_user_group", [{ product: groupProduct }, { group_name: "Ops" }]);
    group = (await t.settle(created.body.id)).subscriptions[0].subscription_id;
  });
  after(() => t?.close());

  it("answers health, the OpenAPI document, its docs and metrics", async () => {
    assert.deepEqual([(await t.request("GET", "/api/health")).status, (await t.request("GET", "/api/health")).body], [200, "OK"]);
    const openapi = await t.request("GET", "/api/openapi.json");
    assert.equal(openapi.status, 200);
    assert.match(openapi.body.openapi, /^3\./);
    for (const path of ["/api/processes/", "/api/processes/{workflow_key}", "/api/subscriptions/workflows/{subscription_id}", "/api/settings/status"]) {
      assert.ok(openapi.body.paths[path] ?? openapi.body.paths[path.replace(/\/$/, "")], `${path} in ${Object.keys(openapi.body.paths).join(" ")}`);
    }
    const range = openapi.body.paths["/api/processes/"] ?? openapi.body.paths["/api/processes"];
    assert.ok(range.get.parameters.some((p: any) => p.name === "range"));
    const docs = await fetch(`${t.url}/api/docs`, { redirect: "follow" });
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);

    const metrics = await t.request("GET", "/api/metrics");
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get("content-type")!, /text\/plain/);
    assert.match(metrics.body, /orchestrator_processes\{status="completed",workflow="create_user_group",is_task="false"\} 1/);
    assert.match(metrics.body, /orchestrator_subscriptions\{product="User Group",lifecycle="active",insync="true"\} 1/);
    assert.match(metrics.body, /orchestrator_engine_status\{status="RUNNING"\} 1/);
    assert.match(metrics.body, /orchestrator_step_duration_seconds_count\{step="Start",status="success"\} 1/);
  });

  it("lists products and changes a description or lifecycle", async () => {
    const list = await t.request("GET", "/api/products?tag=GROUP");
    assert.deepEqual(list.body.map((p: any) => p.name), ["User Group"]);
    const product = await t.request("GET", `/api/products/${groupProduct}`);
    assert.deepEqual(product.body.product_blocks.map((b: any) => b.name), ["UserGroupBlock"]);
    assert.ok(product.body.workflows.some((w: any) => w.name === "create_user_group" && w.target === "CREATE"));
    const patched = await t.request("PATCH", `/api/products/${groupProduct}`, { description: "Groups of users" });
    assert.equal(patched.status, 201);
    assert.equal(patched.body.description, "Groups of users");
    assert.equal((await t.request("PATCH", `/api/products/${groupProduct}`, { status: "phase out" })).body.status, "phase out");
    assert.equal((await t.request("PATCH", `/api/products/${groupProduct}`, { status: "retired" })).status, 422);
    assert.equal((await t.request("PATCH", `/api/products/${groupProduct}`, { name: "x" })).status, 422);
    assert.equal((await t.request("PATCH", `/api/products/${groupProduct}`, {})).status, 422);
    assert.equal((await t.request("GET", `/api/products/${MISSING}`)).status, 404);
    assert.equal((await t.request("GET", "/api/products/abc")).status, 422);
    await t.request("PATCH", `/api/products/${groupProduct}`, { status: "active" });
  });

  it("lists product blocks and resource types and changes their descriptions", async () => {
    const blocks = (await t.request("GET", "/api/product_blocks")).body;
    const userBlock = blocks.find((b: any) => b.name === "UserBlock");
    assert.ok(userBlock.resource_types.some((r: any) => r.resource_type === "username"));
    assert.deepEqual(userBlock.depends_on.map((b: any) => b.name), ["UserGroupBlock"]);
    const patched = await t.request("PATCH", `/api/product_blocks/${userBlock.product_block_id}`, { description: "A user" });
    assert.equal(patched.status, 201);
    assert.equal(patched.body.description, "A user");
    const types = (await t.request("GET", "/api/resource_types")).body;
    const username = types.find((r: any) => r.resource_type === "username");
    assert.deepEqual(username.product_blocks.map((b: any) => b.name), ["UserBlock"]);
    assert.equal((await t.request("PATCH", `/api/resource_types/${username.resource_type_id}`, { description: "Login name" })).body.description, "Login name");
    assert.equal((await t.request("GET", `/api/resource_types/${MISSING}`)).status, 404);
    assert.equal((await t.request("PATCH", `/api/product_blocks/${MISSING}`, { description: "x" })).status, 404);
  });

  it("lists workflows by target and task, and shows their registration in code and database", async () => {
    const creates = (await t.request("GET", "/api/workflows?target=CREATE")).body;
    assert.deepEqual(creates.map((w: any) => w.name), ["create_user", "create_user_group"]);
    assert.ok(creates[1].steps.some((s: any) => s.name === "Create Process Subscription relation"));
    assert.deepEqual(creates[1].products.map((p: any) => p.name), ["User Group"]);
    const tasks = (await t.request("GET", "/api/workflows?is_task=true")).body;
    assert.ok(tasks.length >= 6 && tasks.every((w: any) => w.is_task));
    assert.equal((await t.request("GET", "/api/workflows?target=LAUNCH")).status, 422);
    const patched = await t.request("PATCH", `/api/workflows/${creates[0].workflow_id}`, { description: "Create a user" });
    assert.equal(patched.status, 201);
    assert.equal(patched.body.description, "Create a user");

    new LazyWorkflowInstance(TEST_WORKFLOWS_FILE, "simple_task");
    await t.server.database.db.insertInto("workflows").values({ name: "gone_from_code", target: "SYSTEM", description: "left behind", is_task: true }).execute();
    const registration = (await t.request("GET", "/api/workflows/registration")).body;
    const by = (name: string) => registration.find((r: any) => r.name === name);
    assert.deepEqual(by("create_user").problems, []);
    assert.deepEqual(by("create_user").product_types, ["User"]);
    assert.equal(by("create_user").in_code && by("create_user").in_database, true);
    assert.equal(by("simple_task").in_database, false);
    assert.match(by("simple_task").problems[0], /not in the database/);
    assert.equal(by("gone_from_code").in_code, false);
    assert.match(by("gone_from_code").problems[0], /not registered in code/);
  });

  it("lists subscriptions with paging, sorting, filters and search", async () => {
    const list = await t.request("GET", "/api/subscriptions?range=0,14&sort=description,asc&filter=status,active-provisioning,product,User Group");
    assert.equal(list.status, 200);
    assert.equal(list.headers.get("content-range"), "subscriptions 0-0/1");
    assert.equal(list.body[0].subscription_id, group);
    assert.equal(list.body[0].product.tag, "GROUP");
    assert.equal((await t.request("GET", "/api/subscriptions?query=ops")).body.length, 1);
    assert.equal((await t.request("GET", "/api/subscriptions?query=nothing-like-it")).body.length, 0);
    assert.equal((await t.request("GET", "/api/subscriptions?filter=insync,false")).body.length, 0);
    assert.equal((await t.request("GET", "/api/subscriptions?sort=productName,desc")).status, 200);
    for (const [query, message] of [
      ["sort=colour,asc", /Invalid sort field "colour"/],
      ["filter=insync", /Invalid number of filter arguments/],
      ["filter=product_id,nope", /not a UUID/],
      ["range=a,b", /Invalid range/],
    ] as const) {
      const r = await t.request("GET", `/api/subscriptions?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(r.body.detail, message);
    }
    const detail = await t.request("GET", `/api/subscriptions/${group}`);
    assert.equal(detail.body.description, "User Group Ops");
    assert.equal(detail.body.processes.length, 1);
    assert.equal((await t.request("GET", `/api/subscriptions/${MISSING}`)).status, 404);
    assert.equal((await t.request("GET", `/api/subscriptions/workflows/${MISSING}`)).status, 404);
  });

  it("sets a subscription in sync and keeps customer descriptions", async () => {
    await t.server.database.db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", group).execute();
    const blocked = await t.request("GET", `/api/subscriptions/workflows/${group}`);
    assert.ok(blocked.body.modify.find((w: any) => w.name === "modify_user_group").reason);
    assert.equal((await t.request("PUT", `/api/subscriptions/${group}/set_in_sync`)).status, 200);
    assert.equal((await t.request("GET", `/api/subscriptions/${group}`)).body.insync, true);
    assert.equal((await t.request("PUT", `/api/subscriptions/${MISSING}/set_in_sync`)).status, 404);

    const body = { subscription_id: group, customer_id: "acme", description: "Acme's ops group" };
    assert.equal((await t.request("POST", "/api/subscription_customer_descriptions", body)).status, 204);
    assert.equal((await t.request("POST", "/api/subscription_customer_descriptions", body)).status, 409);
    assert.equal((await t.request("POST", "/api/subscription_customer_descriptions", { ...body, colour: 1 })).status, 422);
    const found = await t.request("GET", `/api/subscription_customer_descriptions/customer/acme/subscription/${group}`);
    assert.equal(found.body.description, "Acme's ops group");
    assert.equal((await t.request("PUT", "/api/subscription_customer_descriptions", { ...body, id: found.body.id, description: "Ops" })).status, 204);
    assert.equal((await t.request("GET", `/api/subscription_customer_descriptions/${found.body.id}`)).body.description, "Ops");
    assert.deepEqual((await t.request("GET", `/api/subscriptions/${group}`)).body.customer_descriptions.map((d: any) => d.description), ["Ops"]);
    assert.equal((await t.request("DELETE", `/api/subscription_customer_descriptions/${found.body.id}`)).status, 204);
    assert.equal((await t.request("GET", `/api/subscription_customer_descriptions/${found.body.id}`)).status, 404);
  });

  it("answers unknown routes with a JSON 404 and sends CORS headers", async () => {
    const unknown = await t.request("GET", "/api/nothing-here");
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.detail, /Not found/);
    const preflight = await fetch(`${t.url}/api/processes/x/abort`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "PUT", "access-control-request-headers": "authorization,content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-methods")!, /PUT/);
    const list = await fetch(`${t.url}/api/processes?range=0,1`, { headers: { origin: "http://localhost:3000" } });
    assert.match(list.headers.get("access-control-expose-headers")!, /Content-Range/);
  });
});
