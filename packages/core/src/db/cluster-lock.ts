/**
 * A named lock across every orchestrator process on one database (orchestrator-core's distlock, used for
 * "resume all"): on a PostgreSQL server a session advisory lock on a connection of its own, released when the work is
 * done or the process dies; on the embedded database, which one process serves, a lock in memory.
 */
import { sql } from "kysely";
import type { OrchestratorDb } from "./connection.js";

/** Names held in this process (the embedded database). */
const heldHere = new Set<string>();

/** The advisory lock key of a name: `hashtextextended('orchestrator:' || name, 0)`. */
export function clusterLockKeySql(name: string): string {
  return `hashtextextended('orchestrator:${name.replaceAll("'", "''")}', 0)`;
}

/**
 * Run `fn` holding the lock `name`: `{ ran: true, value }`, or `{ ran: false }` without running it when another
 * process (or another call here) holds the lock. Throws what `fn` or connecting throws.
 */
export async function withClusterLock<T>(database: OrchestratorDb, name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const local = `${database.location}\n${name}`;
  if (heldHere.has(local)) return { ran: false };
  heldHere.add(local);
  try {
    if (!database.dedicated) return { ran: true, value: await fn() };
    const session = await database.dedicated("orchestrator lock");
    try {
      const result = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${sql.raw(clusterLockKeySql(name))}) AS ok`.execute(session.db);
      if (result.rows[0]?.ok !== true) return { ran: false };
      return { ran: true, value: await fn() };
    } finally {
      // the lock ends with the session
      await session.close();
    }
  } finally {
    heldHere.delete(local);
  }
}
