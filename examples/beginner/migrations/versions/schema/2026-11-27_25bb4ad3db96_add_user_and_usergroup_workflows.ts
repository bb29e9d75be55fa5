/**
 * add User and UserGroup workflows.
 *
 * Registers the six workflows of the beginner example in the database and links each to every product of its
 * product type (the user workflows to both "User internal" and "User external").
 *
 * Revision ID: 25bb4ad3db96
 * Revises: ebe6c37cf4c3
 * Create Date: 2026-11-27 13:22:49
 */
import { createWorkflow, deleteWorkflow, Target, type MigrationConnection, type WorkflowRecord } from "@orchestrator-ts/core";

export const revision = "25bb4ad3db96";
export const down_revision = "ebe6c37cf4c3";
export const branch_labels = null;
export const depends_on = null;

const new_workflows: WorkflowRecord[] = [
  { name: "create_user_group", target: Target.CREATE, description: "Create user group", product_type: "UserGroup" },
  { name: "modify_user_group", target: Target.MODIFY, description: "Modify user group", product_type: "UserGroup" },
  { name: "terminate_user_group", target: Target.TERMINATE, description: "Terminate user group", product_type: "UserGroup" },
  { name: "create_user", target: Target.CREATE, description: "Create user", product_type: "User" },
  { name: "modify_user", target: Target.MODIFY, description: "Modify user", product_type: "User" },
  { name: "terminate_user", target: Target.TERMINATE, description: "Terminate user", product_type: "User" },
];

export async function upgrade(conn: MigrationConnection): Promise<void> {
  for (const workflow of new_workflows) {
    await createWorkflow(conn, workflow);
  }
}

export async function downgrade(conn: MigrationConnection): Promise<void> {
  for (const workflow of new_workflows) {
    await deleteWorkflow(conn, workflow.name);
  }
}
