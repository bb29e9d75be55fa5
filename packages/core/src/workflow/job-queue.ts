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
 * its lease) and the claim's statement completes the job; a run is protected by the lease from then on (see the
 * engine's sweep). A worker killed between fetch and claim leaves its jobs `active`; pg-boss's supervisor gives them
 * out again once QUEUE_EXPIRE_S has passed. A job delivered twice is harmless: the claim is atomic on the process's
 * status.
 *
 * pg-boss runs on the orchestrator's own connection pool (its `db` option) and keeps its tables in the `pgboss`
 * schema, which it creates and migrates itself on first use; jobs are fetched by a function of ours (FETCH_FUNCTION).
 */
import { CompiledQuery, sql, type Kysely, type RawBuilder } from "kysely";
import PgBoss from "pg-boss";
import { namedStatement, type Database } from "../db/index.js";

/** The pg-boss queue of process runs. */
export const PROCESS_QUEUE = "orchestrator-process-runs";
/** Notified (no payload) in the transaction that enqueues a job. */
export const JOBS_CHANNEL = "orchestrator_jobs";
/**
 * Fetching jobs is ours, not pg-boss's `fetch`: a function of ours in pg-boss's schema, over an index of ours, takes
 * the waiting jobs in pg-boss's order (priority, then age) the way pg-boss's fetch does (marks them active, counts a
 * job given out again as a retry). pg-boss 10's index of waiting jobs is by start time, and the planner's statistics
 * of a queue's table lag behind a backlog that has just arrived (it thinks a few jobs wait), so its fetch read and
 * sorted the whole backlog each time: with 5,000 waiting, 9 ms a fetch and 60 % of the database's time under four
 * workers (bench/workers.ts). The function plans with sorts and bitmap scans off, so it always walks the ordered
 * index and reads only the jobs it takes, and as PL/pgSQL its plan is kept per session. JIT is off for it: the cost
 * of a sort it must still do (of the few jobs taken) counts as huge with sorts off, which made PostgreSQL compile the
 * statement, 230 ms a fetch. Versioned by name.
 */
const FETCH_INDEX = "orchestrator_job_fetch";
const FETCH_FUNCTION = "orchestrator_fetch_jobs_v1";
/** Serializes the setup of several processes opening the queue at once (pg_advisory_xact_lock key). */
const SETUP_LOCK = 0x6f726368;

/** The schema pg-boss keeps its tables in. */
export const JOB_SCHEMA = "pgboss";
const FETCH_SQL = namedStatement("orchestrator_fetch_jobs", `SELECT id::text AS id, data FROM ${JOB_SCHEMA}.${FETCH_FUNCTION}($1, $2)`);
const GIVE_BACK_SQL = namedStatement(
  "orchestrator_give_back_jobs",
  `WITH back AS (
     UPDATE ${JOB_SCHEMA}.job SET state = 'retry', started_on = NULL, start_after = now()
     WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active' RETURNING 1
   )
   SELECT pg_notify($3, '') WHERE EXISTS (SELECT 1 FROM back)`,
);

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

/** Create the fetch index and function unless there (see FETCH_FUNCTION), one process at a time. */
async function installFetch(db: Kysely<Database>): Promise<void> {
  const job = sql.table(`${JOB_SCHEMA}.job`);
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`.execute(trx);
    await sql`CREATE INDEX IF NOT EXISTS ${sql.raw(FETCH_INDEX)} ON ${job} (name, priority DESC, created_on, id) WHERE state < 'active'`.execute(trx);
    const exists = await sql`SELECT 1 FROM pg_proc WHERE proname = ${FETCH_FUNCTION} AND pronamespace = ${JOB_SCHEMA}::regnamespace`.execute(trx);
    if (exists.rows.length > 0) return;
    await sql`
      CREATE FUNCTION ${sql.raw(`${JOB_SCHEMA}.${FETCH_FUNCTION}`)}(queue text, batch int) RETURNS TABLE (id uuid, data jsonb)
      LANGUAGE plpgsql SET enable_sort = off SET enable_bitmapscan = off SET enable_seqscan = off SET jit = off AS $fn$
      BEGIN
        RETURN QUERY
        WITH next AS (
          SELECT j.id FROM ${job} j
          WHERE j.name = queue AND j.state < 'active' AND j.start_after < now()
          ORDER BY j.priority DESC, j.created_on, j.id
          LIMIT batch FOR UPDATE SKIP LOCKED
        )
        , taken AS (
          UPDATE ${job} j SET state = 'active', started_on = now(),
            retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
          FROM next WHERE j.name = queue AND j.id = next.id
          RETURNING j.id, j.data, j.priority, j.created_on
        )
        -- in the order taken (an update returns its rows in any order)
        SELECT t.id, t.data FROM taken t ORDER BY t.priority DESC, t.created_on, t.id;
      END
      $fn$`.execute(trx);
  });
}

/**
 * pg-boss's view of a database: a query in a given session. `pool`: pg-boss's own statements on the pool, where a
 * failed one is rolled back on its session before the session goes back: pg-boss sends its installs and migrations as
 * one text (BEGIN; …; COMMIT;), and one that fails half-way (the second of two processes installing at once) left its
 * session in an aborted transaction, failing the next statement of whoever got it from the pool.
 */
function asBossDb(db: Kysely<Database>, pool = false): PgBoss.Db {
  if (!pool) return { executeSql: async (text, values) => ({ rows: (await db.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as unknown[] }) };
  return {
    executeSql: (text, values) =>
      db.connection().execute(async (conn) => {
        try {
          return { rows: (await conn.executeQuery(CompiledQuery.raw(text, values ?? []))).rows as unknown[] };
        } catch (error) {
          await sql`ROLLBACK`.execute(conn).catch(() => undefined);
          throw error;
        }
      }),
  };
}

/**
 * Run a setup step that other processes may be running at the same moment (several workers starting on a new
 * database): done again, after a short wait, when it collided with another's (a deadlock between creating the queue's
 * table and indexing it, a name created meanwhile).
 */
async function setUpConcurrently(step: () => Promise<void>): Promise<void> {
  const collisions = new Set(["40P01", "23505", "42P07", "42710", "40001", "XX000"]);
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= 5 || !collisions.has((error as { code?: string }).code ?? "")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    }
  }
}

/** Start pg-boss, installing or migrating its schema if needed. */
async function startBoss(db: Kysely<Database>, options: ProcessQueueOptions): Promise<PgBoss> {
  // two processes installing at once: pg-boss's lock lets one install, and the other's install then fails on what the
  // first made; a new start finds it installed
  for (let attempt = 1; ; attempt++) {
    const boss = new PgBoss({
      db: asBossDb(db, true),
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
    try {
      await boss.start();
      return boss;
    } catch (error) {
      await boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
      if (attempt >= 3) throw error;
    }
  }
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
    const boss = await startBoss(db, options);
    try {
      await setUpConcurrently(async () => {
        if (await boss.getQueue(PROCESS_QUEUE)) return;
        await boss.createQueue(PROCESS_QUEUE, {
          name: PROCESS_QUEUE,
          // one waiting job per process: enqueueing a process that waits already is a no-op
          policy: "short",
          expireInSeconds: QUEUE_EXPIRE_S,
          retryLimit: RETRY_LIMIT,
          retryDelay: 0,
          retryBackoff: false,
        });
      });
      await setUpConcurrently(() => installFetch(db));
    } catch (error) {
      await boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
      throw error;
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
    return (await this.db.executeQuery<FetchedJob>(CompiledQuery.raw(FETCH_SQL, [PROCESS_QUEUE, max]))).rows;
  }

  /**
   * The completion of a fetched job as a change to make in the statement that claims its process (claimProcess):
   * made when `when` is true (the lease was not refused). Saves a statement per run, and the job is done exactly when
   * the claim commits.
   */
  completeJobSql(jobId: string): (when: RawBuilder<boolean>) => RawBuilder<unknown> {
    return (when) => sql`
      UPDATE ${sql.table(`${JOB_SCHEMA}.job`)} SET state = 'completed', completed_on = now()
      WHERE name = ${PROCESS_QUEUE} AND id = ${jobId}::uuid AND state = 'active' AND ${when}`;
  }

  /**
   * Put fetched jobs back for any worker to fetch at once (jobs a worker fetched ahead and found no room for, or held
   * when it stopped), and wake the idle workers in the same statement. Not a failed try: the job waits as if never
   * fetched (pg-boss's `fail` counted each give-back towards the retry limit, and a job fetched ahead again and again
   * behind long runs would have reached it; nor did it notify, so an idle worker found the job only at its next poll).
   * `retry` is the waiting state that one-waiting-job-per-process (the queue's policy) does not constrain.
   */
  async giveBack(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.db.executeQuery(CompiledQuery.raw(GIVE_BACK_SQL, [PROCESS_QUEUE, ids, JOBS_CHANNEL]));
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
