/**
 * Opens the orchestrator database: an embedded PGlite data folder (the zero-setup default), an in-memory PGlite,
 * or a PostgreSQL server through a `pg` pool. All three give the same Kysely API and run the same SQL.
 */
import { isAbsolute, resolve } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { DatabaseError, SettingsError } from "../errors.js";
import { lockFolder } from "./folder-lock.js";
import { listenPGlite, listenPostgres, type ListenHandlers, type Listener } from "./listener.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { Database } from "./types.js";

export type DatabaseKind = "pglite" | "postgres";

export interface OrchestratorDb {
  /** The typed query builder. */
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** Where the data lives, safe to print (no password). */
  readonly location: string;
  /**
   * A named prepared statement outside any transaction, for the few hottest queries (server only: PGlite has one
   * session and goes through `db`).
   */
  readonly prepared?: PreparedQuery;
  /** LISTEN on a notification channel (its own connection on a server, reconnecting by itself when lost). */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  close(): Promise<void>;
}

export type PreparedQuery = <R>(name: string, text: string, values: unknown[]) => Promise<R[]>;

export interface OpenDatabaseOptions {
  /** DATABASE_URI: undefined → `<appRoot>/.orchestrator/db`; `pglite://memory`; `pglite://<folder>`; `postgresql://…`. */
  uri: string | undefined;
  /** Folder relative paths are resolved against; default the current directory. */
  appRoot?: string;
  /** Size of the `pg` pool; ignored for PGlite. */
  poolSize?: number;
}

/** The default embedded data folder of an app. */
export function defaultDataFolder(appRoot: string): string {
  return resolve(appRoot, ".orchestrator", "db");
}

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`. */
export function redactUri(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<OrchestratorDb> {
  const appRoot = options.appRoot ?? process.cwd();
  const uri = options.uri?.trim();
  if (!uri) return openPGlite(defaultDataFolder(appRoot));
  if (uri === "pglite://memory") return openPGlite(undefined);
  if (uri.startsWith("pglite://")) {
    const folder = uri.slice("pglite://".length);
    return openPGlite(isAbsolute(folder) ? folder : resolve(appRoot, folder));
  }
  if (/^postgres(ql)?(\+\w+)?:\/\//.test(uri)) return openPostgres(uri.replace(/^postgres(ql)?\+\w+:/, "postgresql:"), options.poolSize ?? 10);
  throw new SettingsError(
    `DATABASE_URI=${JSON.stringify(redactUri(uri))} is not supported: expected postgresql://…, pglite://memory or pglite://<folder>`,
  );
}

async function openPGlite(folder: string | undefined): Promise<OrchestratorDb> {
  const lock = folder ? lockFolder(folder) : undefined;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = folder ? new PGlite(folder) : new PGlite();
    await pglite.waitReady;
    let closed = false;
    const destroy = async () => {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        lock?.release();
      }
    };
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, destroy) });
    return {
      db,
      kind: "pglite",
      location: folder ?? "pglite://memory",
      listen: (channel, handlers) => listenPGlite(pglite, db, channel, handlers),
      close: () => db.destroy(),
    };
  } catch (error) {
    lock?.release();
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`Cannot open the embedded database ${folder ?? "in memory"}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Statement texts that run as named prepared statements on a server (text → name); see namedStatement. */
const NAMED_STATEMENTS = new Map<string, string>();

/**
 * Have a statement text run as a named prepared statement (prepared once per connection, then only bound and
 * executed) whenever it is executed through a PostgreSQL database opened here, also through Kysely, which sends
 * plain texts only. For hot statements whose planning costs more than their execution. Returns the text.
 */
export function namedStatement(name: string, text: string): string {
  NAMED_STATEMENTS.set(text, name);
  return text;
}

/** A pg client that runs the texts registered with namedStatement as named prepared statements. */
class NamingClient extends pg.Client {
  // pg's overloads of query cannot be restated here; the arguments go through unchanged
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(config: any, values?: any, callback?: any): any {
    const name = typeof config === "string" ? NAMED_STATEMENTS.get(config) : undefined;
    if (name !== undefined && Array.isArray(values)) return super.query({ name, text: config, values }, callback);
    return super.query(config, values, callback);
  }
}

/** pg returns int8 (count(*), bigserial) as strings; PGlite returns numbers. Make both numbers. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

async function openPostgres(uri: string, poolSize: number): Promise<OrchestratorDb> {
  const pool = new pg.Pool({ connectionString: uri, max: poolSize, types: pgTypes, Client: NamingClient });
  // An idle client that loses its server must not crash the process; the next query reports the problem.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new DatabaseError(`Cannot connect to PostgreSQL at ${redactUri(uri)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const prepared: PreparedQuery = async <R>(name: string, text: string, values: unknown[]) =>
    (await pool.query({ name, text, values })).rows as R[];
  return {
    db,
    kind: "postgres",
    location: redactUri(uri),
    prepared,
    listen: (channel, handlers) => listenPostgres(uri, channel, handlers),
    close: () => db.destroy(),
  };
}
