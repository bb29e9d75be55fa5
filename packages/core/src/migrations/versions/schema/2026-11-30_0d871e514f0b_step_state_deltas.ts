/**
 * Step states stored as deltas, with a snapshot at least every 16 rows.
 *
 * `process_steps.seq` numbers the rows in the order they were written (a row updated in place takes a new number):
 * the order a delta is read in must be the order it was written in, and `completed_at` cannot tell two rows apart that
 * were written within the clock's resolution (a millisecond on the embedded database). Existing rows are numbered in
 * their order of completed_at, started_at.
 *
 * `process_steps.is_delta` says a row's `state` holds only what changed since the row
 * before it (`{"set": {…}, "unset": […]}`), with a full snapshot at least every 16 rows (see db/step-states.ts).
 * Existing rows hold full states and stay as they are (is_delta false).
 *
 * The downgrade writes every delta row's full state back (folding each process's rows in order from its snapshots)
 * and drops the column.
 *
 * Revision ID: 0d871e514f0b
 * Revises: 395053131319
 * Create Date: 2026-11-30 18:30:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "0d871e514f0b";
export const down_revision = "395053131319";
export const branch_labels = null;
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    ALTER TABLE process_steps ADD COLUMN is_delta boolean NOT NULL DEFAULT false;
    CREATE SEQUENCE process_steps_seq;
    ALTER TABLE process_steps ADD COLUMN seq bigint;
    WITH ordered AS (SELECT stepid, nextval('process_steps_seq') AS n FROM (
      SELECT stepid FROM process_steps ORDER BY completed_at, started_at) o)
    UPDATE process_steps s SET seq = ordered.n FROM ordered WHERE ordered.stepid = s.stepid;
    ALTER TABLE process_steps ALTER COLUMN seq SET DEFAULT nextval('process_steps_seq'), ALTER COLUMN seq SET NOT NULL;
    ALTER SEQUENCE process_steps_seq OWNED BY process_steps.seq;
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DO $$
    DECLARE
      r record;
      current_pid uuid;
      full_state jsonb;
    BEGIN
      FOR r IN
        SELECT s.stepid, s.pid, s.state, s.is_delta FROM process_steps s
        WHERE s.pid IN (SELECT pid FROM process_steps WHERE is_delta)
        ORDER BY s.pid, s.seq
      LOOP
        IF current_pid IS DISTINCT FROM r.pid THEN
          current_pid := r.pid;
          full_state := '{}'::jsonb;
        END IF;
        IF r.is_delta THEN
          full_state := (full_state || coalesce(r.state -> 'set', '{}'::jsonb))
            - coalesce(ARRAY(SELECT jsonb_array_elements_text(r.state -> 'unset')), '{}'::text[]);
          UPDATE process_steps SET state = full_state WHERE stepid = r.stepid;
        ELSE
          full_state := r.state;
        END IF;
      END LOOP;
    END $$;
    ALTER TABLE process_steps DROP COLUMN is_delta;
    ALTER TABLE process_steps DROP COLUMN seq;
  `.execute(conn);
}
