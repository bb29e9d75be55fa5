/**
 * The scheduler: once a second it starts the processes of the schedules that are due (schedules.ts). It may run in
 * every API replica and in `main.ts scheduler run` processes at once: a due schedule is claimed by the update that
 * moves its next run on (`... WHERE next_run_at <= now()`; of two schedulers the second finds it moved already), so
 * each run starts once. The next run is computed from now, so runs missed while no scheduler ran are run once.
 * orchestrator-core runs APScheduler in one process (`python main.py scheduler run`).
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { readGlobalLock } from "./process-store.js";
import { formPages, getSchedule, nextRunAfter, type Schedule } from "./schedules.js";

/** How often due schedules are looked for (ms). */
const TICK_MS = 1000;
/** Schedules started in one tick at most (the rest in the next). */
const TICK_LIMIT = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user scheduled processes are started as. */
export const SCHEDULER_USER = "SYSTEM";

export interface SchedulerOptions {
  db: Kysely<Database>;
  /** Starts a process (the engine's startProcess): returns its id. */
  startProcess(workflowName: string, userInputs: unknown[], user: string): Promise<string>;
  onError?: (error: unknown, context: string) => void;
  /**
   * Told of each run: the schedule's name, "process <id> started" or "not started: <why>" (or why it stopped), and
   * whether a process started.
   */
  onRun?: (schedule: string, outcome: string, started: boolean) => void;
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** Tick every TICK_MS until stop(). */
  start(): void {
    this.stopped = false;
    let busy = false;
    this.timer = setInterval(() => {
      // a tick still under way (a slow database) is not queued behind
      if (busy || this.stopped) return;
      busy = true;
      this.ticking = this.tick()
        .catch((error: unknown) => this.options.onError?.(error, "scheduler"))
        .finally(() => (busy = false));
    }, TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Start every due schedule this scheduler claims; returns the ids of the processes started. */
  async tick(now = new Date()): Promise<string[]> {
    const due = await this.options.db
      .selectFrom("schedules")
      .select(["schedule_id", "trigger", "cron", "interval_seconds", "next_run_at"])
      .where("next_run_at", "<=", sql<Date>`now()`)
      .orderBy("next_run_at")
      .limit(TICK_LIMIT)
      .execute();
    const started: string[] = [];
    for (const schedule of due) {
      let next: Date;
      try {
        // from the due time when this clock is behind the database's (which said it is due), so the same run is
        // never due twice
        const due = schedule.next_run_at && schedule.next_run_at > now ? schedule.next_run_at : now;
        next = nextRunAfter(schedule, due);
      } catch (error) {
        // a cron expression stored by SQL that does not parse: it stops, with the reason, and says so
        const result = `not run: ${(error as Error).message}`;
        const stopped = await this.options.db
          .updateTable("schedules")
          .set({ next_run_at: null, last_result: result })
          .where("schedule_id", "=", schedule.schedule_id)
          .where("next_run_at", "is not", null)
          .returning("name")
          .executeTakeFirst();
        // told once, by the scheduler that stopped it
        if (stopped) this.options.onRun?.(stopped.name, `${result}; it runs no more until its trigger is fixed`, false);
        continue;
      }
      // the claim: whoever moves the next run on starts this run
      const claimed = await this.options.db
        .updateTable("schedules")
        .set({ next_run_at: next, last_run_at: sql`now()` })
        .where("schedule_id", "=", schedule.schedule_id)
        .where("next_run_at", "<=", sql<Date>`now()`)
        .returning(["name", "workflow_name", "user_inputs"])
        .executeTakeFirst();
      if (!claimed) continue;
      const pid = await this.startRun({ schedule_id: schedule.schedule_id, ...claimed });
      if (pid) started.push(pid);
    }
    return started;
  }

  /**
   * Run a schedule now, its next run unchanged (`scheduler force`, "run now" in the UI). Returns the process id, or
   * undefined when the start failed (the reason is its last result); throws when there is no such schedule.
   */
  async force(scheduleId: string): Promise<{ processId?: string; schedule: Schedule }> {
    const schedule = UUID.test(scheduleId) ? await getSchedule(this.options.db, scheduleId) : undefined;
    // the id as given, cut short
    const shown = scheduleId.length > 60 ? `${scheduleId.slice(0, 60)}…` : scheduleId;
    if (!schedule) throw new OrchestratorError("schedule_not_found", `Schedule '${shown}' not found (scheduler show-schedule lists the ids).`);
    await this.record(scheduleId, { last_run_at: new Date() });
    const processId = await this.startRun(schedule);
    return { processId, schedule: (await getSchedule(this.options.db, scheduleId))! };
  }

  /**
   * Start the schedule's process and record the outcome. While the engine is paused nothing starts (as the API refuses
   * starts then): the run is recorded as not started, and the next one is due as usual.
   */
  private async startRun(schedule: Pick<Schedule, "schedule_id" | "name" | "workflow_name" | "user_inputs">): Promise<string | undefined> {
    const scheduleId = schedule.schedule_id;
    try {
      if (await readGlobalLock(this.options.db)) throw new OrchestratorError("engine_paused", "the engine is paused");
      const processId = await this.options.startProcess(schedule.workflow_name, formPages(schedule.user_inputs), SCHEDULER_USER);
      await this.record(scheduleId, { last_result: "started", last_process_id: processId });
      this.options.onRun?.(schedule.name, `process ${processId} started`, true);
      return processId;
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      const result = `not started: ${reason}`.slice(0, 2000);
      await this.record(scheduleId, { last_result: result, last_process_id: null });
      this.options.onRun?.(schedule.name, result, false);
      return undefined;
    }
  }

  private async record(scheduleId: string, values: { next_run_at?: Date | null; last_run_at?: Date; last_result?: string; last_process_id?: string | null }): Promise<void> {
    await this.options.db.updateTable("schedules").set(values).where("schedule_id", "=", scheduleId).execute();
  }
}
