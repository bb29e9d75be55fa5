/**
 * LISTEN on a notification channel. On a PostgreSQL server the listener has its own connection (outside the pool,
 * which hands connections to one query at a time) and reconnects by itself with back-off when it is lost; on PGlite
 * it uses PGlite's own listener on the one in-process session.
 */
import type { PGlite } from "@electric-sql/pglite";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import pg from "pg";
import type { Database } from "./types.js";

export interface ListenHandlers {
  /** A notification on the channel. */
  onNotify(payload: string): void;
  /**
   * The listener is (again) receiving: every notification from now on arrives. Notifications sent while it was not
   * listening are lost, so read the state they report here, with `query`: it runs on the listening session, so a
   * notification handed over after its answer is newer than what it read.
   */
  onListening(query: ListenerQuery): void | Promise<void>;
  /** The connection was lost: notifications may be missed until `onListening` is called again. */
  onLost(error: unknown): void;
}

export type ListenerQuery = (text: string) => Promise<Record<string, unknown>[]>;

export interface Listener {
  /**
   * Resolves once every notification committed before the call has been handed to `onNotify` (a round trip on the
   * listening connection: the server sends pending notifications before answering it). No-op while not listening.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** How the listener's connection shows in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "orchestrator listener";

const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5_000;
/**
 * A connection that stops answering (a half-open socket after a network failure gives no error for many minutes) is
 * found by a round trip at this interval, each allowed ANSWER_TIMEOUT_MS, and then replaced.
 */
const HEARTBEAT_MS = 15_000;
const ANSWER_TIMEOUT_MS = 5_000;

/**
 * A session meant to sit idle for long (a listener, the engine's leases) exempts itself from the server's
 * idle_session_timeout, which would otherwise end it again and again. Servers before 14 have no such setting.
 */
export async function exemptFromIdleTimeout(client: Pick<pg.Client, "query">): Promise<void> {
  await client.query("SET idle_session_timeout = 0").catch(() => undefined);
}

/** A channel name as a quoted SQL identifier. */
function channelIdentifier(channel: string): string {
  return `"${channel.replaceAll('"', '""')}"`;
}

/** Listen on a PostgreSQL server, on a connection of its own. Resolves once listening (or after the first failure). */
export async function listenPostgres(connectionString: string, channel: string, handlers: ListenHandlers): Promise<Listener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = RECONNECT_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  /** A round trip on the connection; one that fails or takes too long gives the connection up. */
  const roundTrip = async (on: pg.Client) => {
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`the listener connection did not answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    });
    try {
      await Promise.race([on.query("SELECT 1"), late]);
    } catch (error) {
      lost(on, error);
    } finally {
      clearTimeout(timeout);
    }
  };
  const heartbeat = setInterval(() => {
    if (client) void roundTrip(client);
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const lost = (from: pg.Client, error: unknown) => {
    if (client !== from) return; // an earlier connection, already given up
    client = undefined;
    from.removeAllListeners("notification");
    void from.end().catch(() => undefined);
    if (closed) return;
    handlers.onLost(error);
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
  };

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({
      connectionString,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: ANSWER_TIMEOUT_MS * 2,
      keepAlive: true,
    });
    client = next;
    next.on("error", (error) => lost(next, error));
    next.on("end", () => lost(next, new Error("listener connection ended")));
    next.on("notification", (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? "");
    });
    try {
      await next.connect();
      await exemptFromIdleTimeout(next);
      await next.query(`LISTEN ${channelIdentifier(channel)}`);
      if (client !== next) return;
      await handlers.onListening(async (text) => (await next.query<Record<string, unknown>>(text)).rows);
      retryMs = RECONNECT_MIN_MS;
    } catch (error) {
      lost(next, error);
    }
  };

  await connect();
  return {
    async sync() {
      if (client) await roundTrip(client);
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}

/**
 * Listen on PGlite. The LISTEN runs while the Kysely driver holds the session, so it never lands inside another
 * caller's transaction; PGlite hands notifications over as it reads each statement's answer.
 */
export async function listenPGlite(pglite: PGlite, db: Kysely<Database>, channel: string, handlers: ListenHandlers): Promise<Listener> {
  const unlisten = await db.connection().execute(() => pglite.listen(channel, (payload) => handlers.onNotify(payload)));
  await handlers.onListening(async (text) => (await sql.raw<Record<string, unknown>>(text).execute(db)).rows);
  return {
    async sync() {
      await sql`SELECT 1`.execute(db);
    },
    async close() {
      await db
        .connection()
        .execute(() => unlisten())
        .catch(() => undefined);
    },
  };
}
