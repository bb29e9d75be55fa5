/**
 * The workflow engine: creates processes, claims them and hands them to the step runner (step-runner.ts) through the
 * executor, resumes, retries, aborts and deletes them, handles callbacks, pauses and unpauses, and on start-up takes
 * over the processes a crashed instance left behind. Every statement it makes is the process store's
 * (process-store.ts, checkpoint-writer.ts); where a process is among its steps is replay's (replay.ts).
 *
 * Crash safety: every step's checkpoint is atomic (process row + step row, with the step's own database writes), so a
 * process killed mid-step resumes from the last completed step. On a PostgreSQL server an engine holds an advisory
 * lock per process it runs on a dedicated connection; a crashed engine's locks vanish with its connection, which is
 * how another engine knows a `running` process is orphaned. (The embedded database is one process only.)
 */
import { randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Kysely } from "kysely";
import { isDatabaseConnectionError, sessionEndedBeforeStatement, type OrchestratorDb, type Database } from "../db/index.js";
import { formPage, FormValidationError, postForm, type InputForm } from "../forms/index.js";
import { LOCKED_SUBSCRIPTION_KEY } from "./builtin-steps.js";
import { InProcessExecutor, type ClaimOutcome, type Executor, type ExecutorStatus, type ProcessJob } from "./executor.js";
import { RESUME_PRIORITY, type ProcessQueue } from "./job-queue.js";
import { ClusterEvents, type ClusterEvent } from "./cluster-events.js";
import { liveWorkers, type WorkerRow } from "./worker-rows.js";
import {
  InvalidCallbackTokenError,
  LeaseLostError,
  ProcessConflictError,
  ProcessNotFoundError,
  StartPredicateError,
  WorkflowNotFoundError,
  WorkflowNotInDatabaseError,
  WorkflowRemovedError,
} from "./errors.js";
import { runWithFormContext } from "./form-context.js";
import { LEASE_APPLICATION_NAME, ProcessLeases, type LaneBatch } from "./leases.js";
import { PauseWatch } from "./pause-watch.js";
import { CheckpointWriter, writeCheckpoint, writeCheckpointBatch } from "./checkpoint-writer.js";
import {
  acceptCallback,
  beginStepTransaction,
  claimProcess,
  countLeasedRunning,
  isLeaseHeld,
  countRunning,
  deleteProcessRow,
  insertCreatedProcess,
  insertRunningProcesses,
  latestUserInput,
  loadProcessRow,
  loadSteps,
  loadWorkflowRow,
  markCompleted,
  markResumed,
  orphanedRunningProcesses,
  readGlobalLock,
  removeOrphanSteps,
  runningProcessIds,
  storeCallbackProgress,
  touchProcessRow,
  transitionStatus,
  unfinishedProcesses,
  withProcessLocked,
  writeGlobalLock,
  type ClaimedProcess,
  type NewProcess,
  type NewProcessResult,
  type ProcessRow,
  type StepRow,
  type WorkflowRow,
} from "./process-store.js";
import { recoverState } from "./replay.js";
import { StepRunner, type ProcessEvent } from "./step-runner.js";
import { getWorkflow } from "./registry.js";
import { TRANSLATIONS, WF_USABLE_WHILE_OUT_OF_SYNC } from "./subscription-workflows.js";
import { Assignee, ProcessStatus, RESUMABLE_STATUSES, StepStatus } from "./status.js";
import type { ProcessControl, State } from "./steps.js";
import type { Workflow } from "./workflow.js";

export interface EngineOptions {
  database: OrchestratorDb;
  /** Processes run at the same time (MAX_WORKERS). */
  maxWorkers?: number;
  executor?: Executor;
  /** Called with errors the engine cannot attach to a process (logging). */
  onError?: (error: unknown, context: string) => void;
  /**
   * EXECUTOR=worker: every run goes through this queue. With role "api" the engine runs nothing itself (it creates,
   * resumes, aborts: the API process); with "worker" it runs the jobs a JobConsumer hands it (runQueued) and, instead of
   * running processes it takes over, puts them on the queue (worker processes).
   */
  queue?: { jobs: ProcessQueue; role: "api" | "worker" };
}

export type { ProcessEvent } from "./step-runner.js";

export type EngineStatus = "RUNNING" | "PAUSING" | "PAUSED";

/**
 * Every workflow has a form, so that `[]` always answers with a page first (an empty one by default). The page is
 * built once: building a zod schema costs more than validating against it.
 */
const EMPTY_PAGE = formPage({});
const EMPTY_FORM: InputForm = () => EMPTY_PAGE;

/** How long a workflow's row (id, is_task) is cached for starting processes. */
const WORKFLOW_ROW_CACHE_MS = 5000;

/** Connections holding process leases (at most; fewer when MAX_WORKERS is smaller). */
const LEASE_LANES = 4;

/** Checkpoint statements under way at once; checkpoints arriving meanwhile are batched into the next one. */
const CHECKPOINT_STATEMENTS_IN_FLIGHT = 1;

/** Back-off of recovery attempts after a database fault (until the database answers again). */
const RECOVERY_MIN_MS = 200;
const RECOVERY_MAX_MS = 5_000;

/** A process waiting to run this long without a job in the process queue is given one (sweep). */
const JOBLESS_AFTER_MS = 10_000;

/** How long an abort waits for the run holding the process on another instance to stop and log it (ms). */
const ABORT_WAIT_MS = 3000;

/** Until start(): nothing told or heard. */
const CLUSTER_LOCAL = ClusterEvents.local();

/** How many last-known statuses waitFor keeps. */
const LAST_STATUS_LIMIT = 10_000;

const CALLBACK_TOKEN_KEY = "__callback_token";
/** orchestrator-core's answer to a callback or progress report for a process that awaits none (409). */
const NOT_AWAITING = "This process is not in an awaiting state.";
const CALLBACK_RESULT_KEY = "__callback_result_key";

/**
 * New processes of one lease lane in one statement; when the batch fails as a whole (one workflow row deleted
 * meanwhile), each is inserted on its own so each gets its own answer.
 */
const insertRunningBatch: LaneBatch<NewProcess, NewProcessResult | { error: unknown }> = async (conn, items, unlock) => {
  try {
    return await insertRunningProcesses(conn, items, true, unlock);
  } catch (error) {
    if (items.length === 1) return [{ error }];
    const results: (NewProcessResult | { error: unknown })[] = [];
    for (const item of items) results.push(await insertRunningProcesses(conn, [item], true).then((r) => r[0]!, (e: unknown) => ({ error: e })));
    return results;
  }
};

export class WorkflowEngine implements ProcessControl {
  /**
   * "process" (ProcessEvent: a change this engine made), "engine" ({ globalLock }: a pause or unpause, by anyone),
   * "announced" (ClusterEvent: a change made here outside a process, see announceChange) and "cluster" (ClusterEvent:
   * a change another orchestrator process on the database made, PostgreSQL only).
   */
  readonly events = new EventEmitter();
  /** Changes of this engine told to the other orchestrator processes, and theirs heard (see cluster-events.ts). */
  private cluster: ClusterEvents = CLUSTER_LOCAL;
  private readonly db: Kysely<Database>;
  private readonly executor: Executor;
  /** Process runs in progress or queued in this engine. */
  private readonly active = new Map<string, Promise<void>>();
  private readonly abortRequests = new Map<string, string>();
  private leases = ProcessLeases.none();
  /** Learns of pauses by notification once started; until then the lock is read back with the checkpoints. */
  private pauseWatch: PauseWatch | undefined;
  /** Processes whose run this engine stopped for a pause: resumed here when the pause is lifted. */
  private readonly stoppedByPause = new Set<string>();
  /** Resuming after a pause, one at a time (unpause and the watch may both ask). */
  private resuming: Promise<unknown> = Promise.resolve();
  /** unpause() calls under way: they resume every stopped process, so the watch leaves it to them. */
  private unpausing = 0;
  private stopping = false;
  /**
   * Processes whose run ended without finishing because the database went away or their lease was lost: they are
   * left `running` and taken over by recovery once their run is over.
   */
  private readonly interrupted = new Set<string>();
  private recovery: { timer?: NodeJS.Timeout; running: boolean; again: boolean; delay: number } = { running: false, again: false, delay: RECOVERY_MIN_MS };
  /** The last status this engine saw per process, for waitFor without a query. */
  private readonly lastStatus = new Map<string, ProcessStatus>();
  private readonly workflowRows = new Map<string, { row: WorkflowRow; until: number }>();
  /** Checkpoints outside a step's transaction, group-committed when several processes finish a step at once. */
  private readonly writer: CheckpointWriter;
  /** Runs the steps of the processes this engine claims. */
  private readonly runner: StepRunner;
  /** The process queue (EXECUTOR=worker), and whether this engine runs processes itself. */
  private readonly jobs: ProcessQueue | undefined;
  private readonly runsProcesses: boolean;
  /** When the sweep looks for waiting processes without a job next (ms since the epoch). */
  private joblessCheckAt = 0;

  constructor(private readonly options: EngineOptions) {
    this.db = options.database.db;
    this.jobs = options.queue?.jobs;
    this.runsProcesses = options.queue?.role !== "api";
    this.writer = new CheckpointWriter(this.db, options.database.prepared, CHECKPOINT_STATEMENTS_IN_FLIGHT, () => this.pauseWatch?.known);
    this.executor = options.executor ?? new InProcessExecutor(options.maxWorkers ?? 5);
    this.executor.attach((job) => this.run(job));
    const db = this.db;
    this.runner = new StepRunner(
      {
        checkpoint: (input, trx) => (trx ? writeCheckpoint(trx, input) : this.writer.write(input)),
        checkpointGroup: (inputs, trx) => (trx ? writeCheckpointBatch(trx, inputs) : this.writer.writeGroup(inputs)),
        beginStepTransaction: () => beginStepTransaction(db),
        touchProcessRow: (processId, lastStep) => touchProcessRow(db, processId, lastStep),
        removeOrphanSteps: (processId) => removeOrphanSteps(db, processId),
        markCompleted: (processId, lastStep) => markCompleted(db, processId, lastStep),
        latestUserInput: (processId) => latestUserInput(db, processId),
      },
      {
        engine: this,
        leaseHeld: (processId) => !this.leases.enabled || this.leases.isHeld(processId),
        abortRequested: (processId) => this.abortRequests.has(processId),
        takeAbortRequest: (processId) => {
          const user = this.abortRequests.get(processId);
          this.abortRequests.delete(processId);
          return user;
        },
        paused: (readBack) => this.paused(readBack),
        stopping: () => this.stopping,
        interrupted: (processId) => this.interrupted.add(processId),
        stoppedForPause: (processId) => this.stoppedForPause(processId),
        emit: (event) => this.emit(event),
      },
    );
    this.events.setMaxListeners(0);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Life cycle
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Open the lease connections (PostgreSQL) and the pause watch, and take over processes left running by an engine
   * that is gone.
   */
  async start(): Promise<string[]> {
    if (this.options.database.kind === "postgres" && !this.leases.enabled && this.runsProcesses) {
      const lanes = Math.max(1, Math.min(LEASE_LANES, this.options.maxWorkers ?? 5));
      const database = this.options.database;
      this.leases = await ProcessLeases.open({
        connect: () => database.dedicated!(LEASE_APPLICATION_NAME),
        count: lanes,
        onError: (error) => this.options.onError?.(error, "process leases"),
        // their runs stop before their next step (see runSteps) and recovery takes them over
        onLost: (processIds) => {
          for (const pid of processIds) this.interrupted.add(pid);
          this.requestRecovery();
        },
        onRestored: () => this.requestRecovery(),
      });
    }
    if (this.cluster === CLUSTER_LOCAL) {
      // a worker only tells: its engine has no websocket clients
      this.cluster = await ClusterEvents.open(this.options.database, {
        listen: this.options.queue?.role === "worker" ? "requests" : "changes",
        onError: (error) => this.options.onError?.(error, "cluster events"),
      });
      this.cluster.on((event) => {
        if (event.kind !== "abort") this.events.emit("cluster", event);
        // an abort asked for on another instance, of a run of ours: it stops before its next step
        else if (this.active.has(event.processId) && !this.abortRequests.has(event.processId)) this.abortRequests.set(event.processId, event.user);
      });
    }
    this.pauseWatch ??= await PauseWatch.open(this.options.database, {
      onChange: (globalLock) => this.events.emit("engine", { globalLock }),
      onLifted: () => {
        if (this.unpausing === 0) void this.resumeAfterPause([...this.stoppedByPause]);
      },
      onLost: (error) => this.options.onError?.(error, "engine settings listener"),
    });
    return this.recover();
  }

  /**
   * Resume processes in running/resumed/created that no live engine holds. Returns their ids. With the process queue
   * the waiting ones have their jobs already: `running` ones no engine holds are put back on the queue (sweep).
   */
  async recover(): Promise<string[]> {
    if (!this.runsProcesses) return [];
    if (this.jobs) return this.sweep(this.jobs);
    const rows = await unfinishedProcesses(this.db);
    const taken: string[] = [];
    for (const row of rows) {
      // a run under way here (an interrupted one asks again when it is over), or stopped here by a pause
      if (this.active.has(row.pid) || this.stoppedByPause.has(row.pid)) continue;
      if (!(await this.tryLease(row.pid))) continue;
      if (row.last_status === ProcessStatus.RUNNING) {
        await transitionStatus(this.db, row.pid, [ProcessStatus.RUNNING], ProcessStatus.RESUMED);
      }
      this.interrupted.delete(row.pid);
      taken.push(row.pid);
      this.schedule(row.pid, "SYSTEM");
    }
    return taken;
  }

  /**
   * With the process queue: `running` processes whose lease no session holds (their engine died, or lost its
   * database session) are set `resumed` and queued again, unless the engine is paused (a pause leaves its stopped
   * processes `running`: unpausing queues them); processes waiting to run without a job get one. Returns the ids
   * queued again.
   */
  private async sweep(jobs: ProcessQueue): Promise<string[]> {
    const paused = this.pauseWatch?.known ?? (await readGlobalLock(this.db));
    const requeued: string[] = [];
    if (!paused) {
      for (const pid of await orphanedRunningProcesses(this.db)) {
        if (this.active.has(pid) || this.stoppedByPause.has(pid)) continue;
        if (await this.requeue(jobs, pid, [ProcessStatus.RUNNING])) requeued.push(pid);
      }
    }
    // the look for processes without a job is the costlier one (it reads the waiting backlog): at most every so often
    if (Date.now() >= this.joblessCheckAt) {
      this.joblessCheckAt = Date.now() + JOBLESS_AFTER_MS / 2;
      for (const row of await jobs.withoutJob(JOBLESS_AFTER_MS)) {
        const resumed = row.last_status === ProcessStatus.RESUMED;
        await jobs.enqueue(this.db, { processId: row.pid, user: resumed ? "SYSTEM" : row.created_by }, resumed ? RESUME_PRIORITY : 0);
      }
    }
    return requeued;
  }

  /** Set the process `resumed` (if its status is one of `from`) and queue its run, in one transaction. */
  private async requeue(jobs: ProcessQueue, processId: string, from: ProcessStatus[]): Promise<boolean> {
    const done = await this.db.transaction().execute(async (trx) => {
      if (!(await transitionStatus(trx, processId, from, ProcessStatus.RESUMED))) return false;
      await jobs.enqueue(trx, { processId, user: "SYSTEM" }, RESUME_PRIORITY);
      return true;
    });
    if (done) this.emit({ processId, status: ProcessStatus.RESUMED });
    return done;
  }

  /**
   * Run recover() soon, and again with back-off until it succeeds (the database answers): after a database fault,
   * processes left `running` are taken over without a restart. Interrupted runs still under way are waited for.
   */
  private requestRecovery(): void {
    const r = this.recovery;
    if (this.stopping) return;
    if (r.running) {
      r.again = true;
      return;
    }
    if (r.timer) return;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      r.running = true;
      r.again = false;
      this.recover().then(
        () => {
          r.running = false;
          r.delay = RECOVERY_MIN_MS;
          if (r.again) this.requestRecovery();
        },
        (error: unknown) => {
          r.running = false;
          r.delay = Math.min(r.delay * 2, RECOVERY_MAX_MS);
          this.options.onError?.(error, "recovering processes after a database fault");
          this.requestRecovery();
        },
      );
    }, r.delay);
    r.timer.unref?.();
  }

  /** A run ended: if it was interrupted (lost lease, lost database), recovery takes the process over. */
  private runEnded(processId: string, error?: unknown): void {
    // an abort asked for that the run did not reach (it suspended or completed first) is the caller's to log
    if (!this.active.has(processId)) this.abortRequests.delete(processId);
    if (error instanceof LeaseLostError || (error !== undefined && isDatabaseConnectionError(error))) this.interrupted.add(processId);
    if (this.interrupted.has(processId)) this.requestRecovery();
  }

  /** Finish the steps that are running, start no new ones, release the database connection of the lease. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.recovery.timer) clearTimeout(this.recovery.timer);
    await this.executor.shutdown();
    await Promise.allSettled([...this.active.values()]);
    await this.resuming; // a resume after a pause that had begun (it queues nothing now)
    await this.leases.close();
    this.leases = ProcessLeases.none();
    await this.pauseWatch?.close();
    this.pauseWatch = undefined;
    await this.cluster.close();
    this.cluster = CLUSTER_LOCAL;
  }

  /** Tell the other orchestrator processes of a change made outside a process (a subscription set in sync). */
  announceChange(event: ClusterEvent): void {
    this.events.emit("announced", event);
    this.cluster.publish(event);
  }

  executorStatus(): ExecutorStatus {
    return this.executor.status();
  }

  /**
   * The executor's status for the settings page: this engine's own (threadpool), or with the process queue the worker
   * processes alive (heartbeat within WORKER_GONE_MS), their runs under way, and the jobs waiting in the queue.
   */
  async workerStatus(): Promise<ExecutorStatus & { workerList?: WorkerRow[] }> {
    if (!this.jobs) return this.executor.status();
    const [workerList, counts] = await Promise.all([liveWorkers(this.db), this.jobs.counts()]);
    return {
      executor: "worker",
      workers: workerList.length,
      running: workerList.reduce((sum, w) => sum + w.running, 0),
      queued: counts.queued,
      workerList,
    };
  }

  /** Wait until this engine has nothing running or queued for the process; returns its status. */
  async waitFor(processId: string): Promise<ProcessStatus> {
    while (this.active.has(processId)) await this.active.get(processId);
    const known = this.lastStatus.get(processId);
    if (known !== undefined) return known;
    const row = await loadProcessRow(this.db, processId);
    if (!row) throw new ProcessNotFoundError(processId);
    return row.last_status as ProcessStatus;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Starting
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Create a process for `workflowName` from the submitted form pages (`[]` asks for the first page: the form error
   * carries its JSON Schema) and queue it. Returns the process id.
   */
  async startProcess(workflowName: string, userInputs: unknown[] = [{}], user = "SYSTEM"): Promise<string> {
    // with the process queue the job is inserted with the process (createProcess)
    if (this.jobs) return this.createProcess(workflowName, userInputs, user);
    // a process that locks its subscription is created by the statement that takes the lock (createProcess)
    const locks = (await getWorkflow(workflowName))?.locksSubscription === true;
    // with no lease session open (reconnecting after a database fault) it is created through the pool and claimed later
    const leaseless = this.leases.enabled && !this.leases.available;
    const worker = this.stopping || locks || leaseless ? undefined : this.executor.reserve?.();
    if (!worker) {
      const processId = await this.createProcess(workflowName, userInputs, user);
      this.schedule(processId, user, undefined, "start");
      return processId;
    }
    // A worker is free: the process is created already claimed (running, leased), in one statement, and runs now.
    let started: { processId: string; running: boolean; claimed: ClaimedProcess; claimedAt: number } | undefined;
    try {
      started = await this.createAndClaim(workflowName, userInputs, user);
    } finally {
      if (!started?.running) worker();
    }
    const { processId, claimed, claimedAt } = started;
    if (!started.running) {
      this.schedule(processId, user, undefined, "start");
      return processId;
    }
    this.emit({ processId, status: ProcessStatus.RUNNING });
    let failure: unknown;
    const run: Promise<void> = this.runner
      .runSteps({ processId, user, claimed, claimedAt })
      .then(() => this.parkIfStoppedForShutdown(processId))
      .catch((error: unknown) => {
        failure = error;
        this.options.onError?.(error, `process ${processId}`);
      })
      .finally(() => {
        this.releaseLease(processId);
        worker();
        if (this.active.get(processId) === run) this.active.delete(processId);
        this.runEnded(processId, failure);
      });
    this.active.set(processId, run);
    return processId;
  }

  /**
   * Create the process rows without running it (status `created`). For a workflow that locks its subscription the
   * same statement takes the lock; when the subscription is out of sync already the start is refused with the
   * original's reason (FormValidationError on `subscription_id`, HTTP 400) and nothing is written.
   */
  async createProcess(workflowName: string, userInputs: unknown[] = [{}], user = "SYSTEM"): Promise<string> {
    const { processId, row, state } = await this.prepareProcess(workflowName, userInputs, user);
    // the process and its initial input state (and the subscription's lock), in one statement
    const created = await this.insertProcess(processId, row, user, state).catch((error: unknown) => this.insertFailed(error, workflowName));
    if (!created) {
      const reason = TRANSLATIONS["subscription.not_in_sync"]!;
      throw new FormValidationError("Select a subscription", [
        { loc: ["subscription_id"], msg: `This workflow cannot be started: ${reason}`, type: "value_error", input: state[LOCKED_SUBSCRIPTION_KEY] },
      ]);
    }
    this.emit({ processId, status: ProcessStatus.CREATED });
    return processId;
  }

  /**
   * Create a process claimed for a run by this engine: inserted `running` with its lease (on PostgreSQL) in one
   * statement, batched with other processes starting at the same time. `running` is false when the lease could not be
   * taken (the process is then `created`, to be claimed like any other).
   */
  private async createAndClaim(workflowName: string, userInputs: unknown[], user: string) {
    const { processId, row, state } = await this.prepareProcess(workflowName, userInputs, user);
    const stateJson = JSON.stringify(state);
    const item: NewProcess = { processId, workflowId: row.workflow_id, isTask: row.is_task, user, stateJson };
    const claimedAt = Date.now();
    const leasing = this.leases.enabled;
    let result = leasing
      ? await this.leases.onLane(processId, item, insertRunningBatch)
      : (await insertRunningProcesses(this.db, [item], false).then((r) => r[0]!, (error: unknown) => ({ error })));
    if (leasing) this.leases.claimed(processId, !("error" in result) && result.running);
    if ("error" in result && leasing && sessionEndedBeforeStatement(result.error)) {
      // the lane's session had ended before its loss was seen: nothing was inserted; create it unclaimed, through the pool
      result = { running: false, globalLock: false };
      await this.insertProcess(processId, row, user, state).catch((error: unknown) => this.insertFailed(error, workflowName));
    }
    if ("error" in result) return this.insertFailed(result.error, workflowName);
    this.emit({ processId, status: ProcessStatus.CREATED });
    const now = new Date(claimedAt);
    const claimed: ClaimedProcess = {
      row: {
        pid: processId,
        workflow_id: row.workflow_id,
        assignee: Assignee.SYSTEM,
        last_status: ProcessStatus.RUNNING,
        last_step: null,
        started_at: now,
        last_modified_at: now,
        failed_reason: null,
        traceback: null,
        created_by: user,
        is_task: row.is_task,
        note: null,
        workflow_name: workflowName,
        workflow_target: row.target,
      },
      initialState: JSON.parse(stateJson) as State,
      steps: [],
      globalLock: result.globalLock,
    };
    return { processId, running: result.running, claimed, claimedAt };
  }

  private insertFailed(error: unknown, workflowName: string): never {
    if ((error as { code?: string }).code !== "23503") throw error;
    // the cached workflow row was deleted meanwhile (a migration)
    this.workflowRows.delete(workflowName);
    throw new WorkflowNotInDatabaseError(workflowName);
  }

  /**
   * Check a start's form pages without creating anything: throws what startProcess would (FormNotCompleteError with
   * the next page, FormValidationError, StartPredicateError, WorkflowNotFoundError), returns when the pages are
   * complete. For showing a start form while the engine is paused.
   */
  async checkStartForm(workflowName: string, userInputs: unknown[] = [], user = "SYSTEM"): Promise<void> {
    const workflow = await getWorkflow(workflowName);
    if (!workflow) throw new WorkflowNotFoundError(workflowName);
    const initial: State = { process_id: randomUUID(), reporter: user, workflow_name: workflowName, workflow_target: workflow.target };
    await this.runForm(workflow.initialInputForm ?? EMPTY_FORM, initial, userInputs);
  }

  /** Check the workflow, run its predicate and initial form: the new process's id, workflow row and initial state. */
  private async prepareProcess(workflowName: string, userInputs: unknown[], user: string) {
    const workflow = await getWorkflow(workflowName);
    if (!workflow) throw new WorkflowNotFoundError(workflowName);
    if (workflow.runPredicate) {
      const verdict = await workflow.runPredicate({ workflowName, db: this.db });
      if (verdict !== true) throw new StartPredicateError(workflowName, verdict);
    }
    const processId = randomUUID();
    const initial: State = { process_id: processId, reporter: user, workflow_name: workflowName, workflow_target: workflow.target };
    const formState = await this.runForm(workflow.initialInputForm ?? EMPTY_FORM, initial, userInputs);
    const state: State = { ...formState, ...initial };
    if (workflow.locksSubscription && !WF_USABLE_WHILE_OUT_OF_SYNC.includes(workflowName) && typeof state.subscription_id === "string") {
      state[LOCKED_SUBSCRIPTION_KEY] = state.subscription_id;
    }
    const row = await this.workflowRow(workflowName);
    return { processId, row, state };
  }

  /**
   * Insert the process and its initial state; when the state names a subscription to lock, the same statement sets it
   * out of sync, and inserts nothing when it is out of sync already (false).
   */
  private insertProcess(processId: string, row: WorkflowRow, user: string, state: State): Promise<boolean> {
    const lock = state[LOCKED_SUBSCRIPTION_KEY];
    const insert = (conn: Kysely<Database>) =>
      insertCreatedProcess(conn, {
        processId,
        workflowId: row.workflow_id,
        isTask: row.is_task,
        user,
        state,
        lockSubscription: typeof lock === "string" ? lock : undefined,
      });
    const jobs = this.jobs;
    if (!jobs) return insert(this.db);
    // the process and its job together, or neither (see job-queue.ts)
    return this.db.transaction().execute(async (trx) => {
      const created = await insert(trx);
      if (created) await jobs.enqueue(trx, { processId, user });
      return created;
    });
  }

  /** The workflow's row (id, is_task), cached briefly: it is read for every process start. */
  private async workflowRow(workflowName: string): Promise<WorkflowRow> {
    const cached = this.workflowRows.get(workflowName);
    if (cached && cached.until > Date.now()) return cached.row;
    const row = await loadWorkflowRow(this.db, workflowName);
    if (!row) throw new WorkflowNotInDatabaseError(workflowName);
    this.workflowRows.set(workflowName, { row, until: Date.now() + WORKFLOW_ROW_CACHE_MS });
    return row;
  }

  private runForm(form: InputForm | undefined, state: State, userInputs: unknown[]): Promise<State> {
    return runWithFormContext({ db: this.db }, () => postForm(form, state, userInputs));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Resuming, retrying, aborting, deleting, callbacks
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Resume a suspended process with the submitted form pages, or retry a failed / waiting one (from the step that
   * failed). Refused for statuses that cannot be resumed.
   */
  async resumeProcess(processId: string, userInputs: unknown[] = [{}], user = "SYSTEM"): Promise<void> {
    const { row, workflow, steps } = await this.loadForChange(processId);
    if (!RESUMABLE_STATUSES.includes(row.last_status as ProcessStatus)) {
      throw new ProcessConflictError(`Resuming a ${row.last_status} workflow is not possible`);
    }
    if (!workflow) throw new WorkflowRemovedError("resumed");
    // `resumed` is resumable only to kick a process no run holds (orchestrator-core: "re-resume stuck process"); its
    // input was stored by the resume that set it
    const kick = row.last_status === ProcessStatus.RESUMED;
    if (kick && this.active.has(processId)) throw new ProcessConflictError("Process is already being resumed");
    const recovered = recoverState(steps);
    const current = workflow.steps.steps[recovered.completedSteps];
    const input =
      row.last_status === ProcessStatus.SUSPENDED && current?.form
        ? await this.runForm(current.form, recovered.outcome.state, userInputs)
        : {};
    // the status change and the user's input together, or neither; the change is from the status read above, so of
    // concurrent resumes of one process exactly one is accepted (the others are 409 and leave no input behind)
    const resumed = await markResumed(this.db, {
      processId,
      from: row.last_status as ProcessStatus,
      input: kick ? undefined : input,
      also: this.enqueueIn(processId, user),
    });
    if (!resumed) throw new ProcessConflictError("Process is already being resumed or running");
    this.emit({ processId, status: ProcessStatus.RESUMED });
    // with the process queue a worker reads the input back (latestUserInput)
    if (!this.jobs) this.schedule(processId, user, kick ? undefined : input);
  }

  /** Abort a process: a step "User Aborted" is logged and the process is `aborted` (not for completed ones). */
  async abortProcess(processId: string, user = "SYSTEM"): Promise<void> {
    const row = await loadProcessRow(this.db, processId);
    if (!row) throw new ProcessNotFoundError(processId);
    if (row.last_status === ProcessStatus.COMPLETED) throw new ProcessConflictError("Cannot abort a completed process");
    if (row.last_status === ProcessStatus.ABORTED) return;
    // asked a run to stop and log it: here, or (by notification) on the instance that holds its lease
    let asked = false;
    if (this.active.has(processId)) {
      // a run is in progress here: it stops before its next step and logs the abort itself
      asked = true;
      this.abortRequests.set(processId, user);
      await this.active.get(processId);
      if ((await loadProcessRow(this.db, processId))?.last_status === ProcessStatus.ABORTED) return;
    } else if (row.last_status === ProcessStatus.RUNNING && this.cluster.shared && (await isLeaseHeld(this.db, processId))) {
      asked = true;
      if (await this.askHolderToAbort(processId, user)) return;
    }
    // with the process row locked, so concurrent aborts log one "User Aborted" (the others find it aborted)
    for (let attempt = 0; ; attempt++) {
      const outcome = await withProcessLocked(this.db, processId, async (trx, locked) => {
        if (!locked) throw new ProcessNotFoundError(processId);
        if (locked.status === ProcessStatus.ABORTED) return "aborted";
        if (locked.status === ProcessStatus.COMPLETED) throw new ProcessConflictError("Cannot abort a completed process");
        // claimed by a run on another instance since the status was read: that run is asked first (else it would run
        // steps for up to a second before its next fenced checkpoint)
        if (!asked && attempt === 0 && locked.status === ProcessStatus.RUNNING && !this.active.has(processId) && this.cluster.shared && (await isLeaseHeld(trx, processId))) {
          return "held";
        }
        const state = recoverState(locked.steps).outcome.state;
        await this.runner.checkpoint({ processId, stepName: "User Aborted", outcome: { status: StepStatus.ABORT, state }, assignee: Assignee.SYSTEM, user, trx, outsideRun: true });
        return "logged";
      });
      if (outcome === "held" && !(await this.askHolderToAbort(processId, user))) continue;
      // told again once committed: readers that heard the first (inside the transaction) may have read before it
      if (outcome === "logged") this.emit({ processId, status: ProcessStatus.ABORTED });
      return;
    }
  }

  /**
   * A run on another instance (a worker) holds the process: ask it to stop before its next step and log the abort, and
   * wait up to ABORT_WAIT_MS. True when it did; false when the step takes longer (the caller logs the abort, and the
   * run's next checkpoint, now fenced because an abort is asked for, finds it aborted and stops without writing, its
   * step's transaction rolled back).
   */
  private async askHolderToAbort(processId: string, user: string): Promise<boolean> {
    this.cluster.publish({ kind: "abort", processId, user });
    const deadline = Date.now() + ABORT_WAIT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const status = (await loadProcessRow(this.db, processId))?.last_status;
      if (status === ProcessStatus.ABORTED) return true;
      if (status !== ProcessStatus.RUNNING) return false;
    }
    return false;
  }

  /** With the process queue: what queues the process's run in the transaction of the change that resumes it. */
  private enqueueIn(processId: string, user: string): ((trx: Kysely<Database>) => Promise<void>) | undefined {
    const jobs = this.jobs;
    return jobs ? (trx) => jobs.enqueue(trx, { processId, user }, RESUME_PRIORITY) : undefined;
  }

  /** Delete a process with its steps, input states and subscription links. */
  async deleteProcess(processId: string): Promise<void> {
    if (this.active.has(processId)) throw new ProcessConflictError("Cannot delete a process while it is running");
    const deleted = await deleteProcessRow(this.db, processId);
    if (deleted === "missing") throw new ProcessNotFoundError(processId);
    if (deleted === "running") throw new ProcessConflictError("Cannot delete a process while it is running");
    this.emit({ processId, status: ProcessStatus.ABORTED });
  }

  /** An external system answers an awaiting callback step: store its data and continue the process. */
  async continueAwaitingProcess(processId: string, token: string, data: unknown, user = "SYSTEM"): Promise<void> {
    const { last } = await this.awaitingStep(processId, token);
    const state = last.state;
    const key = typeof state[CALLBACK_RESULT_KEY] === "string" ? (state[CALLBACK_RESULT_KEY] as string) : "callback_result";
    // the callback's data and the status change together, or neither; the data is merged into the row as it is now
    // (not as read above), so a progress report stored meanwhile cannot overwrite it, nor it the report
    const resumed = await acceptCallback(this.db, { processId, stepId: last.stepid, key, data, also: this.enqueueIn(processId, user) });
    if (!resumed) throw new ProcessConflictError(NOT_AWAITING);
    this.emit({ processId, status: ProcessStatus.RESUMED });
    if (!this.jobs) this.schedule(processId, user);
  }

  /** Progress reported by an external system for an awaiting callback step (stored as `callback_progress`). */
  async updateAwaitingProcessProgress(processId: string, token: string, data: unknown): Promise<void> {
    const { last } = await this.awaitingStep(processId, token);
    // stored only while the process still awaits its callback (see storeCallbackProgress)
    const stored = await storeCallbackProgress(this.db, { processId, stepId: last.stepid, data });
    if (!stored) throw new ProcessConflictError(NOT_AWAITING);
    this.emit({ processId, status: ProcessStatus.AWAITING_CALLBACK });
  }

  private async awaitingStep(processId: string, token: string): Promise<{ row: ProcessRow; last: StepRow }> {
    const row = await loadProcessRow(this.db, processId);
    if (!row) throw new ProcessNotFoundError(processId);
    const last = (await loadSteps(this.db, processId)).at(-1);
    if (row.last_status !== ProcessStatus.AWAITING_CALLBACK || !last || last.status !== StepStatus.AWAITING_CALLBACK) {
      throw new ProcessConflictError(NOT_AWAITING);
    }
    if (typeof last.state[CALLBACK_TOKEN_KEY] !== "string" || last.state[CALLBACK_TOKEN_KEY] !== token) throw new InvalidCallbackTokenError();
    return { row, last };
  }

  /** Fail a process whose callback did not come in time (task_validate_awaiting_callbacks). */
  async failAwaitingProcess(processId: string, reason = "Callback timed out"): Promise<void> {
    const row = await loadProcessRow(this.db, processId);
    const last = (await loadSteps(this.db, processId)).at(-1);
    if (!row || row.last_status !== ProcessStatus.AWAITING_CALLBACK || !last) return;
    await this.runner.checkpoint({
      processId,
      stepName: reason,
      outcome: { status: StepStatus.FAILED, state: { ...last.state, class: "CallbackTimeout", error: reason } },
      assignee: Assignee.SYSTEM,
      user: "SYSTEM",
      replaceStepId: last.stepid,
      outsideRun: true,
    });
  }

  private async loadForChange(processId: string): Promise<{ row: ProcessRow; workflow?: Workflow; steps: StepRow[] }> {
    const row = await loadProcessRow(this.db, processId);
    if (!row) throw new ProcessNotFoundError(processId);
    const workflow = await getWorkflow(row.workflow_name);
    const steps = await loadSteps(this.db, processId);
    return { row, workflow, steps };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pause / unpause
  // ---------------------------------------------------------------------------------------------------------------

  /** Pause the engine (every instance on this database): running processes stop before their next step. */
  async pause(): Promise<void> {
    await writeGlobalLock(this.db, true);
    await this.announce(true);
  }

  /** Unpause: processes stopped by the pause (here, or by an instance that is gone) are resumed. */
  async unpause(): Promise<string[]> {
    this.unpausing++;
    try {
      await writeGlobalLock(this.db, false);
      await this.announce(false);
      // an engine that runs nothing cannot tell a process stopped by the pause from one still finishing its step on a
      // worker: each worker resumes what it stopped (its pause watch), and sweeps take over the rest
      if (!this.runsProcesses) return [];
      return await this.resumeAfterPause(await runningProcessIds(this.db));
    } finally {
      this.unpausing--;
    }
  }

  /** After changing the lock: the watch has seen it once this resolves (and emitted the event); else emit it here. */
  private async announce(globalLock: boolean): Promise<void> {
    await this.pauseWatch?.sync();
    if (this.pauseWatch?.known === undefined) this.events.emit("engine", { globalLock });
  }

  /**
   * Resume `running` processes that no run holds (stopped by a pause): each one this engine can lease is set
   * `resumed` and queued. Serialised, so that unpause and the watch never queue a process twice.
   */
  private resumeAfterPause(processIds: string[]): Promise<string[]> {
    const next = this.resuming.then(async () => {
      const resumed: string[] = [];
      for (const pid of processIds) {
        this.stoppedByPause.delete(pid);
        if (this.stopping || this.active.has(pid) || !(await this.tryLease(pid))) continue;
        if (this.jobs) {
          // its lease is free: no run holds it; it is queued for whichever worker is free
          this.releaseLease(pid);
          if (await this.requeue(this.jobs, pid, [ProcessStatus.RUNNING])) resumed.push(pid);
          continue;
        }
        if (this.active.has(pid) || !(await transitionStatus(this.db, pid, [ProcessStatus.RUNNING], ProcessStatus.RESUMED))) {
          if (!this.active.has(pid)) this.releaseLease(pid);
          continue;
        }
        resumed.push(pid);
        this.schedule(pid, "SYSTEM");
      }
      return resumed;
    });
    this.resuming = next.catch((error: unknown) => this.options.onError?.(error, "resuming after a pause"));
    return next;
  }

  /** Whether the engine is paused: as the watch knows it, else as read back by the statement that just ran. */
  private paused(readBack: boolean): boolean {
    return this.pauseWatch?.known ?? readBack;
  }

  /**
   * A run stopped for a pause: remembered, so the watch resumes it when the pause is lifted; if it was lifted while
   * the run was stopping, resumed at once (once the run is over).
   */
  private stoppedForPause(processId: string): void {
    this.stoppedByPause.add(processId);
    void this.active.get(processId)?.finally(() => {
      if (this.pauseWatch?.known === false) void this.resumeAfterPause([processId]);
    });
  }

  /** RUNNING, PAUSING (paused but processes still running) or PAUSED, and how many processes are running. */
  async engineStatus(): Promise<{ global_lock: boolean; global_status: EngineStatus; running_processes: number }> {
    const globalLock = await readGlobalLock(this.db);
    const running = await countRunning(this.db);
    // the runs are here, or (for an engine that runs nothing: the API process of EXECUTOR=worker) on the workers
    const runningHere = this.runsProcesses ? this.active.size : await countLeasedRunning(this.db);
    const status: EngineStatus = !globalLock ? "RUNNING" : runningHere > 0 ? "PAUSING" : "PAUSED";
    return { global_lock: globalLock, global_status: status, running_processes: running };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Running
  // ---------------------------------------------------------------------------------------------------------------

  private emit(event: ProcessEvent): void {
    this.lastStatus.delete(event.processId);
    this.lastStatus.set(event.processId, event.status);
    if (this.lastStatus.size > LAST_STATUS_LIMIT) this.lastStatus.delete(this.lastStatus.keys().next().value!);
    this.events.emit("process", event);
    this.cluster.publish({ kind: "process", processId: event.processId, status: event.status, step: event.step });
  }

  /**
   * Hand a run of the process to the executor: `start` for a new process, else `resume` (at most one run per process
   * at a time in this engine).
   */
  private schedule(processId: string, user: string, input?: State, kind: "start" | "resume" = "resume", queued?: Pick<ProcessJob, "onClaim" | "jobId">): void {
    if (this.stopping) return;
    const previous = this.active.get(processId) ?? Promise.resolve();
    let failure: unknown;
    const run: Promise<void> = previous
      .then(() => this.executor[kind]({ processId, user, input, ...queued }))
      .catch((error) => {
        failure = error;
        this.options.onError?.(error, `process ${processId}`);
      })
      .finally(() => {
        if (this.active.get(processId) === run) this.active.delete(processId);
        this.runEnded(processId, failure);
      });
    this.active.set(processId, run);
  }

  private tryLease(processId: string): Promise<boolean> {
    return this.leases.tryAcquire(processId);
  }

  private releaseLease(processId: string): void {
    this.leases.release(processId);
  }

  /**
   * Run a process handed over by the process queue (a worker's JobConsumer): resolves with the claim's outcome as soon
   * as it is known (the run goes on); "not-run" when the engine is stopping.
   */
  runQueued(job: { processId: string; user: string; jobId?: string }): Promise<ClaimOutcome> {
    if (this.stopping) return Promise.resolve("not-run");
    return new Promise<ClaimOutcome>((resolve) => {
      let told = false;
      const onClaim = (outcome: ClaimOutcome) => {
        if (told) return;
        told = true;
        resolve(outcome);
      };
      this.schedule(job.processId, job.user, undefined, "resume", { onClaim, jobId: job.jobId });
      // a run that ended (or never began: stopping, a failed claim) without telling
      void this.active.get(job.processId)?.finally(() => onClaim("not-run"));
    });
  }

  /** Runs under way or waiting in this engine's executor. */
  get activeRuns(): number {
    return this.active.size;
  }

  /**
   * Whether the engine is paused, as this engine knows it by notification (the "engine" event tells of changes);
   * undefined until it is started and while its listener is reconnecting.
   */
  get pausedKnown(): boolean | undefined {
    return this.pauseWatch?.known;
  }

  /** Settles once the processes this engine stopped for a pause, as far as the lifting of it is known, are queued again. */
  async pausedResumed(): Promise<void> {
    await this.resuming;
  }

  private async run(job: ProcessJob): Promise<void> {
    const { processId, user, input, onClaim, jobId } = job;
    if (this.stopping) return onClaim?.("not-run");
    // Claim: on PostgreSQL with the lease taken in the same statement (on the lease connection), unless held already.
    const lease = this.leases.forClaim(processId);
    const claimedAt = Date.now();
    const { claimed, leased } = await claimProcess(
      lease?.conn ?? this.db,
      processId,
      [ProcessStatus.CREATED, ProcessStatus.RESUMED],
      lease !== undefined,
      lease?.unlock ?? [],
      jobId === undefined ? undefined : this.jobs?.completeJobSql(jobId),
    ).catch((error: unknown) => {
      if (lease) this.leases.unclaimed(lease.unlock);
      onClaim?.("not-run");
      throw error;
    });
    if (lease) this.leases.claimed(processId, leased, lease.unlock);
    onClaim?.(claimed ? "claimed" : lease && !leased ? "leased-elsewhere" : "not-waiting");
    try {
      if (!claimed) return; // another engine has it, or it is no longer waiting to run
      this.emit({ processId, status: ProcessStatus.RUNNING });
      await this.runner.runSteps({ processId, user, claimed, claimedAt, input });
      await this.parkIfStoppedForShutdown(processId);
    } finally {
      this.releaseLease(processId);
    }
  }

  /**
   * A run that the engine's shutdown (a worker or server stopped cleanly) stopped before its next step is set `resumed`
   * while its lease is still held, so that it does not show `running` with nobody running it: with the process queue it
   * is queued again (a live worker goes on with it at once, not after a sweep finds it), without it the next start of an
   * engine takes it over (recover). Not while paused (a pause leaves its stopped processes `running`; the unpause
   * queues them), nor when the lease was lost meanwhile (another engine may run it now). Nothing happens to a run that
   * ended otherwise (its status is no longer `running`).
   */
  private async parkIfStoppedForShutdown(processId: string): Promise<void> {
    if (!this.stopping || this.stoppedByPause.has(processId) || this.pauseWatch?.known === true) return;
    if (this.leases.enabled && !this.leases.isHeld(processId)) return;
    try {
      if (this.jobs) await this.requeue(this.jobs, processId, [ProcessStatus.RUNNING]);
      else if (await transitionStatus(this.db, processId, [ProcessStatus.RUNNING], ProcessStatus.RESUMED)) this.emit({ processId, status: ProcessStatus.RESUMED });
    } catch (error) {
      // left `running` without a lease: taken over as an orphan (the sweeps, or the next start)
      this.options.onError?.(error, `setting process ${processId} resumed on shutdown`);
    }
  }

  /** A fresh callback token (url-safe). */
  static newCallbackToken(): string {
    return randomBytes(24).toString("base64url");
  }
}
