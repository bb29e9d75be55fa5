/**
 * Test databases. `TEST_DATABASE=pglite` (default) gives an in-memory PGlite; `TEST_DATABASE=postgres` creates a
 * fresh database on the server named by `TEST_POSTGRES_URI` (default postgresql://postgres@127.0.0.1:5432/postgres)
 * and drops it afterwards.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { openDatabase, type OrchestratorDb } from "../../src/db/connection.js";

export const backend: "pglite" | "postgres" = process.env.TEST_DATABASE === "postgres" ? "postgres" : "pglite";
const adminUri = process.env.TEST_POSTGRES_URI ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends OrchestratorDb {
  /** A DATABASE_URI a subprocess can use to reach the same database (postgres only; PGlite memory is private). */
  readonly uri: string | undefined;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUri });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty PostgreSQL database; returns its URI and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ uri: string; drop: () => Promise<void> }> {
  const name = `orch_test_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(adminUri);
  url.pathname = `/${name}`;
  return {
    uri: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** A fresh, empty database on the selected back-end. Close it with `close()`. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (backend === "pglite") {
    const db = await openDatabase({ uri: "pglite://memory" });
    return { ...db, uri: undefined, close: () => db.close() };
  }
  const { uri, drop } = await createPostgresDatabase();
  const db = await openDatabase({ uri, poolSize: 5 });
  return {
    ...db,
    uri,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}

/**
 * The DATABASE_URI for an app under test: an embedded data folder inside `folder` (PGlite), or a fresh database on the
 * server (dropped by `drop`).
 */
export async function appDatabase(folder: string): Promise<{ uri: string; drop: () => Promise<void> }> {
  if (backend === "postgres") return createPostgresDatabase();
  return { uri: `pglite://${join(folder, "db")}`, drop: async () => undefined };
}
