/**
 * Writing a step's checkpoint: the process row and the step row in one statement (or, when the step used the
 * database, in the step's own transaction), so it is atomic and costs one round trip; and the group commit of
 * checkpoints that finish together (CheckpointWriter). The state is stored as a delta over the process's previous row
 * where it can be (db/step-states.ts).
 */
import { randomUUID } from "node:crypto";
import { CompiledQuery, sql, type Kysely } from "kysely";
import { encodeStepState, type PreparedQuery, type StepStateBase, type Database } from "../db/index.js";
import { ProcessStatus, StepStatus } from "./status.js";
import type { ErrorState, State, StepOutcome } from "./steps.js";

/** Keys the engine uses to steer step logging; never stored. */
const INTERNAL_KEYS = ["__step_name_override", "__replace_last_state", "__remove_keys", "__last_step_started_at"] as const;

const FAILED_REASON_LENGTH = 10_000;
const TRACEBACK_LENGTH = 50_000;

export interface CheckpointInput {
  /**
   * Only insert the step row, leaving the process row as it is: for a successful step of a running process whose
   * row was updated recently (its status does not change; `last_step` catches up at the next full checkpoint).
   */
  stepOnly?: boolean;
  processId: string;
  stepName: string;
  outcome: StepOutcome;
  processStatus: ProcessStatus;
  assignee: string;
  user: string;
  startedAt: Date;
  /** Overwrite this step row instead of inserting one (retried identical failure, step group progress). */
  replaceStepId?: string;
  /**
   * A run's checkpoint: written only while the process is `running` (undefined otherwise, as for a deleted process),
   * so a run never overwrites an abort another instance logged meanwhile (the fencing of runs). False for changes made
   * outside a run (an abort, a callback timeout).
   */
  fenced?: boolean;
  /**
   * A pure step's row (Step.pure), written with a neighbour's: it took no time, so it is stored as starting when it
   * completed (by the database's clock, as its neighbours' completions), not at the moment the engine ran it.
   */
  instant?: boolean;
  /**
   * The `base` of the checkpoint written for this process just before (the row this one follows): the state may then
   * be stored as a delta over it. Without it the state is stored in full.
   */
  base?: StepStateBase;
}

export interface CheckpointResult {
  stepId: string;
  /** The engine's global lock, read in the same statement: true means pause before the next step. */
  globalLock: boolean;
  /** The state as stored (JSON round-tripped, internal keys removed). */
  state: State;
  /** For the next checkpoint of the same process (CheckpointInput.base). */
  base: StepStateBase;
}

/**
 * The state as stored: internal keys removed, `__remove_keys` applied, JSON round-tripped (Dates and other objects
 * become JSON), without a copy when there is nothing to change.
 */
export function storedState(state: State, drop: readonly string[] = []): State {
  const source = state ?? {};
  let copy = source;
  if (drop.length > 0 || INTERNAL_KEYS.some((key) => key in source)) {
    copy = { ...source };
    const remove = Array.isArray(copy.__remove_keys) ? (copy.__remove_keys as unknown[]) : [];
    for (const key of INTERNAL_KEYS) delete copy[key];
    for (const key of remove) delete copy[String(key)];
    for (const key of drop) delete copy[key];
  }
  // parsing the JSON back only changes something when the state holds values JSON does not keep as they are
  return isJsonPlain(copy, 0) ? copy : (JSON.parse(JSON.stringify(copy)) as State);
}

/**
 * Whether JSON.stringify + JSON.parse gives back an equal value: only strings, finite numbers (not -0), booleans,
 * null, dense arrays and plain objects of those, not too deep to check. (A step state nearly always is.)
 */
function isJsonPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (depth > 32) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonPlain(value[i], depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      if ("toJSON" in value || Object.getOwnPropertySymbols(value).length > 0) return false;
      for (const key in value) {
        if (key === "__proto__" || !isJsonPlain((value as State)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * The step-only checkpoint, as a prepared statement (the engine's hottest query). It does not look at the process row
 * (process_steps has no foreign key, for speed: see revision 9e4a6c1d2f70): a process deleted behind the engine's back
 * is found by the run's next full checkpoint, at most PROCESS_ROW_INTERVAL_MS later, which then removes what was
 * written for it meanwhile (StepStore.removeOrphanSteps).
 */
const STEP_ONLY_SQL = `INSERT INTO process_steps (stepid, pid, name, status, state, is_delta, created_by, started_at, completed_at)
  VALUES ($7, $1, $2, $3, $4::jsonb, $8, $5, $6::timestamptz, clock_timestamp())`;
/** The same, reading the global lock back (when the engine does not learn of changes by notification). */
const STEP_ONLY_READ_LOCK_SQL = `${STEP_ONLY_SQL}
  RETURNING (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`;

/**
 * A step id made by the engine: a UUID version 7 (time-ordered), so new step rows go to the end of the primary key
 * index rather than anywhere in it, and the engine knows the id without reading it back.
 */
export function newStepId(): string {
  const random = randomUUID();
  const ms = Date.now().toString(16).padStart(12, "0");
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15)}`;
}

/** The full checkpoint (process row + step row), as a prepared statement; with the lock read back or not. */
const FULL_SQL_BASE = `WITH upd AS (
    UPDATE processes SET last_step = $2, last_status = $3, assignee = $4, failed_reason = $5, traceback = $6, last_modified_at = now()
    WHERE pid = $1 AND ($13::bool IS NOT TRUE OR last_status = 'running') RETURNING pid
  )
  INSERT INTO process_steps (stepid, pid, name, status, state, is_delta, created_by, started_at, completed_at)
  SELECT $11, pid, $2, $7, $8::jsonb, $12, $9, $10::timestamptz, clock_timestamp()
  FROM upd
  RETURNING stepid`;
const FULL_SQL = `${FULL_SQL_BASE}, (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`;

/**
 * Write a step's checkpoint. `prepared` (a server database outside a transaction) runs the step-only statement as a
 * named prepared statement; with `knownLock` (the engine learns of pauses by notification) the prepared statements do
 * not read the global lock back. Returns undefined when the process no longer exists (deleted meanwhile), except for
 * a step-only checkpoint, which does not look.
 */
export async function writeCheckpoint(
  db: Kysely<Database>,
  input: CheckpointInput,
  prepared?: PreparedQuery,
  knownLock?: boolean,
): Promise<CheckpointResult | undefined> {
  const { outcome } = input;
  const { json: stateJson, isDelta, state, base, failedReason, traceback } = checkpointRow(input);
  const startedAt = input.startedAt.toISOString();
  if (input.stepOnly && !input.replaceStepId) {
    const stepId = newStepId();
    const values = [input.processId, input.stepName, outcome.status, stateJson, input.user, startedAt, stepId, isDelta];
    const [name, text] =
      knownLock === undefined
        ? ["orchestrator_step_checkpoint_read_lock", STEP_ONLY_READ_LOCK_SQL]
        : ["orchestrator_step_checkpoint", STEP_ONLY_SQL];
    const rows = prepared
      ? await prepared<{ global_lock?: boolean }>(name, text, values)
      : (await db.executeQuery<{ global_lock?: boolean }>(CompiledQuery.raw(text, values))).rows;
    return { stepId, globalLock: knownLock ?? rows[0]?.global_lock === true, state, base };
  }
  if (prepared && !input.replaceStepId) {
    const values = [input.processId, input.stepName, input.processStatus, input.assignee, failedReason, traceback, outcome.status, stateJson, input.user, startedAt, newStepId(), isDelta, input.fenced === true];
    const [name, text] =
      knownLock === undefined ? ["orchestrator_full_checkpoint_read_lock", FULL_SQL] : ["orchestrator_full_checkpoint", FULL_SQL_BASE];
    const rows = await prepared<{ stepid: string; global_lock?: boolean }>(name, text, values);
    const row = rows[0];
    return row ? { stepId: row.stepid, globalLock: knownLock ?? row.global_lock === true, state, base } : undefined;
  }
  const result = input.replaceStepId
    ? await sql<{ stepid: string; global_lock: boolean }>`
        WITH upd AS (
          UPDATE processes SET last_step = ${input.stepName}, last_status = ${input.processStatus}, assignee = ${input.assignee},
            failed_reason = ${failedReason}, traceback = ${traceback}, last_modified_at = now()
          WHERE pid = ${input.processId} AND (${input.fenced !== true} OR last_status = 'running') RETURNING pid
        )
        UPDATE process_steps SET name = ${input.stepName}, status = ${outcome.status}, state = ${stateJson}::jsonb, is_delta = false,
          created_by = ${input.user}, completed_at = clock_timestamp(), seq = nextval('process_steps_seq')
        WHERE stepid = ${input.replaceStepId} AND EXISTS (SELECT 1 FROM upd)
        RETURNING stepid, (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`.execute(db)
    : await sql<{ stepid: string; global_lock: boolean }>`
        WITH upd AS (
          UPDATE processes SET last_step = ${input.stepName}, last_status = ${input.processStatus}, assignee = ${input.assignee},
            failed_reason = ${failedReason}, traceback = ${traceback}, last_modified_at = now()
          WHERE pid = ${input.processId} AND (${input.fenced !== true} OR last_status = 'running') RETURNING pid
        )
        INSERT INTO process_steps (pid, name, status, state, is_delta, created_by, started_at, completed_at)
        SELECT pid, ${input.stepName}, ${outcome.status}, ${stateJson}::jsonb, ${isDelta}, ${input.user}, ${startedAt}::timestamptz, clock_timestamp()
        FROM upd
        RETURNING stepid, (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return { stepId: row.stepid, globalLock: row.global_lock === true, state, base };
}

/**
 * Several checkpoints in one statement (group commit, and a pure step's row with its neighbour's): for each row the
 * step row is inserted and, unless it is step-only, the process row updated, all in the statement's one transaction,
 * in the order given. Full checkpoints whose process is gone (deleted meanwhile) or whose run is fenced off (an abort
 * logged meanwhile) are left out of the result, and so are the step-only rows of a process that has such a full row in
 * the same statement (they are written together or not at all); other step-only rows are written (see STEP_ONLY_SQL).
 */
const BATCH_SQL = `WITH v AS (
    SELECT *,
      -- a process's rows of one statement in their order by completed_at too (readers order by it; PGlite's clock can
      -- give two rows the same time)
      clock_timestamp() + v.ord * interval '1 microsecond' AS completed_at
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::timestamptz[], $7::bool[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::uuid[], $14::bool[], $15::bool[], $16::bool[])
      AS v(pid, name, status, state, created_by, started_at, step_only, process_status, assignee, failed_reason, traceback, ord, stepid, is_delta, fenced, instant)
  ),
  upd AS (
    UPDATE processes p SET last_step = v.name, last_status = v.process_status, assignee = v.assignee,
      failed_reason = v.failed_reason, traceback = v.traceback, last_modified_at = now()
    FROM v WHERE NOT v.step_only AND p.pid = v.pid AND (NOT v.fenced OR p.last_status = 'running')
    RETURNING p.pid
  )
  INSERT INTO process_steps (stepid, pid, name, status, state, is_delta, created_by, started_at, completed_at)
  SELECT v.stepid, v.pid, v.name, v.status, v.state, v.is_delta, v.created_by,
    -- a pure step took no time: it starts when it completes, by the same clock as its neighbours
    CASE WHEN v.instant THEN v.completed_at ELSE v.started_at END, v.completed_at
  FROM v WHERE v.pid IN (SELECT pid FROM upd) OR (v.step_only AND NOT EXISTS (SELECT 1 FROM v f WHERE f.pid = v.pid AND NOT f.step_only))
  ORDER BY v.ord
  RETURNING stepid, (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`;

interface Pending {
  input: CheckpointInput;
  resolve: (result: CheckpointResult | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of checkpoints written outside a step's transaction: a checkpoint is sent at once when fewer than
 * `maxInFlight` statements are under way; otherwise it waits and goes out with every other checkpoint that arrived
 * meanwhile, in one statement (one transaction, one commit). Each caller still gets its own result only after the
 * commit that holds its checkpoint, so nothing is reported written before it is durable, and a process's checkpoint
 * (process row + step row) stays atomic. When a batch fails as a whole (a process deleted meanwhile, a value too long)
 * its checkpoints are written one by one, so each gets its own answer.
 */
export class CheckpointWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly prepared: PreparedQuery | undefined,
    private readonly maxInFlight = 1,
    /** The global lock when the engine knows it without reading it (see writeCheckpoint). */
    private readonly knownLock: () => boolean | undefined = () => undefined,
  ) {}

  write(input: CheckpointInput): Promise<CheckpointResult | undefined> {
    if (input.replaceStepId) return writeCheckpoint(this.db, input, this.prepared);
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.inFlight < this.maxInFlight) this.flush();
    });
  }

  /**
   * Rows of one process to be written in one statement, in order (a pure step's row with its neighbour's: Step.pure);
   * they go in the same batch. A result per input. A row updating a row in place is not batched: then each is written
   * on its own, in order.
   */
  async writeGroup(inputs: CheckpointInput[]): Promise<(CheckpointResult | undefined)[]> {
    if (inputs.some((input) => input.replaceStepId)) {
      const results: (CheckpointResult | undefined)[] = [];
      for (const input of inputs) results.push(await writeCheckpoint(this.db, input, this.prepared));
      return results;
    }
    const written = inputs.map(
      (input) =>
        new Promise<CheckpointResult | undefined>((resolve, reject) => {
          this.queue.push({ input, resolve, reject });
        }),
    );
    if (this.inFlight < this.maxInFlight) this.flush();
    return Promise.all(written);
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.inFlight++;
    const done = batch.length === 1 ? this.writeOne(batch[0]!) : this.writeBatch(batch);
    void done.finally(() => {
      this.inFlight--;
      this.flush();
    });
  }

  private async writeOne(item: Pending): Promise<void> {
    try {
      item.resolve(await writeCheckpoint(this.db, item.input, this.prepared, this.knownLock()));
    } catch (error) {
      item.reject(error);
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let results: (CheckpointResult | undefined)[];
    try {
      results = await writeCheckpointBatch(this.db, batch.map((item) => item.input), this.prepared);
    } catch {
      // one of them spoils the batch: write each on its own for its own answer (a process's rows in their order)
      const byProcess = new Map<string, Pending[]>();
      for (const item of batch) {
        const items = byProcess.get(item.input.processId);
        if (items) items.push(item);
        else byProcess.set(item.input.processId, [item]);
      }
      await Promise.all(
        [...byProcess.values()].map(async (items) => {
          for (const item of items) await this.writeOne(item);
        }),
      );
      return;
    }
    batch.forEach((item, i) => item.resolve(results[i]));
  }
}

/**
 * Write checkpoints in one statement (BATCH_SQL), in order: on `db` (a step's transaction, the caller commits), or as a
 * named prepared statement with `prepared`. A result per input: undefined for a row left out (see BATCH_SQL). Throws
 * what the database throws.
 */
export async function writeCheckpointBatch(db: Kysely<Database>, inputs: CheckpointInput[], prepared?: PreparedQuery): Promise<(CheckpointResult | undefined)[]> {
  if (inputs.length === 2 && inputs[0]!.processId === inputs[1]!.processId) return writePair(db, inputs as [CheckpointInput, CheckpointInput], prepared);
  const n = inputs.length;
  const cols: unknown[][] = Array.from({ length: 16 }, () => new Array<unknown>(n));
  const written: Written[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const input = inputs[i]!;
    const row = checkpointRow(input);
    const stepId = newStepId();
    written[i] = { row, stepId };
    cols[0]![i] = input.processId;
    cols[1]![i] = input.stepName;
    cols[2]![i] = input.outcome.status;
    cols[3]![i] = row.json;
    cols[4]![i] = input.user;
    cols[5]![i] = input.startedAt.toISOString();
    cols[6]![i] = input.stepOnly === true;
    cols[7]![i] = input.processStatus;
    cols[8]![i] = input.assignee;
    cols[9]![i] = row.failedReason;
    cols[10]![i] = row.traceback;
    cols[11]![i] = i;
    cols[12]![i] = stepId;
    cols[13]![i] = row.isDelta;
    cols[14]![i] = input.fenced === true;
    cols[15]![i] = input.instant === true;
  }
  return runRows(db, prepared, ["orchestrator_checkpoint_batch", BATCH_SQL], cols, written);
}

/** A row a statement is to insert: its values as stored and the step id it is given. */
interface Written {
  row: ReturnType<typeof checkpointRow>;
  stepId: string;
}

/**
 * Run a checkpoint statement that inserts `written` (as a named prepared statement with `prepared`) and answer each:
 * undefined for a row it left out (its process deleted meanwhile, or its run fenced off).
 */
async function runRows(db: Kysely<Database>, prepared: PreparedQuery | undefined, [name, text]: [string, string], values: unknown[], written: Written[]): Promise<(CheckpointResult | undefined)[]> {
  const rows = prepared
    ? await prepared<{ stepid: string; global_lock: boolean }>(name, text, values)
    : (await db.executeQuery<{ stepid: string; global_lock: boolean }>(CompiledQuery.raw(text, values))).rows;
  const inserted = new Set(rows.map((row) => row.stepid));
  const globalLock = rows[0]?.global_lock === true;
  return written.map(({ row, stepId }) => (inserted.has(stepId) ? { stepId, globalLock, state: row.state, base: row.base } : undefined));
}

/**
 * Two rows of one process (a pure step's with its neighbour's: Step.pure), the commonest group: the same as BATCH_SQL
 * for them, in a statement as light as the single ones (no arrays to bind, which made BATCH_SQL cost four times the
 * step-only statement in the workers bench). The process row gets the last full row's values, if any; both rows are
 * written only with that update (fenced, or the process gone: neither).
 */
const PAIR_SQL = `WITH upd AS (
    UPDATE processes SET last_step = $2, last_status = $3, assignee = $4, failed_reason = $5, traceback = $6, last_modified_at = now()
    WHERE pid = $1 AND NOT $7::bool AND ($8::bool IS NOT TRUE OR last_status = 'running') RETURNING pid
  ),
  ok AS (SELECT $1::uuid AS pid WHERE $7::bool OR EXISTS (SELECT 1 FROM upd)),
  r AS (
    SELECT r.*, clock_timestamp() + r.ord * interval '1 microsecond' AS completed_at
    FROM (VALUES ($9::uuid, $10::text, $11::text, $12::jsonb, $13::bool, $14::text, $15::timestamptz, $16::bool, 0),
      ($17::uuid, $18::text, $19::text, $20::jsonb, $21::bool, $22::text, $23::timestamptz, $24::bool, 1))
      AS r(stepid, name, status, state, is_delta, created_by, started_at, instant, ord)
  )
  INSERT INTO process_steps (stepid, pid, name, status, state, is_delta, created_by, started_at, completed_at)
  SELECT r.stepid, ok.pid, r.name, r.status, r.state, r.is_delta, r.created_by,
    CASE WHEN r.instant THEN r.completed_at ELSE r.started_at END, r.completed_at
  FROM ok CROSS JOIN r ORDER BY r.ord
  RETURNING stepid, (SELECT global_lock FROM engine_settings LIMIT 1) AS global_lock`;

async function writePair(db: Kysely<Database>, inputs: [CheckpointInput, CheckpointInput], prepared?: PreparedQuery): Promise<(CheckpointResult | undefined)[]> {
  const rows = inputs.map((input) => ({ input, row: checkpointRow(input), stepId: newStepId() }));
  const full = [...rows].reverse().find((r) => r.input.stepOnly !== true);
  const process = full ?? rows[1]!;
  const values: unknown[] = [
    inputs[0].processId,
    process.input.stepName,
    process.input.processStatus,
    process.input.assignee,
    process.row.failedReason,
    process.row.traceback,
    full === undefined,
    full?.input.fenced === true,
  ];
  for (const { input, row, stepId } of rows) {
    values.push(stepId, input.stepName, input.outcome.status, row.json, row.isDelta, input.user, input.startedAt.toISOString(), input.instant === true);
  }
  return runRows(db, prepared, ["orchestrator_checkpoint_pair", PAIR_SQL], values, rows);
}

/**
 * The values of a checkpoint's rows: the state as stored and its encoding (a delta over `input.base`, or in full at
 * snapshot points: see db/step-states.ts), and for failures the reason and traceback.
 */
function checkpointRow(input: CheckpointInput) {
  const { outcome } = input;
  const isError = outcome.status === StepStatus.FAILED || outcome.status === StepStatus.WAITING;
  let failedReason: string | null = null;
  let traceback: string | null = null;
  if (isError) {
    const error = outcome.state as ErrorState;
    failedReason = String(error.error ?? "").slice(0, FAILED_REASON_LENGTH);
    traceback = error.traceback ? String(error.traceback).slice(-TRACEBACK_LENGTH) : null;
  }
  // the traceback is kept on the process row only
  const state = storedState(outcome.state, isError ? ["traceback"] : []);
  // in full: a row updated in place, every stop (failed, suspended, awaiting, aborted) and the process's last row
  const snapshot =
    input.replaceStepId !== undefined ||
    (outcome.status !== StepStatus.SUCCESS && outcome.status !== StepStatus.SKIPPED) ||
    input.processStatus !== ProcessStatus.RUNNING;
  const { json, isDelta, base } = encodeStepState(state, input.base, snapshot);
  return { json, isDelta, base, state, failedReason, traceback };
}
