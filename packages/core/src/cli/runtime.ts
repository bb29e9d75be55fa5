/**
 * What the long-running commands share: the database, the process queue when EXECUTOR=worker, and an engine (one that
 * runs processes itself, or one that only queues them), closed again in reverse order (`serve` has its own, with the
 * API); and running until SIGINT / SIGTERM.
 */
import { openDatabase, type OrchestratorDb } from "../db/index.js";
import { createEngine, openProcessQueue, setWorkflowRoot, type ProcessQueue, type WorkflowEngine } from "../workflow/index.js";
import { OrchestratorError } from "../errors.js";
import type { CliContext } from "./context.js";

export interface Runtime {
  database: OrchestratorDb;
  engine: WorkflowEngine;
  /** The process queue (EXECUTOR=worker). */
  jobs?: ProcessQueue;
  close(): Promise<void>;
}

/**
 * Open the runtime for `role`: "worker" runs processes from the queue (EXECUTOR=worker required by the caller);
 * "starter" starts processes: with EXECUTOR=worker it queues them, else its engine runs them here. Throws what opening
 * the database throws, and SettingsError for EXECUTOR=worker on the embedded database.
 */
export async function openRuntime(ctx: CliContext, role: "worker" | "starter", onError: (error: unknown, context: string) => void): Promise<Runtime> {
  const settings = ctx.settings();
  setWorkflowRoot(ctx.appRoot);
  const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: settings.DB_POOL_SIZE });
  let jobs: ProcessQueue | undefined;
  try {
    jobs = await openProcessQueue(database, settings, { supervise: role === "worker", onError: (error) => onError(error, "process queue") });
    const engine = createEngine(database, settings, { onError, queue: jobs && { jobs, role: role === "worker" ? "worker" : "api" } });
    return {
      database,
      engine,
      jobs,
      async close() {
        await engine.shutdown();
        await jobs?.close();
        await database.close();
      },
    };
  } catch (error) {
    await jobs?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

/**
 * A command's error as the user should read it: a table of the schema missing (42P01) means the database is not
 * migrated to heads; other errors are as they are.
 */
export function explainNotMigrated(error: unknown): unknown {
  if ((error as { code?: string }).code !== "42P01") return error;
  return new OrchestratorError("not_migrated", "The database is not migrated to heads: run `db upgrade heads` (or start the API server, which migrates) first");
}

/**
 * Resolve on SIGINT / SIGTERM (telling so: `<signal>: <stopping>`, by default what a process that runs steps does),
 * after running `stop`.
 */
export function untilSignal(ctx: CliContext, stop: () => Promise<void>, stopping = "finishing running steps, then stopping"): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      ctx.out(`${signal}: ${stopping}`);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      stop().then(resolve, (error: unknown) => {
        ctx.err(`Error while stopping: ${(error as Error).message}`);
        resolve();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
