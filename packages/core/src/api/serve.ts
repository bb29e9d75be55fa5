/**
 * Run the orchestrator: open the database, migrate it to heads, start the engine (taking over processes a crashed
 * instance left), and serve the API and UI on HOST:PORT. `npx tsx main.ts` (no command) does this.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { defaultDataFolder, openDatabase, type OrchestratorDb } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { MigrationProject, Migrator } from "../migrations/index.js";
import { loadSettings, type Settings } from "../settings.js";
import { assertWorkerDatabase, createEngine, openProcessQueue, Scheduler, type ProcessQueue, type WorkflowEngine, setWorkflowRoot } from "../workflow/index.js";
import { createApi, type ApiOptions } from "./app.js";

export interface ServeOptions {
  /** The app's folder (migrations, embedded database, workflow modules). */
  appRoot: string;
  /** Settings to use instead of reading the environment. */
  settings?: Settings;
  /** Upgrade the database to heads first (default true). */
  migrate?: boolean;
  uiFolder?: ApiOptions["uiFolder"];
  logger?: ApiOptions["logger"];
  /**
   * Told one line for a person at each start-up stage: the database created or opened (where), each revision
   * applied. The caller then announces the server itself, so Fastify's own "Server listening" line is left out.
   */
  report?: (line: string) => void;
}

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly engine: WorkflowEngine;
  readonly database: OrchestratorDb;
  /** Stop accepting requests, let running steps finish (no new ones start), close the database. */
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const settings = options.settings ?? loadSettings();
  setWorkflowRoot(options.appRoot);
  const report = options.report ?? (() => undefined);
  const embedded = embeddedFolder(settings.DATABASE_URI, options.appRoot);
  if (embedded === IN_MEMORY) report("Using an in-memory embedded database (pglite://memory): nothing is kept after it stops");
  else if (embedded && !existsSync(join(embedded, "PG_VERSION"))) report(`Creating the embedded database in ${embedded}`);
  else if (embedded) report(`Opening the embedded database in ${embedded}`);
  const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: options.appRoot, poolSize: settings.DB_POOL_SIZE });
  if (!embedded) report(`Connected to the database ${database.location}`);
  let engine: WorkflowEngine | undefined;
  let app: FastifyInstance | undefined;
  let jobs: ProcessQueue | undefined;
  let scheduler: Scheduler | undefined;
  try {
    // refused before anything is migrated
    if (settings.EXECUTOR === "worker") assertWorkerDatabase(database);
    if (options.migrate !== false) await migrateToHeads(database, options.appRoot, report);
    const onError = (error: unknown, context: string) => app?.log.error({ err: error }, context);
    // EXECUTOR=worker: this process creates and resumes processes, worker processes (`main.ts worker`) run them
    jobs = await openProcessQueue(database, settings, { supervise: false, onError: (error) => onError(error, "process queue") });
    engine = createEngine(database, settings, { onError, queue: jobs && { jobs, role: "api" } });
    app = await createApi({ database, engine, settings, uiFolder: options.uiFolder, logger: options.logger });
    await engine.start();
    if (settings.RUN_SCHEDULER) {
      const starter = engine;
      scheduler = new Scheduler({
        db: database.db,
        startProcess: (name, inputs, user) => starter.startProcess(name, inputs, user),
        onError,
        // each run in the log, as `scheduler run` prints it: info when started, warn when not
        onRun: (schedule, outcome, started) => app?.log[started ? "info" : "warn"]({ schedule }, `scheduled run of ${schedule}: ${outcome}`),
      });
      scheduler.start();
    }
    try {
      await quietly(options.report !== undefined, app, () => app!.listen({ host: settings.HOST, port: settings.PORT }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new OrchestratorError("port_in_use", `Port ${settings.PORT} on ${settings.HOST} is already in use: stop the other server or set PORT to a free port`);
      }
      throw error;
    }
  } catch (error) {
    await scheduler?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await engine?.shutdown().catch(() => undefined);
    await jobs?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : settings.PORT;
  const host = settings.HOST.includes(":") ? `[${settings.HOST}]` : settings.HOST;
  const running = { app, engine };
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    app,
    engine,
    database,
    close: () =>
      (closing ??= (async () => {
        await scheduler?.stop();
        await running.app.close();
        await running.engine.shutdown();
        await jobs?.close();
        await database.close();
      })()),
  };
}

const IN_MEMORY = "pglite://memory";

/**
 * The embedded database a DATABASE_URI names, as openDatabase reads it: its data folder, IN_MEMORY, or undefined
 * for a PostgreSQL server.
 */
function embeddedFolder(uri: string | undefined, appRoot: string): string | undefined {
  const value = uri?.trim();
  if (!value) return defaultDataFolder(appRoot);
  if (value === IN_MEMORY) return IN_MEMORY;
  if (value.startsWith("pglite://")) return resolve(appRoot, value.slice("pglite://".length));
  return undefined;
}

/** Upgrade to heads, telling each revision as it is applied (or that there was nothing to do). */
async function migrateToHeads(database: OrchestratorDb, appRoot: string, report: (line: string) => void): Promise<void> {
  const set = await new MigrationProject(appRoot).load();
  let started = false;
  await new Migrator(database.db, set).upgrade("heads", {
    onStart: (event) => {
      if (!started) report("Migrating the database to heads:");
      started = true;
      report(`  ${event.description}`);
    },
  });
  if (!started) report("The database is up to date (at heads)");
}

/**
 * Run `fn` with the server's logger at warn at most: Fastify announces every address it listens on at info, which
 * the caller's one ready line replaces. Only when `quiet`, and never lowering a level set higher.
 */
async function quietly<T>(quiet: boolean, app: FastifyInstance, fn: () => Promise<T>): Promise<T> {
  const level = app.log.level;
  if (!quiet || !["trace", "debug", "info"].includes(level)) return fn();
  app.log.level = "warn";
  try {
    return await fn();
  } finally {
    app.log.level = level;
  }
}
