import type { OrchestratorDb } from "../db/index.js";
import { SettingsError } from "../errors.js";
import type { Settings } from "../settings.js";
import { WorkflowEngine, type EngineOptions } from "./engine.js";

/** An engine configured from the settings: MAX_WORKERS processes at a time, with the executor EXECUTOR names. */
export function createEngine(
  database: OrchestratorDb,
  settings: Pick<Settings, "MAX_WORKERS" | "EXECUTOR">,
  options: Omit<EngineOptions, "database" | "maxWorkers"> = {},
): WorkflowEngine {
  if (settings.EXECUTOR === "worker" && !options.executor) {
    throw new SettingsError('EXECUTOR="worker" needs a distributed executor, which this version does not have; use "threadpool"');
  }
  return new WorkflowEngine({ ...options, database, maxWorkers: settings.MAX_WORKERS });
}
