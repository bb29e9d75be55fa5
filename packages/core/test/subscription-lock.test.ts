/**
 * Subscription locks are atomic: many concurrent starts of a modify workflow on one subscription, over real HTTP.
 * Each start that is answered 201 took the lock in the statement that created its process, so it completes; every
 * other start is refused up front with the original's reason, and no process fails for having lost the race.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";

const CONCURRENT_STARTS = 50;

describe(`subscription locks under concurrent starts (${backend})`, () => {
  let t: TestServer;
  let group: string;

  before(async () => {
    t = await startTestServer({ env: { MAX_WORKERS: "8" } });
    const { body: products } = await t.request("GET", "/api/products");
    const product = products.find((p: { name: string }) => p.name === "User Group").product_id;
    const created = await t.request("POST", "/api/processes/create_user_group", [{ product }, { group_name: "Start" }]);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const detail = await t.settle(created.body.id);
    assert.equal(detail.last_status, "completed");
    group = detail.subscriptions[0].subscription_id;
  });
  after(() => t?.close());

  it(`${CONCURRENT_STARTS} concurrent modify_user_group starts: winners complete, losers get 400 with the reason`, { timeout: 120_000 }, async () => {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT_STARTS }, (_, i) =>
        t.request("POST", "/api/processes/modify_user_group", [{ subscription_id: group }, { group_name: `Name ${i}` }]).then((r) => ({ i, ...r })),
      ),
    );
    const won = answers.filter((a) => a.status === 201);
    const lost = answers.filter((a) => a.status !== 201);
    assert.ok(won.length >= 1, "at least one start wins");
    for (const a of lost) {
      assert.equal(a.status, 400, JSON.stringify(a.body));
      assert.match(JSON.stringify(a.body), /This workflow cannot be started: Subscription already has a running process or task/);
    }
    const details = [];
    for (const a of won) details.push(await t.settle(a.body.id));
    for (const d of details) assert.equal(d.last_status, "completed", JSON.stringify(d.steps.at(-1)));

    // no process of this workflow exists but the winners' (a refused start writes nothing), and none failed
    const { body: processes } = await t.request("GET", "/api/processes?filter=workflowName,modify_user_group");
    assert.equal(processes.length, won.length);
    assert.ok(processes.every((p: { last_status: string }) => p.last_status === "completed"));

    // the winners held the lock one after another: no two runs overlap
    const runs = details
      .map((d) => ({ start: new Date(d.started_at).getTime(), end: new Date(d.last_modified_at).getTime() }))
      .sort((a, b) => a.start - b.start);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.start >= runs[i - 1]!.end, `runs ${i - 1} and ${i} overlap`);
    // the subscription is in sync with the last one's change
    const last = details.reduce((a, b) => (new Date(a.last_modified_at) > new Date(b.last_modified_at) ? a : b));
    const lastName = won.find((w) => w.body.id === last.process_id)!.i;
    const { body: subscription } = await t.request("GET", `/api/subscriptions/${group}`);
    assert.equal(subscription.insync, true);
    assert.equal(subscription.description, `User Group Name ${lastName}`);
    console.log(`concurrent starts: ${CONCURRENT_STARTS}, answered 201: ${won.length}, refused 400: ${lost.length}, failed processes: 0`);
  });

  it("a start on a subscription that is out of sync is refused and writes nothing", async () => {
    await t.server.database.db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", group).execute();
    const before = await t.request("GET", "/api/processes");
    const refused = await t.request("POST", "/api/processes/modify_user_group", [{ subscription_id: group }, { group_name: "Late" }]);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /Subscription already has a running process or task/);
    assert.equal((await t.request("GET", "/api/processes")).body.length, before.body.length);
    await t.request("PUT", `/api/subscriptions/${group}/set_in_sync`);
  });
});
