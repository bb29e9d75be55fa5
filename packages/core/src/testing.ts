/**
 * `@orchestrator-ts/core/testing`: helpers for an app's tests.
 *
 * `withCliProcess(process, run)` runs an app's `main.ts` (or any `runCli` call) in the test's own process with its
 * own arguments, environment, output streams and exit code, so a test can run `db` commands without a subprocess.
 *
 * `startTestOrchestrator({ appRoot })` gives a test a database migrated to heads (the app's revisions included) and an
 * engine to run the app's workflows on, as orchestrator-core's test utilities (`run_workflow`, `assert_complete`) do.
 */
import { openDatabase, type Database, type OrchestratorDb } from "./db/index.js";
import { fromSubscription, type AnyProductType, type SubscriptionModel } from "./domain/index.js";
import { MigrationProject, Migrator } from "./migrations/index.js";
import { loadSteps, setWorkflowRoot, WorkflowEngine, type ProcessStatus, type State } from "./workflow/index.js";
import type { Kysely } from "kysely";

export { withCliProcess, type CliProcess } from "./cli/index.js";

export interface TestOrchestratorOptions {
  /** The app's folder (its migrations and workflows modules are found from here). */
  appRoot: string;
  /**
   * The database: default the environment's TEST_DATABASE_URI, else a fresh in-memory embedded database. A
   * PostgreSQL database given here is migrated to heads and used as it is (give each test run a database of its own).
   */
  databaseUri?: string;
  /** Processes run at once (default 4). */
  maxWorkers?: number;
}

/** What a workflow run ended with. */
export interface WorkflowResult {
  processId: string;
  /** completed, failed, suspended, waiting, … */
  status: ProcessStatus;
  /** The state after the last step (for a failed process: the failing step's error state). */
  state: State;
}

export interface TestOrchestrator {
  database: OrchestratorDb;
  db: Kysely<Database>;
  engine: WorkflowEngine;
  /**
   * Start `workflow` with the form pages `inputs` (as the API's POST /api/processes/{name} takes them) and wait until
   * it stops. A form error (bad input) is thrown as the engine throws it (FormValidationError).
   */
  runWorkflow(workflow: string, inputs: unknown[]): Promise<WorkflowResult>;
  /** The product's id by name (`products.name`); throws when there is none. */
  productId(name: string): Promise<string>;
  /** A subscription's domain model, loaded fresh. */
  subscription<PT extends AnyProductType>(subscriptionId: string, productType?: PT): Promise<SubscriptionModel<PT>>;
  close(): Promise<void>;
}

/** Open the test database, migrate it to heads and start an engine. Close it in the test's `after`. */
export async function startTestOrchestrator(options: TestOrchestratorOptions): Promise<TestOrchestrator> {
  setWorkflowRoot(options.appRoot);
  const uri = options.databaseUri ?? process.env.TEST_DATABASE_URI ?? "pglite://memory";
  const database = await openDatabase({ uri, appRoot: options.appRoot, poolSize: 4 });
  let engine: WorkflowEngine | undefined;
  try {
    await new Migrator(database.db, await new MigrationProject(options.appRoot).load()).upgrade("heads");
    engine = new WorkflowEngine({ database, maxWorkers: options.maxWorkers ?? 4 });
    await engine.start();
  } catch (error) {
    await engine?.shutdown().catch(() => undefined);
    await database.close();
    throw error;
  }
  const running = engine;
  const db = database.db;
  return {
    database,
    db,
    engine: running,
    async runWorkflow(workflow, inputs) {
      const processId = await running.startProcess(workflow, inputs);
      const status = await running.waitFor(processId);
      const steps = await loadSteps(db, processId);
      return { processId, status, state: (steps.at(-1)?.state ?? {}) as State };
    },
    async productId(name) {
      const row = await db.selectFrom("products").select("product_id").where("name", "=", name).executeTakeFirst();
      if (!row) throw new Error(`No product named ${JSON.stringify(name)} (is the app migrated? see db heads)`);
      return row.product_id;
    },
    subscription: (subscriptionId, productType) => fromSubscription(db, subscriptionId, productType),
    async close() {
      await running.shutdown();
      await database.close();
    },
  };
}
