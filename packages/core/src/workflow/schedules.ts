/**
 * Scheduled starts of tasks and workflows (the `schedules` table): what to start (a workflow or task by name, with the
 * form pages to start it with), when (a cron expression in UTC, or an interval in seconds), its next run and the
 * outcome of its last one. orchestrator-core 4 keeps them in APScheduler's job store (schedules/*, cli/scheduler.py);
 * the scheduler (scheduler.ts) starts what is due.
 */
import cronParser from "cron-parser";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { getWorkflow } from "./registry.js";

/** A schedule as stored, with the status of the process its last run started. */
export interface Schedule {
  schedule_id: string;
  name: string;
  workflow_name: string;
  trigger: "cron" | "interval";
  /** Five fields (minute hour day month weekday), UTC; with `trigger` "cron". */
  cron: string | null;
  /** With `trigger` "interval". */
  interval_seconds: number | null;
  /** The form pages the process is started with. */
  user_inputs: unknown[];
  next_run_at: Date | null;
  last_run_at: Date | null;
  /** "started", or why the start failed. */
  last_result: string | null;
  last_process_id: string | null;
  last_process_status: string | null;
  created_at: Date;
}

export interface ScheduleInput {
  name: string;
  workflow_name: string;
  trigger: "cron" | "interval";
  cron?: string | null;
  interval_seconds?: number | null;
  user_inputs?: unknown[];
}

/** A schedule that cannot be stored: `field` names what is wrong (HTTP 400, CLI error). */
export class ScheduleValidationError extends OrchestratorError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("schedule_invalid", `${field}: ${message}`);
  }
}

/** The shortest interval (seconds): the scheduler looks once a second. */
export const MIN_INTERVAL_SECONDS = 1;
/** The longest interval (seconds): a year. */
export const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

/**
 * When a schedule runs next after `from`: the cron expression's next time (UTC), or `from` plus the interval. A run
 * missed while nothing ran the scheduler is therefore run once, not once per missed tick. Throws
 * ScheduleValidationError for a cron expression that does not parse.
 */
export function nextRunAfter(schedule: Pick<ScheduleInput, "trigger" | "cron" | "interval_seconds">, from: Date): Date {
  if (schedule.trigger === "interval") return new Date(from.getTime() + (schedule.interval_seconds ?? 0) * 1000);
  return parseCron(schedule.cron ?? "").next(from);
}

/**
 * A schedule's trigger as one line: `cron[<five fields>]`, or `interval[<duration>]` with the duration as APScheduler
 * prints an IntervalTrigger (Python's timedelta: `0:00:30`, `1 day, 0:00:00`, `366 days, 0:00:00`), which
 * orchestrator-core shows in `scheduler show-schedule` and in GraphQL's `ScheduledTask.trigger`.
 */
export function triggerText(schedule: Pick<Schedule, "trigger" | "cron" | "interval_seconds">): string {
  if (schedule.trigger === "cron") return `cron[${schedule.cron ?? ""}]`;
  const total = Math.trunc(schedule.interval_seconds ?? 0);
  const days = Math.floor(total / 86_400);
  const rest = total - days * 86_400;
  const clock = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, "0")}:${String(rest % 60).padStart(2, "0")}`;
  return `interval[${days ? `${days} day${days === 1 ? "" : "s"}, ` : ""}${clock}]`;
}

function parseCron(expression: string): { next(from: Date): Date } {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new ScheduleValidationError("cron", `expected five fields (minute hour day month weekday), e.g. "10 0 * * *"; got "${expression}"`);
  // an expression can parse and still never match (the 31st of February): next() finds that out
  const next = (from: Date) => {
    try {
      return cronParser.parseExpression(expression, { tz: "UTC", currentDate: from }).next().toDate();
    } catch (error) {
      throw new ScheduleValidationError("cron", `not a cron expression that runs: ${(error as Error).message}`);
    }
  };
  try {
    cronParser.parseExpression(expression, { tz: "UTC" });
  } catch (error) {
    throw new ScheduleValidationError("cron", `not a cron expression: ${(error as Error).message}`);
  }
  return { next };
}

/**
 * Check a schedule before it is stored: a known workflow or task (in code and in the database), a cron expression that
 * parses or an interval within MIN/MAX_INTERVAL_SECONDS, a name. Returns the row's values (next run computed from
 * now). Throws ScheduleValidationError naming the field.
 */
export async function validateSchedule(db: Kysely<Database>, input: ScheduleInput, now = new Date()) {
  const name = input.name.trim();
  if (!name) throw new ScheduleValidationError("name", "must not be empty");
  if (!(await getWorkflow(input.workflow_name))) throw new ScheduleValidationError("workflow_name", `no workflow or task '${input.workflow_name}' is registered in code`);
  const row = await db.selectFrom("workflows").select("name").where("name", "=", input.workflow_name).where("deleted_at", "is", null).executeTakeFirst();
  if (!row) throw new ScheduleValidationError("workflow_name", `workflow or task '${input.workflow_name}' is not in the database (add it with a migration)`);
  if (input.trigger === "cron") {
    if (!input.cron) throw new ScheduleValidationError("cron", 'required with trigger "cron"');
    if (input.interval_seconds != null) throw new ScheduleValidationError("interval_seconds", 'only with trigger "interval"');
  } else {
    const seconds = input.interval_seconds;
    if (seconds == null) throw new ScheduleValidationError("interval_seconds", 'required with trigger "interval"');
    if (!Number.isInteger(seconds) || seconds < MIN_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS) {
      throw new ScheduleValidationError("interval_seconds", `expected a whole number of seconds from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS}`);
    }
    if (input.cron != null) throw new ScheduleValidationError("cron", 'only with trigger "cron"');
  }
  const values = {
    name,
    workflow_name: input.workflow_name,
    trigger: input.trigger,
    cron: input.trigger === "cron" ? input.cron!.trim() : null,
    interval_seconds: input.trigger === "interval" ? input.interval_seconds! : null,
    user_inputs: JSON.stringify(input.user_inputs ?? [{}]),
  };
  return { ...values, next_run_at: nextRunAfter(values, now) };
}

const SELECT_SCHEDULES = (db: Kysely<Database>) =>
  db
    .selectFrom("schedules as s")
    .leftJoin("processes as p", "p.pid", "s.last_process_id")
    .select([
      "s.schedule_id",
      "s.name",
      "s.workflow_name",
      "s.trigger",
      "s.cron",
      "s.interval_seconds",
      "s.user_inputs",
      "s.next_run_at",
      "s.last_run_at",
      "s.last_result",
      "s.last_process_id",
      "p.last_status as last_process_status",
      "s.created_at",
    ]);

/**
 * A schedule's stored form pages as a list: what the API stores always is one, but a value written by SQL may not be
 * (an object is taken as the one page, anything else as none); a list or start must not fail on it.
 */
export function formPages(stored: unknown): unknown[] {
  if (Array.isArray(stored)) return stored;
  return typeof stored === "object" && stored !== null ? [stored] : [];
}

const readSchedule = (row: Schedule): Schedule => (Array.isArray(row.user_inputs) ? row : { ...row, user_inputs: formPages(row.user_inputs) });

/** Every schedule, the next to run first. */
export async function listSchedules(db: Kysely<Database>): Promise<Schedule[]> {
  const rows = (await SELECT_SCHEDULES(db).orderBy(sql`s.next_run_at NULLS LAST`).orderBy("s.name").execute()) as Schedule[];
  return rows.map(readSchedule);
}

export async function getSchedule(db: Kysely<Database>, scheduleId: string): Promise<Schedule | undefined> {
  const row = (await SELECT_SCHEDULES(db).where("s.schedule_id", "=", scheduleId).executeTakeFirst()) as Schedule | undefined;
  return row && readSchedule(row);
}

const nameTaken = (name: string) => new ScheduleValidationError("name", `a schedule named '${name}' exists already`);

/** Store a new schedule (validated). Throws ScheduleValidationError ("name" when the name is taken). */
export async function createSchedule(db: Kysely<Database>, input: ScheduleInput): Promise<Schedule> {
  const values = await validateSchedule(db, input);
  const inserted = await db
    .insertInto("schedules")
    .values(values)
    .onConflict((oc) => oc.column("name").doNothing())
    .returning("schedule_id")
    .executeTakeFirst();
  if (!inserted) throw nameTaken(values.name);
  return (await getSchedule(db, inserted.schedule_id))!;
}

/**
 * Change a schedule: the fields given replace the stored ones, and the whole is validated again (the next run is
 * recomputed when the trigger changes). Undefined when there is no such schedule.
 */
export async function updateSchedule(db: Kysely<Database>, scheduleId: string, change: Partial<ScheduleInput>): Promise<Schedule | undefined> {
  const current = await getSchedule(db, scheduleId);
  if (!current) return undefined;
  const trigger = change.trigger ?? current.trigger;
  const merged: ScheduleInput = {
    name: change.name ?? current.name,
    workflow_name: change.workflow_name ?? current.workflow_name,
    trigger,
    // switching the trigger drops the other kind's value unless it is given
    cron: change.cron !== undefined ? change.cron : trigger === "cron" ? current.cron : null,
    interval_seconds: change.interval_seconds !== undefined ? change.interval_seconds : trigger === "interval" ? current.interval_seconds : null,
    user_inputs: change.user_inputs ?? current.user_inputs,
  };
  const values = await validateSchedule(db, merged);
  const timingChanged = merged.trigger !== current.trigger || merged.cron !== current.cron || merged.interval_seconds !== current.interval_seconds;
  const taken = await db
    .selectFrom("schedules")
    .select("schedule_id")
    .where("name", "=", values.name)
    .where("schedule_id", "!=", scheduleId)
    .executeTakeFirst();
  if (taken) throw nameTaken(values.name);
  const { next_run_at, ...rest } = values;
  await db
    .updateTable("schedules")
    .set(timingChanged ? values : rest)
    .where("schedule_id", "=", scheduleId)
    .execute()
    .catch((error: unknown) => {
      // taken meanwhile by a concurrent change (the look above and the update are two statements)
      throw (error as { code?: string }).code === "23505" ? nameTaken(values.name) : error;
    });
  return getSchedule(db, scheduleId);
}

/** Delete a schedule; false when there was none. */
export async function deleteSchedule(db: Kysely<Database>, scheduleId: string): Promise<boolean> {
  const result = await db.deleteFrom("schedules").where("schedule_id", "=", scheduleId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** A schedule orchestrator-core creates with `scheduler load-initial-schedule`. */
export interface InitialSchedule {
  name: string;
  workflow_name: string;
  trigger: "cron" | "interval";
  cron?: string;
  interval_seconds?: number;
}

/**
 * The initial schedule (orchestrator-core's cli/scheduler.py `load-initial-schedule`): retry waiting steps hourly,
 * time out awaiting callbacks every 30 s, clean up old tasks and validate products and subscriptions nightly (UTC).
 */
export const INITIAL_SCHEDULE: readonly InitialSchedule[] = [
  { name: "Task Resume Workflows", workflow_name: "task_resume_workflows", trigger: "interval", interval_seconds: 3600 },
  { name: "Task Validate Awaiting Callbacks", workflow_name: "task_validate_awaiting_callbacks", trigger: "interval", interval_seconds: 30 },
  { name: "Task Clean Up Tasks", workflow_name: "task_clean_up_tasks", trigger: "cron", cron: "0 1 * * *" },
  { name: "Task Validate Subscriptions", workflow_name: "task_validate_subscriptions", trigger: "cron", cron: "10 0 * * *" },
  { name: "Task Validate Products", workflow_name: "task_validate_products", trigger: "cron", cron: "30 2 * * *" },
];

/**
 * Create the initial schedules that do not exist yet (by name); with `recreate` delete them first. Returns a line per
 * schedule: created, kept, or skipped because its workflow is missing.
 */
export async function loadInitialSchedule(db: Kysely<Database>, options: { recreate?: boolean } = {}): Promise<string[]> {
  const lines: string[] = [];
  for (const initial of INITIAL_SCHEDULE) {
    if (options.recreate) await db.deleteFrom("schedules").where("name", "=", initial.name).execute();
    const exists = await db.selectFrom("schedules").select("schedule_id").where("name", "=", initial.name).executeTakeFirst();
    if (exists) {
      lines.push(`Schedule '${initial.name}' exists already.`);
      continue;
    }
    try {
      await createSchedule(db, initial);
      lines.push(`Created schedule '${initial.name}' (${initial.workflow_name}).`);
    } catch (error) {
      if (!(error instanceof ScheduleValidationError) || error.field !== "workflow_name") throw error;
      lines.push(`Workflow '${initial.workflow_name}' not found. Skipping schedule.`);
    }
  }
  return lines;
}
