/**
 * A test app for worker processes: the test workflows registered in code, and the orchestrator's command line. The
 * worker tests run `main.ts serve` (EXECUTOR=worker: the API process) and `main.ts worker` from here as child
 * processes, as a user would run them.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { LazyWorkflowInstance, runCli } from "../../../src/index.js";
import { TEST_WORKFLOWS_FILE } from "../engine-db.js";

/** The test workflows the worker tests start. */
export const WORKER_APP_WORKFLOWS = ["sleepy", "needs_input", "with_callback", "three_steps"];

for (const name of WORKER_APP_WORKFLOWS) new LazyWorkflowInstance(TEST_WORKFLOWS_FILE, name);

if (process.argv[1] === fileURLToPath(import.meta.url)) await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
