/** The wrappers' first pages and default steps on real subscriptions: create, modify, terminate. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createWorkflow as linkWorkflow, FormNotCompleteError, FormValidationError, subscriptionWorkflows, TRANSLATIONS, WorkflowEngine } from "../src/index.js";
import { loadSteps } from "../src/workflow/process-store.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";

describe(`subscription workflows (${backend})`, () => {
  let db: TestDatabase;
  let engine: WorkflowEngine;
  let productId: string;
  const sub = (id: string) => db.db.selectFrom("subscriptions").selectAll().where("subscription_id", "=", id).executeTakeFirstOrThrow();
  const stepNames = async (pid: string) =>
    (await db.db.selectFrom("process_steps").select("name").where("pid", "=", pid).orderBy("seq").execute()).map((r) => r.name);

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    const product = await db.db
      .insertInto("products")
      .values({ name: "Thing", description: "a thing", product_type: "Thing", tag: "THING", status: "active" })
      .returning("product_id")
      .executeTakeFirstOrThrow();
    productId = product.product_id;
    for (const [name, target] of [["create_thing", "CREATE"], ["modify_thing", "MODIFY"], ["terminate_thing", "TERMINATE"]] as const) {
      await register(db, name, target, { inDatabase: false });
      await linkWorkflow(db.db, { name, target, description: name, product_type: "Thing" });
    }
    engine = new WorkflowEngine({ database: db });
    await engine.start();
  });
  after(async () => {
    await engine.shutdown();
    await db.close();
  });

  let subscriptionId = "";

  it("create: the first page offers the products linked to the workflow, then the workflow's own form", async () => {
    await assert.rejects(engine.startProcess("create_thing", []), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      const product = (e.form.properties as Record<string, { $ref?: string }>).product!;
      assert.ok(product);
      const defs = e.form.$defs as Record<string, { enum: string[]; options?: Record<string, string> }>;
      const def = Object.values(defs)[0]!;
      assert.deepEqual(def.enum, [productId]);
      assert.deepEqual(def.options, { [productId]: "Thing" });
      return true;
    });
    await assert.rejects(engine.startProcess("create_thing", [{ product: productId }]), (e: Error) => e instanceof FormNotCompleteError && e.form.title === "Thing");
    await assert.rejects(engine.startProcess("create_thing", [{ product: "00000000-0000-0000-0000-000000000000" }, { name: "x" }]), FormValidationError);
    const pid = await engine.startProcess("create_thing", [{ product: productId }, { name: "one" }]);
    assert.equal(await engine.waitFor(pid), "completed");
    assert.deepEqual(await stepNames(pid), [
      "Start", "Create subscription", "Create Process Subscription relation", "Set subscription to 'active'",
      "Unlock subscription", "Refresh subscription search index", "Refresh process search index", "Done",
    ]);
    const state = (await db.db.selectFrom("process_steps").select("state").where("pid", "=", pid).where("name", "=", "Done").executeTakeFirstOrThrow()).state;
    assert.equal(state.product, productId);
    assert.equal(state.product_name, "Thing");
    subscriptionId = String(state.subscription_id);
    const s = await sub(subscriptionId);
    assert.equal(s.status, "active");
    assert.equal(s.insync, true);
    assert.ok(s.start_date);
    const links = await db.db.selectFrom("processes_subscriptions").selectAll().where("pid", "=", pid).execute();
    assert.equal(links.length, 1);
  });

  it("modify: the subscription page, in-sync check, lock and unlock", async () => {
    await assert.rejects(engine.startProcess("modify_thing", []), (e: Error) => e instanceof FormNotCompleteError && "subscription_id" in (e.form.properties as object));
    const pid = await engine.startProcess("modify_thing", [{ subscription_id: subscriptionId }, { description: "Renamed" }]);
    assert.equal(await engine.waitFor(pid), "completed");
    assert.deepEqual(await stepNames(pid), [
      "Start", "Create Process Subscription relation", "Lock subscription", "Update description", "Unlock subscription",
      "Refresh subscription search index", "Refresh process search index", "Done",
    ]);
    const s = await sub(subscriptionId);
    assert.equal(s.description, "Renamed");
    assert.equal(s.insync, true);
    const lock = (await loadSteps(db.db, pid)).find((row) => row.name === "Lock subscription")!;
    assert.equal((lock.state.__old_subscriptions__ as Record<string, { description: string }>)[subscriptionId]!.description, "Thing one");
    // out of sync: refused on the first page with the original's reason
    await db.db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", subscriptionId).execute();
    await assert.rejects(engine.startProcess("modify_thing", [{ subscription_id: subscriptionId }, { description: "x" }]), (e: Error) => {
      assert.ok(e instanceof FormValidationError);
      assert.equal(e.errors[0]!.msg, "This workflow cannot be started: Subscription already has a running process or task");
      return true;
    });
    await db.db.updateTable("subscriptions").set({ insync: true }).where("subscription_id", "=", subscriptionId).execute();
    // a stale version is refused
    await assert.rejects(engine.startProcess("modify_thing", [{ subscription_id: subscriptionId, version: 1 }, { description: "x" }]), /Stale data/);
  });

  it("terminate: refused while another subscription uses it; then sets terminated with an end date", async () => {
    const block = await db.db.insertInto("product_blocks").values({ name: "B", description: "b" }).returning("product_block_id").executeTakeFirstOrThrow();
    const other = await db.db
      .insertInto("subscriptions")
      .values({ description: "user", status: "active", product_id: productId, customer_id: "c1", insync: true })
      .returning("subscription_id")
      .executeTakeFirstOrThrow();
    const mine = await db.db.insertInto("subscription_instances").values({ subscription_id: subscriptionId, product_block_id: block.product_block_id }).returning("subscription_instance_id").executeTakeFirstOrThrow();
    const theirs = await db.db.insertInto("subscription_instances").values({ subscription_id: other.subscription_id, product_block_id: block.product_block_id }).returning("subscription_instance_id").executeTakeFirstOrThrow();
    await db.db.insertInto("subscription_instance_relations").values({ in_use_by_id: theirs.subscription_instance_id, depends_on_id: mine.subscription_instance_id, order_id: 0, domain_model_attr: "group" }).execute();
    await assert.rejects(engine.startProcess("terminate_thing", [{ subscription_id: subscriptionId }]), (e: Error) => {
      assert.ok(e instanceof FormValidationError);
      assert.equal(e.errors[0]!.msg, "This workflow cannot be started: This subscription can not be modified as it is used in other subscriptions");
      return true;
    });
    // the reasons per workflow, as the API will show them
    let all = await subscriptionWorkflows(db.db, subscriptionId);
    assert.deepEqual(all.terminate, [
      {
        name: "terminate_thing",
        description: "terminate_thing",
        reason: "subscription.no_modify_subscription_in_use_by_others",
        unterminated_in_use_by_subscriptions: [other.subscription_id],
        unterminated_in_use_by_subscriptions_detail: [{ subscription_id: other.subscription_id, subscription_description: "user" }],
        action: "terminated",
      },
    ]);
    assert.deepEqual(all.modify, [{ name: "modify_thing", description: "modify_thing" }]);
    assert.deepEqual(all.create[0]!.reason, "subscription.no_modify_invalid_status");
    assert.equal(all.reason, undefined);
    // a related subscription out of sync locks this one's workflows (not tasks)
    await db.db.updateTable("subscriptions").set({ insync: false }).where("subscription_id", "=", other.subscription_id).execute();
    all = await subscriptionWorkflows(db.db, subscriptionId);
    assert.equal(all.reason, "subscription.relations_not_in_sync");
    assert.deepEqual(all.locked_relations, [other.subscription_id]);
    assert.deepEqual(all.locked_relations_detail, [{ subscription_id: other.subscription_id, subscription_description: "user" }]);
    assert.equal(all.modify[0]!.reason, "subscription.relations_not_in_sync");
    assert.equal(TRANSLATIONS[all.reason!], "This subscription can not be modified because some related subscriptions are not insync");
    await db.db.updateTable("subscriptions").set({ insync: true, status: "terminated" }).where("subscription_id", "=", other.subscription_id).execute();
    const pid = await engine.startProcess("terminate_thing", [{ subscription_id: subscriptionId }]);
    assert.equal(await engine.waitFor(pid), "completed");
    assert.deepEqual(await stepNames(pid), [
      "Start", "Create Process Subscription relation", "Lock subscription", "Deprovision", "Set subscription to 'terminated'",
      "Unlock subscription", "Refresh subscription search index", "Refresh process search index", "Done",
    ]);
    const s = await sub(subscriptionId);
    assert.equal(s.status, "terminated");
    assert.ok(s.end_date);
    // a terminated subscription cannot be modified
    await assert.rejects(engine.startProcess("modify_thing", [{ subscription_id: subscriptionId }, { description: "x" }]), /can not be modified because of the status it has/);
  });
});
