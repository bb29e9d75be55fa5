/**
 * `worker`: a worker process of EXECUTOR=worker. It runs the processes the API process (`serve` with EXECUTOR=worker)
 * queues, MAX_WORKERS at a time, until SIGINT / SIGTERM; start as many as the load needs, on any machine that reaches
 * the database. It does not migrate: the API process does.
 */
import { getPriority, setPriority } from "node:os";
import { Command } from "commander";
import { OrchestratorError } from "../errors.js";
import { Worker } from "../workflow/index.js";
import type { CliContext } from "./context.js";
import { explainNotMigrated, openRuntime, untilSignal } from "./runtime.js";

/**
 * Lower this process's CPU priority to `nice` (WORKER_NICE), unless it runs lower already (started under `nice`):
 * raising it again would need privileges.
 */
function lowerPriority(nice: number, onError: (error: unknown, context: string) => void): void {
  try {
    if (getPriority() < nice) setPriority(nice);
  } catch (error) {
    onError(error, `lowering the CPU priority to nice ${nice} (WORKER_NICE)`);
  }
}

export function workerCommand(ctx: CliContext): Command {
  return new Command("worker")
    .description("Run processes from the process queue (EXECUTOR=worker, a PostgreSQL DATABASE_URI), MAX_WORKERS at a time")
    .addHelpText("after", "\nExamples:\n  EXECUTOR=worker DATABASE_URI=postgresql://localhost/orchestrator MAX_WORKERS=10 npx tsx main.ts worker")
    .action(async () => {
      const settings = ctx.settings();
      if (settings.EXECUTOR !== "worker") {
        throw new OrchestratorError("settings_invalid", 'A worker runs what an API process started with EXECUTOR="worker" queues: set EXECUTOR=worker for both');
      }
      const onError = (error: unknown, context: string) => ctx.err(`worker: ${context}: ${(error as Error)?.message ?? String(error)}`);
      lowerPriority(settings.WORKER_NICE, onError);
      const runtime = await openRuntime(ctx, "worker", onError);
      const worker = new Worker({ database: runtime.database, engine: runtime.engine, jobs: runtime.jobs!, capacity: settings.MAX_WORKERS, onError });
      try {
        await worker.start();
      } catch (error) {
        await worker.stop().catch(() => undefined);
        await runtime.close().catch(() => undefined);
        throw explainNotMigrated(error);
      }
      ctx.out(`orchestrator-ts worker ${worker.id} ready: up to ${settings.MAX_WORKERS} processes at a time, database: ${runtime.database.location}`);
      await untilSignal(ctx, async () => {
        await worker.stop();
        await runtime.close();
      });
    });
}
