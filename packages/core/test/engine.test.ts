import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import {
  ALL_WORKFLOWS,
  FormNotCompleteError,
  FormValidationError,
  InvalidCallbackTokenError,
  ProcessConflictError,
  StartPredicateError,
  WorkflowEngine,
  WorkflowNotFoundError,
  WorkflowNotInDatabaseError,
  WorkflowRemovedError,
} from "../src/index.js";
import { rebuildStepStates } from "../src/db/index.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";
import { countStatements } from "./support/graphql.js";
import { closeGate, gateReached, maxInFlight, resetInFlight } from "./support/test-workflows.js";

describe(`workflow engine (${backend})`, () => {
  let db: TestDatabase;
  let engine: WorkflowEngine;

  /** The process's step rows as readers see them: each state in full (rebuilt from the deltas stored). */
  const steps = async (pid: string) =>
    rebuildStepStates(
      await db.db.selectFrom("process_steps").select(["stepid", "name", "status", "state", "is_delta", "started_at", "completed_at"]).where("pid", "=", pid).orderBy("seq").execute(),
    ).map(({ is_delta: _, ...row }) => row);
  const proc = (pid: string) => db.db.selectFrom("processes").selectAll().where("pid", "=", pid).executeTakeFirstOrThrow();
  const log = async (pid: string) =>
    (await sql<{ step: string }>`select step from test_log where pid = ${pid} order by id`.execute(db.db)).rows.map((r) => r.step);
  const run = async (name: string, inputs: unknown[] = [{}]) => {
    const pid = await engine.startProcess(name, inputs, "john.doe");
    await engine.waitFor(pid);
    return pid;
  };

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    for (const name of [
      "simple_task", "three_steps", "fail_once", "fail_rollback", "retry_later", "needs_input", "with_form",
      "conditional_steps", "grouped", "grouped_flaky", "with_callback", "refused", "slow", "gated",
    ]) {
      await register(db, name);
    }
    await register(db, "inconsistent_task", "SYSTEM", { isTask: true });
    await register(db, "api_down_task", "SYSTEM", { isTask: true });
    engine = new WorkflowEngine({ database: db, maxWorkers: 2 });
    await engine.start();
  });
  after(async () => {
    await engine.shutdown();
    await db.close();
  });

  it("runs a simple task: Start, the step, Done, with the state checkpointed after each", async () => {
    const pid = await run("simple_task");
    const p = await proc(pid);
    assert.equal(p.last_status, "completed");
    assert.equal(p.last_step, "Done");
    assert.equal(p.created_by, "john.doe");
    assert.equal(p.assignee, "SYSTEM");
    assert.equal(p.failed_reason, null);
    const rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [["Start", "success"], ["Step a", "success"], ["Done", "complete"]]);
    const initial = { process_id: pid, reporter: "john.doe", workflow_name: "simple_task", workflow_target: "SYSTEM" };
    assert.deepEqual(rows[0]!.state, initial);
    assert.deepEqual(rows[1]!.state, { ...initial, a: 1 });
    assert.deepEqual(rows[2]!.state, { ...initial, a: 1 });
    for (const r of rows) assert.ok(r.started_at.getTime() <= r.completed_at.getTime());
    const inputs = await db.db.selectFrom("input_states").selectAll().where("pid", "=", pid).execute();
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0]!.input_type, "initial_state");
    assert.deepEqual(inputs[0]!.input_state, initial);
  });

  it("pure steps (Start, Done) cost no statement of their own: their rows go with the next step's, or the last one's", async () => {
    const writesSteps = (text: string) => /insert into process_steps/i.test(text);
    const inserts = (statements: string[]) => statements.filter(writesSteps);
    // Start, Step a and Done in one statement
    const simple = await countStatements(() => run("simple_task"), writesSteps);
    assert.deepEqual((await steps(simple.result)).map((r) => [r.name, r.status]), [["Start", "success"], ["Step a", "success"], ["Done", "complete"]]);
    assert.equal(inserts(simple.statements).length, 1, simple.statements.join("\n"));
    // a pure step took no time, by the database's clock as its neighbours: Start does not last as long as Step a, and
    // Done does not start before Step a completed
    const [start, a, doneRow] = await steps(simple.result);
    assert.equal(start!.started_at.getTime(), start!.completed_at.getTime());
    assert.equal(doneRow!.started_at.getTime(), doneRow!.completed_at.getTime());
    assert.ok(doneRow!.started_at.getTime() >= a!.completed_at.getTime());
    assert.equal((await proc(simple.result)).last_status, "completed");
    // steps that write in their own transaction: Start goes in One's, Done in Three's
    const logged = await countStatements(() => run("three_steps"), writesSteps);
    assert.deepEqual((await steps(logged.result)).map((r) => r.name), ["Start", "One", "Two", "Three", "Done"]);
    assert.equal(inserts(logged.statements).length, 3, logged.statements.join("\n"));
    assert.deepEqual(await log(logged.result), ["One", "Two", "Three"]);
    const done = await proc(logged.result);
    assert.deepEqual([done.last_status, done.last_step], ["completed", "Done"]);
  });

  it("[] asks for the first page (an empty one by default); nothing is written", async () => {
    const before = await db.db.selectFrom("processes").select("pid").execute();
    await assert.rejects(engine.startProcess("simple_task", []), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      assert.equal(e.form.type, "object");
      return true;
    });
    assert.equal((await db.db.selectFrom("processes").select("pid").execute()).length, before.length);
  });

  it("validates the initial form and merges it into the state", async () => {
    await assert.rejects(engine.startProcess("with_form", []), (e: Error) => {
      assert.ok(e instanceof FormNotCompleteError);
      assert.equal(e.form.title, "Create something");
      return true;
    });
    await assert.rejects(engine.startProcess("with_form", [{ name: "x", extra: 1 }]), (e: Error) => {
      assert.ok(e instanceof FormValidationError);
      assert.deepEqual(e.errors.map((x) => x.loc.join(".")).sort(), ["extra", "name"]);
      return true;
    });
    const pid = await run("with_form", [{ name: "Ann" }]);
    assert.equal((await proc(pid)).last_status, "completed");
    const last = (await steps(pid)).at(-1)!;
    assert.equal(last.state.greeting, "hello Ann (3)");
  });

  it("a failing step fails the process with reason and traceback; a retry runs from that step", async () => {
    const pid = await run("fail_once");
    let p = await proc(pid);
    assert.equal(p.last_status, "failed");
    assert.equal(p.last_step, "Flaky");
    assert.equal(p.failed_reason, "boom");
    assert.match(p.traceback ?? "", /Error: boom\n\s+at /);
    let rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [["Start", "success"], ["Before", "success"], ["Flaky", "failed"]]);
    assert.deepEqual(rows[2]!.state, { class: "Error", error: "boom" });
    assert.deepEqual(await log(pid), [], "the failed step's database writes were rolled back");
    await engine.resumeProcess(pid, [{}], "jane");
    await engine.waitFor(pid);
    p = await proc(pid);
    assert.equal(p.last_status, "completed");
    assert.equal(p.failed_reason, null);
    rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [
      ["Start", "success"], ["Before", "success"], ["Flaky", "failed"], ["Flaky", "success"], ["Done", "complete"],
    ]);
    assert.equal(rows[3]!.state.before, true, "state recovered from the last successful step");
    assert.deepEqual(await log(pid), ["Flaky"]);
  });

  it("a repeated identical failure updates the failed row and counts retries", async () => {
    const pid = await run("fail_once", [{}]);
    // fail_times is not in the state: fails once; force a second failure by retrying a workflow that fails again
    const pid2 = await engine.startProcess("fail_rollback", [{}]);
    await engine.waitFor(pid2);
    await engine.resumeProcess(pid2);
    await engine.waitFor(pid2);
    const rows = await steps(pid2);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [["Start", "success"], ["Writes then fails", "failed"]]);
    assert.equal(rows[1]!.state.retries, 1);
    assert.deepEqual(await log(pid2), [], "nothing of the failing step was committed");
    await engine.resumeProcess(pid);
    await engine.waitFor(pid);
  });

  it("a failing task with an AssertionError is inconsistent_data, assigned to NOC", async () => {
    const pid = await run("inconsistent_task");
    const p = await proc(pid);
    assert.equal(p.last_status, "inconsistent_data");
    assert.equal(p.assignee, "NOC");
    assert.equal(p.is_task, true);
  });

  it("a failing task whose API answers 503 is api_unavailable", async () => {
    const pid = await run("api_down_task");
    const p = await proc(pid);
    assert.equal(p.last_status, "api_unavailable");
    assert.equal(p.assignee, "SYSTEM");
    assert.equal((await steps(pid)).at(-1)!.state.status_code, 503);
  });

  it("a retry step that fails leaves the process waiting; resuming it completes", async () => {
    const pid = await run("retry_later");
    assert.equal((await proc(pid)).last_status, "waiting");
    assert.deepEqual((await steps(pid)).map((r) => r.status), ["success", "waiting"]);
    await engine.resumeProcess(pid);
    assert.equal(await engine.waitFor(pid), "completed");
  });

  it("an input step suspends the process; resuming validates the form and merges the input", async () => {
    const pid = await run("needs_input");
    let p = await proc(pid);
    assert.equal(p.last_status, "suspended");
    assert.equal(p.assignee, "NOC");
    assert.equal(p.last_step, "Confirm");
    await assert.rejects(engine.resumeProcess(pid, []), FormNotCompleteError);
    await assert.rejects(engine.resumeProcess(pid, [{ confirmed: "yes" }]), FormValidationError);
    await engine.resumeProcess(pid, [{ confirmed: true }], "jane");
    assert.equal(await engine.waitFor(pid), "completed");
    const rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [
      ["Start", "success"], ["Prepare", "success"], ["Confirm", "suspend"], ["Confirm", "success"], ["After confirm", "success"], ["Done", "complete"],
    ]);
    assert.equal(rows[3]!.state.confirmed, true);
    assert.equal(rows[3]!.state.comment, "");
    assert.deepEqual(rows[3]!.state.nested, { keep: 1 });
    assert.equal(rows[4]!.state.saw, true);
    const inputs = await db.db.selectFrom("input_states").select(["input_type", "input_state"]).where("pid", "=", pid).orderBy("input_time").execute();
    assert.deepEqual(inputs.map((i) => i.input_type), ["initial_state", "user_input"]);
    assert.deepEqual(inputs[1]!.input_state, { confirmed: true, comment: "" });
    p = await proc(pid);
    assert.equal(p.assignee, "SYSTEM");
  });

  it("conditional steps are logged as skipped when the predicate is false", async () => {
    const pid = await run("conditional_steps");
    assert.deepEqual((await steps(pid)).map((r) => [r.name, r.status]), [
      ["Start", "success"], ["Only with flag", "skipped"], ["Always", "success"], ["Done", "complete"],
    ]);
  });

  it("a step group is stored as one step with the sub-steps' results", async () => {
    const pid = await run("grouped");
    const rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [["Start", "success"], ["Group", "success"], ["Done", "complete"]]);
    assert.equal(rows[1]!.state.g3, 3);
    assert.equal("__sub_step" in rows[1]!.state, false);
  });

  it("a step group that fails is retried from the failed sub-step; its row is updated in place", async () => {
    const pid = await run("grouped_flaky");
    assert.equal((await proc(pid)).last_status, "failed");
    const failed = await steps(pid);
    assert.deepEqual(failed.map((r) => [r.name, r.status]), [["Start", "success"], ["Group", "success"], ["Group", "failed"]]);
    await engine.resumeProcess(pid);
    assert.equal(await engine.waitFor(pid), "completed");
    // the failure stays as history; the group's progress row became its outcome (no second success row)
    const rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [["Start", "success"], ["Group", "failed"], ["Group", "success"], ["Done", "complete"]]);
    assert.equal(rows[2]!.stepid, failed[1]!.stepid);
    assert.equal("__sub_step" in rows[2]!.state, false);
    assert.deepEqual([rows[2]!.state.g1, rows[2]!.state.g2, rows[2]!.state.g3], [1, 2, 3]);
  });

  it("a callback step awaits the callback; a wrong token is refused; the right one continues", async () => {
    const pid = await run("with_callback");
    assert.equal((await proc(pid)).last_status, "awaiting_callback");
    const last = (await steps(pid)).at(-1)!;
    assert.equal(last.status, "awaiting_callback");
    const route = String(last.state.callback_route);
    const token = route.split("/").at(-1)!;
    assert.match(route, new RegExp(`^/api/processes/${pid}/callback/[A-Za-z0-9_-]+$`));
    assert.equal(last.state.sent_to, route);
    await assert.rejects(engine.continueAwaitingProcess(pid, "wrong", { ok: true }), InvalidCallbackTokenError);
    await engine.updateAwaitingProcessProgress(pid, token, { percent: 50 });
    assert.deepEqual((await steps(pid)).at(-1)!.state.callback_progress, { percent: 50 });
    await engine.continueAwaitingProcess(pid, token, { ok: true });
    assert.equal(await engine.waitFor(pid), "completed");
    const final = (await steps(pid)).at(-1)!.state;
    assert.equal(final.provisioned, true);
    assert.deepEqual(final.callback_result, { ok: true });
    assert.equal("__callback_token" in final, false, "the token is cleaned up");
    // one row per step: the callback step's row went from awaiting_callback to success in place
    const rows = await steps(pid);
    assert.deepEqual(rows.map((r) => [r.name, r.status]), [["Start", "success"], ["Provision", "success"], ["Done", "complete"]]);
    assert.equal(rows[1]!.stepid, last.stepid, "the awaiting row was updated in place");
    assert.equal("__sub_step" in rows[1]!.state, false);
  });

  it("a resumed process whose run was lost is recovered with the input its resume stored", async () => {
    const pid = await run("needs_input");
    assert.equal((await proc(pid)).last_status, "suspended");
    // what a resume writes, then the engine is gone before the run
    await db.db.updateTable("processes").set({ last_status: "resumed" }).where("pid", "=", pid).execute();
    await db.db.insertInto("input_states").values({ pid, input_state: JSON.stringify({ confirmed: true }), input_type: "user_input" }).execute();
    assert.deepEqual(await engine.recover(), [pid]);
    assert.equal(await engine.waitFor(pid), "completed");
    const rows = await steps(pid);
    assert.equal(rows.at(-1)!.state.saw, true);
    assert.equal(rows.find((r) => r.name === "Confirm" && r.status === "success")!.state.confirmed, true);
  });

  it("abort logs 'User Aborted'; a completed process cannot be aborted; delete removes everything", async () => {
    const pid = await run("needs_input");
    await engine.abortProcess(pid, "jane");
    const p = await proc(pid);
    assert.equal(p.last_status, "aborted");
    assert.deepEqual((await steps(pid)).at(-1)!.name, "User Aborted");
    assert.equal((await steps(pid)).at(-1)!.status, "abort");
    await assert.rejects(engine.resumeProcess(pid), (e: Error) => e instanceof ProcessConflictError && /Resuming a aborted workflow is not possible/.test(e.message));
    const done = await run("simple_task");
    await assert.rejects(engine.abortProcess(done), ProcessConflictError);
    await engine.deleteProcess(pid);
    assert.equal((await db.db.selectFrom("processes").select("pid").where("pid", "=", pid).execute()).length, 0);
    assert.equal((await db.db.selectFrom("process_steps").select("pid").where("pid", "=", pid).execute()).length, 0);
    assert.equal((await db.db.selectFrom("input_states").select("pid").where("pid", "=", pid).execute()).length, 0);
  });

  it("a workflow in the database but not in code cannot be started or resumed", async () => {
    await assert.rejects(engine.startProcess("not_registered_anywhere"), (e: Error) => e instanceof WorkflowNotFoundError && e.message === "Workflow does not exist");
    await db.db.insertInto("workflows").values({ name: "only_in_db", target: "SYSTEM", description: "x" }).execute();
    await assert.rejects(engine.startProcess("only_in_db"), WorkflowNotFoundError);
    // a process whose workflow is no longer in code cannot be resumed
    const pid = await run("needs_input");
    const saved = ALL_WORKFLOWS.get("needs_input")!;
    ALL_WORKFLOWS.delete("needs_input");
    try {
      await assert.rejects(engine.resumeProcess(pid, [{ confirmed: true }]), (e: Error) => e instanceof WorkflowRemovedError && e.message === "This workflow cannot be resumed because it has been removed");
    } finally {
      ALL_WORKFLOWS.set("needs_input", saved);
    }
  });

  it("a workflow registered in code without a database row: 'No workflow found with name'", async () => {
    await register(db, "slow", "SYSTEM", { inDatabase: false });
    ALL_WORKFLOWS.set("slow_copy", ALL_WORKFLOWS.get("slow")!);
    await assert.rejects(engine.startProcess("slow_copy"), (e: Error) => e instanceof WorkflowNotInDatabaseError && e.message === "No workflow found with name: slow_copy");
    ALL_WORKFLOWS.delete("slow_copy");
  });

  it("a run predicate can refuse the start", async () => {
    await assert.rejects(engine.startProcess("refused"), (e: Error) => e instanceof StartPredicateError && e.message === "Not now");
  });

  it("runs at most MAX_WORKERS processes at a time", async () => {
    resetInFlight();
    const pids = await Promise.all(Array.from({ length: 6 }, () => engine.startProcess("slow")));
    for (const pid of pids) assert.equal(await engine.waitFor(pid), "completed");
    assert.equal(maxInFlight, 2);
  });

  it("pause stops processes before their next step; unpause resumes them", async () => {
    await engine.pause();
    try {
      assert.equal((await engine.engineStatus()).global_status, "PAUSED");
      const pid = await engine.startProcess("three_steps");
      await engine.waitFor(pid);
      assert.equal((await proc(pid)).last_status, "running");
      assert.deepEqual(await steps(pid), []);
      assert.equal((await engine.engineStatus()).running_processes >= 1, true);
      const resumed = await engine.unpause();
      assert.ok(resumed.includes(pid));
      assert.equal(await engine.waitFor(pid), "completed");
      assert.deepEqual(await log(pid), ["One", "Two", "Three"]);
    } finally {
      await engine.unpause();
    }
    assert.equal((await engine.engineStatus()).global_status, "RUNNING");
  });

  /** Resolves when the engine reports `status` for the process (fails after 10 s). */
  const reaches = (pid: string, status: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`process ${pid} did not become ${status}`)), 10_000);
      const listener = (e: { processId: string; status: string }) => {
        if (e.processId !== pid || e.status !== status) return;
        engine.events.off("process", listener);
        clearTimeout(timer);
        resolve();
      };
      engine.events.on("process", listener);
    });
  const setLockElsewhere = async (locked: boolean) => {
    const seen = once(engine.events, "engine");
    await db.db.updateTable("engine_settings").set({ global_lock: locked }).execute();
    assert.deepEqual(await seen, [{ globalLock: locked }]);
  };

  it("a clean shutdown lets the step under way finish and leaves its process resumed; the next engine completes it", async () => {
    const stopping = new WorkflowEngine({ database: db, maxWorkers: 2 });
    await stopping.start();
    const open = closeGate();
    const pid = await stopping.startProcess("gated");
    await gateReached;
    try {
      const stopped = stopping.shutdown();
      open();
      await stopped;
      // before: left running with nobody running it, until an engine started again
      assert.equal((await proc(pid)).last_status, "resumed");
      assert.deepEqual((await steps(pid)).map((r) => r.name), ["Start", "One", "Two"]);
      const next = new WorkflowEngine({ database: db, maxWorkers: 2 });
      try {
        assert.ok((await next.start()).includes(pid));
        assert.equal(await next.waitFor(pid), "completed");
      } finally {
        await next.shutdown();
      }
      assert.deepEqual(await log(pid), ["One", "Three"], "each step ran once");
    } finally {
      open();
    }
  });

  it("a pause set by another instance (or SQL) stops a run before its next step; lifting it there resumes it here", async () => {
    const open = closeGate();
    const pid = await engine.startProcess("gated");
    await gateReached;
    try {
      await setLockElsewhere(true);
      open();
      await engine.waitFor(pid);
      assert.equal((await proc(pid)).last_status, "running");
      assert.equal((await proc(pid)).last_step, "Two");
      assert.deepEqual((await steps(pid)).map((r) => r.name), ["Start", "One", "Two"]);
      assert.deepEqual(await log(pid), ["One"]);
      const completed = reaches(pid, "completed");
      await setLockElsewhere(false);
      await completed;
      assert.deepEqual((await steps(pid)).map((r) => r.name), ["Start", "One", "Two", "Three", "Done"]);
      assert.deepEqual(await log(pid), ["One", "Three"]);
    } finally {
      open();
      await db.db.updateTable("engine_settings").set({ global_lock: false }).execute();
    }
  });

  it("emits an event for every change of a process", async () => {
    const seen: string[] = [];
    const listener = (e: { processId: string; status: string; step?: string }) => seen.push(`${e.status}:${e.step ?? ""}`);
    engine.events.on("process", listener);
    const pid = await run("simple_task");
    engine.events.off("process", listener);
    assert.deepEqual(seen, ["created:", "running:", "running:Start", "running:Step a", "completed:Done"]);
    void pid;
  });
});
