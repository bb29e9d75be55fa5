/**
 * The process store: every statement about processes, their steps and input states that the engine makes, except the
 * checkpoint itself (checkpoint-writer.ts). The engine decides; this module reads and writes. Steps come back with
 * every state in full (rebuilt from the deltas stored, db/step-states.ts); where a process is among its steps is
 * worked out by replay.ts.
 */
import { createHash } from "node:crypto";
import { CompiledQuery, sql, type ControlledTransaction, type Kysely, type RawBuilder, type Selectable } from "kysely";
import { namedStatement, rebuildStepStates, type Database, type ProcessesTable, type ProcessStepsTable } from "../db/index.js";
import { ProcessStatus } from "./status.js";
import { NOT_CLEARED } from "./replay.js";
import { STEP_GROUP_KEY, type State } from "./steps.js";

export type ProcessRow = Selectable<ProcessesTable> & { workflow_name: string; workflow_target: string };
/** A step row as readers see it: `state` in full (rebuilt from deltas), `is_delta` as stored. */
export type StepRow = Selectable<ProcessStepsTable>;

/** A new process to insert already claimed (status running) by the engine that creates it. */
export interface NewProcess {
  processId: string;
  workflowId: string;
  isTask: boolean;
  user: string;
  /** The initial input state as JSON. */
  stateJson: string;
}

/** What the insert of a new process answers: whether it is running (leased), and the engine's global lock. */
export interface NewProcessResult {
  running: boolean;
  globalLock: boolean;
}

/**
 * Insert new processes with their initial input states, claimed for a run in the same statement: status `running`
 * when `lease` is false or when this session got the process's advisory lock, `created` otherwise (then it is claimed
 * later like any other). Releases `unlock` first (leases of finished runs). With `lease`, `db` must be one session
 * (a lease lane): the lock is the session's.
 */
export async function insertRunningProcesses(
  db: Kysely<Database>,
  items: readonly NewProcess[],
  lease: boolean,
  unlock: readonly string[] = [],
): Promise<NewProcessResult[]> {
  const n = items.length;
  const cols: unknown[][] = [[...unlock], new Array(n), new Array(n), new Array(n), new Array(n), new Array(n), new Array(n)];
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    cols[1]![i] = item.processId;
    cols[2]![i] = item.workflowId;
    cols[3]![i] = item.user;
    cols[4]![i] = item.isTask;
    cols[5]![i] = item.stateJson;
    cols[6]![i] = i;
  }
  const text = lease ? INSERT_LEASED_SQL : INSERT_UNLEASED_SQL;
  const { rows } = await db.executeQuery<InsertedRow>(CompiledQuery.raw(text, cols));
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  return items.map((item) => {
    const row = byPid.get(item.processId);
    return { running: row?.last_status === ProcessStatus.RUNNING, globalLock: row?.global_lock === true };
  });
}

type InsertedRow = { pid: string; last_status: string; global_lock: boolean };

function insertProcessesSql(leased: string): string {
  return `WITH unlocked AS MATERIALIZED (
      SELECT pg_advisory_unlock(hashtextextended(u, 0)) FROM unnest($1::text[]) AS u
    ),
    v AS MATERIALIZED (
      SELECT v.*, ${leased} AS leased
      FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::bool[], $6::jsonb[], $7::int[]) AS v(pid, workflow_id, created_by, is_task, state, ord)
    ),
    p AS (
      INSERT INTO processes (pid, workflow_id, last_status, created_by, is_task)
      SELECT pid, workflow_id, CASE WHEN leased THEN '${ProcessStatus.RUNNING}' ELSE '${ProcessStatus.CREATED}' END, created_by, is_task
      FROM v ORDER BY ord
      RETURNING pid, last_status
    ),
    i AS (
      INSERT INTO input_states (pid, input_state, input_type) SELECT p.pid, v.state, 'initial_state' FROM p JOIN v ON v.pid = p.pid
    )
    SELECT pid, last_status, (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock FROM p`;
}
// named: planning these statements each time cost more than running them
const INSERT_LEASED_SQL = namedStatement(
  "orchestrator_insert_claimed",
  insertProcessesSql("(SELECT count(*) FROM unlocked) >= 0 AND pg_try_advisory_lock(hashtextextended(v.pid::text, 0))"),
);
const INSERT_UNLEASED_SQL = namedStatement("orchestrator_insert_running", insertProcessesSql("(SELECT count(*) FROM unlocked) >= 0"));


export async function loadProcessRow(db: Kysely<Database>, processId: string): Promise<ProcessRow | undefined> {
  return db
    .selectFrom("processes as p")
    .innerJoin("workflows as w", "w.workflow_id", "p.workflow_id")
    .selectAll("p")
    .select(["w.name as workflow_name", "w.target as workflow_target"])
    .where("p.pid", "=", processId)
    .executeTakeFirst();
}

/** A process's step rows in order, every state in full (rebuilt from the deltas stored). */
export async function loadSteps(db: Kysely<Database>, processId: string): Promise<StepRow[]> {
  const rows = await db.selectFrom("process_steps").selectAll().where("pid", "=", processId).orderBy("seq").execute();
  return rebuildStepStates(rows);
}

/** Set the process status only if it is one of `from`; returns whether it changed (an atomic claim). */
export async function transitionStatus(
  db: Kysely<Database>,
  processId: string,
  from: readonly ProcessStatus[],
  to: ProcessStatus,
): Promise<boolean> {
  const result = await db
    .updateTable("processes")
    .set({ last_status: to, last_modified_at: sql`now()` })
    .where("pid", "=", processId)
    .where("last_status", "in", [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function readGlobalLock(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("engine_settings").select("global_lock").executeTakeFirst();
  return row?.global_lock === true;
}

/** What a run needs to start, read in the same statement that claims the process. */
export interface ClaimedProcess {
  row: ProcessRow;
  /** Newest initial input state. */
  initialState: State;
  steps: StepRow[];
  globalLock: boolean;
}

/** The claim's texts registered as named statements already (a few variants), so a claim hashes none again. */
const CLAIM_TEXTS = new Set<string>();

/**
 * Claim a process for a run in one statement. Its steps come with their states in full from the snapshot replay
 * starts from (the last whole row at or before the last completed step) on; rows before it carry only whether they
 * are a step group's progress row, all that replay asks of them (replay.ts), so a long process's claim reads a bounded
 * amount of state.
 *
 * The claim: set it `running` if its status is one of `from` (and, with `lease`,
 * only if this session gets the process's advisory lock), and read back the process, its workflow's name, its steps,
 * its initial input state and the engine's global lock. Returns `leased` so a lock taken without a claim is released.
 */
export async function claimProcess(
  db: Kysely<Database>,
  processId: string,
  from: readonly ProcessStatus[],
  lease: boolean,
  /** Leases of finished runs to release first (batched onto this statement). */
  unlock: readonly string[] = [],
  /**
   * A change made in the same statement unless the lease is refused: the completion of the process-queue job that
   * handed the run over (ProcessQueue.completeJobSql), given the lease's outcome as `(SELECT ok FROM lease)`.
   */
  unlessLeaseRefused?: (leaseOk: RawBuilder<boolean>) => RawBuilder<unknown>,
): Promise<{ claimed?: ClaimedProcess; leased: boolean }> {
  const leaseCte = lease
    ? unlock.length
      ? sql`(SELECT count(*) FROM unlocked) >= 0 AND pg_try_advisory_lock(hashtextextended(${processId}, 0))`
      : sql`pg_try_advisory_lock(hashtextextended(${processId}, 0))`
    : sql`true`;
  const also = unlessLeaseRefused ? sql`, also AS (${unlessLeaseRefused(sql<boolean>`(SELECT ok FROM lease)`)})` : sql``;
  const query = sql<{
    claimed: (Omit<ProcessRow, "workflow_name" | "workflow_target"> & { started_at: string; last_modified_at: string }) | null;
    workflow_name: string | null;
    workflow_target: string | null;
    leased: boolean;
    initial_state: State | null;
    steps: (Omit<StepRow, "completed_at" | "started_at"> & { completed_at: string; started_at: string })[];
    global_lock: boolean;
  }>`
    WITH unlocked AS MATERIALIZED (
      SELECT pg_advisory_unlock(hashtextextended(u, 0)) FROM unnest(${[...unlock]}::text[]) AS u
    ),
    lease AS MATERIALIZED (SELECT ${leaseCte} AS ok)${also},
    -- the snapshot replay starts from: the last whole row at or before the last completed step (failed, suspended and
    -- awaiting rows are whole too, but hold no state to go on with)
    base AS (
      SELECT coalesce(max(s.seq), 0) AS seq FROM process_steps s
      WHERE s.pid = ${processId} AND NOT s.is_delta AND s.seq <= coalesce(
        (SELECT max(c.seq) FROM process_steps c WHERE c.pid = ${processId} AND c.status <> ALL(${[...NOT_CLEARED]}::text[])), 0)
    ),
    claimed AS (
      UPDATE processes SET last_status = ${ProcessStatus.RUNNING}, last_modified_at = now()
      WHERE pid = ${processId} AND last_status = ANY(${[...from]}::text[]) AND (SELECT ok FROM lease)
      RETURNING *
    )
    SELECT
      (SELECT to_jsonb(c) FROM claimed c) AS claimed,
      (SELECT w.name FROM claimed c JOIN workflows w ON w.workflow_id = c.workflow_id) AS workflow_name,
      (SELECT w.target FROM claimed c JOIN workflows w ON w.workflow_id = c.workflow_id) AS workflow_target,
      (SELECT ok FROM lease) AS leased,
      (SELECT i.input_state FROM input_states i WHERE i.pid = ${processId} AND i.input_type = 'initial_state'
        ORDER BY i.input_time DESC LIMIT 1) AS initial_state,
      (SELECT coalesce(jsonb_agg(
          CASE WHEN s.seq >= (SELECT seq FROM base) THEN to_jsonb(s)
            -- before the snapshot replay starts from, only whether the row is a step group's progress row counts
            ELSE to_jsonb(s) || jsonb_build_object('is_delta', false, 'state',
              jsonb_strip_nulls(jsonb_build_object(${STEP_GROUP_KEY}::text, CASE WHEN s.is_delta THEN NULL ELSE s.state -> ${STEP_GROUP_KEY}::text END)))
          END ORDER BY s.seq), '[]'::jsonb)
        FROM process_steps s WHERE s.pid = ${processId}) AS steps,
      (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`;
  // a named prepared statement on a server (one per variant of the text): its planning cost more than its execution
  const compiled = query.compile(db);
  if (!CLAIM_TEXTS.has(compiled.sql)) {
    CLAIM_TEXTS.add(compiled.sql);
    namedStatement(`orchestrator_claim_${createHash("sha1").update(compiled.sql).digest("hex").slice(0, 16)}`, compiled.sql);
  }
  const result = await db.executeQuery(compiled);
  const r = result.rows[0]!;
  if (!r.claimed) return { leased: r.leased === true };
  const row: ProcessRow = {
    ...r.claimed,
    started_at: new Date(r.claimed.started_at),
    last_modified_at: new Date(r.claimed.last_modified_at),
    workflow_name: r.workflow_name!,
    workflow_target: r.workflow_target!,
  };
  const steps: StepRow[] = rebuildStepStates(r.steps).map((s) => ({ ...s, completed_at: new Date(s.completed_at), started_at: new Date(s.started_at) }));
  return {
    leased: r.leased === true,
    claimed: { row, initialState: r.initial_state ?? {}, steps, globalLock: r.global_lock === true },
  };
}

/** Processes an engine may take over: `running`, `resumed` or `created`, oldest first. */
export async function unfinishedProcesses(db: Kysely<Database>): Promise<{ pid: string; last_status: string }[]> {
  return db
    .selectFrom("processes")
    .select(["pid", "last_status"])
    .where("last_status", "in", [ProcessStatus.RUNNING, ProcessStatus.RESUMED, ProcessStatus.CREATED])
    .orderBy("started_at")
    .execute();
}

/** What a process is started from: its workflow's row. */
export interface WorkflowRow {
  workflow_id: string;
  is_task: boolean;
  target: string;
}

/** The row of a workflow that is not deleted, or undefined. */
export async function loadWorkflowRow(db: Kysely<Database>, workflowName: string): Promise<WorkflowRow | undefined> {
  return db
    .selectFrom("workflows")
    .select(["workflow_id", "is_task", "target"])
    .where("name", "=", workflowName)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

/** A process to create (status `created`) with its initial input state. */
export interface CreatedProcess {
  processId: string;
  workflowId: string;
  isTask: boolean;
  user: string;
  state: State;
  /** A subscription the process locks: set out of sync in the same statement, which inserts nothing when it is already. */
  lockSubscription?: string;
}

/**
 * Insert a `created` process and its initial state in one statement. With `lockSubscription` the statement also sets
 * the subscription out of sync, and inserts nothing (false) when it is out of sync already: of two starts at once,
 * exactly one finds it in sync (the other's update waits for the row lock, then sees insync false).
 */
export async function insertCreatedProcess(db: Kysely<Database>, process: CreatedProcess): Promise<boolean> {
  const { processId, workflowId, isTask, user, lockSubscription } = process;
  const stateJson = JSON.stringify(process.state);
  if (lockSubscription === undefined) {
    await sql`
      WITH p AS (
        INSERT INTO processes (pid, workflow_id, last_status, created_by, is_task)
        VALUES (${processId}, ${workflowId}, ${ProcessStatus.CREATED}, ${user}, ${isTask})
        RETURNING pid
      )
      INSERT INTO input_states (pid, input_state, input_type) SELECT pid, ${stateJson}::jsonb, 'initial_state' FROM p`.execute(db);
    return true;
  }
  const result = await sql<{ pid: string }>`
    WITH locked AS (
      UPDATE subscriptions SET insync = false WHERE subscription_id = ${lockSubscription} AND insync RETURNING subscription_id
    ), p AS (
      INSERT INTO processes (pid, workflow_id, last_status, created_by, is_task)
      SELECT ${processId}, ${workflowId}, ${ProcessStatus.CREATED}, ${user}, ${isTask} FROM locked
      RETURNING pid
    )
    INSERT INTO input_states (pid, input_state, input_type) SELECT pid, ${stateJson}::jsonb, 'initial_state' FROM p RETURNING pid`.execute(db);
  return result.rows.length > 0;
}

/**
 * Set a process `resumed` if its status is still `from`, and store the user's input (unless `input` is undefined),
 * in one transaction: of concurrent resumes exactly one is accepted, and a refused one leaves no input behind.
 */
export async function markResumed(
  db: Kysely<Database>,
  change: { processId: string; from: ProcessStatus; input?: State; also?: InSameTransaction },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await transitionStatus(trx, change.processId, [change.from], ProcessStatus.RESUMED))) return false;
    if (change.input !== undefined) {
      await trx.insertInto("input_states").values({ pid: change.processId, input_state: JSON.stringify(change.input), input_type: "user_input" }).execute();
    }
    await change.also?.(trx);
    return true;
  });
}

/** The user input stored by the newest resume of a process. */
export async function latestUserInput(db: Kysely<Database>, processId: string): Promise<State | undefined> {
  const row = await db
    .selectFrom("input_states")
    .select("input_state")
    .where("pid", "=", processId)
    .where("input_type", "=", "user_input")
    .orderBy("input_time", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.input_state as State | undefined;
}

/**
 * Run `fn` in a transaction holding the process row locked (FOR UPDATE), with the process's status and its steps
 * (states in full); `fn` gets undefined when the process does not exist. Used for aborting, so that concurrent aborts
 * log one step.
 */
export async function withProcessLocked<T>(
  db: Kysely<Database>,
  processId: string,
  fn: (trx: Kysely<Database>, locked: { status: string; steps: StepRow[] } | undefined) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("processes").select("last_status").where("pid", "=", processId).forUpdate().executeTakeFirst();
    return fn(trx, row ? { status: row.last_status, steps: await loadSteps(trx, processId) } : undefined);
  });
}

/**
 * Delete a process that is not running (its steps, input states and subscription links go with it): "running" when it
 * is (nothing deleted), "missing" when there was none.
 */
export async function deleteProcessRow(db: Kysely<Database>, processId: string): Promise<"deleted" | "running" | "missing"> {
  // a running process is refused in the statement itself, so that an engine that runs it (here or on another
  // instance) never writes a step of a deleted process; its steps go with it (trigger processes_delete_steps)
  const result = await db.deleteFrom("processes").where("pid", "=", processId).where("last_status", "!=", ProcessStatus.RUNNING).executeTakeFirst();
  if (Number(result.numDeletedRows) > 0) return "deleted";
  const left = await db.selectFrom("processes").select("pid").where("pid", "=", processId).executeTakeFirst();
  return left ? "running" : "missing";
}

/**
 * Accept a callback: set the process `resumed` if it still awaits its callback and merge `data` under `key` into the
 * awaiting step's row as it is now (server-side, so a progress report stored meanwhile is kept), in one transaction.
 */
export async function acceptCallback(
  db: Kysely<Database>,
  callback: { processId: string; stepId: string; key: string; data: unknown; also?: InSameTransaction },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await transitionStatus(trx, callback.processId, [ProcessStatus.AWAITING_CALLBACK], ProcessStatus.RESUMED))) return false;
    await trx
      .updateTable("process_steps")
      .set({ state: sql`state || jsonb_build_object(${callback.key}::text, ${JSON.stringify(callback.data)}::jsonb)` })
      .where("stepid", "=", callback.stepId)
      .execute();
    await callback.also?.(trx);
    return true;
  });
}

/** More to write in the transaction of a status change, only when the change is made (queueing the run). */
export type InSameTransaction = (trx: Kysely<Database>) => Promise<void>;

/**
 * `running` processes whose lease no session holds (PostgreSQL only): their engine is gone or lost its session, or a
 * pause stopped them. The lease is probed with a transaction-level lock, gone when the statement ends.
 */
export async function orphanedRunningProcesses(db: Kysely<Database>): Promise<string[]> {
  const result = await sql<{ pid: string }>`
    WITH running AS MATERIALIZED (SELECT pid::text AS pid FROM processes WHERE last_status = ${ProcessStatus.RUNNING})
    SELECT pid FROM running WHERE pg_try_advisory_xact_lock(hashtextextended(pid, 0))`.execute(db);
  return result.rows.map((row) => row.pid);
}

/**
 * How many `running` processes a run holds (their lease is held by some session: pg_locks, read only), for telling
 * PAUSING from PAUSED where the runs are on other processes (PostgreSQL only).
 */
export async function countLeasedRunning(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ n: string }>`
    SELECT count(*) AS n FROM processes p
    WHERE p.last_status = ${ProcessStatus.RUNNING} AND ${leaseHeldSql(sql`p.pid::text`)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Whether some session holds the process's lease (a run under way somewhere; pg_locks, read only). */
export async function isLeaseHeld(db: Kysely<Database>, processId: string): Promise<boolean> {
  const result = await sql<{ held: boolean }>`SELECT ${leaseHeldSql(sql`${processId}::text`)} AS held`.execute(db);
  return result.rows[0]?.held === true;
}

/** A bigint advisory lock shows in pg_locks as its high half (classid) and low half (objid), objsubid 1. */
function leaseHeldSql(pid: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
      SELECT 1 FROM (SELECT hashtextextended(${pid}, 0) AS k) h, pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ((h.k >> 32) & 4294967295)::oid AND l.objid = (h.k & 4294967295)::oid)`;
}

/**
 * Store a callback's progress report (`callback_progress`) in the awaiting step's row, only while the process still
 * awaits: the process row is locked (shared) first, so a callback accepted at the same moment is either before (this
 * is refused: false) or after (it merges on top of this).
 */
export async function storeCallbackProgress(db: Kysely<Database>, report: { processId: string; stepId: string; data: unknown }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("processes").select("last_status").where("pid", "=", report.processId).forShare().executeTakeFirst();
    if (row?.last_status !== ProcessStatus.AWAITING_CALLBACK) return false;
    await trx
      .updateTable("process_steps")
      .set({ state: sql`state || jsonb_build_object('callback_progress', ${JSON.stringify(report.data)}::jsonb)` })
      .where("stepid", "=", report.stepId)
      .execute();
    return true;
  });
}

/** Set the engine's global lock (pause: true), for every instance on the database. */
export async function writeGlobalLock(db: Kysely<Database>, globalLock: boolean): Promise<void> {
  await db.updateTable("engine_settings").set({ global_lock: globalLock }).execute();
}

/** Ids of the processes in status `running`. */
export async function runningProcessIds(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom("processes").select("pid").where("last_status", "=", ProcessStatus.RUNNING).execute()).map((r) => r.pid);
}

/** How many processes are `running`. */
export async function countRunning(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("processes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("last_status", "=", ProcessStatus.RUNNING)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Record where a running process is (`last_step`), leaving its status; false when the process is gone. */
export async function touchProcessRow(db: Kysely<Database>, processId: string, lastStep: string): Promise<boolean> {
  const result = await db.updateTable("processes").set({ last_step: lastStep, last_modified_at: sql`now()` }).where("pid", "=", processId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Delete the step rows of a process that is gone: those its run wrote with step-only checkpoints after the process was
 * deleted behind its back (process_steps has no foreign key). Nothing is deleted while the process row is there.
 */
export async function removeOrphanSteps(db: Kysely<Database>, processId: string): Promise<void> {
  await db
    .deleteFrom("process_steps")
    .where("pid", "=", processId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("processes").select("pid").where("pid", "=", processId))))
    .execute();
}

/** Set a `running` process `completed` (a run with no step left); false when it was not running. */
export async function markCompleted(db: Kysely<Database>, processId: string, lastStep?: string): Promise<boolean> {
  const result = await db
    .updateTable("processes")
    .set({ last_status: ProcessStatus.COMPLETED, last_modified_at: sql`now()`, ...(lastStep ? { last_step: lastStep } : {}) })
    .where("pid", "=", processId)
    .where("last_status", "=", ProcessStatus.RUNNING)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A transaction for a step's own writes (its checkpoint is written in it too), begun when the step first asks. */
export function beginStepTransaction(db: Kysely<Database>): Promise<ControlledTransaction<Database>> {
  return db.startTransaction().execute();
}
