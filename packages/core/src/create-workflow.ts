/**
 * `createWorkflow` has two meanings in orchestrator-core, from two modules: the migration helper
 * (`create_workflow(conn, {name, target, description, product_type})`, which inserts the workflows row) and the
 * workflow wrapper (`@create_workflow`, which builds a create workflow). Both are exported here under that one name;
 * the first argument decides: a database connection means the migration helper.
 */
import { type MigrationConnection, createWorkflow as insertWorkflow, type WorkflowRecord } from "./migrations/index.js";
import {
  createWorkflow as createWorkflowWrapper,
  type Steps,
  type Workflow,
  type WrapperOptions,
} from "./workflow/index.js";

function isConnection(value: unknown): value is MigrationConnection {
  return typeof value === "object" && value !== null && typeof (value as { selectFrom?: unknown }).selectFrom === "function";
}

/** Migration helper: insert the workflow row (a no-op if the name exists) and link it to the product type's products. */
export function createWorkflow(conn: MigrationConnection, workflow: WorkflowRecord): Promise<void>;
/** Workflow wrapper: a CREATE workflow around `steps` (see the wrapper's documentation in workflow/workflow.ts). */
export function createWorkflow(options: WrapperOptions & { status?: string }, steps: Steps): Workflow;
export function createWorkflow(
  first: MigrationConnection | (WrapperOptions & { status?: string }),
  second: WorkflowRecord | Steps,
): Promise<void> | Workflow {
  return isConnection(first) ? insertWorkflow(first, second as WorkflowRecord) : createWorkflowWrapper(first, second as Steps);
}
