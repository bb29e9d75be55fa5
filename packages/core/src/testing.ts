/**
 * `@orchestrator-ts/core/testing`: helpers for an app's tests.
 *
 * `withCliProcess(process, run)` runs an app's `main.ts` (or any `runCli` call) in the test's own process with its
 * own arguments, environment, output streams and exit code, so a test can run `db` commands without a subprocess.
 *
 * `startTestOrchestrator({ appRoot })` gives a test a database migrated to heads (the app's revisions included) and an
 * engine to run the app's workflows on, as orchestrator-core's test utilities (`run_workflow`, `assert_complete`) do.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
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
   * The database: default the environment's TEST_DATABASE_URI, else a fresh in-memory embedded database. With a
   * PostgreSQL URI, each start creates a database of its own on that server (named after the URI's, with a random
   * suffix) and drops it on close, so test files can run at once against one server.
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
  const given = options.databaseUri ?? process.env.TEST_DATABASE_URI ?? "pglite://memory";
  const own = /^postgres(ql)?:\/\//.test(given) ? await createOwnDatabase(given) : undefined;
  let database: OrchestratorDb;
  try {
    database = await openDatabase({ uri: own?.uri ?? given, appRoot: options.appRoot, poolSize: 4 });
  } catch (error) {
    await own?.drop();
    throw error;
  }
  let engine: WorkflowEngine | undefined;
  try {
    await new Migrator(database.db, await new MigrationProject(options.appRoot).load()).upgrade("heads");
    engine = new WorkflowEngine({ database, maxWorkers: options.maxWorkers ?? 4 });
    await engine.start();
  } catch (error) {
    await engine?.shutdown().catch(() => undefined);
    await database.close();
    await own?.drop();
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
      await own?.drop();
    },
  };
}

/** A new database on the server of `uri` (its name: the URI's database with a random suffix), and how to drop it. */
async function createOwnDatabase(uri: string): Promise<{ uri: string; drop: () => Promise<void> }> {
  const url = new URL(uri);
  const base = decodeURIComponent(url.pathname.slice(1)).replace(/\W/g, "_") || "orchestrator";
  const name = `${base.slice(0, 40)}_test_${randomBytes(5).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: uri });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  url.pathname = `/${encodeURIComponent(name)}`;
  return { uri: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
