/**
 * Create data head.
 *
 * Revision ID: 06f8879b8964
 * Revises: 
 * Create Date: 2026-11-27 14:41:26
 */
import type { MigrationConnection } from "@orchestrator-ts/core";

export const revision = "06f8879b8964";
export const down_revision = null;
export const branch_labels = ["data"];
export const depends_on = "7c4d2e9a1b38";

export async function upgrade(conn: MigrationConnection): Promise<void> {
  // nothing to do
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  // nothing to do
}
