/**
 * The beginner scenario through the engine: create a user group and a user in it, modify both, see terminating the
 * group refused while the user is active, terminate the user then the group.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CORE_VERSIONS_FOLDER,
  FormNotCompleteError,
  FormValidationError,
  fromSubscription,
  loadMigrations,
  Migrator,
  setWorkflowRoot,
  WorkflowEngine,
} from "../src/index.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { REPO_ROOT } from "./support/files.js";

const APP = join(REPO_ROOT, "examples/beginner");

describe(`the beginner workflows (${backend})`, () => {
  let db: TestDatabase;
  let engine: WorkflowEngine;
  let products: Record<string, string>;
  let groupId = "";
  let userId = "";
  const steps = async (pid: string) =>
    (await db.db.selectFrom("process_steps").select("name").where("pid", "=", pid).orderBy("seq").execute()).map((s) => s.name);
  const finalState = async (pid: string) =>
    (await db.db.selectFrom("process_steps").select("state").where("pid", "=", pid).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow()).state;
  const run = async (name: string, inputs: unknown[]) => {
    const pid = await engine.startProcess(name, inputs, "tester");
    const status = await engine.waitFor(pid);
    const row = await db.db.selectFrom("processes").select(["failed_reason"]).where("pid", "=", pid).executeTakeFirstOrThrow();
    assert.equal(status, "completed", `${name}: ${row.failed_reason}`);
    return pid;
  };

  before(async () => {
    setWorkflowRoot(APP);
    await import(join(APP, "products/index.ts"));
    await import(join(APP, "workflows/index.ts"));
    db = await freshDatabase();
    await new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER, join(APP, "migrations/versions/schema")])).upgrade("heads");
    products = Object.fromEntries((await db.db.selectFrom("products").select(["name", "product_id"]).execute()).map((p) => [p.name, p.product_id]));
    engine = new WorkflowEngine({ database: db });
    await engine.start();
  });
  after(async () => {
    await engine.shutdown();
    await db.close();
  });

  it("create_user_group: a product page, then the group name; the steps of the reference", async () => {
    await assert.rejects(engine.startProcess("create_user_group", [{ product: products["User Group"] }]), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      assert.equal(e.form.title, "User Group");
      assert.deepEqual(e.form.required, ["group_name"]);
      return true;
    });
    const pid = await run("create_user_group", [{ product: products["User Group"] }, { group_name: "Group One" }]);
    assert.deepEqual(await steps(pid), [
      "Start", "Create subscription", "Create Process Subscription relation", "Initialize subscription",
      "Provision user group", "Set subscription to 'active'", "Unlock subscription", "Done",
    ]);
    groupId = String((await finalState(pid)).subscription_id);
    const group = await fromSubscription(db.db, groupId);
    assert.equal(group.description, "User Group Group One");
    assert.equal(group.status, "active");
    assert.equal(group.insync, true);
    const groupId_ = (group as unknown as { user_group: { group_id: number } }).user_group.group_id;
    assert.ok(Number.isInteger(groupId_) && groupId_ > 0, "the fake group id is a positive integer");
  });

  it("create_user: the group is chosen from a dropdown of active groups; the user references the group's block", async () => {
    await assert.rejects(engine.startProcess("create_user", [{ product: products["User internal"] }]), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      const field = (e.form.properties as Record<string, { minItems?: number; maxItems?: number; items?: { $ref?: string } }>).user_group_ids!;
      assert.equal(field.minItems, 1);
      assert.equal(field.maxItems, 1);
      const defs = e.form.$defs as Record<string, { enum: string[]; options: Record<string, string> }>;
      assert.deepEqual(defs.UserGroupEnum!.options, { [groupId]: "User Group Group One" });
      return true;
    });
    await assert.rejects(
      engine.startProcess("create_user", [{ product: products["User internal"] }, { username: "my_user", user_group_ids: [groupId, groupId] }]),
      FormValidationError,
    );
    const pid = await run("create_user", [{ product: products["User internal"] }, { username: "my_user", age: 30, user_group_ids: [groupId] }]);
    assert.deepEqual(await steps(pid), [
      "Start", "Create subscription", "Create Process Subscription relation", "Initialize subscription",
      "Provision user", "Set subscription to 'active'", "Unlock subscription", "Done",
    ]);
    userId = String((await finalState(pid)).subscription_id);
    const user = (await fromSubscription(db.db, userId)) as unknown as { description: string; user: { group: { owner_subscription_id: string }; user_id: number } };
    assert.equal(user.description, "User my_user from group Group One (internal)");
    assert.equal(user.user.group.owner_subscription_id, groupId);
    assert.ok(user.user.user_id > 0);
  });

  it("modify_user_group and modify_user: prefilled forms, read-only group id, descriptions follow", async () => {
    await assert.rejects(engine.startProcess("modify_user_group", [{ subscription_id: groupId }]), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      const props = e.form.properties as Record<string, { default?: unknown; const?: unknown }>;
      assert.equal(props.group_name!.default, "Group One");
      assert.ok(props.group_id!.const !== undefined, "group_id is read-only");
      return true;
    });
    let pid = await run("modify_user_group", [{ subscription_id: groupId }, { group_name: "Group Uno" }]);
    assert.deepEqual(await steps(pid), ["Start", "Create Process Subscription relation", "Lock subscription", "Modify user group", "Unlock subscription", "Done"]);
    assert.equal((await fromSubscription(db.db, groupId)).description, "User Group Group Uno");
    await assert.rejects(engine.startProcess("modify_user", [{ subscription_id: userId }]), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      const props = e.form.properties as Record<string, { default?: unknown }>;
      assert.equal(props.username!.default, "my_user");
      assert.deepEqual(props.user_group_ids!.default, [groupId]);
      return true;
    });
    pid = await run("modify_user", [{ subscription_id: userId }, { username: "my_user2" }]);
    assert.deepEqual(await steps(pid), ["Start", "Create Process Subscription relation", "Lock subscription", "Modify subscription", "Unlock subscription", "Done"]);
    assert.equal((await fromSubscription(db.db, userId)).description, "User my_user2 from group Group Uno (internal)");
  });

  it("terminating the group is refused while the user is active; user first, then the group", async () => {
    await assert.rejects(engine.startProcess("terminate_user_group", [{ subscription_id: groupId }, {}]), (e: Error) => {
      assert.ok(e instanceof FormValidationError);
      assert.equal(e.errors[0]!.msg, "This workflow cannot be started: This subscription can not be modified as it is used in other subscriptions");
      return true;
    });
    await assert.rejects(engine.startProcess("terminate_user", [{ subscription_id: userId }]), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      assert.match(JSON.stringify(e.form), /Are you sure you want to remove User my_user2 from group Group Uno \(internal\)\?/);
      return true;
    });
    let pid = await run("terminate_user", [{ subscription_id: userId }, {}]);
    assert.deepEqual(await steps(pid), [
      "Start", "Create Process Subscription relation", "Lock subscription", "Deprovision user",
      "Set subscription to 'terminated'", "Unlock subscription", "Done",
    ]);
    pid = await run("terminate_user_group", [{ subscription_id: groupId }, {}]);
    assert.deepEqual(await steps(pid), [
      "Start", "Create Process Subscription relation", "Lock subscription", "Deprovision user group",
      "Set subscription to 'terminated'", "Unlock subscription", "Done",
    ]);
    const group = await fromSubscription(db.db, groupId);
    assert.equal(group.status, "terminated");
    assert.ok(group.end_date);
  });
});
