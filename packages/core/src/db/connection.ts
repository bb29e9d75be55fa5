/**
 * Opens the orchestrator database: an embedded PGlite data folder (the zero-setup default), an in-memory PGlite,
 * or a PostgreSQL server through a `pg` pool. All three give the same Kysely API and run the same SQL.
 */
import { isAbsolute, resolve } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { DatabaseError, SettingsError } from "../errors.js";
import { sessionEndedBeforeStatement, tagConnectionError } from "./connection-errors.js";
import { lockFolder } from "./folder-lock.js";
import { exemptFromIdleTimeout, listenPGlite, listenPostgres, type ListenHandlers, type Listener } from "./listener.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { redactUri, scrubError } from "./redact.js";
import type { Database } from "./types.js";

/** Kept here too for existing imports; the module is redact.ts. */
export { redactUri };

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
  /**
   * A connection of its own, outside the pool, for session state such as advisory locks (server only). Throws what
   * connecting throws (a database connection error: see isDatabaseConnectionError).
   */
  dedicated?(applicationName: string): Promise<DedicatedConnection>;
  close(): Promise<void>;
}

/** One server session outside the pool; see OrchestratorDb.dedicated. */
export interface DedicatedConnection {
  /** Queries on this session only (no transactions: statements from several callers may interleave). */
  readonly db: Kysely<Database>;
  /** Resolves with the error once the session is lost (ended by the server, the network, or a failed check); never rejects. */
  readonly lost: Promise<unknown>;
  /** End the session (its advisory locks go with it). */
  close(): Promise<void>;
}

/** A lost session is noticed within this time even when it is idle (half-open sockets, idle_session_timeout). */
const DEDICATED_HEARTBEAT_MS = 10_000;
const DEDICATED_ANSWER_MS = 5_000;

export type PreparedQuery = <R>(name: string, text: string, values: unknown[]) => Promise<R[]>;

export interface OpenDatabaseOptions {
  /** DATABASE_URI: undefined → `<appRoot>/.orchestrator/db`; `pglite://memory`; `pglite://<folder>`; `postgresql://…`. */
  uri: string | undefined;
  /** Folder relative paths are resolved against; default the current directory. */
  appRoot?: string;
  /** Size of the `pg` pool; ignored for PGlite. */
  poolSize?: number;
  /**
   * In-memory PGlite only: start from this image of a data folder (PGlite's `dumpDataDir`) instead of an empty
   * database, whose creation (initdb) takes PGlite a second or two. Tests use it to start from one made once.
   */
  loadDataDir?: Blob;
}

/** The default embedded data folder of an app. */
export function defaultDataFolder(appRoot: string): string {
  return resolve(appRoot, ".orchestrator", "db");
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<OrchestratorDb> {
  const appRoot = options.appRoot ?? process.cwd();
  const uri = options.uri?.trim();
  if (!uri) return openPGlite(defaultDataFolder(appRoot));
  if (uri === "pglite://memory") return openPGlite(undefined, options.loadDataDir);
  if (uri.startsWith("pglite://")) {
    const folder = uri.slice("pglite://".length);
    return openPGlite(isAbsolute(folder) ? folder : resolve(appRoot, folder));
  }
  if (/^postgres(ql)?(\+\w+)?:\/\//.test(uri)) return openPostgres(uri.replace(/^postgres(ql)?\+\w+:/, "postgresql:"), options.poolSize ?? 10);
  throw new SettingsError(
    `DATABASE_URI=${JSON.stringify(redactUri(uri))} is not supported: expected postgresql://…, pglite://memory or pglite://<folder>`,
  );
}

async function openPGlite(folder: string | undefined, loadDataDir?: Blob): Promise<OrchestratorDb> {
  const lock = folder ? lockFolder(folder) : undefined;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = folder ? new PGlite(folder) : new PGlite(loadDataDir ? { loadDataDir } : undefined);
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
      close: async () => {
        await db.destroy();
        // Kysely destroys only a driver that ran a query: a database opened and closed unused is closed here.
        await destroy();
      },
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

/**
 * A pg client that runs the texts registered with namedStatement as named prepared statements. It never lets a lost
 * connection end the process: pg emits "error" on a client whose server goes away, and an "error" without a listener
 * is thrown; the pool listens only while a client is idle, so a checked-out client needs its own listener (the query
 * under way, and every later one, fails instead). Connection failures are tagged (isDatabaseConnectionError).
 */
class NamingClient extends pg.Client {
  /** The connection string, whose secrets are scrubbed from connection errors (pg may echo pieces of it). */
  readonly #uri: string;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.#uri = (typeof config === "string" ? config : config?.connectionString) ?? "";
    this.on("error", () => undefined);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(callback?: any): any {
    const failed = (error: unknown) => tagConnectionError(scrubError(error, this.#uri));
    if (typeof callback === "function") return super.connect((error: Error | undefined) => callback(error ? failed(error) : error));
    return super.connect().catch((error: unknown) => {
      throw failed(error);
    });
  }

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
  const pool = new pg.Pool({
    connectionString: uri,
    max: poolSize,
    types: pgTypes,
    Client: NamingClient,
    // a request waits at most this long for a connection, then answers 503 (no connection can be made, or the pool
    // is exhausted), instead of hanging while the database is unreachable
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client that loses its server must not crash the process; the next query reports the problem.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: retryingStaleSessions(pool) }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    // pg's message may echo what it took for the host or database: a piece of an unencoded password
    scrubError(error, uri);
    throw new DatabaseError(`Cannot connect to PostgreSQL at ${redactUri(uri)}: ${connectFailure(error)}`, { cause: error });
  }
  const prepared: PreparedQuery = async <R>(name: string, text: string, values: unknown[]) => {
    // every idle session in the pool may have been ended (see retryingStaleSessions)
    for (let attempt = 1; ; attempt++) {
      try {
        return (await pool.query({ name, text, values })).rows as R[];
      } catch (error) {
        if (!sessionEndedBeforeStatement(error) || attempt > (pool.options.max ?? 10)) throw error;
      }
    }
  };
  return {
    db,
    kind: "postgres",
    location: redactUri(uri),
    prepared,
    listen: (channel, handlers) =>
      listenPostgres(uri, channel, { ...handlers, onLost: (error) => handlers.onLost(scrubError(error, uri)) }),
    dedicated: (applicationName) => openDedicated(uri, applicationName),
    close: () => db.destroy(),
  };
}

const ENCODE_HINT = "percent-encode special characters of the user name and password: @ as %40, : as %3A, / as %2F";

/** Why connecting failed, in words (pg's message, which is empty for some network errors), from a scrubbed error. */
function connectFailure(error: unknown): string {
  const { message, code } = (error ?? {}) as { message?: string; code?: string };
  if (code === "ERR_INVALID_URL") return `not a valid URL (${ENCODE_HINT})`;
  const reason = message || code || String(error);
  // pg named a piece of the password (scrubbed to ***) as the host or database: the password broke the URL
  return reason.includes("***") ? `${reason} (part of the password was read as the host or database: ${ENCODE_HINT})` : reason;
}

/**
 * The pool as Kysely sees it: when the first statement on a checked-out session fails because the server had ended
 * that session while it sat idle in the pool, the session is discarded and the statement sent again on another. After
 * a restart or a `pg_terminate_backend` of every session, each idle one in the pool is stale, so this goes on while the
 * session that failed had served a statement before (at most the pool's size plus one tries). Later statements are
 * never resent (they may belong to a transaction). A server that ends a session it has just opened answers with the
 * same error, which the caller gets.
 */
function retryingStaleSessions(pool: pg.Pool): pg.Pool {
  const seasoned = new WeakSet<pg.PoolClient>(); // sessions that have answered a statement
  const tries = (pool.options.max ?? 10) + 1;
  const connect = async () => {
    let client = await pool.connect();
    let first = true;
    return {
      query: async (text: string, values?: unknown[]) => {
        if (!first) return client.query(text, values);
        first = false;
        for (let attempt = 1; ; attempt++) {
          try {
            const result = await client.query(text, values);
            seasoned.add(client);
            return result;
          } catch (error) {
            if (!sessionEndedBeforeStatement(error) || !seasoned.has(client) || attempt >= tries) throw error;
            client.release(error as Error);
            client = await pool.connect();
          }
        }
      },
      release: (error?: Error) => client.release(error),
    };
  };
  return { connect, end: () => pool.end() } as unknown as pg.Pool;
}

async function openDedicated(uri: string, applicationName: string): Promise<DedicatedConnection> {
  const client = new NamingClient({
    connectionString: uri,
    types: pgTypes,
    application_name: applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 10_000,
  });
  let markLost: (error: unknown) => void = () => undefined;
  const lost = new Promise<unknown>((resolve) => (markLost = resolve));
  let closing = false;
  client.on("error", (error) => markLost(error));
  client.on("end", () => markLost(tagConnectionError(new Error(closing ? "Connection terminated" : "Connection terminated unexpectedly"))));
  await client.connect();
  await exemptFromIdleTimeout(client);
  // one statement at a time on the session (pg deprecates overlapping queries on a client): callers queue
  let tail: Promise<unknown> = Promise.resolve();
  const query = <T>(text: string, values?: unknown[]): Promise<T> => {
    const result = tail.then(() => client.query(text, values) as Promise<T>);
    tail = result.catch(() => undefined);
    return result;
  };
  // an idle session that stops answering (a half-open socket) is given up after a failed round trip
  const heartbeat = setInterval(() => {
    const late = setTimeout(() => {
      markLost(tagConnectionError(new Error(`Connection terminated: no answer within ${DEDICATED_ANSWER_MS} ms`)));
      client.end().catch(() => undefined);
    }, DEDICATED_ANSWER_MS);
    query("SELECT 1").then(
      () => clearTimeout(late),
      (error: unknown) => {
        clearTimeout(late);
        markLost(error);
      },
    );
  }, DEDICATED_HEARTBEAT_MS);
  heartbeat.unref();
  void lost.then(() => clearInterval(heartbeat));
  // Kysely over this one session: every "connection" it acquires is the same client, never released to a pool
  const session = { query, release: () => undefined } as unknown as pg.PoolClient;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: async () => session, end: async () => undefined } as unknown as pg.Pool }),
  });
  return {
    db,
    lost,
    close: async () => {
      closing = true;
      clearInterval(heartbeat);
      await client.end().catch(() => undefined);
    },
  };
}
