/**
 * Add indexes for the API's lists.
 *
 * The subscription and process lists are sorted (newest first by default) and paged with a unique tie-breaker;
 * these indexes let a page of 15 out of 100,000 rows be read without sorting them all.
 *
 * Revision ID: a4e1c9b07d52
 * Revises: 7c4d2e9a1b38
 * Create Date: 2026-11-27 16:30:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "a4e1c9b07d52";
export const down_revision = "7c4d2e9a1b38";
export const branch_labels = null;
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    CREATE INDEX ix_subscriptions_start_date_id ON subscriptions (start_date, subscription_id);
    CREATE INDEX ix_subscriptions_description_id ON subscriptions (description, subscription_id);
    CREATE INDEX ix_processes_started_at_pid ON processes (started_at, pid);
    CREATE INDEX ix_processes_last_modified_at_pid ON processes (last_modified_at, pid);
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    DROP INDEX ix_subscriptions_start_date_id;
    DROP INDEX ix_subscriptions_description_id;
    DROP INDEX ix_processes_started_at_pid;
    DROP INDEX ix_processes_last_modified_at_pid;
  `.execute(conn);
}
