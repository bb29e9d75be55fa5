/**
 * `worker`: a worker process of EXECUTOR=worker. It runs the processes the API process (`serve` with EXECUTOR=worker)
 * queues, MAX_WORKERS at a time, until SIGINT / SIGTERM; start as many as the load needs, on any machine that reaches
 * the database. It does not migrate: the API process does.
 */
import { Command } from "commander";
import { openDatabase } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { assertWorkerDatabase, createEngine, ProcessQueue, setWorkflowRoot, Worker } from "../workflow/index.js";
import type { CliContext } from "./context.js";

export function workerCommand(ctx: CliContext): Command {
  return new Command("worker")
    .description("Run processes from the process queue (EXECUTOR=worker, a PostgreSQL DATABASE_URI), MAX_WORKERS at a time")
    .addHelpText("after", "\nExamples:\n  EXECUTOR=worker DATABASE_URI=postgresql://localhost/orchestrator MAX_WORKERS=10 npx tsx main.ts worker")
    .action(async () => {
      const settings = ctx.settings();
      if (settings.EXECUTOR !== "worker") {
        throw new OrchestratorError("settings_invalid", 'A worker runs what an API process started with EXECUTOR="worker" queues: set EXECUTOR=worker for both');
      }
      setWorkflowRoot(ctx.appRoot);
      const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: settings.DB_POOL_SIZE });
      let worker: Worker | undefined;
      let jobs: ProcessQueue | undefined;
      const onError = (error: unknown, context: string) => ctx.err(`worker: ${context}: ${(error as Error)?.message ?? String(error)}`);
      try {
        assertWorkerDatabase(database);
        jobs = await ProcessQueue.open(database.db, { supervise: true, onError: (error) => onError(error, "process queue") });
        const engine = createEngine(database, settings, { onError, queue: { jobs, role: "worker" } });
        worker = new Worker({ database, engine, jobs, capacity: settings.MAX_WORKERS, onError });
        await worker.start().catch((error: unknown) => {
          if ((error as { code?: string }).code === "42P01") {
            throw new OrchestratorError("not_migrated", "The database is not migrated to heads: start the API server first, or run `db upgrade heads`");
          }
          throw error;
        });
      } catch (error) {
        await worker?.stop().catch(() => undefined);
        await jobs?.close().catch(() => undefined);
        await database.close().catch(() => undefined);
        throw error;
      }
      ctx.out(`orchestrator-ts worker ${worker.id} ready: up to ${settings.MAX_WORKERS} processes at a time, database: ${database.location}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ctx.out(`${signal}: finishing running steps, then stopping`);
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void (async () => {
            await worker.stop();
            await jobs.close();
            await database.close();
          })().then(resolve, (error: unknown) => {
            ctx.err(`Error while stopping: ${(error as Error).message}`);
            resolve();
          });
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
