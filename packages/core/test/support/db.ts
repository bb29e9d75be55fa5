/**
 * Test databases. `TEST_DATABASE=pglite` (default) gives an in-memory PGlite; `TEST_DATABASE=postgres` creates a
 * fresh database on the server named by `TEST_POSTGRES_URI` (default postgresql://postgres@127.0.0.1:5432/postgres)
 * and drops it afterwards.
 *
 * A new PGlite database starts as a copy of an empty one made once per test run (./run-templates.ts): creating one
 * (initdb) costs PGlite a second or two, a copy a few tenths. Tests of creating the embedded database open a folder
 * that does not exist yet themselves.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openDatabase, type OrchestratorDb } from "../../src/db/connection.js";
import { runTemplate } from "./run-templates.js";

export const backend: "pglite" | "postgres" = process.env.TEST_DATABASE === "postgres" ? "postgres" : "pglite";
const adminUri = process.env.TEST_POSTGRES_URI ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends OrchestratorDb {
  /** A DATABASE_URI a subprocess can use to reach the same database (postgres only; PGlite memory is private). */
  readonly uri: string | undefined;
}

/** Run `fn` on a connection of its own to the server's admin database (TEST_POSTGRES_URI). */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUri });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The URI of database `name` on the test server (TEST_POSTGRES_URI with another database). */
export function databaseUri(name: string): string {
  const url = new URL(adminUri);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new empty PostgreSQL database; returns its URI and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ uri: string; drop: () => Promise<void> }> {
  const name = `orch_test_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  return {
    uri: databaseUri(name),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/**
 * The run's empty PGlite database: `db/`, a data folder as openDatabase creates it, and `image.tar`, the same as
 * PGlite's dumpDataDir image (for in-memory databases).
 */
const emptyPGlite = () =>
  runTemplate("pglite-empty", async (folder) => {
    const data = join(folder, "db");
    await (await openDatabase({ uri: `pglite://${data}` })).close();
    const pglite = new PGlite(data);
    await pglite.waitReady;
    const image = await pglite.dumpDataDir("none");
    await pglite.close();
    writeFileSync(join(folder, "image.tar"), Buffer.from(await image.arrayBuffer()));
  });

let emptyImage: Promise<Blob> | undefined;

/** A PGlite data folder with an empty database at `folder` (which must not exist), as openDatabase creates one. */
export async function seedPGliteFolder(folder: string): Promise<void> {
  if (existsSync(folder)) throw new Error(`seedPGliteFolder: ${folder} exists`);
  cpSync(join(await emptyPGlite(), "db"), folder, { recursive: true });
}

/** A fresh, empty database on the selected back-end. Close it with `close()`. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (backend === "pglite") {
    emptyImage ??= emptyPGlite().then((folder) => new Blob([readFileSync(join(folder, "image.tar"))]));
    const db = await openDatabase({ uri: "pglite://memory", loadDataDir: await emptyImage });
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
 * The DATABASE_URI for an app under test: an embedded data folder inside `folder` holding an empty database (PGlite),
 * or a fresh database on the server (dropped by `drop`).
 */
export async function appDatabase(folder: string): Promise<{ uri: string; drop: () => Promise<void> }> {
  if (backend === "postgres") return createPostgresDatabase();
  await seedPGliteFolder(join(folder, "db"));
  return { uri: `pglite://${join(folder, "db")}`, drop: async () => undefined };
}
