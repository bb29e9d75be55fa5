/**
 * A worker process of EXECUTOR=worker (`main.ts worker`): fetches process runs from the process queue as its engine
 * has room (MAX_WORKERS runs at a time), claims and runs them; puts back on the queue the processes a dead worker
 * left `running` (its engine's sweep, every SWEEP_MS); and keeps its row in `engine_workers` fresh for the settings
 * page. orchestrator-core's counterpart is a Celery worker (services/executors/celery.py); here the queue is in the
 * orchestrator's own PostgreSQL database, so nothing else has to run.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database, Listener, OrchestratorDb } from "../db/index.js";
import type { WorkflowEngine } from "./engine.js";
import { JOBS_CHANNEL, type FetchedJob, type ProcessQueue } from "./job-queue.js";
import { WORKER_GONE_MS } from "./worker-rows.js";

/** Fetch at least this often while there is room (a missed notification, a job given out again after expiry). */
const POLL_MS = 1000;
/** Look for processes left `running` by a dead worker this often (the takeover time is about this). */
const SWEEP_MS = 1000;
/** Refresh this worker's row this often (WORKER_GONE_MS: when it counts as gone). */
const HEARTBEAT_MS = 2000;
/** Completions of jobs wait this long for others to go out with (ms). */
const COMPLETE_BATCH_MS = 10;
/** A run's end waits this long before fetching, for other runs ending meanwhile to fetch with it (ms). */
const FETCH_COALESCE_MS = 3;
/** Jobs fetched in one statement at most. */
const FETCH_BATCH = 20;
/**
 * Jobs fetched beyond the room there is, held for the runs that end next (as a Celery worker prefetches): a fetch then
 * serves several run ends instead of about one (workers bench: 0.7 fetches per run without). Given back when the
 * worker stops, or when no room came up for them within PREFETCH_HOLD_MS (long steps: another worker may be idle); a
 * killed worker's are given out again after the queue's expiry.
 */
const PREFETCH = 4;
const PREFETCH_HOLD_MS = 500;
/**
 * After an unpause a worker fetches nothing for this long (ms) and until its engine has queued again what the pause
 * stopped there: the processes the pause stopped (which hold their subscriptions' locks) are queued again by their
 * engines with the resume priority as the same notification arrives, and go first; fetching at once took new ones
 * before them.
 */
const UNPAUSE_SETTLE_MS = 100;
/** Claim attempts of a process whose lease another session still holds (a run that ended a moment ago), and delays. */
const LEASE_RETRY_MS = [20, 50, 100, 200, 400, 800, 1600];

export interface WorkerOptions {
  database: OrchestratorDb;
  /** The worker's engine: built with the queue in role "worker" and an in-process executor of `capacity`. */
  engine: WorkflowEngine;
  jobs: ProcessQueue;
  /** Runs at a time (MAX_WORKERS). */
  capacity: number;
  onError?: (error: unknown, context: string) => void;
}

/** One worker process's loop; start() once, stop() on shutdown. */
export class Worker {
  readonly id = randomUUID();
  private listener?: Listener;
  private timers: NodeJS.Timeout[] = [];
  private pumping = false;
  private again = false;
  private stopped = false;
  /** Jobs fetched whose claim is not settled yet (they hold room). */
  private claiming = 0;
  /** Jobs fetched ahead (PREFETCH), handed over as room frees up; given back after PREFETCH_HOLD_MS. */
  private prefetched: FetchedJob[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private toComplete: string[] = [];
  private completeTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  /** Unpauses whose settling (UNPAUSE_SETTLE_MS) is under way: nothing is fetched meanwhile. */
  private settling = 0;
  private readonly db: Kysely<Database>;

  constructor(private readonly options: WorkerOptions) {
    this.db = options.database.db;
  }

  /**
   * Register, start the engine (lease sessions, pause watch, first sweep) and begin fetching. While the engine is
   * paused nothing is fetched: waiting processes stay `created` with their jobs (and jobs fetched ahead go back).
   */
  async start(): Promise<void> {
    await this.heartbeat();
    this.options.engine.events.on("engine", this.onEngine);
    await this.options.engine.start();
    this.listener = await this.options.database.listen(JOBS_CHANNEL, {
      onNotify: () => this.wake(),
      onListening: () => this.wake(),
      onLost: (error) => this.options.onError?.(error, "job notifications"),
    });
    this.every(POLL_MS, () => this.wake());
    this.every(SWEEP_MS, () => this.options.engine.recover());
    this.every(HEARTBEAT_MS, () => this.heartbeat());
    this.wake();
  }

  private readonly onEngine = ({ globalLock }: { globalLock: boolean }) => {
    if (!globalLock) return this.settleUnpause();
    const held = this.prefetched.splice(0).map((job) => job.id);
    void this.options.jobs.giveBack(held).catch((error: unknown) => this.options.onError?.(error, "giving jobs back"));
  };

  /**
   * Fetch again after an unpause once the engine has queued what the pause stopped here (its resumes begin as this
   * event is handled: looked at on the next turn) and UNPAUSE_SETTLE_MS have passed, for other workers' to be queued.
   */
  private settleUnpause(): void {
    this.settling++;
    setImmediate(() => {
      void this.options.engine
        .pausedResumed()
        .then(() => new Promise((resolve) => setTimeout(resolve, UNPAUSE_SETTLE_MS)))
        .finally(() => {
          this.settling--;
          this.wake();
        });
    });
  }

  /** Stop fetching, finish the running steps (no new ones start), and remove this worker's row. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.options.engine.events.off("engine", this.onEngine);
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.wakeTimer);
    clearTimeout(this.holdTimer);
    await this.listener?.close();
    // jobs fetched ahead go back to the queue for the other workers
    const unclaimed = this.prefetched.splice(0).map((job) => job.id);
    await this.options.jobs.giveBack(unclaimed).catch((error: unknown) => this.options.onError?.(error, "giving jobs back"));
    await this.options.engine.shutdown();
    await this.flushCompletions();
    await this.db.deleteFrom("engine_workers").where("worker_id", "=", this.id).execute().catch(() => undefined);
  }

  /** Run `fn` every `ms`, skipping a turn while the previous one is still under way (a slow database). */
  private every(ms: number, fn: () => unknown): void {
    let busy = false;
    const timer = setInterval(() => {
      if (this.stopped || busy) return;
      busy = true;
      Promise.resolve()
        .then(fn)
        .catch((error: unknown) => this.options.onError?.(error, "worker"))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private get room(): number {
    return this.options.capacity - this.options.engine.activeRuns - this.claiming;
  }

  /**
   * Complete the job within COMPLETE_BATCH_MS, with the others completed meanwhile, in one statement. A completion
   * lost with the worker is harmless: the job is given out again and finds its process claimed already.
   */
  private completeSoon(jobId: string): void {
    this.toComplete.push(jobId);
    this.completeTimer ??= setTimeout(() => void this.flushCompletions(), COMPLETE_BATCH_MS);
  }

  private async flushCompletions(): Promise<void> {
    clearTimeout(this.completeTimer);
    this.completeTimer = undefined;
    const ids = this.toComplete.splice(0);
    await this.options.jobs.complete(ids).catch((error: unknown) => this.options.onError?.(error, "completing jobs"));
  }

  /** Wake within FETCH_COALESCE_MS: runs that end at about the same time fetch their next jobs in one statement. */
  private wakeSoon(): void {
    this.wakeTimer ??= setTimeout(() => {
      this.wakeTimer = undefined;
      this.wake();
    }, FETCH_COALESCE_MS);
  }

  /** Fetch and hand over jobs while there is room (one pump at a time; a wake during one pumps again after it). */
  private wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump()
      .catch((error: unknown) => this.options.onError?.(error, "fetching jobs"))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /**
   * Paused, as notified (a process claimed now would only wait `running` without a step for the unpause), or just
   * unpaused and settling.
   */
  private get paused(): boolean {
    return this.settling > 0 || this.options.engine.pausedKnown === true;
  }

  private async pump(): Promise<void> {
    while (!this.stopped && this.room > 0 && !this.paused) {
      if (this.prefetched.length === 0) {
        const jobs = await this.options.jobs.fetch(Math.min(this.room + PREFETCH, FETCH_BATCH));
        if (jobs.length === 0) return;
        // stopped or paused meanwhile: what stop() or the pause found has gone back, so these go back too
        if (this.stopped || this.paused) return void this.options.jobs.giveBack(jobs.map((job) => job.id)).catch(() => undefined);
        this.prefetched.push(...jobs);
      }
      while (this.room > 0 && this.prefetched.length > 0) void this.handle(this.prefetched.shift()!);
      if (this.prefetched.length > 0) this.holdPrefetched();
    }
  }

  /** Give back, PREFETCH_HOLD_MS from now, the jobs fetched ahead that are still held then (fetched in this pump). */
  private holdPrefetched(): void {
    if (this.holdTimer) return;
    const held = new Set(this.prefetched);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      const stale = this.prefetched.filter((job) => held.has(job));
      if (stale.length === 0) return;
      this.prefetched = this.prefetched.filter((job) => !held.has(job));
      void this.options.jobs.giveBack(stale.map((job) => job.id)).catch((error: unknown) => this.options.onError?.(error, "giving jobs back"));
      if (this.prefetched.length > 0) this.holdPrefetched();
    }, PREFETCH_HOLD_MS);
    this.holdTimer.unref();
  }

  /**
   * Claim the job's process, retrying while its lease is being released elsewhere; the claim completes the job, and
   * a job whose process stays leased elsewhere is completed here unless the process still waits to run.
   */
  private async handle(job: FetchedJob): Promise<void> {
    this.claiming++;
    let held = true;
    const releaseRoom = () => {
      if (!held) return;
      held = false;
      this.claiming--;
    };
    try {
      for (let attempt = 0; ; attempt++) {
        // the claim's statement completes the job, unless another session holds the lease
        const outcome = await this.options.engine.runQueued({ ...job.data, jobId: job.id });
        releaseRoom();
        if (outcome === "claimed" || outcome === "not-waiting") {
          // room again once the run is over
          if (outcome === "claimed") {
            void this.options.engine
              .waitFor(job.data.processId)
              .catch(() => undefined)
              .finally(() => this.wakeSoon());
          }
          return;
        }
        // "not-run" (stopping, a database fault): left to expire and be given out again
        if (outcome === "not-run" || this.stopped) return;
        if (attempt >= LEASE_RETRY_MS.length) {
          // still held: a run has it (a job delivered twice). Done with, unless it waits to run after all
          if (!(await this.waitsToRun(job.data.processId))) this.completeSoon(job.id);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, LEASE_RETRY_MS[attempt]).unref());
      }
    } catch (error) {
      this.options.onError?.(error, `job of process ${job.data.processId}`);
    } finally {
      releaseRoom();
      this.wake();
    }
  }

  /** Whether the process is created or resumed (a job's claim may still be owed to it). */
  private async waitsToRun(processId: string): Promise<boolean> {
    const row = await this.db.selectFrom("processes").select("last_status").where("pid", "=", processId).executeTakeFirst();
    return row?.last_status === "created" || row?.last_status === "resumed";
  }

  /** Insert or refresh this worker's row (runs under way now), and remove rows of workers gone long ago. */
  private async heartbeat(): Promise<void> {
    const running = this.options.engine.activeRuns;
    await this.db
      .insertInto("engine_workers")
      .values({ worker_id: this.id, hostname: hostname(), os_pid: process.pid, capacity: this.options.capacity, running })
      .onConflict((oc) => oc.column("worker_id").doUpdateSet({ running, heartbeat_at: sql`now()` }))
      .execute();
    await this.db
      .deleteFrom("engine_workers")
      .where("heartbeat_at", "<", sql<Date>`now() - make_interval(secs => ${(WORKER_GONE_MS * 4) / 1000})`)
      .execute();
  }
}
