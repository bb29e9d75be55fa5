/**
 * Telling a lost or unreachable database from every other error. A query that fails because the server ended the
 * session (`pg_terminate_backend`, a restart, `idle_session_timeout`, a failover), because the connection broke, or
 * because no connection can be made now says nothing about the query: the API answers 503 and the engine leaves the
 * process for recovery instead of recording a failure.
 *
 * Errors from connecting are tagged where they arise (the pool's client class, connection.ts), so that a refused
 * connection to the database is told from a refused connection to any other service a step may call.
 */
import pg from "pg";

const TAG = Symbol.for("orchestrator-ts.databaseConnectionError");

/** SQLSTATEs that mean the session or the server is gone or not accepting sessions now. */
const CONNECTION_SQLSTATES = new Set([
  "57P01", // admin_shutdown: terminated by pg_terminate_backend or a fast shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up, shutting down, in recovery
  "57P05", // idle_session_timeout
  "53300", // too_many_connections
  "25P03", // idle_in_transaction_session_timeout
]);

/** pg's own messages for a client whose connection is gone. */
const CLIENT_MESSAGES = [
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "timeout exceeded when trying to connect",
];

/** Mark an error as the database's connection failing (used where connections are made). Returns it. */
export function tagConnectionError<E>(error: E): E {
  if (typeof error === "object" && error !== null && !(TAG in error)) {
    Object.defineProperty(error, TAG, { value: true, enumerable: false });
  }
  return error;
}

/**
 * Whether `error` (or one of its causes) means the database connection was lost or cannot be made now — as opposed
 * to a query the database refused.
 */
export function isDatabaseConnectionError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (TAG in e) return true;
    if (e instanceof pg.DatabaseError) {
      const code = e.code ?? "";
      if (code.startsWith("08") || CONNECTION_SQLSTATES.has(code)) return true;
      // ALLOW_CONNECTIONS false, a database being dropped or renamed
      if (code === "55000" && /not currently accepting connections/.test(e.message)) return true;
      continue;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === "string" && CLIENT_MESSAGES.some((m) => message.startsWith(m))) return true;
  }
  return false;
}

/**
 * Whether a statement failed because the server had ended its session before the statement ran (idle_session_timeout,
 * pg_terminate_backend; or pg had already found the session broken): the session's end was the reply to the
 * statement, ahead of any completion, so the statement did not take effect and sending it again on another session
 * is safe. A connection that breaks while a statement is under way is not this: that statement may have committed.
 */
export function sessionEndedBeforeStatement(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return error.code === "57P05" || error.code === "57P01";
  return error instanceof Error && error.message === "Client has encountered a connection error and is not queryable";
}
