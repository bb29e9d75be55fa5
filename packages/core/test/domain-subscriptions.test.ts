/**
 * Subscriptions of the beginner models: new from a product, saved and loaded round trip, a user referencing its
 * group's block, lifecycle checks with every missing field named, the safety rule, and steps that return models.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { sql } from "kysely";
import {
  changeLifecycle,
  deleteCustomerDescription,
  DomainValidationError,
  getCustomerDescriptions,
  getSubscriptionMetadata,
  setCustomerDescription,
  setSubscriptionMetadata,
  fromProductId,
  fromSubscription,
  LazyWorkflowInstance,
  loadMigrations,
  Migrator,
  CORE_VERSIONS_FOLDER,
  saveSubscription,
  StaleDataError,
  WorkflowEngine,
  type SubscriptionModel,
} from "../src/index.js";
import { User } from "../../../examples/beginner/products/index.js";
import { UserGroup } from "../../../examples/beginner/products/index.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { REPO_ROOT } from "./support/files.js";

describe(`subscriptions of the beginner models (${backend})`, () => {
  let db: TestDatabase;
  let products: Record<string, string>;
  let groupId = "";
  let userId = "";

  before(async () => {
    db = await freshDatabase();
    const beginner = join(REPO_ROOT, "examples/beginner/migrations/versions/schema");
    await new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER, beginner])).upgrade("heads");
    products = Object.fromEntries((await db.db.selectFrom("products").select(["name", "product_id"]).execute()).map((p) => [p.name, p.product_id]));
  });
  after(() => db.close());

  it("a new subscription has empty blocks and the product's fixed inputs, typed per lifecycle", async () => {
    const group = await fromProductId(db.db, products["User Group"]!, "c1", { productType: UserGroup });
    assert.equal(group.status, "initial");
    assert.equal(group.description, "Initial subscription of user group administration");
    assert.equal(group.user_group.group_name, null);
    assert.ok(group.user_group.subscription_instance_id);
    const user = await fromProductId(db.db, products["User internal"]!, "c1");
    assert.equal((user as unknown as SubscriptionModel<typeof User>).affiliation, "internal");
    await assert.rejects(fromProductId(db.db, "00000000-0000-0000-0000-000000000000", "c1"), /Could not find a product for the given product_id/);
  });

  it("moving to a lifecycle names every missing field; a complete model is saved and loads back the same", async () => {
    const group = await fromProductId(db.db, products["User Group"]!, "c1", { productType: UserGroup });
    await assert.rejects(changeLifecycle(db.db, group, "active"), (e: Error) => {
      assert.ok(e instanceof DomainValidationError);
      assert.match(e.message, /user_group\.group_name is required in lifecycle active/);
      assert.match(e.message, /user_group\.group_id is required in lifecycle active/);
      return true;
    });
    group.user_group.group_name = "Group One";
    group.description = "User Group Group One";
    const provisioning = await changeLifecycle(db.db, group, "provisioning", UserGroup);
    await db.db.transaction().execute((trx) => saveSubscription(trx, provisioning));
    provisioning.user_group.group_id = 42;
    const active = await changeLifecycle(db.db, provisioning, "active", UserGroup);
    assert.ok(active.start_date, "the start date is set on the way to active");
    await db.db.transaction().execute((trx) => saveSubscription(trx, active));
    groupId = active.subscription_id;
    const loaded = await fromSubscription(db.db, groupId, UserGroup);
    assert.equal(loaded.status, "active");
    assert.equal(loaded.user_group.group_id, 42, "parsed back from the stored string");
    assert.equal(loaded.user_group.group_name, "Group One");
    assert.equal(loaded.user_group.subscription_instance_id, active.user_group.subscription_instance_id);
    assert.equal(loaded.version, 2);
    const values = await sql<{ resource_type: string; value: string }>`
      select rt.resource_type, v.value from subscription_instance_values v join resource_types rt using (resource_type_id) order by 1`.execute(db.db);
    assert.deepEqual(values.rows, [{ resource_type: "group_id", value: "42" }, { resource_type: "group_name", value: "Group One" }]);
  });

  it("a user references its group's block: a relation, not a copy; the group sees it in in_use_by", async () => {
    const group = await fromSubscription(db.db, groupId, UserGroup);
    const user = await fromProductId(db.db, products["User internal"]!, "c1", { productType: User });
    user.user.group = group.user_group;
    user.user.username = "my_user";
    user.user.age = 30;
    user.description = "User my_user from group Group One (internal)";
    const provisioning = await changeLifecycle(db.db, user, "provisioning", User);
    provisioning.user.user_id = 7;
    const active = await changeLifecycle(db.db, provisioning, "active", User);
    await db.db.transaction().execute((trx) => saveSubscription(trx, active));
    userId = active.subscription_id;
    const instances = await db.db.selectFrom("subscription_instances").select("subscription_id").where("subscription_id", "=", userId).execute();
    assert.equal(instances.length, 1, "only the user block belongs to the user");
    const loaded = await fromSubscription(db.db, userId, User);
    assert.equal(loaded.user.group.owner_subscription_id, groupId);
    assert.equal(loaded.user.group.group_name, "Group One");
    assert.equal(loaded.user.age, 30);
    assert.equal(loaded.affiliation, "internal");
  });

  it("a loaded block lists the blocks of other subscriptions that use it", async () => {
    const group = await fromSubscription(db.db, groupId, UserGroup);
    assert.deepEqual(group.user_group.in_use_by?.map((u) => u.subscription_id), [userId]);
  });

  it("metadata and customer descriptions", async () => {
    assert.equal(await getSubscriptionMetadata(db.db, groupId), undefined);
    await setSubscriptionMetadata(db.db, groupId, { contact: "noc@example.org", tags: ["a"] });
    await setSubscriptionMetadata(db.db, groupId, { contact: "ops@example.org" });
    assert.deepEqual(await getSubscriptionMetadata(db.db, groupId), { contact: "ops@example.org" });
    const first = await setCustomerDescription(db.db, { subscription_id: groupId, customer_id: "c1", description: "Our group" });
    assert.equal(first.version, 1);
    const second = await setCustomerDescription(db.db, { subscription_id: groupId, customer_id: "c1", description: "Our renamed group" });
    assert.equal(second.version, 2, "the version is bumped on change");
    await setCustomerDescription(db.db, { subscription_id: groupId, customer_id: "c2", description: "Their group" });
    assert.deepEqual((await getCustomerDescriptions(db.db, groupId)).map((d) => [d.customer_id, d.description]), [["c1", "Our renamed group"], ["c2", "Their group"]]);
    assert.equal(await deleteCustomerDescription(db.db, groupId, "c2"), true);
    assert.equal(await deleteCustomerDescription(db.db, groupId, "c2"), false);
  });

  it("the safety rule: a group cannot be terminated while an active user uses it", async () => {
    const group = await fromSubscription(db.db, groupId, UserGroup);
    await assert.rejects(changeLifecycle(db.db, group, "terminated"), /Unsafe status change of Subscription with depending subscriptions: \['User my_user from group Group One \(internal\)' \(active\)\]/);
  });

  it("a stale model is refused", async () => {
    const a = await fromSubscription(db.db, groupId, UserGroup);
    const b = await fromSubscription(db.db, groupId, UserGroup);
    a.note = "first";
    await db.db.transaction().execute((trx) => saveSubscription(trx, a));
    b.note = "second";
    await assert.rejects(db.db.transaction().execute((trx) => saveSubscription(trx, b)), StaleDataError);
  });

  it("a loaded model's save writes only what changed; what is stored is what a whole write stores", async () => {
    let statements: string[] = [];
    const blockRows = async () =>
      (
        await sql<{ row: string }>`SELECT concat_ws('|', i.subscription_instance_id, i.product_block_id, i.label, rt.resource_type, v.value) AS row
          FROM subscription_instances i LEFT JOIN subscription_instance_values v USING (subscription_instance_id) LEFT JOIN resource_types rt USING (resource_type_id)
          WHERE i.subscription_id = ${userId} ORDER BY 1`.execute(db.db)
      ).rows.map((r) => r.row);
    const save = (model: SubscriptionModel<typeof User>) =>
      db.db.transaction().execute(async (trx) => {
        const log = trx.withPlugin({
          transformQuery: (args) => {
            statements.push(args.node.kind);
            return args.node;
          },
          transformResult: async (args) => args.result,
        });
        return saveSubscription(log, model);
      });
    const user = await fromSubscription(db.db, userId, User);
    statements = [];
    await save(user);
    assert.equal(statements.length, 1, `unchanged: the row alone (${statements.join("; ")})`);
    user.user.age = 31;
    statements = [];
    await save(user);
    assert.equal(statements.length, 2, `a value changed: the row, then the block's values (${statements.join("; ")})`);
    const afterDiff = await blockRows();
    assert.equal((await fromSubscription(db.db, userId, User)).user.age, 31);
    // a plain copy has no snapshot: written whole, the same rows result
    const whole = JSON.parse(JSON.stringify(await fromSubscription(db.db, userId, User))) as SubscriptionModel<typeof User>;
    statements = [];
    await save(whole);
    assert.ok(statements.length > 2, "a plain copy is written whole");
    assert.deepEqual(await blockRows(), afterDiff);
    // a model whose snapshot is stale (saved meanwhile through another copy) is refused as before
    const a = await fromSubscription(db.db, userId, User);
    const b = await fromSubscription(db.db, userId, User);
    a.user.age = 32;
    await save(a);
    b.user.age = 33;
    await assert.rejects(save(b), StaleDataError);
    assert.equal((await fromSubscription(db.db, userId, User)).user.age, 32);
  });

  it("a step that returns a model saves it in its transaction; a failing step saves nothing", async () => {
    new LazyWorkflowInstance(join(REPO_ROOT, "packages/core/test/support/model-workflows.ts"), "rename_group");
    new LazyWorkflowInstance(join(REPO_ROOT, "packages/core/test/support/model-workflows.ts"), "rename_group_then_fail");
    for (const name of ["rename_group", "rename_group_then_fail"]) {
      await db.db.insertInto("workflows").values({ name, target: "SYSTEM", description: name, is_task: true }).execute();
    }
    const engine = new WorkflowEngine({ database: db });
    await engine.start();
    try {
      const failing = await engine.startProcess("rename_group_then_fail", [{}]);
      assert.equal(await engine.waitFor(failing), "failed");
      assert.equal((await fromSubscription(db.db, groupId, UserGroup)).user_group.group_name, "Group One", "nothing of the failing step was saved");
      const pid = await engine.startProcess("rename_group", [{}]);
      assert.equal(await engine.waitFor(pid), "completed");
      assert.equal((await fromSubscription(db.db, groupId, UserGroup)).user_group.group_name, "Renamed");
    } finally {
      await engine.shutdown();
    }
  });
});
