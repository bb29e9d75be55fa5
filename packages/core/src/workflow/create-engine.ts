import type { OrchestratorDb } from "../db/index.js";
import { SettingsError } from "../errors.js";
import type { Settings } from "../settings.js";
import { WorkflowEngine, type EngineOptions } from "./engine.js";
import { ProcessQueue } from "./job-queue.js";

/**
 * An engine configured from the settings: MAX_WORKERS processes at a time, with the executor EXECUTOR names. For
 * EXECUTOR="worker" the caller opens the process queue and passes it (`options.queue`); throws SettingsError when it
 * is missing or the database is the embedded one (one process only: no workers to hand runs to).
 */
export function createEngine(
  database: OrchestratorDb,
  settings: Pick<Settings, "MAX_WORKERS" | "EXECUTOR">,
  options: Omit<EngineOptions, "database" | "maxWorkers"> = {},
): WorkflowEngine {
  if (settings.EXECUTOR === "worker") assertWorkerDatabase(database);
  if (settings.EXECUTOR === "worker" && !options.queue && !options.executor) {
    throw new SettingsError('EXECUTOR="worker" needs the process queue (open it with ProcessQueue.open and pass it as `queue`)');
  }
  return new WorkflowEngine({ ...options, database, maxWorkers: settings.MAX_WORKERS });
}

/**
 * The process queue EXECUTOR names: opened for EXECUTOR="worker" (`supervise` in worker processes: pg-boss's expiry of
 * abandoned jobs), undefined for the in-process executor. Throws SettingsError on the embedded database, and what
 * opening the queue throws.
 */
export async function openProcessQueue(
  database: OrchestratorDb,
  settings: Pick<Settings, "EXECUTOR">,
  options: { supervise: boolean; onError: (error: unknown) => void },
): Promise<ProcessQueue | undefined> {
  if (settings.EXECUTOR !== "worker") return undefined;
  assertWorkerDatabase(database);
  return ProcessQueue.open(database.db, options);
}

/** EXECUTOR="worker" needs a PostgreSQL server: throws SettingsError on the embedded database. */
export function assertWorkerDatabase(database: Pick<OrchestratorDb, "kind">): void {
  if (database.kind !== "postgres") {
    throw new SettingsError(
      'EXECUTOR="worker" needs a PostgreSQL server (DATABASE_URI=postgresql://…): the embedded database serves one process, so there are no workers to hand runs to; use EXECUTOR="threadpool"',
    );
  }
}
