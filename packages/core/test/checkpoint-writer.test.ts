/**
 * The checkpoint writer (process-store.ts `CheckpointWriter`), on its own: group commit of checkpoints (a checkpoint
 * goes out at once when no statement is under way, else with every other one that arrived meanwhile, in one
 * statement), each caller answered only after the statement holding its row, a failed batch retried row by row,
 * rows written in place (replaceStepId), step-only versus full checkpoints, and the global lock read back.
 *
 * The statements are watched (and held open) by wrapping what the writer sends them through: the `prepared` function
 * (PostgreSQL) and the Kysely instance's executor (PGlite, and rows written in place everywhere).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { CompiledQuery, Kysely } from "kysely";
import pg from "pg";
import type { PreparedQuery } from "../src/db/connection.js";
import type { Database } from "../src/db/types.js";
import { CheckpointWriter, type CheckpointInput, type CheckpointResult } from "../src/workflow/checkpoint-writer.js";
import { StepStatus, type ProcessStatus } from "../src/workflow/status.js";
import type { StepOutcome } from "../src/workflow/steps.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate } from "./support/engine-db.js";

interface Statement {
  text: string;
  values: readonly unknown[];
}

/** Records every statement the writer sends, and can hold the next ones before they are sent. */
class StatementSpy {
  readonly statements: Statement[] = [];
  private readonly holds: { started: () => void; release: Promise<void> }[] = [];

  /** Hold the next statement not yet held: `started` once it is being sent, it goes out at `release()`. */
  holdNext(): { started: Promise<void>; release: () => void } {
    let started!: () => void;
    let release!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const releaseP = new Promise<void>((r) => (release = r));
    this.holds.push({ started, release: releaseP });
    return { started: startedP, release };
  }

  async intercept(text: string, values: readonly unknown[]): Promise<void> {
    this.statements.push({ text, values });
    const hold = this.holds.shift();
    if (hold) {
      hold.started();
      await hold.release;
    }
  }

  /** The batch statements sent (one row per element of their first array parameter). */
  batches(): Statement[] {
    return this.statements.filter((s) => s.text.includes("unnest("));
  }

  clear(): void {
    this.statements.length = 0;
  }
}

/** `db` with every statement executed through it passed by the spy first. */
function spiedKysely(db: Kysely<Database>, spy: StatementSpy): Kysely<Database> {
  const executor = db.getExecutor();
  const spiedExecutor = new Proxy(executor, {
    get(target, prop) {
      if (prop === "executeQuery") {
        return async (query: CompiledQuery, ...rest: unknown[]) => {
          await spy.intercept(query.sql, query.parameters);
          return (target.executeQuery as (...args: unknown[]) => unknown)(query, ...rest);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "getExecutor") return () => spiedExecutor;
      if (prop === "executeQuery") return (query: CompiledQuery) => spiedExecutor.executeQuery(query);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function spiedPrepared(prepared: PreparedQuery | undefined, spy: StatementSpy): PreparedQuery | undefined {
  if (!prepared) return undefined;
  return async <R>(name: string, text: string, values: unknown[]) => {
    await spy.intercept(text, values);
    return prepared<R>(name, text, values);
  };
}

/** Tracks whether a promise has settled yet. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => done };
}

describe(`CheckpointWriter (${backend})`, () => {
  let db: TestDatabase;
  let workflowId: string;
  /** Another session (PostgreSQL), to see what is committed; PGlite has one session only. */
  let other: pg.Client | undefined;
  let spy: StatementSpy;
  let writer: CheckpointWriter;

  const newWriter = (maxInFlight = 1, knownLock: () => boolean | undefined = () => undefined) =>
    new CheckpointWriter(spiedKysely(db.db, spy), spiedPrepared(db.prepared, spy), maxInFlight, knownLock);

  async function newProcess(status: ProcessStatus = "running"): Promise<string> {
    const pid = randomUUID();
    await db.db.insertInto("processes").values({ pid, workflow_id: workflowId, last_status: status, created_by: "test" }).execute();
    return pid;
  }

  const input = (processId: string, extra: Partial<CheckpointInput> = {}): CheckpointInput => ({
    processId,
    stepName: "Step",
    outcome: { status: StepStatus.SUCCESS, state: { pid: processId } },
    processStatus: "running",
    assignee: "SYSTEM",
    user: "tester",
    startedAt: new Date(),
    ...extra,
  });

  /** The step rows committed, as another session sees them. */
  async function committedSteps(stepIds: string[]): Promise<{ stepid: string; pid: string; name: string; status: string; state: Record<string, unknown> }[]> {
    if (other) {
      const { rows } = await other.query("select stepid, pid, name, status, state from process_steps where stepid = any($1::uuid[])", [stepIds]);
      return rows;
    }
    if (stepIds.length === 0) return [];
    return (await db.db.selectFrom("process_steps").select(["stepid", "pid", "name", "status", "state"]).where("stepid", "in", stepIds).execute()) as never;
  }

  async function stepsOf(pid: string) {
    return db.db.selectFrom("process_steps").selectAll().where("pid", "=", pid).orderBy("seq").execute();
  }

  async function processRow(pid: string) {
    return db.db.selectFrom("processes").selectAll().where("pid", "=", pid).executeTakeFirstOrThrow();
  }

  const setLock = (locked: boolean) => db.db.updateTable("engine_settings").set({ global_lock: locked }).execute();

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    const wf = await db.db
      .insertInto("workflows")
      .values({ name: "checkpoint_writer_test", target: "SYSTEM", description: "test", is_task: false })
      .returning("workflow_id")
      .executeTakeFirstOrThrow();
    workflowId = wf.workflow_id;
    if (db.uri) {
      other = new pg.Client({ connectionString: db.uri });
      await other.connect();
    }
  });
  after(async () => {
    await other?.end();
    await db.close();
  });
  beforeEach(() => {
    spy = new StatementSpy();
    writer = newWriter();
  });

  it("a checkpoint arriving when nothing is under way goes out at once, on its own", async () => {
    const pid = await newProcess();
    const result = await writer.write(input(pid, { outcome: { status: StepStatus.SUCCESS, state: { n: 1, when: new Date(0) } } }));
    assert.ok(result);
    assert.equal(spy.statements.length, 1);
    assert.equal(spy.batches().length, 0, "no batch statement for one checkpoint");
    const rows = await committedSteps([result.stepId]);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.state, { n: 1, when: "1970-01-01T00:00:00.000Z" });
    assert.deepEqual(result.state, { n: 1, when: "1970-01-01T00:00:00.000Z" }, "the state as stored (JSON round-tripped)");
  });

  it("batching: those arriving while a statement is under way go out together in one statement, each answered only after it", async () => {
    const pids = await Promise.all([newProcess(), newProcess(), newProcess(), newProcess()]);
    const first = spy.holdNext();
    const a = track(writer.write(input(pids[0]!)));
    await first.started;
    const second = spy.holdNext();
    const rest = pids.slice(1).map((pid, i) => track(writer.write(input(pid, { stepOnly: i % 2 === 0 }))));
    await sleep(50);
    assert.equal(spy.statements.length, 1, "the others wait for the statement under way");
    assert.ok(!a.settled() && rest.every((r) => !r.settled()), "nothing answered while the first statement is held");

    first.release();
    const resultA = await a.promise;
    assert.ok(resultA);
    assert.equal((await committedSteps([resultA.stepId])).length, 1, "the first is committed when it is answered");
    await second.started;
    assert.equal(spy.statements.length, 2);
    const batch = spy.batches();
    assert.equal(batch.length, 1, "the second statement is the batch");
    assert.deepEqual(batch[0]!.values[0], pids.slice(1), "holding the three that arrived meanwhile, in order");
    await sleep(50);
    assert.ok(rest.every((r) => !r.settled()), "none of the batch answered before its statement completes");
    const stepIdsInBatch = batch[0]!.values[12] as string[];
    assert.equal((await committedSteps(stepIdsInBatch)).length, 0, "and none of its rows is committed yet");

    second.release();
    const results = await Promise.all(rest.map((r) => r.promise));
    assert.equal(spy.statements.length, 2, "two statements for four checkpoints");
    assert.deepEqual(
      results.map((r) => r?.stepId),
      stepIdsInBatch,
      "each caller gets its own row's id",
    );
    const committed = await committedSteps(results.map((r) => r!.stepId));
    assert.deepEqual(committed.map((r) => r.pid).sort(), pids.slice(1).sort(), "every row of the batch is committed when answered");
    for (const row of committed) assert.deepEqual(row.state, { pid: row.pid }, "each row holds its own state");
  });

  it("a statement held up in the server (its process row locked by another session): no caller answered until it commits", { skip: backend !== "postgres" ? "needs a second session" : false }, async () => {
    const pids = await Promise.all([newProcess(), newProcess(), newProcess()]);
    const answered: Promise<unknown>[] = [];
    await other!.query("BEGIN");
    try {
      await other!.query("SELECT 1 FROM processes WHERE pid = $1 FOR UPDATE", [pids[0]]);
      const a = track(writer.write(input(pids[0]!)));
      await sleep(20);
      const rest = pids.slice(1).map((pid) => track(writer.write(input(pid))));
      answered.push(a.promise, ...rest.map((r) => r.promise));
      await sleep(150);
      assert.equal(spy.statements.length, 1, "the first statement is sent and waits for the row lock");
      assert.ok(!a.settled() && rest.every((r) => !r.settled()), "nobody is answered while it waits");
      const { rows } = await other!.query("SELECT count(*)::int AS n FROM process_steps WHERE pid = ANY($1::uuid[])", [pids]);
      assert.equal(rows[0].n, 0);
    } finally {
      await other!.query("COMMIT");
    }
    const results = await Promise.all(answered);
    assert.ok(results.every((r) => r !== undefined));
    const { rows } = await other!.query("SELECT count(*)::int AS n FROM process_steps WHERE pid = ANY($1::uuid[])", [pids]);
    assert.equal(rows[0].n, 3);
    assert.equal(spy.batches().length, 1, "the two that arrived meanwhile went out together");
  });

  it("with two statements in flight allowed: two go out on their own, the next ones wait and go together", async () => {
    writer = newWriter(2);
    const pids = await Promise.all([newProcess(), newProcess(), newProcess(), newProcess()]);
    const h1 = spy.holdNext();
    const h2 = spy.holdNext();
    const a = track(writer.write(input(pids[0]!)));
    const b = track(writer.write(input(pids[1]!)));
    await Promise.all([h1.started, h2.started]);
    const c = track(writer.write(input(pids[2]!)));
    const d = track(writer.write(input(pids[3]!)));
    await sleep(30);
    assert.equal(spy.statements.length, 2);
    h1.release();
    await a.promise;
    await Promise.all([c.promise, d.promise]);
    assert.ok(!b.settled(), "b's statement is still held");
    h2.release();
    await b.promise;
    assert.equal(spy.statements.length, 3);
    assert.deepEqual(spy.batches()[0]?.values[0], [pids[2], pids[3]]);
  });

  /** Hold a first checkpoint, queue `items` behind it, run `meanwhile`, release; the queued ones' outcomes. */
  async function batchBehindHeld(items: CheckpointInput[], meanwhile: () => Promise<unknown>) {
    const holder = await newProcess();
    const hold = spy.holdNext();
    const first = writer.write(input(holder));
    await hold.started;
    const pending = items.map((item) => writer.write(item));
    await meanwhile();
    hold.release();
    await first;
    return Promise.allSettled(pending);
  }

  it("a full checkpoint whose process was deleted meanwhile: left out of the batch (undefined), the others written by the batch", async () => {
    const [keep1, gone, keep2] = await Promise.all([newProcess(), newProcess(), newProcess()]);
    const outcomes = await batchBehindHeld([input(keep1), input(gone), input(keep2)], () => db.db.deleteFrom("processes").where("pid", "=", gone).execute());
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "fulfilled", "fulfilled"]);
    const [r1, r2, r3] = outcomes.map((o) => (o as PromiseFulfilledResult<CheckpointResult | undefined>).value);
    assert.equal(r2, undefined, "the deleted process's checkpoint resolves undefined");
    assert.ok(r1 && r3);
    assert.equal(spy.statements.length, 2, "no row-by-row retry was needed");
    assert.equal((await committedSteps([r1.stepId, r3.stepId])).length, 2);
    assert.equal((await stepsOf(gone)).length, 0);
  });

  it("a step-only checkpoint does not look at its process row (no foreign key): one whose process was deleted meanwhile is written with the batch", async () => {
    const [keep1, gone, keep2] = await Promise.all([newProcess(), newProcess(), newProcess()]);
    const outcomes = await batchBehindHeld([input(keep1, { stepOnly: true }), input(gone, { stepOnly: true }), input(keep2)], () =>
      db.db.deleteFrom("processes").where("pid", "=", gone).execute(),
    );
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "fulfilled", "fulfilled"]);
    const [r1, r2, r3] = outcomes.map((o) => (o as PromiseFulfilledResult<CheckpointResult | undefined>).value);
    assert.ok(r1 && r2 && r3);
    assert.equal(spy.statements.length, 2, "no row-by-row retry was needed");
    assert.equal((await committedSteps([r1.stepId, r2.stepId, r3.stepId])).length, 3);
    // the run's next full checkpoint finds the process gone (and the step runner removes this row: engine tests)
    assert.equal(await writer.write(input(gone)), undefined);
  });

  it("a group of one process's rows (a pure step's with its neighbour's) goes in one statement, in order; fenced off, none of it is written", async () => {
    const pid = await newProcess();
    const [start, step, done] = await writer.writeGroup([
      input(pid, { stepName: "Start", stepOnly: true }),
      input(pid, { stepName: "Step", stepOnly: true }),
      input(pid, { stepName: "Done", outcome: { status: StepStatus.COMPLETE, state: {} }, processStatus: "completed", fenced: true }),
    ]);
    assert.ok(start && step && done);
    assert.equal(spy.batches().length, 1);
    const rows = await stepsOf(pid);
    assert.deepEqual(rows.map((r) => r.name), ["Start", "Step", "Done"]);
    // in the same order by completed_at (what readers order by), though written by one statement (ties would put the
    // newest step id first)
    const completed = await db.db.selectFrom("process_steps").select("name").where("pid", "=", pid).orderBy("completed_at").orderBy("stepid", "desc").execute();
    assert.deepEqual(completed.map((r) => r.name), ["Start", "Step", "Done"]);
    assert.equal((await processRow(pid)).last_status, "completed");
    // two rows (the commonest group) go in a statement without arrays, with the same outcome
    const pair = await newProcess();
    spy.clear();
    const [five, finished] = await writer.writeGroup([
      input(pair, { stepName: "Five", stepOnly: true }),
      input(pair, { stepName: "Done", outcome: { status: StepStatus.COMPLETE, state: {} }, processStatus: "completed", fenced: true, instant: true }),
    ]);
    assert.ok(five && finished);
    assert.equal(spy.statements.length, 1);
    assert.equal(spy.batches().length, 0);
    const pairRows = await stepsOf(pair);
    assert.deepEqual(pairRows.map((r) => r.name), ["Five", "Done"]);
    assert.equal(new Date(pairRows[1]!.started_at).getTime(), new Date(pairRows[1]!.completed_at).getTime(), "a pure step takes no time");
    assert.deepEqual([(await processRow(pair)).last_status, (await processRow(pair)).last_step], ["completed", "Done"]);
    // aborted meanwhile (by another instance): the run's group is refused as a whole, its step-only rows too
    const aborted = await newProcess("aborted");
    const refused = await writer.writeGroup([input(aborted, { stepName: "Step", stepOnly: true }), input(aborted, { stepName: "Done", processStatus: "completed", fenced: true })]);
    assert.deepEqual(refused, [undefined, undefined]);
    assert.equal((await stepsOf(aborted)).length, 0);
  });

  it("one checkpoint with a value the database refuses: the batch is retried row by row and only that one rejects", async () => {
    const [p1, p2, p3] = await Promise.all([newProcess(), newProcess(), newProcess()]);
    // jsonb refuses \u0000
    const bad = input(p2, { outcome: { status: StepStatus.SUCCESS, state: { text: "nul \u0000 byte" } } });
    const outcomes = await batchBehindHeld([input(p1), bad, input(p3, { stepOnly: true })], async () => undefined);
    assert.equal(outcomes[0]!.status, "fulfilled");
    assert.equal(outcomes[1]!.status, "rejected");
    assert.equal(outcomes[2]!.status, "fulfilled");
    assert.ok((outcomes[0] as PromiseFulfilledResult<CheckpointResult | undefined>).value);
    assert.ok((outcomes[2] as PromiseFulfilledResult<CheckpointResult | undefined>).value);
    assert.equal(spy.batches().length, 1);
    assert.equal(spy.statements.length, 1 + 1 + 3);
    assert.equal((await stepsOf(p1)).length, 1);
    assert.equal((await stepsOf(p2)).length, 0);
    assert.equal((await stepsOf(p3)).length, 1);
    assert.equal((await processRow(p2)).last_step, null, "nothing of the refused checkpoint is kept");
  });

  it("step-only leaves the process row as it is; a full checkpoint updates it (on its own and in a batch)", async () => {
    for (const batched of [false, true]) {
      const [stepOnly, full] = await Promise.all([newProcess(), newProcess()]);
      const before = await processRow(stepOnly);
      const failure: StepOutcome = { status: StepStatus.FAILED, state: { class: "ValueError", error: "went wrong", traceback: "Trace\n at x", keep: 1 } };
      const items = [
        input(stepOnly, { stepOnly: true, stepName: "Only the step" }),
        input(full, { stepName: "Broken", outcome: failure, processStatus: "failed", assignee: "NOC" }),
      ];
      const results = batched ? (await batchBehindHeld(items, async () => undefined)).map((o) => (o as PromiseFulfilledResult<CheckpointResult | undefined>).value) : [await writer.write(items[0]!), await writer.write(items[1]!)];
      assert.ok(results[0] && results[1]);
      assert.equal(spy.batches().length, batched ? 1 : 0);
      const afterStepOnly = await processRow(stepOnly);
      assert.deepEqual(afterStepOnly, before, `step-only: the process row is untouched (${batched ? "batch" : "single"})`);
      assert.equal((await stepsOf(stepOnly))[0]?.name, "Only the step");
      const row = await processRow(full);
      assert.equal(row.last_step, "Broken");
      assert.equal(row.last_status, "failed");
      assert.equal(row.assignee, "NOC");
      assert.equal(row.failed_reason, "went wrong");
      assert.equal(row.traceback, "Trace\n at x");
      const [step] = await stepsOf(full);
      assert.equal(step?.status, "failed");
      assert.deepEqual(step?.state, { class: "ValueError", error: "went wrong", keep: 1 }, "the traceback is kept on the process row only");
      assert.equal(step?.created_by, "tester");
      spy.clear();
    }
  });

  it("internal keys are not stored, __remove_keys is applied", async () => {
    const pid = await newProcess();
    const state = { a: 1, b: 2, __remove_keys: ["b"], __step_name_override: "x", __replace_last_state: true, __last_step_started_at: 1 };
    const result = await writer.write(input(pid, { outcome: { status: StepStatus.SUCCESS, state } }));
    assert.deepEqual(result?.state, { a: 1 });
    assert.deepEqual((await stepsOf(pid))[0]?.state, { a: 1 });
  });

  it("replaceStepId: the row is overwritten in place with the process row, without waiting behind a statement under way", async () => {
    const pid = await newProcess();
    const failed: StepOutcome = { status: StepStatus.FAILED, state: { class: "E", error: "first" } };
    const original = await writer.write(input(pid, { stepName: "Flaky", outcome: failed, processStatus: "failed" }));
    assert.ok(original);
    const [before] = await stepsOf(pid);

    const busy = await newProcess();
    const hold = spy.holdNext();
    const blocked = track(writer.write(input(busy)));
    await hold.started;
    const replaced = await writer.write(
      input(pid, { stepName: "Flaky", outcome: { status: StepStatus.WAITING, state: { class: "E", error: "again", retries: 1 } }, processStatus: "waiting", replaceStepId: original.stepId }),
    );
    assert.ok(!blocked.settled(), "the held checkpoint is still under way");
    assert.equal(replaced?.stepId, original.stepId, "the same row");
    const rows = await stepsOf(pid);
    assert.equal(rows.length, 1, "overwritten, not added");
    assert.equal(rows[0]!.status, "waiting");
    assert.deepEqual(rows[0]!.state, { class: "E", error: "again", retries: 1 });
    assert.equal(rows[0]!.is_delta, false);
    assert.ok(rows[0]!.completed_at > before!.completed_at, "completed_at moves on (the row sorts last)");
    const row = await processRow(pid);
    assert.equal(row.last_status, "waiting");
    assert.equal(row.failed_reason, "again");
    hold.release();
    await blocked.promise;

    await db.db.deleteFrom("processes").where("pid", "=", pid).execute();
    assert.equal(await writer.write(input(pid, { replaceStepId: original.stepId })), undefined, "a deleted process: undefined");
  });

  it("the global lock is read back with every kind of checkpoint", async () => {
    try {
      for (const locked of [true, false]) {
        await setLock(locked);
        const [a, b, c, d] = await Promise.all([newProcess(), newProcess(), newProcess(), newProcess()]);
        const single = await writer.write(input(a));
        const stepOnly = await writer.write(input(b, { stepOnly: true }));
        const batch = await batchBehindHeld([input(c), input(d, { stepOnly: true })], async () => undefined);
        const replaced = await writer.write(input(a, { replaceStepId: single!.stepId }));
        const answers = [single, stepOnly, ...batch.map((o) => (o as PromiseFulfilledResult<CheckpointResult | undefined>).value), replaced];
        assert.deepEqual(
          answers.map((r) => r?.globalLock),
          answers.map(() => locked),
          `global_lock ${locked}`,
        );
      }
    } finally {
      await setLock(false);
    }
  });

  it("with the lock known (by notification), a step-only checkpoint does not read it back but answers the known value", async () => {
    try {
      await setLock(true);
      writer = newWriter(1, () => false);
      const pid = await newProcess();
      const result = await writer.write(input(pid, { stepOnly: true }));
      assert.equal(result?.globalLock, false, "the known value, not the table's");
      assert.ok(!spy.statements[0]!.text.includes("global_lock"), "the statement does not read engine_settings");
      assert.equal((await stepsOf(pid)).length, 1);
    } finally {
      await setLock(false);
    }
  });
});
