/**
 * Add the core workflows.
 *
 * The workflows orchestrator-core ships and registers in code: modify_note (linked to products through
 * DEFAULT_PRODUCT_WORKFLOWS) and the system tasks.
 *
 * Revision ID: 7c4d2e9a1b38
 * Revises: 3f1c0a7e2b91
 * Create Date: 2026-11-27 14:00:00
 */
import { createTask, deleteWorkflow } from "../../helpers.js";
import type { MigrationConnection } from "../../types.js";
import { sql } from "kysely";

export const revision = "7c4d2e9a1b38";
export const down_revision = "3f1c0a7e2b91";
export const branch_labels = null;
export const depends_on = null;

const tasks = [
  { name: "task_clean_up_tasks", description: "Clean up old tasks" },
  {
    name: "task_resume_workflows",
    description: "Resume all workflows that are stuck on tasks with the status 'waiting', 'created' or 'resumed'",
  },
  { name: "task_validate_products", description: "Validate products" },
  { name: "task_validate_product_type", description: "Validate all subscriptions of Product Type" },
  { name: "task_validate_subscriptions", description: "Validate subscriptions" },
  { name: "task_validate_awaiting_callbacks", description: "Fail callback steps that exceeded their timeout" },
];

export async function upgrade(conn: MigrationConnection): Promise<void> {
  await sql`INSERT INTO workflows (name, target, description, is_task) VALUES ('modify_note', 'MODIFY', 'Modify Note', false)
            ON CONFLICT DO NOTHING`.execute(conn);
  for (const task of tasks) await createTask(conn, task);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  for (const task of [...tasks].reverse()) await deleteWorkflow(conn, task.name);
  await deleteWorkflow(conn, "modify_note");
}
