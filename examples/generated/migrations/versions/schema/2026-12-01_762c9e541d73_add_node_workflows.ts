/**
 * add Node workflows.
 *
 * Revision ID: 762c9e541d73
 * Revises: 24cf17106733
 * Create Date: 2026-12-01 04:14:30
 */
import type { MigrationConnection } from "@orchestrator-ts/core";
import { createWorkflow, deleteWorkflow, Target, type WorkflowRecord } from "@orchestrator-ts/core";

export const revision = "762c9e541d73";
export const down_revision = "24cf17106733";
export const branch_labels = null;
export const depends_on = null;

const new_workflows: WorkflowRecord[] = [
  { name: "create_node", target: Target.CREATE, description: "Create Node", product_type: "Node" },
  { name: "modify_node", target: Target.MODIFY, description: "Modify Node", product_type: "Node" },
  { name: "terminate_node", target: Target.TERMINATE, description: "Terminate Node", product_type: "Node" },
  { name: "validate_node", target: Target.VALIDATE, description: "Validate Node", product_type: "Node", is_task: true },
];

export async function upgrade(conn: MigrationConnection): Promise<void> {
  for (const workflow of new_workflows) await createWorkflow(conn, workflow);
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  for (const workflow of new_workflows) await deleteWorkflow(conn, workflow.name);
}
