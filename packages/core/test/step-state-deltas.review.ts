/**
 * Review of step states stored as deltas (db/step-states.ts): every scenario that writes rows out of the plain
 * one-after-another order (step groups, callback steps, input steps, abort, retry, repeated failures, pause, shutdown
 * and recovery, conditional skips, the revision's downgrade and upgrade) runs twice: once as the engine runs it, once
 * with an engine whose checkpoints never get a base (every row whole: what whole-state storage stores). Every row's
 * state as read back (loadSteps) must be the same in both, and also as folded here from the raw rows.
 *
 * Not part of `npm test` (the name does not end in .test.ts): "abort while running" compares two runs whose abort is
 * taken at whichever step is next, so they can differ by a step, and one run on PostgreSQL was seen not to exit after
 * its last test. Run it by hand, with a time limit:
 * `timeout 120 node --import tsx --test packages/core/test/step-state-deltas.review.ts` (add TEST_DATABASE=postgres).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { CORE_VERSIONS_FOLDER, LazyWorkflowInstance, loadMigrations, Migrator, WorkflowEngine } from "../src/index.js";
import { loadSteps } from "../src/workflow/process-store.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate } from "./support/engine-db.js";
import { BIG_LENGTH, closeDeltaGate, deltaConfig, gateReached } from "./support/delta-workflows.js";

const FILE = fileURLToPath(new URL("./support/delta-workflows.ts", import.meta.url));
const WORKFLOWS = ["delta_main", "delta_long_group", "delta_callback"];

type Engine = WorkflowEngine;
interface Env {
  engine: Engine;
  /** Shut the engine down (after `during`, run while it shuts down) and start a new one on the same database. */
  restart(during?: () => void | Promise<void>): Promise<void>;
  /** A new engine of the same kind (the caller shut the last one down). */
  fresh(): Promise<Engine>;
}

describe(`step-state deltas under review (${backend})`, { timeout: 90_000 }, () => {
  let db: TestDatabase;

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    for (const name of WORKFLOWS) {
      new LazyWorkflowInstance(FILE, name);
      await db.db.insertInto("workflows").values({ name, target: "SYSTEM", description: name, is_task: false }).onConflict((oc) => oc.column("name").doNothing()).execute();
    }
  });
  after(async () => {
    await db?.close();
  });

  async function newEngine(whole: boolean): Promise<Engine> {
    const engine = new WorkflowEngine({ database: db, maxWorkers: 2 });
    if (whole) {
      // the reference: no checkpoint gets a base, so every row is stored whole
      const store = (engine as unknown as { runner: { store: { checkpoint: (input: { base?: unknown }, trx?: unknown) => unknown } } }).runner.store;
      const original = store.checkpoint;
      store.checkpoint = (input, trx) => original({ ...input, base: undefined }, trx);
    }
    await engine.start();
    return engine;
  }

  /** Run `scenario` with an engine of the given kind; returns the process id and its final status. */
  async function run(whole: boolean, scenario: (env: Env) => Promise<string>): Promise<{ pid: string; status: string }> {
    const env: Env = {
      engine: await newEngine(whole),
      async restart(during) {
        const stopping = env.engine.shutdown();
        await during?.();
        await stopping;
        env.engine = await newEngine(whole);
      },
      fresh: () => newEngine(whole),
    };
    try {
      const pid = await scenario(env);
      const status = await env.engine.waitFor(pid);
      return { pid, status };
    } finally {
      await env.engine.shutdown();
    }
  }

  const rawRows = async (pid: string) =>
    (await sql<{ stepid: string; name: string; status: string; state: Record<string, unknown>; is_delta: boolean }>`
      SELECT stepid, name, status, state, is_delta FROM process_steps WHERE pid = ${pid} ORDER BY seq`.execute(db.db)).rows;

  /** Our own fold of the stored rows (independent of rebuildStepStates). */
  function fold(rows: { state: Record<string, unknown>; is_delta: boolean }[]): Record<string, unknown>[] {
    let previous: Record<string, unknown> = {};
    return rows.map((row) => {
      let state: Record<string, unknown>;
      if (!row.is_delta) state = row.state;
      else {
        state = Object.create(null) as Record<string, unknown>;
        for (const key of Object.keys(previous)) Object.defineProperty(state, key, { value: previous[key], enumerable: true, writable: true, configurable: true });
        const set = row.state.set as Record<string, unknown>;
        for (const key of Object.keys(set)) Object.defineProperty(state, key, { value: set[key], enumerable: true, writable: true, configurable: true });
        for (const key of (row.state.unset as string[] | undefined) ?? []) delete state[key];
      }
      previous = state;
      return state;
    });
  }

  /** A row's state in a comparable form: own keys sorted, the process id and callback tokens replaced. */
  function canonical(state: unknown, pid: string): string {
    const sorted = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sorted);
      if (value && typeof value === "object") {
        return Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]);
      }
      return value;
    };
    let text = JSON.stringify(sorted(state)).replaceAll(pid, "<pid>");
    const token = (state as Record<string, unknown>).__callback_token;
    if (typeof token === "string") text = text.replaceAll(token, "<token>");
    return text.replace(/callback\/[A-Za-z0-9_-]{32}/g, "callback/<token>");
  }

  async function rowsOf(pid: string) {
    const steps = await loadSteps(db.db, pid);
    const raw = await rawRows(pid);
    const folded = fold(raw);
    assert.deepStrictEqual(steps.map((s) => s.stepid), raw.map((r) => r.stepid));
    steps.forEach((s, i) => assert.equal(canonical(s.state, pid), canonical(folded[i], pid), `row ${i} ${s.name}: loadSteps vs own fold`));
    return { view: steps.map((s) => `${s.name} | ${s.status} | ${canonical(s.state, pid)}`), deltas: raw.filter((r) => r.is_delta).length, raw };
  }

  /** The scenario with deltas and with whole states only: same rows, same states, same outcome. */
  async function compare(config: Partial<typeof deltaConfig>, scenario: (env: Env) => Promise<string>, expectedStatus: string) {
    const defaults = { g3Fails: 0, flakyFails: 0, lateFails: 0, ask: false, gate: false };
    Object.assign(deltaConfig, defaults, config);
    const actual = await run(false, scenario);
    const actualDeltas = (await rawRows(actual.pid)).filter((r) => r.is_delta).length;
    Object.assign(deltaConfig, defaults, config);
    const reference = await run(true, scenario);
    Object.assign(deltaConfig, defaults);
    assert.equal(actual.status, expectedStatus);
    assert.equal(reference.status, expectedStatus);
    const a = await rowsOf(actual.pid);
    const r = await rowsOf(reference.pid);
    assert.equal(r.deltas, 0, "the reference stores whole states only");
    assert.ok(actualDeltas > 0, "the scenario stores deltas");
    assert.deepStrictEqual(a.view, r.view);
    // the rows of the actual run: no run of more than 16 rows without a snapshot
    let since = 0;
    for (const row of a.raw) {
      since = row.is_delta ? since + 1 : 1;
      assert.ok(since <= 16);
    }
    return { pid: actual.pid, steps: await loadSteps(db.db, actual.pid) };
  }


  it("a plain run of codec-stressing states: every row and the final state as whole storage has them", async () => {
    const { steps } = await compare({}, async ({ engine }) => engine.startProcess("delta_main", [{}]), "completed");
    const last = steps.at(-1)!.state;
    assert.ok(Object.prototype.hasOwnProperty.call(last, "__proto__"), "own __proto__ kept");
    assert.deepStrictEqual((last as Record<string, unknown>)["__proto__"], { polluted: true });
    assert.equal(Object.getPrototypeOf(last), Object.prototype, "no prototype set from state");
    assert.equal((last.big as string).length, BIG_LENGTH);
    assert.equal(last.constructor, "changed");
    assert.ok(!Object.keys(last).includes("toString"));
    assert.ok(!Object.keys(last).includes("nul"));
    assert.deepStrictEqual(last.obj, { x: 10, deep: { y: [42] } });
    assert.deepStrictEqual(last.arr, [1, { a: 2 }, null, "pushed"]);
    assert.equal(last.date, "2020-01-02T03:04:05.006Z");
    const mutated = steps.find((s) => s.name === "Mutate in place")!.state;
    assert.deepStrictEqual(mutated.obj, { x: 2, deep: { y: [1, 2, 3], z: { w: "w" } } });
    const seed = steps.find((s) => s.name === "Seed")!.state;
    assert.deepStrictEqual(seed.obj, { x: 1, deep: { y: [1, 2], z: { w: "w" } } }, "a later in-place mutation does not reach the earlier row");
  });

  it("a step group whose sub-step fails twice (identical: the row is updated), a repeated identical failure, an input step, failures after 16 rows: retried to the end", async () => {
    await compare({ g3Fails: 2, flakyFails: 2, lateFails: 2, ask: true }, async ({ engine }) => {
      const pid = await engine.startProcess("delta_main", [{}]);
      for (let i = 0; i < 7; i++) {
        const status = await engine.waitFor(pid);
        if (status === "completed") break;
        if (status === "suspended") await engine.resumeProcess(pid, [{ confirmed: true, extra: { a: 7 } }]);
        else {
          assert.equal(status, "failed");
          await engine.resumeProcess(pid);
        }
      }
      return pid;
    }, "completed");
  });

  it("pause mid-run, then unpause", async () => {
    await compare({ gate: true, g3Fails: 1 }, async ({ engine }) => {
      const open = closeDeltaGate();
      const pid = await engine.startProcess("delta_main", [{}]);
      await gateReached;
      await engine.pause();
      open();
      assert.equal(await engine.waitFor(pid), "running");
      await engine.unpause();
      assert.equal(await engine.waitFor(pid), "failed");
      await engine.resumeProcess(pid);
      return pid;
    }, "completed");
  });

  it("abort while running", async () => {
    await compare({ gate: true }, async ({ engine }) => {
      const open = closeDeltaGate();
      const pid = await engine.startProcess("delta_main", [{}]);
      await gateReached;
      const aborting = engine.abortProcess(pid);
      open();
      await aborting;
      return pid;
    }, "aborted");
  });

  it("abort while suspended, and after a failed step group", async () => {
    await compare({ ask: true }, async ({ engine }) => {
      const pid = await engine.startProcess("delta_main", [{}]);
      assert.equal(await engine.waitFor(pid), "suspended");
      await engine.abortProcess(pid);
      return pid;
    }, "aborted");
    await compare({ g3Fails: 1 }, async ({ engine }) => {
      const pid = await engine.startProcess("delta_main", [{}]);
      assert.equal(await engine.waitFor(pid), "failed");
      await engine.abortProcess(pid);
      return pid;
    }, "aborted");
  });

  it("engine shutdown mid-run, a new engine recovers the process", async () => {
    await compare({ gate: true, lateFails: 1 }, async (env) => {
      const open = closeDeltaGate();
      const pid = await env.engine.startProcess("delta_main", [{}]);
      await gateReached;
      await env.restart(() => open());
      deltaConfig.gate = false;
      assert.equal(await env.engine.waitFor(pid), "failed");
      await env.engine.resumeProcess(pid);
      return pid;
    }, "completed");
  });

  it("a callback step: progress, the callback's data, then the rest of the process", async () => {
    await compare({}, async ({ engine }) => {
      const pid = await engine.startProcess("delta_callback", [{}]);
      assert.equal(await engine.waitFor(pid), "awaiting_callback");
      const token = (await loadSteps(db.db, pid)).at(-1)!.state.__callback_token as string;
      await engine.updateAwaitingProcessProgress(pid, token, { percent: 50 });
      await engine.updateAwaitingProcessProgress(pid, token, { percent: 90, nested: { a: [1] } });
      await engine.continueAwaitingProcess(pid, token, { ok: true, detail: { id: 1 } });
      return pid;
    }, "completed");
  });

  it("a callback step that times out (failAwaitingProcess), is retried, and then called back; a callback that is not ok, retried", async () => {
    await compare({}, async ({ engine }) => {
      const pid = await engine.startProcess("delta_callback", [{}]);
      assert.equal(await engine.waitFor(pid), "awaiting_callback");
      let token = (await loadSteps(db.db, pid)).at(-1)!.state.__callback_token as string;
      await engine.updateAwaitingProcessProgress(pid, token, { percent: 10 });
      await engine.failAwaitingProcess(pid);
      assert.equal(await engine.waitFor(pid), "failed");
      await engine.resumeProcess(pid);
      assert.equal(await engine.waitFor(pid), "awaiting_callback");
      token = (await loadSteps(db.db, pid)).at(-1)!.state.__callback_token as string;
      await engine.continueAwaitingProcess(pid, token, { ok: false });
      assert.equal(await engine.waitFor(pid), "failed");
      await engine.resumeProcess(pid);
      return pid;
    }, "failed");
  });

  it("a long process: a step group failing after the first snapshots, retried; a later failure, retried; the final state complete", async () => {
    const { steps } = await compare({ g3Fails: 2, lateFails: 2 }, async ({ engine }) => {
      const pid = await engine.startProcess("delta_long_group", [{}]);
      for (let i = 0; i < 5; i++) {
        if ((await engine.waitFor(pid)) !== "failed") break;
        await engine.resumeProcess(pid);
      }
      return pid;
    }, "completed");
    const last = steps.at(-1)!.state;
    for (let i = 2; i <= 45; i++) if ((i + 3) % 7 !== 0) assert.equal(last[`k${i}`], `v${i}`, `k${i}`);
    assert.deepStrictEqual([last.lg1, last.lg2, last.lg3, last.late], ["a", "b", "c", "ok"]);
    assert.ok(!("k1" in last));
  });

  it("the revision's downgrade with a process stopped mid-run and a failed one; upgraded, both resume to the end as whole storage has them", async () => {
    const migrator = new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER]));
    await compare({ gate: true, lateFails: 1, g3Fails: 1 }, async (env) => {
      const open = closeDeltaGate();
      const pid = await env.engine.startProcess("delta_main", [{}]);
      await gateReached;
      await env.restart(async () => {
        open();
        // shut down, then the database goes down to the whole-state revision and up again before the next engine
      });
      // the new engine recovered it already; stop it and go through the migrations while it is failed
      deltaConfig.gate = false;
      assert.equal(await env.engine.waitFor(pid), "failed");
      const before = (await loadSteps(db.db, pid)).map((s) => [s.stepid, s.state]);
      await env.engine.shutdown();
      await migrator.downgrade("395053131319");
      const { rows } = await sql<{ stepid: string; state: unknown }>`SELECT stepid, state FROM process_steps WHERE pid = ${pid}`.execute(db.db);
      assert.deepStrictEqual(new Map(rows.map((r) => [r.stepid, r.state])), new Map(before as [string, unknown][]), "downgrade writes whole states");
      await migrator.upgrade("heads");
      env.engine = await env.fresh();
      await env.engine.resumeProcess(pid);
      assert.equal(await env.engine.waitFor(pid), "failed");
      await env.engine.resumeProcess(pid);
      return pid;
    }, "completed");
  });
});
