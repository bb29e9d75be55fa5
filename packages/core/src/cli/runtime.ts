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
 * A signal this long (ms) after the first is the same stop asked again, not a second one: Ctrl-C under `npx` / `npm
 * run` reaches the process twice at once (from the terminal to the process group, and passed on by npm).
 */
const REPEATED_SIGNAL_MS = 2000;

/**
 * Resolve on SIGINT / SIGTERM (telling so: `<signal>: <stopping>`, by default what a process that runs steps does),
 * after running `stop`. A signal within REPEATED_SIGNAL_MS of the first is ignored; a later one stops at once (exit
 * code 130: what is under way is left to recovery, as after a kill).
 */
export function untilSignal(ctx: CliContext, stop: () => Promise<void>, stopping = "finishing running steps, then stopping"): Promise<void> {
  return new Promise<void>((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: string) => {
      if (firstAt !== undefined) {
        if (Date.now() - firstAt < REPEATED_SIGNAL_MS) return;
        ctx.err(`${signal} again: stopping at once`);
        process.exit(130);
      }
      firstAt = Date.now();
      ctx.out(`${signal}: ${stopping} (${signal} again after ${REPEATED_SIGNAL_MS / 1000} s to stop at once)`);
      const done = () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        resolve();
      };
      stop().then(done, (error: unknown) => {
        ctx.err(`Error while stopping: ${(error as Error).message}`);
        done();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
