/**
 * `scheduler`: orchestrator-core's scheduler commands (cli/scheduler.py). `run` starts due schedules until SIGINT /
 * SIGTERM (`serve` does this too unless RUN_SCHEDULER=false; several at once start each run once), `show-schedule`
 * lists them, `force` runs one now, `load-initial-schedule` creates the core's schedules.
 */
import { Command } from "commander";
import { openDatabase } from "../db/index.js";
import { printable } from "../printable.js";
import { listSchedules, loadInitialSchedule, Scheduler, setWorkflowRoot, triggerText } from "../workflow/index.js";
import type { CliContext } from "./context.js";
import { cliProcess } from "./process.js";
import { explainNotMigrated, openRuntime, untilSignal, type Runtime } from "./runtime.js";

export function schedulerCommand(ctx: CliContext): Command {
  const scheduler = new Command("scheduler").description("Scheduled tasks: run the scheduler, show, force or load the schedules");
  // names and results come from the database (stored through the API): shown with their control characters visible
  const onError = (error: unknown, context: string) => ctx.err(`scheduler: ${context}: ${printable((error as Error)?.message ?? String(error), { keepLines: true })}`);

  scheduler
    .command("run")
    .description("Start the processes of due schedules until stopped (serve runs a scheduler too unless RUN_SCHEDULER=false)")
    .action(async () => {
      const runtime = await openRuntime(ctx, "starter", onError);
      const loop = new Scheduler({
        db: runtime.database.db,
        startProcess: (name, inputs, user) => runtime.engine.startProcess(name, inputs, user),
        onError,
        // what it did, one line a run (the outcome is also the schedule's last result)
        onRun: (schedule, outcome) => ctx.out(`${new Date().toISOString()} ${printable(schedule)}: ${printable(outcome)}`),
      });
      await startChecked(runtime);
      loop.start();
      ctx.out(`orchestrator-ts scheduler ready, database: ${runtime.database.location}`);
      await untilSignal(
        ctx,
        async () => {
          await loop.stop();
          await runtime.close();
        },
        "stopping (starts under way finish first)",
      );
    });

  scheduler
    .command("show-schedule")
    .description("List the schedules: id, name, next run (UTC), trigger")
    .option("-v, --verbose", "also the workflow, the last run and its result")
    .action(async (opts: { verbose?: boolean }) => {
      await withDatabase(ctx, async (db) => {
        const schedules = await listSchedules(db);
        if (schedules.length === 0) {
          ctx.out("No schedules (create the initial ones with `scheduler load-initial-schedule`).");
          return;
        }
        const rows = schedules.map((s) => {
          const base = [s.schedule_id, s.name, s.next_run_at?.toISOString() ?? "-", triggerText(s)];
          return opts.verbose ? [...base, s.workflow_name, s.last_run_at?.toISOString() ?? "-", s.last_result ?? "-"] : base;
        });
        const header = opts.verbose ? ["id", "name", "next run", "trigger", "workflow", "last run", "last result"] : ["id", "name", "next run", "trigger"];
        for (const line of table([header, ...rows])) ctx.out(line);
      });
    });

  scheduler
    .command("force")
    .description("Run a schedule's task now (its next run is unchanged)")
    .argument("<schedule_id>", "the id show-schedule lists")
    .action(async (id: string) => {
      const runtime = await openRuntime(ctx, "starter", onError);
      await startChecked(runtime);
      try {
        const loop = new Scheduler({ db: runtime.database.db, startProcess: (name, inputs, user) => runtime.engine.startProcess(name, inputs, user) });
        const { processId, schedule } = await loop.force(id).catch((error: unknown) => {
          throw explainNotMigrated(error);
        });
        if (!processId) {
          ctx.err(`${printable(schedule.name)}: ${printable(schedule.last_result ?? "")}`);
          cliProcess().exitCode = 1;
          return;
        }
        // with EXECUTOR=worker a worker runs it; else it runs here, and the command waits for it
        const status = runtime.jobs ? "queued" : await runtime.engine.waitFor(processId);
        ctx.out(`${printable(schedule.name)}: process ${processId} ${status}`);
      } finally {
        await runtime.close();
      }
    });

  scheduler
    .command("load-initial-schedule")
    .description("Create the core's schedules that do not exist yet (resume workflows, validate callbacks, clean up tasks, validate subscriptions and products)")
    .option("--recreate", "delete and create them again")
    .action(async (opts: { recreate?: boolean }) => {
      await withDatabase(ctx, async (db) => {
        for (const line of await loadInitialSchedule(db, { recreate: opts.recreate })) ctx.out(line);
      });
    });
  return scheduler;
}

/**
 * Start the runtime's engine once the schedules can be read: a database not migrated is said so, once, and the runtime
 * closed (not an error a second in the log, nor a stack trace from the engine's recovery).
 */
async function startChecked(runtime: Runtime): Promise<void> {
  await listSchedules(runtime.database.db)
    .then(() => runtime.engine.start())
    .catch(async (error: unknown) => {
      await runtime.close();
      throw explainNotMigrated(error);
    });
}

async function withDatabase(ctx: CliContext, fn: (db: import("kysely").Kysely<import("../db/index.js").Database>) => Promise<void>): Promise<void> {
  const settings = ctx.settings();
  setWorkflowRoot(ctx.appRoot);
  const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: 2 });
  try {
    await fn(database.db).catch((error: unknown) => {
      throw explainNotMigrated(error);
    });
  } finally {
    await database.close();
  }
}

/** Rows as columns padded to their widest cell (control characters made visible: a cell stays on its row). */
function table(cells: string[][]): string[] {
  const rows = cells.map((r) => r.map((cell) => printable(cell)));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}
