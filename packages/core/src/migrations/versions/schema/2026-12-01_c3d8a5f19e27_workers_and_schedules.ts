/**
 * Worker processes and scheduled tasks.
 *
 * `engine_workers` lists the worker processes of EXECUTOR=worker (host, pid, capacity, runs under way), each row kept
 * fresh by its worker's heartbeat; a row not refreshed for a while is a worker that is gone. `schedules` holds what
 * the scheduler starts: a task or workflow by name, on a cron expression or an interval, with the form input to start
 * it with, its next run and the outcome of its last one (orchestrator-core keeps APScheduler's pickled jobs instead).
 *
 * Revision ID: c3d8a5f19e27
 * Revises: 9e4a6c1d2f70
 * Create Date: 2026-12-01 00:40:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "c3d8a5f19e27";
export const down_revision = "9e4a6c1d2f70";
export const branch_labels = null;
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    CREATE TABLE engine_workers (
      worker_id uuid PRIMARY KEY,
      hostname text NOT NULL,
      os_pid integer NOT NULL,
      capacity integer NOT NULL,
      running integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE schedules (
      schedule_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      workflow_name text NOT NULL,
      trigger text NOT NULL CHECK (trigger IN ('cron', 'interval')),
      cron text,
      interval_seconds integer CHECK (interval_seconds > 0),
      user_inputs jsonb NOT NULL DEFAULT '[{}]'::jsonb,
      next_run_at timestamptz,
      last_run_at timestamptz,
      last_result text,
      last_process_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((trigger = 'cron') = (cron IS NOT NULL) AND (trigger = 'interval') = (interval_seconds IS NOT NULL))
    );
    CREATE UNIQUE INDEX schedules_name_key ON schedules (name);
    CREATE INDEX schedules_next_run_at_idx ON schedules (next_run_at);
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DROP TABLE schedules;
    DROP TABLE engine_workers;
  `.execute(conn);
}
