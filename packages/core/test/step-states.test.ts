/**
 * Step states stored as deltas with snapshots (db/step-states.ts): the codec on its own (any sequence of states is
 * rebuilt exactly), and a 40-step process on the back-end under test: which rows are deltas and snapshots, every
 * state read back in full, the storage it takes, and the downgrade of the revision writing full states back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { sql } from "kysely";
import { CORE_VERSIONS_FOLDER, loadMigrations, Migrator, WorkflowEngine } from "../src/index.js";
import { encodeStepState, rebuildStepStates, STATE_SNAPSHOT_EVERY, type StepState, type StepStateBase } from "../src/db/index.js";
import { loadSteps } from "../src/workflow/process-store.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";
import { LONG_RUN_STEPS, LONG_RUN_VALUE_LENGTH } from "./support/test-workflows.js";

/** Rows as a writer chaining bases makes them, `state` parsed from the JSON text as the database returns it. */
function encodeAll(states: StepState[], snapshots: boolean[]): { state: unknown; is_delta: boolean }[] {
  let base: StepStateBase | undefined;
  return states.map((state, i) => {
    const encoded = encodeStepState(state, base, snapshots[i] ?? false);
    base = encoded.base;
    return { state: JSON.parse(encoded.json), is_delta: encoded.isDelta };
  });
}

describe("step state codec", () => {
  const json = fc.jsonValue({ maxDepth: 2 });
  const key = fc.constantFrom("a", "b", "c", "d", "e", "__proto__", "constructor", "with space", "ü");
  const state = fc.dictionary(key, json, { maxKeys: 6 }) as fc.Arbitrary<StepState>;

  it("rebuilds every state of any sequence exactly, with a snapshot at least every STATE_SNAPSHOT_EVERY rows", () => {
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 60 }), fc.array(fc.boolean()), (states, snapshots) => {
        const rows = encodeAll(states, snapshots);
        const expected = states.map((s) => JSON.parse(JSON.stringify(s)));
        assert.deepStrictEqual(rebuildStepStates(rows).map((r) => r.state), expected);
        assert.equal(rows[0]!.is_delta, false, "the first row is whole");
        let run = 0;
        rows.forEach((row, i) => {
          run = row.is_delta ? run + 1 : 1;
          assert.ok(run <= STATE_SNAPSHOT_EVERY, `row ${i}: ${run} rows since the snapshot`);
          if (snapshots[i]) assert.equal(row.is_delta, false, `row ${i} was asked to be a snapshot`);
        });
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });

  it("stores only what changed: a changed key, a removed key, nothing for an unchanged state", () => {
    const rows = encodeAll([{ a: 1, b: { c: [1, 2] }, gone: true }, { a: 1, b: { c: [1, 3] } }, { a: 1, b: { c: [1, 3] } }], []);
    assert.deepStrictEqual(rows[1], { state: { set: { b: { c: [1, 3] } }, unset: ["gone"] }, is_delta: true });
    assert.deepStrictEqual(rows[2], { state: { set: {} }, is_delta: true });
  });

  it("leaves out keys JSON leaves out, as JSON.stringify of the whole state does", () => {
    const encoded = encodeStepState({ a: undefined, f: () => 1, d: new Date(0), n: null }, undefined, false);
    assert.equal(encoded.json, JSON.stringify({ a: undefined, f: () => 1, d: new Date(0), n: null }));
  });
});

describe(`step state storage (${backend})`, () => {
  let db: TestDatabase;
  let engine: WorkflowEngine;
  let pid: string;

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    await register(db, "long_run");
    engine = new WorkflowEngine({ database: db });
    await engine.start();
    pid = await engine.startProcess("long_run", [{}]);
    assert.equal(await engine.waitFor(pid), "failed");
    await engine.resumeProcess(pid);
    assert.equal(await engine.waitFor(pid), "completed");
  });
  after(async () => {
    await engine?.shutdown();
    await db?.close();
  });

  const rawRows = () =>
    db.db.selectFrom("process_steps").select(["name", "status", "state", "is_delta"]).where("pid", "=", pid).orderBy("seq").execute();

  /** The state each row should hold after step `name` of long_run. */
  function expectedKeys(name: string): Record<string, string> {
    const done = name === "Done" ? LONG_RUN_STEPS : Number(/^Long (\d+)$/.exec(name)?.[1] ?? 0);
    const keys: Record<string, string> = {};
    for (let i = 1; i <= done; i++) keys[`k${i}`] = `${i}:`.padEnd(LONG_RUN_VALUE_LENGTH, "x");
    if (done >= 10) delete keys.k3;
    if (done >= 20) keys.k5 = "changed";
    return keys;
  }

  it("writes deltas between snapshots: the run's first row, every 16th, the failure, the retry's first and the last are whole", async () => {
    const rows = await rawRows();
    const names = rows.map((r) => `${r.name}${r.is_delta ? "" : " [full]"}${r.status === "failed" ? " (failed)" : ""}`);
    assert.equal(rows.length, LONG_RUN_STEPS + 3, names.join("\n")); // Start, 40 steps, the failure, Done
    // in the order written, also for rows written within one tick of the clock (a millisecond on PGlite)
    const steps = Array.from({ length: LONG_RUN_STEPS }, (_, i) => `Long ${i + 1}`);
    assert.deepStrictEqual(
      rows.map((r) => r.name),
      ["Start", ...steps.slice(0, 33), "Long 33", ...steps.slice(33), "Done"],
    );
    assert.equal(rows[0]!.is_delta, false, "the run's first row");
    const failed = rows.findIndex((r) => r.status === "failed");
    assert.equal(rows[failed]!.name, "Long 33");
    assert.equal(rows[failed]!.is_delta, false, "a failure is a snapshot");
    assert.equal(rows[failed + 1]!.is_delta, false, "the retry's first row is a snapshot");
    assert.equal(rows.at(-1)!.is_delta, false, "the last row is a snapshot");
    let run = 0;
    for (const row of rows) {
      run = row.is_delta ? run + 1 : 1;
      assert.ok(run <= STATE_SNAPSHOT_EVERY, names.join("\n"));
    }
    assert.ok(rows.filter((r) => r.is_delta).length >= LONG_RUN_STEPS - 6, names.join("\n"));
    // a delta holds what its step changed
    const tenth = rows.find((r) => r.name === "Long 10")!;
    assert.equal(tenth.is_delta, true);
    assert.deepStrictEqual(Object.keys((tenth.state as { set: object }).set), ["k10"]);
    assert.deepStrictEqual((tenth.state as { unset?: string[] }).unset, ["k3"]);
  });

  it("every row reads back in full, as the API and the engine see it", async () => {
    for (const row of await loadSteps(db.db, pid)) {
      if (row.status === "failed") continue;
      const { process_id, reporter: _r, workflow_name: _w, workflow_target: _t, ...rest } = row.state as Record<string, unknown>;
      assert.equal(process_id, pid);
      const keys = Object.fromEntries(Object.entries(rest).filter(([k]) => /^k\d+$/.test(k)));
      assert.deepStrictEqual(keys, expectedKeys(row.name), row.name);
    }
  });

  it("takes a fraction of the storage of whole states", async () => {
    const { rows } = await sql<{ stored: number; whole: number }>`
      SELECT sum(octet_length(state::text))::int AS stored, 0 AS whole FROM process_steps WHERE pid = ${pid}`.execute(db.db);
    const whole = (await loadSteps(db.db, pid)).reduce((sum, row) => sum + Buffer.byteLength(JSON.stringify(row.state)), 0);
    assert.ok(rows[0]!.stored * 3 < whole, `stored ${rows[0]!.stored} bytes, whole states ${whole}`);
  });

  it("the revision's downgrade writes every state back in full; upgrading again reads them the same", async () => {
    const steps = await loadSteps(db.db, pid);
    const before = new Map(steps.map((r) => [r.stepid, r.state]));
    const migrator = new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER]));
    await migrator.downgrade("395053131319");
    const { rows } = await sql<{ stepid: string; state: StepState }>`SELECT stepid, state FROM process_steps WHERE pid = ${pid}`.execute(db.db);
    assert.deepStrictEqual(new Map(rows.map((r) => [r.stepid, r.state])), before);
    await migrator.upgrade("heads");
    // numbered again from completed_at: within a millisecond (the embedded database's clock) the order is lost, but
    // every row now holds its whole state
    assert.deepStrictEqual(new Map((await loadSteps(db.db, pid)).map((r) => [r.stepid, r.state])), before);
  });
});
