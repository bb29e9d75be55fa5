/**
 * Pause notifications numbered by a sequence.
 *
 * Each write of the global lock announces "locked:<n>" or "unlocked:<n>" with n from a sequence, instead of the
 * write's clock time.
 *
 * PostgreSQL hands identical notifications of one transaction over only once. The clock cannot keep lock, unlock,
 * lock in one transaction apart where it ticks in milliseconds (the embedded database): the second "locked" was
 * dropped and the transaction arrived as lock, unlock, leaving every engine believing it unpaused. A sequence gives
 * each write its own number, whatever the clock.
 *
 * Revision ID: 5b2e8f0c7a13
 * Revises: 0d871e514f0b
 * Create Date: 2026-11-30 20:15:00
 */
import { sql } from "kysely";
import type { MigrationConnection } from "../../types.js";

export const revision = "5b2e8f0c7a13";
export const down_revision = "0d871e514f0b";
export const branch_labels = null;
export const depends_on = null;

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    CREATE SEQUENCE engine_settings_notify_seq;
    CREATE OR REPLACE FUNCTION orchestrator_engine_settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('orchestrator_engine_settings',
        CASE WHEN NEW.global_lock THEN 'locked:' ELSE 'unlocked:' END || nextval('engine_settings_notify_seq')::text);
      RETURN NULL;
    END $$;
  `.execute(conn);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION orchestrator_engine_settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('orchestrator_engine_settings',
        CASE WHEN NEW.global_lock THEN 'locked:' ELSE 'unlocked:' END || clock_timestamp()::text);
      RETURN NULL;
    END $$;
    DROP SEQUENCE engine_settings_notify_seq;
  `.execute(conn);
}
