/**
 * The OpenAPI document of the REST API without a server or a database: the app is built around a query builder
 * that executes nothing (building it runs no query) and an engine that is never started. The web UI's types are
 * generated from it (packages/ui/scripts/api-types.ts).
 */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from "kysely";
import type { OpenAPIV3 } from "openapi-types";
import type { Database, OrchestratorDb } from "../db/index.js";
import { loadSettings } from "../settings.js";
import { createEngine } from "../workflow/index.js";
import { createApi } from "./app.js";

/** A database handle whose queries go nowhere: enough to register the routes. */
function detachedDatabase(): OrchestratorDb {
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    db,
    kind: "pglite",
    location: "(none: OpenAPI document only)",
    listen: () => Promise.reject(new Error("the OpenAPI document's database does not listen")),
    close: () => db.destroy(),
  };
}

/**
 * The document `/api/openapi.json` serves, for the default settings (authentication off, so without security
 * schemes): the same whatever the environment, so that what is generated from it does not depend on who runs it.
 */
export async function openApiDocument(): Promise<OpenAPIV3.Document> {
  const settings = loadSettings({ LOG_LEVEL: "silent" });
  const database = detachedDatabase();
  const engine = createEngine(database, settings);
  const app = await createApi({ database, engine, settings, uiFolder: false, logger: false });
  try {
    await app.ready();
    return app.swagger() as OpenAPIV3.Document;
  } finally {
    await app.close();
    await database.close();
  }
}
