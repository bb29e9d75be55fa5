/**
 * process_steps without a foreign key to processes (revision 9e4a6c1d2f70): what the key guarded still holds. Deleting
 * processes deletes their steps (and TRUNCATE empties them), a running process cannot be deleted whichever instance
 * runs it, a process deleted by SQL while it runs stops before its next step without leaving a row, and the
 * revision's downgrade puts the key back after removing rows whose process is gone.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { CORE_VERSIONS_FOLDER, loadMigrations, Migrator, ProcessConflictError, WorkflowEngine } from "../src/index.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";
import { closeGate, gateReached } from "./support/test-workflows.js";

describe(`process steps kept with their process (${backend})`, () => {
  let db: TestDatabase;
  let engine: WorkflowEngine;
  const stepCount = async (pid: string) =>
    Number((await db.db.selectFrom("process_steps").select((eb) => eb.fn.countAll().as("n")).where("pid", "=", pid).executeTakeFirstOrThrow()).n);
  const completed = async () => {
    const pid = await engine.startProcess("simple_task");
    assert.equal(await engine.waitFor(pid), "completed");
    return pid;
  };

  /** Start `workflow`, delete its process by SQL while it waits at the gate, open the gate and wait for the run to end. */
  const deletedAtGate = async (workflow: string) => {
    const open = closeGate();
    const pid = await engine.startProcess(workflow);
    await gateReached;
    try {
      await db.db.deleteFrom("processes").where("pid", "=", pid).execute();
    } finally {
      open();
    }
    // the run has ended (what it last knew of the process is all the engine can tell of it now)
    await engine.waitFor(pid).catch(() => undefined);
    return pid;
  };

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    for (const name of ["simple_task", "gated", "gated_then_log"]) await register(db, name);
    engine = new WorkflowEngine({ database: db });
    await engine.start();
  });
  after(async () => {
    await engine.shutdown();
    await db.close();
  });

  it("deleting processes by SQL, several in one statement, deletes their steps and no others", async () => {
    const [a, b, c] = [await completed(), await completed(), await completed()];
    assert.ok((await stepCount(a)) > 0);
    await db.db.deleteFrom("processes").where("pid", "in", [a, b]).execute();
    assert.equal(await stepCount(a), 0);
    assert.equal(await stepCount(b), 0);
    assert.ok((await stepCount(c)) > 0, "the process left alone keeps its steps");
  });

  it("a running process cannot be deleted, whichever instance runs it: refused, nothing deleted", async () => {
    const pid = await completed();
    // as another instance's claim leaves it: running in the database, not run by this engine
    await db.db.updateTable("processes").set({ last_status: "running" }).where("pid", "=", pid).execute();
    await assert.rejects(engine.deleteProcess(pid), (e: Error) => e instanceof ProcessConflictError && /while it is running/.test(e.message));
    assert.ok((await stepCount(pid)) > 0);
    assert.ok(await db.db.selectFrom("processes").select("pid").where("pid", "=", pid).executeTakeFirst());
    await db.db.updateTable("processes").set({ last_status: "completed" }).where("pid", "=", pid).execute();
    await engine.deleteProcess(pid);
    assert.equal(await stepCount(pid), 0);
  });

  it("a process deleted by SQL while a step runs: its run stops at its next full checkpoint and leaves no step row", async () => {
    const started = Date.now();
    const pid = await deletedAtGate("gated");
    assert.ok(Date.now() - started < 5_000);
    assert.equal(await stepCount(pid), 0, "the rows written after the delete were removed");
  });

  it("deleted while a step runs, with the last checkpoint in a step's transaction: that step's writes are rolled back, no row is left", async () => {
    const pid = await deletedAtGate("gated_then_log");
    assert.equal(await stepCount(pid), 0, "the rows written after the delete were removed");
    const { rows } = await sql<{ step: string }>`select step from test_log where pid = ${pid}`.execute(db.db);
    assert.deepEqual(rows, [], "the last step's write went with its checkpoint");
  });

  it("the revision's downgrade removes rows whose process is gone and puts the key back; upgrading again drops it", async () => {
    const kept = await completed();
    const orphan = "00000000-0000-4000-8000-00000000dead";
    await sql`insert into process_steps (pid, name, status, state) values (${orphan}, 'Stray', 'success', '{}')`.execute(db.db);
    const migrator = new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER]));
    await migrator.downgrade("5b2e8f0c7a13");
    try {
      assert.equal(await stepCount(orphan), 0);
      assert.ok((await stepCount(kept)) > 0);
      await assert.rejects(sql`insert into process_steps (pid, name, status, state) values (${orphan}, 'Stray', 'success', '{}')`.execute(db.db), (e: { code?: string }) => e.code === "23503");
    } finally {
      await migrator.upgrade("heads");
    }
    await db.db.deleteFrom("processes").where("pid", "=", kept).execute();
    assert.equal(await stepCount(kept), 0, "the trigger is back");
  });

  it("TRUNCATE processes empties process_steps", async () => {
    const pid = await completed();
    await sql`truncate processes cascade`.execute(db.db);
    assert.equal(await stepCount(pid), 0);
    assert.equal(Number((await sql<{ n: number }>`select count(*)::int as n from process_steps`.execute(db.db)).rows[0]!.n), 0);
  });
});
