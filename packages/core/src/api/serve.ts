/**
 * Run the orchestrator: open the database, migrate it to heads, start the engine (taking over processes a crashed
 * instance left), and serve the API and UI on HOST:PORT. `npx tsx main.ts` (no command) does this.
 */
import type { FastifyInstance } from "fastify";
import { openDatabase, type OrchestratorDb } from "../db/connection.js";
import { OrchestratorError } from "../errors.js";
import { MigrationProject } from "../migrations/project.js";
import { Migrator } from "../migrations/runner.js";
import { loadSettings, type Settings } from "../settings.js";
import { createEngine } from "../workflow/create-engine.js";
import type { WorkflowEngine } from "../workflow/engine.js";
import { setWorkflowRoot } from "../workflow/registry.js";
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
  const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: options.appRoot, poolSize: settings.DB_POOL_SIZE });
  let engine: WorkflowEngine | undefined;
  let app: FastifyInstance | undefined;
  try {
    if (options.migrate !== false) {
      const set = await new MigrationProject(options.appRoot).load();
      await new Migrator(database.db, set).upgrade("heads");
    }
    engine = createEngine(database, settings, { onError: (error, context) => app?.log.error({ err: error }, context) });
    app = await createApi({ database, engine, settings, uiFolder: options.uiFolder, logger: options.logger });
    await engine.start();
    try {
      await app.listen({ host: settings.HOST, port: settings.PORT });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new OrchestratorError("port_in_use", `Port ${settings.PORT} on ${settings.HOST} is already in use: stop the other server or set PORT to a free port`);
      }
      throw error;
    }
  } catch (error) {
    await app?.close().catch(() => undefined);
    await engine?.shutdown().catch(() => undefined);
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
        await running.app.close();
        await running.engine.shutdown();
        await database.close();
      })()),
  };
}
