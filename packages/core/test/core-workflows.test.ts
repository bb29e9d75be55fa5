/** The workflows core ships: modify_note and the system tasks. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { ALL_WORKFLOWS, StartPredicateError, WorkflowEngine } from "../src/index.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";

describe(`core workflows (${backend})`, () => {
  let db: TestDatabase;
  let engine: WorkflowEngine;
  const proc = (pid: string) => db.db.selectFrom("processes").selectAll().where("pid", "=", pid).executeTakeFirstOrThrow();
  const lastState = async (pid: string) =>
    (await db.db.selectFrom("process_steps").select("state").where("pid", "=", pid).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow()).state;

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    engine = new WorkflowEngine({ database: db });
    await engine.start();
  });
  after(async () => {
    await engine.shutdown();
    await db.close();
  });

  it("the core schema has a row for every core workflow, tasks marked as such", async () => {
    const rows = await db.db.selectFrom("workflows").select(["name", "target", "is_task", "description"]).orderBy("name").execute();
    assert.deepEqual(rows.map((r) => [r.name, r.target, r.is_task]), [
      ["modify_note", "MODIFY", false],
      ["task_clean_up_tasks", "SYSTEM", true],
      ["task_resume_workflows", "SYSTEM", true],
      ["task_validate_awaiting_callbacks", "SYSTEM", true],
      ["task_validate_product_type", "SYSTEM", true],
      ["task_validate_products", "SYSTEM", true],
      ["task_validate_subscriptions", "SYSTEM", true],
    ]);
  });

  it("task_validate_products passes when code and database agree, and names the differences when not", async () => {
    // code has only core workflows at this point (other test files run in their own process)
    const extra = [...ALL_WORKFLOWS.keys()].filter((n) => !n.startsWith("task_") && n !== "modify_note");
    assert.deepEqual(extra, []);
    const ok = await engine.startProcess("task_validate_products");
    assert.equal(await engine.waitFor(ok), "completed");
    assert.equal((await lastState(ok)).check_all_workflows_are_in_db, true);

    await db.db.insertInto("workflows").values({ name: "dangling_one", target: "CREATE", description: "no code" }).execute();
    await register(db, "simple_task", "SYSTEM", { inDatabase: false });
    const bad = await engine.startProcess("task_validate_products");
    assert.equal(await engine.waitFor(bad), "failed");
    const p = await proc(bad);
    assert.equal(p.failed_reason, "Found missing workflows in database or implementations");
    const state = await lastState(bad);
    assert.deepEqual(state.details, {
      "Workflows not registered in the database": ["simple_task"],
      "Workflows not registered in a `LazyWorkflowInstance`": ["dangling_one"],
    });
    // a failed instance blocks a new start (no_uncompleted_instance)
    await assert.rejects(engine.startProcess("task_validate_products"), (e: Error) => e instanceof StartPredicateError && /already has 1 uncompleted instance\(s\)/.test(e.message));
    await engine.abortProcess(bad);
    ALL_WORKFLOWS.delete("simple_task");
    await db.db.deleteFrom("workflows").where("name", "=", "dangling_one").execute();
  });

  it("task_validate_products reports a target that differs between code and database", async () => {
    await register(db, "simple_task", "CREATE");
    const pid = await engine.startProcess("task_validate_products");
    assert.equal(await engine.waitFor(pid), "failed");
    assert.deepEqual((await lastState(pid)).details, [{ name: "simple_task", code: "SYSTEM", database: "CREATE" }]);
    await engine.abortProcess(pid);
    ALL_WORKFLOWS.delete("simple_task");
    await db.db.deleteFrom("processes").where("pid", "=", pid).execute();
    await db.db.deleteFrom("workflows").where("name", "=", "simple_task").execute();
  });

  it("task_clean_up_tasks deletes completed tasks older than the retention", async () => {
    const old = await engine.startProcess("task_validate_products");
    await engine.waitFor(old);
    await db.db.updateTable("processes").set({ last_modified_at: sql`now() - interval '10 days'` }).where("pid", "=", old).execute();
    const pid = await engine.startProcess("task_clean_up_tasks");
    assert.equal(await engine.waitFor(pid), "completed");
    const state = await lastState(pid);
    assert.ok((state.deleted_process_id_list as string[]).includes(old));
    assert.equal((await db.db.selectFrom("processes").select("pid").where("pid", "=", old).execute()).length, 0);
  });

  it("task_resume_workflows resumes waiting processes", async () => {
    await register(db, "retry_later");
    const waiting = await engine.startProcess("retry_later");
    assert.equal(await engine.waitFor(waiting), "waiting");
    const pid = await engine.startProcess("task_resume_workflows");
    assert.equal(await engine.waitFor(pid), "completed");
    const state = await lastState(pid);
    assert.deepEqual(state.waiting_process_ids, [waiting]);
    assert.deepEqual(state.resumed_process_ids, [waiting]);
    assert.equal(await engine.waitFor(waiting), "completed");
  });

  it("task_validate_awaiting_callbacks fails callbacks that timed out", async () => {
    await register(db, "with_callback");
    const pid = await engine.startProcess("with_callback");
    assert.equal(await engine.waitFor(pid), "awaiting_callback");
    const task1 = await engine.startProcess("task_validate_awaiting_callbacks");
    await engine.waitFor(task1);
    assert.equal((await proc(pid)).last_status, "awaiting_callback", "not timed out yet (timeout 60 s)");
    await db.db.updateTable("process_steps").set({ completed_at: sql`completed_at - interval '2 minutes'` }).where("pid", "=", pid).execute();
    const task2 = await engine.startProcess("task_validate_awaiting_callbacks");
    await engine.waitFor(task2);
    const p = await proc(pid);
    assert.equal(p.last_status, "failed");
    assert.equal(p.failed_reason, "Callback timed out");
  });

  it("modify_note stores the note (empty means none) on any subscription", async () => {
    const product = await db.db.insertInto("products").values({ name: "P", description: "p", product_type: "T", tag: "T", status: "active" }).returning("product_id").executeTakeFirstOrThrow();
    await db.db.insertInto("products_workflows").values({ product_id: product.product_id, workflow_id: db.db.selectFrom("workflows").select("workflow_id").where("name", "=", "modify_note") }).execute();
    const s = await db.db.insertInto("subscriptions").values({ description: "s", status: "active", product_id: product.product_id, customer_id: "c", insync: false, note: "old" }).returning("subscription_id").executeTakeFirstOrThrow();
    const pid = await engine.startProcess("modify_note", [{ subscription_id: s.subscription_id }, { note: "new note" }]);
    assert.equal(await engine.waitFor(pid), "completed");
    const row = await db.db.selectFrom("subscriptions").select("note").where("subscription_id", "=", s.subscription_id).executeTakeFirstOrThrow();
    assert.equal(row.note, "new note");
    assert.equal((await lastState(pid)).old_note, "old");
    const pid2 = await engine.startProcess("modify_note", [{ subscription_id: s.subscription_id }, { note: "  " }]);
    await engine.waitFor(pid2);
    assert.equal((await db.db.selectFrom("subscriptions").select("note").where("subscription_id", "=", s.subscription_id).executeTakeFirstOrThrow()).note, null);
  });
});
