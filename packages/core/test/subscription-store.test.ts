/** Saving and loading subscriptions as orchestrator-core stores them, with blocks referenced across subscriptions. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { create, type MigrationConnection } from "../src/index.js";
import { loadStoredSubscription, saveStoredSubscription, StaleDataError, type StoredBlock } from "../src/domain/subscription-store.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate } from "./support/engine-db.js";

describe(`subscription storage (${backend})`, () => {
  let db: TestDatabase;
  let groupProduct: string;
  let userProduct: string;
  const groupId = randomUUID();
  const userId = randomUUID();
  const groupBlock: StoredBlock = {
    subscription_instance_id: randomUUID(),
    owner_subscription_id: groupId,
    name: "UserGroupBlock",
    label: null,
    values: { group_name: ["Group One"], group_id: ["42"] },
    relations: {},
    in_use_by: [],
  };
  const base = (id: string, product: string, description: string) => ({
    subscription_id: id,
    product_id: product,
    customer_id: "c1",
    description,
    status: "active",
    insync: true,
    start_date: null,
    end_date: null,
    note: null,
  });

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    await db.db.transaction().execute(async (trx) => {
      await create(trx as unknown as MigrationConnection, {
        products: {
          "User Group": { product_id: randomUUID(), product_type: "UserGroup", description: "user group administration", tag: "GROUP", status: "active", product_blocks: ["UserGroupBlock"] },
          "User internal": { product_id: randomUUID(), product_type: "User", description: "user administration - internal", tag: "USER_INT", status: "active", product_blocks: ["UserBlock"], fixed_inputs: { affiliation: "internal" } },
        },
        product_blocks: {
          UserGroupBlock: { product_block_id: randomUUID(), description: "user group block", tag: "UGB", status: "active", resources: { group_name: "name of the user group", group_id: "id of the user group", constructor: "a field named like a property of every object" } },
          UserBlock: { product_block_id: randomUUID(), description: "user block", tag: "UB", status: "active", resources: { username: "name of the user", age: "age of the user", user_id: "id of the user", nicknames: "other names" }, depends_on_block_relations: ["UserGroupBlock"] },
        },
      } as never);
    });
    const products = await db.db.selectFrom("products").select(["name", "product_id"]).execute();
    groupProduct = products.find((p) => p.name === "User Group")!.product_id;
    userProduct = products.find((p) => p.name === "User internal")!.product_id;
  });
  after(() => db.close());

  it("a field named like a property of every object (constructor) is stored and loaded as any other", async () => {
    const id = randomUUID();
    const block: StoredBlock = { ...groupBlock, subscription_instance_id: randomUUID(), owner_subscription_id: id, values: { group_name: ["G"], constructor: ["c"] } };
    await db.db.transaction().execute((trx) => saveStoredSubscription(trx, { ...base(id, groupProduct, "User Group G"), blocks: [block] }));
    const loaded = await loadStoredSubscription(db.db, id);
    assert.deepEqual(loaded.blocks[0]!.values, { group_name: ["G"], constructor: ["c"] });
    const plainId = randomUUID();
    const plain: StoredBlock = { ...groupBlock, subscription_instance_id: randomUUID(), owner_subscription_id: plainId, values: { group_name: ["H"] } };
    await db.db.transaction().execute((trx) => saveStoredSubscription(trx, { ...base(plainId, groupProduct, "User Group H"), blocks: [plain] }));
    assert.equal(Object.hasOwn((await loadStoredSubscription(db.db, plainId)).blocks[0]!.values, "constructor"), false);
  });

  it("saves a subscription with one block: one instance, one value row per scalar, as strings", async () => {
    const version = await db.db.transaction().execute((trx) => saveStoredSubscription(trx, { ...base(groupId, groupProduct, "User Group Group One"), blocks: [groupBlock] }));
    assert.equal(version, 1);
    const values = await db.db
      .selectFrom("subscription_instance_values as v")
      .innerJoin("resource_types as rt", "rt.resource_type_id", "v.resource_type_id")
      .select(["rt.resource_type", "v.value"])
      .where("v.subscription_instance_id", "=", groupBlock.subscription_instance_id)
      .orderBy("rt.resource_type")
      .execute();
    assert.deepEqual(values, [{ resource_type: "group_id", value: "42" }, { resource_type: "group_name", value: "Group One" }]);
  });

  it("a block referencing another subscription's block is stored as a relation, not a copy", async () => {
    const userBlock: StoredBlock = {
      subscription_instance_id: randomUUID(),
      owner_subscription_id: userId,
      name: "UserBlock",
      label: null,
      values: { username: ["my_user"], age: ["30"], user_id: ["7"], nicknames: ["b", "a"] },
      relations: { group: [{ ...groupBlock, values: { group_name: ["CHANGED"] } }] },
      in_use_by: [],
    };
    await db.db.transaction().execute((trx) => saveStoredSubscription(trx, { ...base(userId, userProduct, "User my_user from group Group One (internal)"), blocks: [userBlock] }));
    const instances = await db.db.selectFrom("subscription_instances").select("subscription_id").where("subscription_id", "=", userId).execute();
    assert.equal(instances.length, 1, "only the user's own block is an instance of the user");
    const rel = await db.db.selectFrom("subscription_instance_relations").selectAll().where("in_use_by_id", "=", userBlock.subscription_instance_id).execute();
    assert.deepEqual(rel, [{ in_use_by_id: userBlock.subscription_instance_id, depends_on_id: groupBlock.subscription_instance_id, order_id: 0, domain_model_attr: "group" }]);

    const loaded = await loadStoredSubscription(db.db, userId);
    assert.equal(loaded.product.name, "User internal");
    assert.deepEqual(loaded.fixed_inputs, { affiliation: "internal" });
    assert.equal(loaded.blocks.length, 1);
    const user = loaded.blocks[0]!;
    assert.deepEqual(user.values, { age: ["30"], nicknames: ["a", "b"], user_id: ["7"], username: ["my_user"] });
    const group = user.relations.group![0]!;
    assert.equal(group.owner_subscription_id, groupId);
    assert.deepEqual(group.values, { group_id: ["42"], group_name: ["Group One"] }, "the group's values were not changed by the user's save");

    const groupLoaded = await loadStoredSubscription(db.db, groupId);
    assert.deepEqual(groupLoaded.blocks[0]!.in_use_by, [{ subscription_instance_id: user.subscription_instance_id, subscription_id: userId }]);
  });

  it("refuses a stale save and a field that is not a resource type of the block", async () => {
    const loaded = await loadStoredSubscription(db.db, groupId);
    await db.db.updateTable("subscriptions").set({ note: "someone else" }).where("subscription_id", "=", groupId).execute();
    await assert.rejects(
      db.db.transaction().execute((trx) => saveStoredSubscription(trx, { ...loaded, description: "mine" }, { expectedVersion: loaded.version })),
      (e: Error) => e instanceof StaleDataError && /has version 2, not 1/.test(e.message),
    );
    await assert.rejects(
      db.db.transaction().execute((trx) =>
        saveStoredSubscription(trx, { ...loaded, blocks: [{ ...loaded.blocks[0]!, values: { ...loaded.blocks[0]!.values, colour: ["red"] } }] }),
      ),
      /Domain model UserGroupBlock does not match the product block UserGroupBlock in the database, missing: colour/,
    );
  });

  it("removes owned instances that are no longer in the tree", async () => {
    const loaded = await loadStoredSubscription(db.db, userId);
    await db.db.transaction().execute((trx) => saveStoredSubscription(trx, { ...loaded, blocks: [] }));
    assert.equal((await db.db.selectFrom("subscription_instances").select("subscription_instance_id").where("subscription_id", "=", userId).execute()).length, 0);
    assert.equal((await loadStoredSubscription(db.db, groupId)).blocks[0]!.in_use_by.length, 0);
  });

  it("an unknown subscription is a clear error", async () => {
    await assert.rejects(loadStoredSubscription(db.db, randomUUID()), /Subscription with id: .*, does not exist/);
  });
});
