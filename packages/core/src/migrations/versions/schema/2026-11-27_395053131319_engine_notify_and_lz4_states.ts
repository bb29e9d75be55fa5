/**
 * Engine speed: announce pause / unpause, and compress step states with lz4.
 *
 * - A trigger on engine_settings sends a notification on the channel `orchestrator_engine_settings` ("locked:…" or
 *   "unlocked:…") when the global lock is written, so a running engine learns of a pause from any instance (or from
 *   SQL) without reading the lock back with every step. The payload ends in the time of the write: PostgreSQL
 *   delivers identical notifications of one transaction only once, and lock, unlock, lock must not arrive as lock,
 *   unlock.
 * - process_steps.state holds the full state after each step; rows over ~2 kB are compressed. lz4 costs a fraction of
 *   PostgreSQL's default pglz per row. Servers built without lz4 (and PGlite) keep pglz.
 * - ix_processes_started_at is covered by ix_processes_started_at_pid (started_at, pid); every new process and every
 *   update of a process row paid for both.
 *
 * Revision ID: 395053131319
 * Revises: a4e1c9b07d52
 * Create Date: 2026-11-27 19:00:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "395053131319";
export const down_revision = "a4e1c9b07d52";
export const branch_labels = null;
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    CREATE FUNCTION orchestrator_engine_settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('orchestrator_engine_settings',
        CASE WHEN NEW.global_lock THEN 'locked:' ELSE 'unlocked:' END || clock_timestamp()::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER engine_settings_notify AFTER INSERT OR UPDATE ON engine_settings
      FOR EACH ROW EXECUTE FUNCTION orchestrator_engine_settings_notify();

    DROP INDEX ix_processes_started_at;

    DO $$
    BEGIN
      ALTER TABLE process_steps ALTER COLUMN state SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
      NULL; -- built without lz4 (or PostgreSQL before 14): pglz stays
    END $$;
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DROP TRIGGER engine_settings_notify ON engine_settings;
    DROP FUNCTION orchestrator_engine_settings_notify();
    ALTER TABLE process_steps ALTER COLUMN state SET COMPRESSION DEFAULT;
    CREATE INDEX ix_processes_started_at ON processes (started_at);
  `.execute(conn);
}
