/**
 * Create data head.
 *
 * Revision ID: 39a3782ff22a
 * Revises: 
 * Create Date: 2026-12-01 04:14:30
 */
import type { MigrationConnection } from "@orchestrator-ts/core";

export const revision = "39a3782ff22a";
export const down_revision = null;
export const branch_labels = ["data"];
export const depends_on = "c3d8a5f19e27";

export async function upgrade(conn: MigrationConnection): Promise<void> {
  // nothing to do
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  // nothing to do
}
