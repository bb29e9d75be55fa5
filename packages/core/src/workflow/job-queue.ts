/**
 * The queue of process runs for worker processes (EXECUTOR=worker), on pg-boss in the orchestrator's own database.
 *
 * A job says "run this process" (its id and who asked); it is inserted in the caller's transaction, next to the
 * status change it goes with (a new `created` process, a resume, an accepted callback), so a process waiting to run
 * always has its job and a rolled-back change leaves none (orchestrator-core's Celery executor enqueues after the
 * commit and loses the job when the enqueue fails: its issues #687, #898). The same transaction notifies
 * JOBS_CHANNEL, so idle workers fetch at once instead of at their next poll.
 *
 * A job only hands the process over: the worker that fetches it claims the process (created/resumed → running, with
 * its lease) and completes the job; a run is protected by the lease from then on (see Sweeper in worker.ts). A worker
 * killed between fetch and claim leaves its jobs `active`; pg-boss's supervisor gives them out again once
 * QUEUE_EXPIRE_S has passed. A job delivered twice is harmless: the claim is atomic on the process's status.
 *
 * pg-boss runs on the orchestrator's own connection pool (its `db` option) and keeps its tables in the `pgboss`
 * schema, which it creates and migrates itself on first use.
 */
import { CompiledQuery, sql, type Kysely } from "kysely";
import PgBoss from "pg-boss";
import type { Database } from "../db/index.js";

/** The pg-boss queue of process runs. */
export const PROCESS_QUEUE = "orchestrator-process-runs";
/** Notified (no payload) in the transaction that enqueues a job. */
export const JOBS_CHANNEL = "orchestrator_jobs";
/** The schema pg-boss keeps its tables in. */
export const JOB_SCHEMA = "pgboss";

/**
 * A fetched job not completed within this time is given out again (a worker killed between fetch and claim). A claim
 * takes milliseconds; the time is generous so a slow database never hands one job to two workers needlessly.
 */
const QUEUE_EXPIRE_S = 30;
/** How often pg-boss's supervisor runs (expiry, archive, deletion): one instance per interval does the work. */
const MAINTENANCE_S = 5;
/** Completed jobs move to the archive after this, and archived jobs are deleted after DELETE_AFTER_HOURS. */
const ARCHIVE_COMPLETED_S = 3600;
const DELETE_AFTER_HOURS = 24;
/** A job is given out again this many times (a worker dying again and again before its claim). */
const RETRY_LIMIT = 1000;

/**
 * Jobs of processes that ran before (a resume, a callback, a takeover) go before new ones: a process a dead worker
 * left is taken over ahead of the backlog.
 */
export const RESUME_PRIORITY = 1;

/** What a job carries. */
export interface ProcessJobData {
  processId: string;
  /** Who asked: the process's steps see them as the user. */
  user: string;
}

export interface FetchedJob {
  id: string;
  data: ProcessJobData;
}

/** pg-boss's view of a database: a query in a given session (a transaction's, or the pool's). */
function asBossDb(db: Kysely<Database>): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({ rows: (await db.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as unknown[] }),
  };
}

export interface ProcessQueueOptions {
  /** Run pg-boss's supervisor here (expiry of abandoned jobs, archive): workers do, API processes need not. */
  supervise: boolean;
  onError?: (error: unknown) => void;
}

/**
 * The process-run queue. `open` installs pg-boss's schema and the queue if missing (safe when several processes start
 * at once). Throws what the database throws.
 */
export class ProcessQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly db: Kysely<Database>,
  ) {}

  static async open(db: Kysely<Database>, options: ProcessQueueOptions): Promise<ProcessQueue> {
    const boss = new PgBoss({
      db: asBossDb(db),
      schema: JOB_SCHEMA,
      migrate: true,
      supervise: options.supervise,
      // schedules are the orchestrator's own (scheduler.ts): pg-boss's cron would need a second source of truth
      schedule: false,
      maintenanceIntervalSeconds: MAINTENANCE_S,
      archiveCompletedAfterSeconds: ARCHIVE_COMPLETED_S,
      deleteAfterHours: DELETE_AFTER_HOURS,
    });
    boss.on("error", (error) => options.onError?.(error));
    await boss.start();
    if (!(await boss.getQueue(PROCESS_QUEUE))) {
      await boss
        .createQueue(PROCESS_QUEUE, {
          name: PROCESS_QUEUE,
          // one waiting job per process: enqueueing a process that waits already is a no-op
          policy: "short",
          expireInSeconds: QUEUE_EXPIRE_S,
          retryLimit: RETRY_LIMIT,
          retryDelay: 0,
          retryBackoff: false,
        })
        .catch((error: unknown) => {
          // another process created it at the same moment
          if ((error as { code?: string }).code !== "23505") throw error;
        });
    }
    return new ProcessQueue(boss, db);
  }

  /**
   * Put a run of the process on the queue, in `conn`'s transaction (or on its own on the pool). A process with a job
   * waiting already gets no second one. `priority`: RESUME_PRIORITY for a process that ran before, else 0.
   */
  async enqueue(conn: Kysely<Database>, job: ProcessJobData, priority = 0): Promise<void> {
    await this.boss.send(PROCESS_QUEUE, job, { db: asBossDb(conn), singletonKey: job.processId, priority });
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(conn);
  }

  /** Take up to `max` waiting jobs (oldest first); they are this caller's until completed or expired. */
  async fetch(max: number): Promise<FetchedJob[]> {
    if (max <= 0) return [];
    const jobs = await this.boss.fetch<ProcessJobData>(PROCESS_QUEUE, { batchSize: max, priority: true });
    return jobs.map((job) => ({ id: job.id, data: job.data }));
  }

  /** Mark jobs done (their processes are claimed, or need no run). */
  async complete(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.boss.complete(PROCESS_QUEUE, ids);
  }

  /** Jobs waiting to be fetched, and fetched ones not completed yet. */
  async counts(): Promise<{ queued: number; active: number }> {
    const result = await sql<{ queued: string; active: string }>`
      SELECT count(*) FILTER (WHERE state < 'active') AS queued, count(*) FILTER (WHERE state = 'active') AS active
      FROM ${sql.table(`${JOB_SCHEMA}.job`)} WHERE name = ${PROCESS_QUEUE}`.execute(this.db);
    const row = result.rows[0];
    return { queued: Number(row?.queued ?? 0), active: Number(row?.active ?? 0) };
  }

  /**
   * Processes waiting to run (`created` / `resumed` for longer than `olderThanMs`) that have no job waiting or
   * fetched: a change made before EXECUTOR=worker was set, or a job given up. They need a job.
   */
  async withoutJob(olderThanMs: number): Promise<{ pid: string; created_by: string; last_status: string }[]> {
    // NOT IN over the (small) set of keys with a live job: one hashed look-up per waiting process, however long the
    // backlog (a correlated NOT EXISTS scanned the job table once per process)
    const result = await sql<{ pid: string; created_by: string; last_status: string }>`
      SELECT p.pid::text AS pid, p.created_by, p.last_status FROM processes p
      WHERE p.last_status IN ('created', 'resumed') AND p.last_modified_at < now() - make_interval(secs => ${olderThanMs / 1000})
        AND p.pid::text NOT IN (SELECT j.singleton_key FROM ${sql.table(`${JOB_SCHEMA}.job`)} j
          WHERE j.name = ${PROCESS_QUEUE} AND j.state <= 'active' AND j.singleton_key IS NOT NULL)
      LIMIT 1000`.execute(this.db);
    return result.rows;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: false });
  }
}
