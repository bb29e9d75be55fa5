/**
 * Process steps kept with their process by triggers instead of a foreign key.
 *
 * The foreign key process_steps.pid → processes.pid made every step's insert look up and lock its process row (a
 * tenth of a step's cost on the server). What it guarded is kept otherwise:
 * - deleting processes deletes their steps (a trigger on processes, once per statement, like the key's ON DELETE
 *   CASCADE), and TRUNCATE processes truncates process_steps;
 * - a running process cannot be deleted (the engine and the API refuse it in the statement that deletes), so no step
 *   is written for a deleted process. One deleted by SQL behind the engine's back is found by its run's next full
 *   checkpoint (which writes the step row together with the update of the process row), at most a second later:
 *   the run stops there and removes the rows its step-only checkpoints wrote meanwhile.
 *
 * The downgrade deletes step rows whose process is gone and puts the foreign key back.
 *
 * Revision ID: 9e4a6c1d2f70
 * Revises: 5b2e8f0c7a13
 * Create Date: 2026-11-30 21:00:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "9e4a6c1d2f70";
export const down_revision = "5b2e8f0c7a13";
export const branch_labels = null;
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    ALTER TABLE process_steps DROP CONSTRAINT process_steps_pid_fkey;
    CREATE FUNCTION orchestrator_delete_process_steps() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM process_steps WHERE pid IN (SELECT pid FROM deleted_processes);
      RETURN NULL;
    END $$;
    CREATE TRIGGER processes_delete_steps AFTER DELETE ON processes
      REFERENCING OLD TABLE AS deleted_processes
      FOR EACH STATEMENT EXECUTE FUNCTION orchestrator_delete_process_steps();
    CREATE FUNCTION orchestrator_truncate_process_steps() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      TRUNCATE process_steps;
      RETURN NULL;
    END $$;
    CREATE TRIGGER processes_truncate_steps AFTER TRUNCATE ON processes
      FOR EACH STATEMENT EXECUTE FUNCTION orchestrator_truncate_process_steps();
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DROP TRIGGER processes_truncate_steps ON processes;
    DROP FUNCTION orchestrator_truncate_process_steps();
    DROP TRIGGER processes_delete_steps ON processes;
    DROP FUNCTION orchestrator_delete_process_steps();
    DELETE FROM process_steps s WHERE NOT EXISTS (SELECT 1 FROM processes p WHERE p.pid = s.pid);
    ALTER TABLE process_steps ADD CONSTRAINT process_steps_pid_fkey
      FOREIGN KEY (pid) REFERENCES processes (pid) ON DELETE CASCADE;
  `.execute(conn);
}
