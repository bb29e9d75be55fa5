/**
 * The step runner: runs a claimed process's steps one after another, with a checkpoint after each, as
 * orchestrator-core's `workflow.py` runs steps against its `logstep` callback. It knows no SQL: what it stores goes
 * through a {@link StepStore}, and what it must know of the engine (leases, pauses, abort requests, events) through a
 * {@link RunHost}. The engine claims a process and hands it here.
 */
import type { ControlledTransaction, Kysely } from "kysely";
import { isDatabaseConnectionError, type Database, type StepStateBase } from "../db/index.js";
import { storedState, type CheckpointInput, type CheckpointResult } from "./checkpoint-writer.js";
import { LeaseLostError, WorkflowRemovedError } from "./errors.js";
import type { ClaimedProcess, ProcessRow, StepRow } from "./process-store.js";
import { getWorkflow } from "./registry.js";
import { groupProgressRow, recoverState, sameFailure } from "./replay.js";
import { Assignee, overallStatus, ProcessStatus, StepStatus } from "./status.js";
import type { ErrorState, ProcessControl, State, Step, StepContext, StepOutcome } from "./steps.js";

/** A step's own transaction, opened when the step first asks for the database; its checkpoint is written in it. */
export type StepTransaction = ControlledTransaction<Database>;

/** What the runner stores, and where (the engine binds it to the process store and the checkpoint writer). */
export interface StepStore {
  /** Write a checkpoint: in `trx` when given (the caller commits), else group-committed. Undefined: process gone. */
  checkpoint(input: CheckpointInput, trx?: Kysely<Database>): Promise<CheckpointResult | undefined>;
  /** Write a process's rows in one statement, in order (a pure step's with its neighbour's); a result per row. */
  checkpointGroup(inputs: CheckpointInput[], trx?: Kysely<Database>): Promise<(CheckpointResult | undefined)[]>;
  beginStepTransaction(): Promise<StepTransaction>;
  /** Record the step a running process is at (its row is otherwise written at most once a second); false: gone. */
  touchProcessRow(processId: string, lastStep: string): Promise<boolean>;
  /**
   * The process was found deleted: remove the step rows its run wrote after that (step-only checkpoints do not look).
   * Called once the step's transaction is settled (on the embedded database it holds the one session).
   */
  removeOrphanSteps(processId: string): Promise<void>;
  /** Set a running process completed; false when it was not running. */
  markCompleted(processId: string, lastStep?: string): Promise<boolean>;
  /** The input stored by the newest resume (a suspended step's form, when recovery takes the run over). */
  latestUserInput(processId: string): Promise<State | undefined>;
}

/** Emitted on `engine.events` as "process" after every change of a process. */
export interface ProcessEvent {
  processId: string;
  status: ProcessStatus;
  /** Set when a step was logged: its name, status and how long it ran. */
  step?: string;
  stepStatus?: StepStatus;
  stepSeconds?: number;
}

/** What the runner asks of the engine that runs it. */
export interface RunHost {
  /** Handed to steps as `ctx.engine`. */
  engine: ProcessControl;
  /** Whether this engine still holds the process's lease (always true without leases). */
  leaseHeld(processId: string): boolean;
  /** The user who asked to abort the process while it ran, taken (once). */
  takeAbortRequest(processId: string): string | undefined;
  /** Whether an abort of the process is asked for (without taking the request). */
  abortRequested(processId: string): boolean;
  /** Whether the engine is paused, as it knows it, else as read back by the last checkpoint (`readBack`). */
  paused(readBack: boolean): boolean;
  /** Whether the engine is shutting down: the run stops after its step. */
  stopping(): boolean;
  /** The run stopped because its lease was lost: recovery takes the process over. */
  interrupted(processId: string): void;
  /** The run stopped for a pause: lifting it resumes the process. */
  stoppedForPause(processId: string): void;
  emit(event: ProcessEvent): void;
}

/** A claimed process to run. */
export interface RunOptions {
  processId: string;
  user: string;
  claimed: ClaimedProcess;
  /** When the claim was made (ms since the epoch): a fresh process's row counts as written then. */
  claimedAt: number;
  /** The input of the resume that queued this run, if any. */
  input?: State;
}

/** While a process keeps running, its row (last_step, last_modified_at) is updated at most this often. */
const PROCESS_ROW_INTERVAL_MS = 1000;

/**
 * Deep merge for user input into state: objects merge, anything else is replaced. A key named `__proto__` (JSON input
 * can carry one) is stored as data, never taken as the object's prototype.
 */
export function deepMerge(target: State, source: State): State {
  const result: State = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = Object.hasOwn(result, key) ? result[key] : undefined;
    const merged = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing as State, value as State) : value;
    Object.defineProperty(result, key, { value: merged, writable: true, enumerable: true, configurable: true });
  }
  return result;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One step to run (executeStep). */
interface ExecuteStepOptions {
  processId: string;
  row: ProcessRow;
  step: Step;
  /** The state the step starts from. */
  state: State;
  user: string;
  startedAt: Date;
  /** The process's last row when the run began (a repeated identical failure updates it). */
  lastRow: StepRow | undefined;
  /** A step group's progress row to go on in. */
  groupRowId: string | undefined;
  /** Whether a success may leave the process row alone (see PROCESS_ROW_INTERVAL_MS). */
  stepOnly: boolean;
  /** The workflow's last step: its success completes the process (a workflow need not end with `done`). */
  isLast: boolean;
  /** What the run's previous row holds (CheckpointInput.base). */
  base: StepStateBase | undefined;
  /** Rows of pure steps run since the last checkpoint: written first, in the step's checkpoint statement. */
  leading: EngineCheckpoint[];
  /** The pure steps that end the workflow after this one: run at once and written with its checkpoint. */
  trailing: Step[];
}

/** A checkpoint as the engine asks for it; the process status and assignee are worked out from the outcome. */
export interface EngineCheckpoint {
  processId: string;
  stepName: string;
  outcome: StepOutcome;
  assignee: string;
  user: string;
  /** When the step started (default: now). */
  startedAt?: Date;
  replaceStepId?: string;
  /** A transaction to write the checkpoint in (a step's own, or the engine's): the caller commits. */
  trx?: Kysely<Database>;
  /** Tasks fail into inconsistent_data / api_unavailable as the original's do. */
  isTask?: boolean;
  stepOnly?: boolean;
  /** The workflow's last step: a success completes the process. */
  completes?: boolean;
  base?: StepStateBase;
  /** Not a run's checkpoint (an abort or a callback timeout logged from outside a run): see CheckpointInput.fenced. */
  outsideRun?: boolean;
  /** A pure step's row: see CheckpointInput.instant. */
  instant?: boolean;
}

/** Runs claimed processes' steps for one engine (see the module comment). */
export class StepRunner {
  constructor(
    private readonly store: StepStore,
    private readonly host: RunHost,
  ) {}

  /** A run's checkpoint may only be written while this engine holds the process's lease (PostgreSQL). */
  private assertLeased(processId: string): void {
    if (!this.host.leaseHeld(processId)) throw new LeaseLostError(processId);
  }

  /**
   * Run a claimed process's remaining steps: replay where it is, log a suspended step's input, then run step after
   * step with a checkpoint after each, until it finishes, stops (failed, suspended, awaiting a callback, aborted), is
   * paused or its lease is lost.
   */
  async runSteps(options: RunOptions): Promise<void> {
    const { processId, user, claimed, claimedAt, input } = options;
    const { row, steps: rows } = claimed;
    const workflow = await getWorkflow(row.workflow_name);
    if (!workflow) {
      await this.checkpoint({
        processId,
        stepName: "Unknown",
        outcome: { status: StepStatus.FAILED, state: { class: "WorkflowRemovedError", error: new WorkflowRemovedError("resumed").message } },
        assignee: Assignee.SYSTEM,
        user,
      });
      return;
    }
    const recovered = recoverState(rows);
    let state = recovered.outcome.state;
    if (recovered.completedSteps === 0 && rows.every((r) => r.status !== StepStatus.SUSPEND && r.status !== StepStatus.AWAITING_CALLBACK)) {
      // nothing completed yet: start from the initial input state
      state = deepMerge(state, claimed.initialState);
    }
    let remaining = workflow.steps.steps.slice(recovered.completedSteps);
    let lastRow = recovered.lastRow;
    // what the last row this run wrote holds, so the next may be stored as a delta over it (the run's first row is whole)
    let base: StepStateBase | undefined;
    // a step group that made progress before (a retry after a failed sub-step) goes on in its progress row
    let groupRowId: string | undefined = groupProgressRow(rows, remaining[0]);
    const resumingSuspended =
      recovered.outcome.status === StepStatus.SUSPEND || recovered.outcome.status === StepStatus.AWAITING_CALLBACK;
    if (resumingSuspended && remaining[0]) {
      // the suspended (or awaiting) step is done now: log it with the user's input and go on after it. A step group
      // (a callback step) goes on in its own row, updated in place: one row per step, from awaiting to its outcome
      const first = remaining[0];
      // taken over by recovery (the resume's run was lost): the input the resume stored
      const userInput = input ?? (recovered.outcome.status === StepStatus.SUSPEND ? await this.store.latestUserInput(processId) : undefined);
      state = deepMerge(state, userInput ?? {});
      const ownRow = first.isGroup && lastRow?.name === first.name ? lastRow.stepid : undefined;
      const logged = await this.checkpoint({ processId, stepName: first.name, outcome: { status: StepStatus.SUCCESS, state }, assignee: first.assignee, user, replaceStepId: ownRow });
      if (!logged) return;
      state = logged.state;
      base = logged.base;
      if (first.isGroup) groupRowId = logged.stepId;
      else remaining = remaining.slice(1);
    }
    if (this.host.paused(claimed.globalLock)) {
      // paused: stays running, lifting the pause resumes it
      this.host.stoppedForPause(processId);
      return;
    }

    // The process row is written with every status change; while the process keeps running, at most once per
    // PROCESS_ROW_INTERVAL_MS (the step rows are the record; last_step catches up).
    // A fresh process's row was just written by the claim (status running, nothing else to record yet), so even its
    // first step may be step-only; a resumed or retried one gets its row (last step, reason, assignee) rewritten first.
    const fresh = rows.length === 0 && !row.failed_reason && !row.traceback && !resumingSuspended;
    let processRowWrittenAt = fresh ? claimedAt : 0;
    // Pure steps (Step.pure: Start, Done) cost no statement of their own: a leading one's row waits for the next
    // step's checkpoint, and those ending the workflow run with the last other step's checkpoint. Running one again
    // after a crash changes nothing, and no step with effects ever runs while a row of one with effects is unwritten.
    let leading: EngineCheckpoint[] = [];
    for (const [index, current] of remaining.entries()) {
      if (!this.host.leaseHeld(processId)) {
        // the lease was lost with its session: another engine may take the process over, so no further step runs
        // here; it stays running and recovery resumes it from this checkpoint
        this.host.interrupted(processId);
        return;
      }
      const aborter = this.host.takeAbortRequest(processId);
      if (aborter !== undefined) {
        const abortRow = { processId, stepName: "User Aborted", outcome: { status: StepStatus.ABORT, state }, assignee: Assignee.SYSTEM, user: aborter };
        const aborted = (await this.checkpointGroup([...leading, abortRow])).at(-1);
        if (!aborted) await this.store.removeOrphanSteps(processId); // deleted meanwhile
        return;
      }
      const startedAt = new Date();
      const isLast = index === remaining.length - 1;
      const rest = remaining.slice(index + 1);
      // held until a step with effects writes it (not a step group: it writes rows of its own while it runs); not
      // while paused or stopping: its own checkpoint then stops the process before the next step
      if (current.pure && rest.some((s) => !s.pure) && !rest[0]!.isGroup && !this.host.stopping() && !this.host.paused(false)) {
        const outcome = current.pure(state);
        if (outcome.status === StepStatus.SUCCESS || outcome.status === StepStatus.SKIPPED) {
          // the first row of a statement may be a delta over the run's last row; the rows after it are whole
          leading.push({ processId, stepName: current.name, outcome, assignee: current.assignee, user, startedAt, stepOnly: true, instant: true, base: leading.length === 0 ? base : undefined });
          state = storedState(outcome.state);
          lastRow = undefined;
          continue;
        }
      }
      const trailing = rest.length > 0 && rest.every((s) => s.pure) ? rest : [];
      const stepOnly = startedAt.getTime() - processRowWrittenAt < PROCESS_ROW_INTERVAL_MS;
      const result = await this.executeStep({
        processId,
        row,
        step: current,
        state,
        user,
        startedAt,
        lastRow,
        groupRowId,
        stepOnly: stepOnly && !isLast,
        isLast,
        base: leading.length > 0 ? undefined : base,
        leading,
        trailing,
      });
      leading = [];
      groupRowId = undefined;
      if (!result) {
        // deleted meanwhile (found by a full checkpoint; the step's transaction, if any, is rolled back by now)
        await this.store.removeOrphanSteps(processId);
        return;
      }
      const { outcome, stored } = result;
      // the pure steps ending the workflow were written with this one: the process is complete (or aborted)
      if (result.finished) return;
      if (outcome.status !== StepStatus.SUCCESS && outcome.status !== StepStatus.SKIPPED) return;
      if (!result.stepOnly) processRowWrittenAt = startedAt.getTime();
      state = stored.state;
      base = stored.base;
      lastRow = undefined;
      if (this.host.stopping() || this.host.paused(stored.globalLock)) {
        // paused, or shutting down: record where the process is; it stays running (lifting the pause / the next
        // start resumes it)
        if (!(await this.store.touchProcessRow(processId, current.name))) {
          await this.store.removeOrphanSteps(processId); // deleted meanwhile
          return;
        }
        if (!this.host.stopping()) this.host.stoppedForPause(processId);
        return;
      }
    }
    if (remaining.length > 0) return; // the last step's checkpoint completed the process
    // nothing was left to run: the process is complete
    const last = remaining.at(-1)?.name;
    if (await this.store.markCompleted(processId, last)) this.host.emit({ processId, status: ProcessStatus.COMPLETED });
  }

  /** Run one step with a lazily opened transaction and write its checkpoint (in that transaction when there is one). */
  private async executeStep(options: ExecuteStepOptions) {
    const { processId, row, step: current, state, user, startedAt, lastRow, groupRowId, stepOnly, isLast } = options;
    let trx: ControlledTransaction<Database> | undefined;
    let replaceId = groupRowId;
    let base = options.base;
    const ctx: StepContext = {
      engine: this.host.engine,
      processId,
      workflowName: row.workflow_name,
      user,
      db: async () => (trx ??= await this.store.beginStepTransaction()),
      checkpoint: async (name, outcome) => {
        this.assertLeased(processId);
        const rows = await this.writeRows([{ processId, stepName: name, outcome, assignee: current.assignee, user, startedAt, replaceStepId: replaceId, trx, base }]);
        const written = rows.results[0];
        // the step's writes are kept with its checkpoint, or not at all (the process was deleted meanwhile)
        if (trx) await (written ? trx.commit() : trx.rollback()).execute();
        rows.emit();
        trx = undefined;
        replaceId = written?.stepId;
        base = written?.base;
      },
    };
    let outcome: StepOutcome;
    try {
      outcome = await current.run(state, ctx);
    } catch (error) {
      // only a lost database ends a step this way (see makeStep): nothing of it is kept, recovery runs it again
      if (trx) await trx.rollback().execute().catch(() => undefined);
      throw error;
    }
    const failed = outcome.status === StepStatus.FAILED || outcome.status === StepStatus.WAITING;
    if (failed && trx) {
      await trx.rollback().execute().catch(() => undefined);
      trx = undefined;
    }
    if (failed) {
      // a failure gets its own row (a step group's progress row stays, so a retry continues the group), except that a
      // repeated identical failure updates the failed row instead of adding one
      replaceId = undefined;
      if (lastRow && lastRow.status === outcome.status && lastRow.name === current.name && sameFailure(lastRow.state, outcome.state)) {
        const retries = Number(lastRow.state.retries ?? 0) + 1;
        outcome = { status: outcome.status, state: { ...outcome.state, retries } };
        replaceId = lastRow.stepid;
      }
    }
    // only a successful step of a running process may skip the process row
    // with an abort asked for (by another instance too, which may log it itself meanwhile) the process row is written,
    // so the checkpoint is fenced: a run never writes steps after an abort
    const onlyStep =
      stepOnly && !replaceId && (outcome.status === StepStatus.SUCCESS || outcome.status === StepStatus.SKIPPED) && !this.host.abortRequested(processId);
    // the pure steps ending the workflow run now, their rows in this checkpoint's statement (not after a failure, nor
    // with an abort asked for or a pause the engine knows of: those stop the process before its next step)
    const finishes =
      options.trailing.length > 0 &&
      !replaceId &&
      (outcome.status === StepStatus.SUCCESS || outcome.status === StepStatus.SKIPPED) &&
      !this.host.abortRequested(processId) &&
      !this.host.stopping() &&
      !this.host.paused(false);
    const rows: EngineCheckpoint[] = [
      ...options.leading,
      {
        processId,
        stepName: current.name,
        outcome,
        assignee: current.assignee,
        user,
        startedAt,
        replaceStepId: replaceId,
        trx,
        isTask: row.is_task,
        stepOnly: onlyStep || finishes,
        completes: isLast,
        base,
      },
    ];
    if (finishes) rows.push(...this.pureRows({ processId, user, isTask: row.is_task, steps: options.trailing, state: outcome.state }));
    try {
      this.assertLeased(processId);
      const written = await this.writeRows(rows);
      const stored = written.results[options.leading.length];
      const whole = written.results.every((w) => w !== undefined);
      if (trx) await (whole ? trx.commit() : trx.rollback()).execute();
      if (whole) written.emit();
      return whole && stored ? { outcome, stored, stepOnly: onlyStep, finished: finishes } : undefined;
    } catch (error) {
      if (trx) await trx.rollback().execute().catch(() => undefined);
      // the database went away (whether the checkpoint committed is unknown; recovery reads what is stored), or the
      // lease did: not recorded as a failure
      if (isDatabaseConnectionError(error) || error instanceof LeaseLostError) throw error;
      // the step's writes could not be committed: record the failure instead
      const failure: StepOutcome = { status: StepStatus.FAILED, state: errorStateOf(error) };
      const stored = await this.checkpoint({ processId, stepName: current.name, outcome: failure, assignee: current.assignee, user, startedAt, isTask: row.is_task });
      return stored ? { outcome: failure, stored, stepOnly: false, finished: false } : undefined;
    }
  }

  /**
   * The rows of pure steps run one after another from `state` (Step.pure), up to the first that does not succeed; the
   * last completes the process. Whole rows (not deltas: they follow another row in the same statement).
   */
  private pureRows(options: { processId: string; user: string; isTask: boolean; steps: Step[]; state: State }): EngineCheckpoint[] {
    const rows: EngineCheckpoint[] = [];
    let state = storedState(options.state);
    for (const [i, step] of options.steps.entries()) {
      const outcome = step.pure!(state);
      const success = outcome.status === StepStatus.SUCCESS || outcome.status === StepStatus.SKIPPED;
      const last = i === options.steps.length - 1 || !success;
      rows.push({ processId: options.processId, stepName: step.name, outcome, assignee: step.assignee, user: options.user, isTask: options.isTask, stepOnly: !last, completes: last, instant: true });
      if (last) break;
      state = storedState(outcome.state);
    }
    return rows;
  }

  /** Write a step's row (and the process row), in `trx` when given, else group-committed; emits the process event. */
  async checkpoint(options: EngineCheckpoint): Promise<CheckpointResult | undefined> {
    const [stored] = await this.checkpointGroup([options]);
    return stored;
  }

  /**
   * Write rows of one process in one statement, in order (a pure step's with its neighbour's: Step.pure), in the `trx`
   * one of them gives, else group-committed; emits each written row's event. A result per row.
   */
  async checkpointGroup(rows: EngineCheckpoint[]): Promise<(CheckpointResult | undefined)[]> {
    const written = await this.writeRows(rows);
    written.emit();
    return written.results;
  }

  /**
   * Write rows as checkpointGroup does, without their events yet: `emit()` sends them (after the commit of the
   * transaction they were written in: a client that reads on an event finds what it says).
   */
  private async writeRows(rows: EngineCheckpoint[]): Promise<{ results: (CheckpointResult | undefined)[]; emit: () => void }> {
    const inputs = rows.map((options) => this.checkpointInput(options));
    const trx = rows.find((options) => options.trx)?.trx;
    const results = inputs.length === 1 ? [await this.store.checkpoint(inputs[0]!, trx)] : await this.store.checkpointGroup(inputs, trx);
    const emit = () =>
      results.forEach((stored, i) => {
        if (!stored) return;
        const { processId, processStatus: status, stepName: step, outcome, startedAt } = inputs[i]!;
        this.host.emit({ processId, status, step, stepStatus: outcome.status, stepSeconds: (Date.now() - startedAt.getTime()) / 1000 });
      });
    return { results, emit };
  }

  /** The row to store for a checkpoint: the process status and assignee worked out from the outcome. */
  private checkpointInput(options: EngineCheckpoint): CheckpointInput {
    const { processId, stepName, outcome, assignee, user, isTask = false, completes = false } = options;
    const startedAt = options.startedAt ?? new Date();
    let status = overallStatus(outcome.status);
    if (completes && status === ProcessStatus.RUNNING) status = ProcessStatus.COMPLETED;
    let who = assignee;
    if (outcome.status === StepStatus.FAILED && isTask) {
      const error = outcome.state as ErrorState;
      if (error.class === "AssertionError" || error.class === "InconsistentData") {
        status = ProcessStatus.INCONSISTENT_DATA;
        who = Assignee.NOC;
      } else if (isApiUnavailable(error)) {
        status = ProcessStatus.API_UNAVAILABLE;
        who = Assignee.SYSTEM;
      }
    }
    return {
      processId,
      stepName,
      outcome,
      processStatus: status,
      assignee: who,
      user,
      startedAt,
      replaceStepId: options.replaceStepId,
      stepOnly: options.stepOnly ?? false,
      base: options.base,
      fenced: options.outsideRun !== true,
      instant: options.instant,
    };
  }
}

function errorStateOf(error: unknown): ErrorState {
  const e = error instanceof Error ? error : new Error(String(error));
  return { class: e.name, error: e.message, traceback: e.stack };
}

/** An error that means a remote API is unavailable (tasks get status api_unavailable). */
function isApiUnavailable(error: ErrorState): boolean {
  if (error.class === "MaxRetryError") return true;
  return [502, 503, 504].includes(Number(error.status_code));
}
