/**
 * Replay (`recoverState`): where a process is, rebuilt from its step rows alone (orchestrator-core's `_recoverwf`).
 * Pure — rows in, state out — so no database: the rows are written here as the engine writes them.
 *
 * What it must do (orchestrator-core services/processes.py `_recoverwf`): the steps that count are the "cleared" rows
 * (not failed / waiting / suspended / awaiting a callback; here not aborted either); the state to go on from is the
 * last row's when it is suspended or awaiting a callback, else the last cleared row's, else `{}`; a `complete` row
 * ends the process. Our step groups add: a group's progress rows (carrying `__step_group`) do not count until the
 * group finishes (its row is then overwritten with the group's result, without `__step_group`).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { recoverState } from "../src/workflow/replay.js";
import type { StepRow } from "../src/workflow/process-store.js";
import { StepStatus } from "../src/workflow/status.js";

const PID = "00000000-0000-4000-8000-000000000001";

/** Rows of one process, in the order loadSteps gives them (seq: the order they were written). */
class Log {
  readonly rows: StepRow[] = [];
  private clock = Date.UTC(2026, 0, 1);

  private tick(): Date {
    this.clock += 1000;
    return new Date(this.clock);
  }

  add(name: string, status: StepStatus, state: Record<string, unknown>): StepRow {
    const at = this.tick();
    const row: StepRow = {
      stepid: randomUUID(),
      pid: PID,
      name,
      status,
      state: state as StepRow["state"],
      created_by: "SYSTEM",
      started_at: at,
      completed_at: at,
      commit_hash: null,
      is_delta: false,
      seq: String(this.clock),
    };
    this.rows.push(row);
    return row;
  }

  /**
   * Overwrite a row in place (replaceStepId): the writer gives the row a new seq (and completed_at), so it moves to
   * the end of the order.
   */
  replace(row: StepRow, name: string, status: StepStatus, state: Record<string, unknown>): StepRow {
    const index = this.rows.indexOf(row);
    assert.ok(index >= 0, "replacing a row of the log");
    this.rows.splice(index, 1);
    const at = this.tick();
    const next: StepRow = { ...row, name, status, state: state as StepRow["state"], completed_at: at, is_delta: false, seq: String(at.getTime()) };
    this.rows.push(next);
    return next;
  }
}

describe("recoverState: replay of a process's step rows", () => {
  it("an empty process: nothing completed, an empty state to start from, no last row", () => {
    assert.deepEqual(recoverState([]), { outcome: { status: StepStatus.SUCCESS, state: {} }, completedSteps: 0, lastRow: undefined });
  });

  it("successful and skipped steps each count; the state is the last row's", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("Skip me", StepStatus.SKIPPED, { a: 1 });
    const last = log.add("Two", StepStatus.SUCCESS, { a: 1, b: 2 });
    const r = recoverState(log.rows);
    assert.equal(r.completedSteps, 3);
    assert.deepEqual(r.outcome, { status: StepStatus.SUCCESS, state: { a: 1, b: 2 } });
    assert.equal(r.lastRow, last);
  });

  it("a failed step does not count: the state is the last success's, the failed row is the last row (for a repeated failure)", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("One", StepStatus.SUCCESS, { a: 1, one: true });
    const failed = log.add("Two", StepStatus.FAILED, { class: "ValueError", error: "boom", retries: 2 });
    const r = recoverState(log.rows);
    assert.equal(r.completedSteps, 2, "the next step to run is Two again");
    assert.deepEqual(r.outcome, { status: StepStatus.SUCCESS, state: { a: 1, one: true } }, "not the error state");
    assert.equal(r.lastRow, failed);
  });

  it("several failures and waits of one step (different errors: a row each), then its success: counted once", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("Flaky", StepStatus.FAILED, { class: "E", error: "first" });
    log.add("Flaky", StepStatus.FAILED, { class: "E", error: "second" });
    const waiting = log.add("Flaky", StepStatus.WAITING, { class: "E", error: "api down" });
    let r = recoverState(log.rows);
    assert.equal(r.completedSteps, 1);
    assert.deepEqual(r.outcome.state, { a: 1 });
    assert.equal(r.lastRow, waiting);
    log.add("Flaky", StepStatus.SUCCESS, { a: 1, flaky: "ok" });
    r = recoverState(log.rows);
    assert.equal(r.completedSteps, 2);
    assert.deepEqual(r.outcome, { status: StepStatus.SUCCESS, state: { a: 1, flaky: "ok" } });
  });

  it("suspended (an input form): the suspended row's own state and status are returned; after the resume the suspend row does not count", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("One", StepStatus.SUCCESS, { a: 1, one: 1 });
    const suspended = log.add("Confirm", StepStatus.SUSPEND, { a: 1, one: 1, asked: true });
    let r = recoverState(log.rows);
    assert.deepEqual(r.outcome, { status: StepStatus.SUSPEND, state: { a: 1, one: 1, asked: true } });
    assert.equal(r.completedSteps, 2, "the suspended step is the next to run");
    assert.equal(r.lastRow, suspended);
    // resumed: the engine logs the step as a new success row with the user's input (the suspend row stays)
    log.add("Confirm", StepStatus.SUCCESS, { a: 1, one: 1, asked: true, answer: "yes" });
    log.add("Three", StepStatus.SUCCESS, { a: 1, one: 1, asked: true, answer: "yes", three: 3 });
    r = recoverState(log.rows);
    assert.equal(r.completedSteps, 4);
    assert.equal(r.outcome.status, StepStatus.SUCCESS);
    assert.equal(r.outcome.state.three, 3);
  });

  it("awaiting a callback: the awaiting row's state (with callback data merged in) and status", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    const awaiting = log.add("Provision", StepStatus.AWAITING_CALLBACK, {
      a: 1,
      __step_group: "Provision",
      __sub_step: "Provision - Create endpoint",
      __callback_token: "t",
      callback_result: { ok: true },
    });
    const r = recoverState(log.rows);
    assert.equal(r.outcome.status, StepStatus.AWAITING_CALLBACK);
    assert.deepEqual(r.outcome.state, awaiting.state);
    assert.equal(r.completedSteps, 1);
    assert.equal(r.lastRow, awaiting);
  });

  it("a suspend earlier in the log, then a failure: the state is the last cleared row's, not the old suspend's", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("Ask", StepStatus.SUSPEND, { a: 1 });
    log.add("Ask", StepStatus.SUCCESS, { a: 1, answer: 42 });
    log.add("Use", StepStatus.FAILED, { class: "E", error: "no" });
    const r = recoverState(log.rows);
    assert.deepEqual(r.outcome, { status: StepStatus.SUCCESS, state: { a: 1, answer: 42 } });
    assert.equal(r.completedSteps, 2);
  });

  it("complete: the Done row ends the process, its state and status returned", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("One", StepStatus.SUCCESS, { a: 1, one: 1 });
    const done = log.add("Done", StepStatus.COMPLETE, { a: 1, one: 1 });
    const r = recoverState(log.rows);
    assert.deepEqual(r.outcome, { status: StepStatus.COMPLETE, state: { a: 1, one: 1 } });
    assert.equal(r.completedSteps, 3);
    assert.equal(r.lastRow, done);
  });

  it("aborted: the abort row does not count and its state is not taken (the last cleared row's is)", () => {
    const log = new Log();
    log.add("Start", StepStatus.SUCCESS, { a: 1 });
    log.add("One", StepStatus.SUCCESS, { a: 1, one: 1 });
    const aborted = log.add("User Aborted", StepStatus.ABORT, { a: 1, one: 1, marker: "abort row" });
    const r = recoverState(log.rows);
    assert.equal(r.completedSteps, 2);
    assert.deepEqual(r.outcome, { status: StepStatus.SUCCESS, state: { a: 1, one: 1 } });
    assert.equal(r.lastRow, aborted);
  });

  describe("step groups", () => {
    const progress = (sub: string, extra: Record<string, unknown> = {}) => ({ a: 1, ...extra, __step_group: "Group", __sub_step: sub });

    it("a progress row does not count: the group runs again from its progress state", () => {
      const log = new Log();
      log.add("Start", StepStatus.SUCCESS, { a: 1 });
      const row = log.add("Group", StepStatus.SUCCESS, progress("g1", { g1: true }));
      const r = recoverState(log.rows);
      assert.equal(r.completedSteps, 1, "the group is the next step");
      assert.deepEqual(r.outcome, { status: StepStatus.SUCCESS, state: progress("g1", { g1: true }) }, "with __sub_step, so it continues after g1");
      assert.equal(r.lastRow, row);
    });

    it("a sub-step failed after progress: the progress state (not the error) is the state; the failed row is the last row", () => {
      const log = new Log();
      log.add("Start", StepStatus.SUCCESS, { a: 1 });
      log.add("Group", StepStatus.SUCCESS, progress("g1", { g1: true }));
      const failed = log.add("Group", StepStatus.FAILED, { class: "E", error: "g2 failed" });
      const r = recoverState(log.rows);
      assert.equal(r.completedSteps, 1);
      assert.deepEqual(r.outcome.state, progress("g1", { g1: true }));
      assert.equal(r.lastRow, failed);
    });

    it("retried and progressing again: the overwritten progress row moves after the failed row; still not counted", () => {
      const log = new Log();
      log.add("Start", StepStatus.SUCCESS, { a: 1 });
      const p = log.add("Group", StepStatus.SUCCESS, progress("g1", { g1: true }));
      log.add("Group", StepStatus.FAILED, { class: "E", error: "g2 failed" });
      log.replace(p, "Group", StepStatus.SUCCESS, progress("g2", { g1: true, g2: true }));
      const r = recoverState(log.rows);
      assert.equal(r.completedSteps, 1);
      assert.deepEqual(r.outcome.state, progress("g2", { g1: true, g2: true }));
    });

    it("the finished group (its row overwritten without __step_group) counts once, like any step", () => {
      const log = new Log();
      log.add("Start", StepStatus.SUCCESS, { a: 1 });
      const p = log.add("Group", StepStatus.SUCCESS, progress("g1", { g1: true }));
      log.add("Group", StepStatus.FAILED, { class: "E", error: "g2 failed" });
      log.replace(p, "Group", StepStatus.SUCCESS, { a: 1, g1: true, g2: true });
      log.add("After", StepStatus.SUCCESS, { a: 1, g1: true, g2: true, after: true });
      const r = recoverState(log.rows);
      assert.equal(r.completedSteps, 3);
      assert.deepEqual(r.outcome.state, { a: 1, g1: true, g2: true, after: true });
    });

    it("a group suspended at a sub-step's form: the suspend row's state, the group not counted", () => {
      const log = new Log();
      log.add("Start", StepStatus.SUCCESS, { a: 1 });
      log.add("Group", StepStatus.SUSPEND, progress("g1"));
      const r = recoverState(log.rows);
      assert.deepEqual(r.outcome, { status: StepStatus.SUSPEND, state: progress("g1") });
      assert.equal(r.completedSteps, 1);
    });
  });

  describe("properties", () => {
    const status = fc.constantFrom(...Object.values(StepStatus));
    const anyRow = fc.record({
      name: fc.constantFrom("A", "B", "Group"),
      status,
      group: fc.boolean(),
      value: fc.integer({ min: 0, max: 5 }),
    });

    it("for any rows: completedSteps counts the cleared rows without __step_group; the last row is returned; the outcome is one to go on from", () => {
      const cleared: readonly string[] = [StepStatus.SUCCESS, StepStatus.SKIPPED, StepStatus.COMPLETE];
      fc.assert(
        fc.property(fc.array(anyRow, { maxLength: 30 }), (specs) => {
          const log = new Log();
          for (const s of specs) log.add(s.name, s.status, s.group ? { v: s.value, __step_group: s.name } : { v: s.value });
          const r = recoverState(log.rows);
          let expected = 0;
          for (const row of log.rows) if (cleared.includes(row.status) && !("__step_group" in row.state)) expected++;
          assert.equal(r.completedSteps, expected);
          assert.equal(r.lastRow, log.rows.at(-1));
          assert.ok(([StepStatus.SUCCESS, StepStatus.SUSPEND, StepStatus.AWAITING_CALLBACK, StepStatus.COMPLETE] as string[]).includes(r.outcome.status));
          // the state comes from the last row when it stops there, else from the last cleared row (group progress too)
          const last = log.rows.at(-1);
          const fromLast = last && ([StepStatus.SUSPEND, StepStatus.AWAITING_CALLBACK, StepStatus.COMPLETE] as string[]).includes(last.status);
          const lastCleared = [...log.rows].reverse().find((row) => cleared.includes(row.status));
          assert.deepEqual(r.outcome.state, fromLast ? last.state : (lastCleared?.state ?? {}));
        }),
        { numRuns: 500 },
      );
    });

    /**
     * A model of the engine: a workflow of plain steps and step groups, run with failures (a repeated identical
     * failure overwrites its row, with retries + 1), suspends (resumed with a new success row) and group progress
     * (one row per group, overwritten at each sub-step, moving to the end of the log). Stopping anywhere, replay must
     * give back the number of workflow steps finished and the state after the last of them.
     */
    type Step = { kind: "plain"; suspends: boolean } | { kind: "group"; subSteps: number };
    const workflow = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant("plain" as const), suspends: fc.boolean() }),
        fc.record({ kind: fc.constant("group" as const), subSteps: fc.integer({ min: 1, max: 4 }) }),
      ),
      { minLength: 1, maxLength: 6 },
    );
    // for each sub-step (or plain step) run: how often it fails first, and with which error
    const attempts = fc.array(
      fc.array(fc.record({ error: fc.integer({ min: 0, max: 1 }), waiting: fc.boolean() }), { maxLength: 3 }),
      { minLength: 30, maxLength: 30 },
    );

    it("model: a run stopped after any row replays to the steps finished and the state reached", () => {
      fc.assert(
        fc.property(workflow, attempts, fc.nat(), (steps: Step[], failures, stopSeed) => {
          const log = new Log();
          // snapshots after each row written: what replay must answer at that point
          const checkpoints: { rows: StepRow[]; completed: number; state: Record<string, unknown>; status: StepStatus }[] = [];
          let completed = 0;
          let state: Record<string, unknown> = { start: true };
          const snap = (status: StepStatus = StepStatus.SUCCESS, at: Record<string, unknown> = state) =>
            checkpoints.push({ rows: [...log.rows], completed, state: at, status });
          let attempt = 0;
          /** Failures of one (sub-)step before it succeeds; a repeated identical one overwrites the failed row. */
          const failFirst = (name: string, resumeFrom: Record<string, unknown>) => {
            let lastFailed: StepRow | undefined;
            for (const f of failures[attempt++ % failures.length]!) {
              const status = f.waiting ? StepStatus.WAITING : StepStatus.FAILED;
              const errorState = { class: "E", error: `error ${f.error}` };
              if (lastFailed && lastFailed.status === status && lastFailed.state.error === errorState.error) {
                lastFailed = log.replace(lastFailed, name, status, { ...errorState, retries: Number(lastFailed.state.retries ?? 0) + 1 });
              } else {
                lastFailed = log.add(name, status, errorState);
              }
              snap(StepStatus.SUCCESS, resumeFrom);
            }
          };
          log.add("Start", StepStatus.SUCCESS, state);
          completed = 1;
          snap();
          steps.forEach((step, i) => {
            const name = `Step ${i}`;
            if (step.kind === "plain") {
              if (step.suspends) {
                log.add(name, StepStatus.SUSPEND, state);
                snap(StepStatus.SUSPEND);
                state = { ...state, [`input ${i}`]: i };
                log.add(name, StepStatus.SUCCESS, state); // the resume logs the step with the user's input
                completed++;
                snap();
                return;
              }
              failFirst(name, state);
              state = { ...state, [name]: i };
              log.add(name, StepStatus.SUCCESS, state);
              completed++;
              snap();
              return;
            }
            let progress: StepRow | undefined;
            let groupState = state;
            let resumeFrom = state;
            for (let s = 0; s < step.subSteps; s++) {
              failFirst(name, resumeFrom);
              groupState = { ...groupState, [`${name}.${s}`]: s };
              if (s < step.subSteps - 1) {
                const row = { ...groupState, __sub_step: `${name}.${s}`, __step_group: name };
                progress = progress ? log.replace(progress, name, StepStatus.SUCCESS, row) : log.add(name, StepStatus.SUCCESS, row);
                // not finished: replay goes on from the group's progress, the group itself not counted yet
                resumeFrom = row;
                snap(StepStatus.SUCCESS, row);
              } else {
                state = groupState;
                if (progress) log.replace(progress, name, StepStatus.SUCCESS, state);
                else log.add(name, StepStatus.SUCCESS, state);
                completed++;
                snap();
              }
            }
          });
          log.add("Done", StepStatus.COMPLETE, state);
          completed++;
          snap(StepStatus.COMPLETE);

          const at = checkpoints[stopSeed % checkpoints.length]!;
          const r = recoverState(at.rows);
          assert.equal(r.completedSteps, at.completed, "workflow steps finished");
          assert.deepEqual(r.outcome, { status: at.status, state: at.state });
          assert.equal(r.lastRow, at.rows.at(-1));
        }),
        { numRuns: 1000 },
      );
    });
  });
});
