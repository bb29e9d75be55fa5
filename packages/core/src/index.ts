/**
 * orchestrator-ts core: the public API. Everything an app or a migration imports comes from here.
 */
export { sql, type Kysely, type Transaction } from "kysely";
export * from "./errors.js";
export { loadSettings, SETTING_NAMES, type Settings } from "./settings.js";
export * from "./db/index.js";
export * from "./migrations/index.js";
export * from "./migrations/helpers.js";
export { Target, TARGETS, TASK_TARGETS } from "./targets.js";
export * from "./forms/index.js";
export * from "./domain/index.js";
export * from "./workflow/index.js";
export { createWorkflow } from "./create-workflow.js";
export { checkRegistration, diffWorkflowRegistration, noUncompletedInstance, type WorkflowRegistrationDiff } from "./workflows/index.js";
export * from "./api/index.js";
export { createCli, runCli, withCliProcess, type CliOptions, type CliContext, type CliProcess } from "./cli/index.js";
