/**
 * task_validate_products: checks that the code and the database agree — every registered workflow has a row and
 * every row a registration, with the same target — and that every product has workflows.
 */
import { ALL_WORKFLOWS, getWorkflow } from "../../workflow/registry.js";
import { begin, ProcessFailureError, step, type StepContext } from "../../workflow/steps.js";
import { task } from "../../workflow/workflow.js";
import { noUncompletedInstance } from "../predicates.js";

export interface WorkflowRegistrationDiff {
  /** Registered in code (LazyWorkflowInstance) but without a row in the workflows table. */
  notInDatabase: string[];
  /** In the workflows table but not registered in code. */
  notRegistered: string[];
  /** Registered in both, with a different target: name → { code, database }. */
  targetMismatch: { name: string; code: string; database: string }[];
}

/** The workflows rows the checks compare with the code (soft-deleted ones excluded). */
async function registrationDiff(ctx: StepContext): Promise<WorkflowRegistrationDiff> {
  const db = await ctx.db();
  return diffWorkflowRegistration(await db.selectFrom("workflows").select(["name", "target"]).where("deleted_at", "is", null).execute());
}

const checkWorkflows = step("Check all workflows in database", async (_state, ctx) => {
  const { notInDatabase, notRegistered } = await registrationDiff(ctx);
  if (notInDatabase.length || notRegistered.length) {
    throw new ProcessFailureError("Found missing workflows in database or implementations", {
      "Workflows not registered in the database": notInDatabase,
      "Workflows not registered in a `LazyWorkflowInstance`": notRegistered,
    });
  }
  return { check_all_workflows_are_in_db: true };
});

const checkTargets = step("Check the workflow target", async (_state, ctx) => {
  const { targetMismatch } = await registrationDiff(ctx);
  if (targetMismatch.length) throw new ProcessFailureError("Found workflows with a target in code that differs from the database", targetMismatch);
  return { check_workflows_for_matching_targets_and_descriptions: true };
});

const checkProducts = step("Check that all products have at least one workflow", async (_state, ctx) => {
  const db = await ctx.db();
  const orphans = await db
    .selectFrom("products as p")
    .leftJoin("products_workflows as pw", "pw.product_id", "p.product_id")
    .select("p.name")
    .where("pw.workflow_id", "is", null)
    .orderBy("p.name")
    .execute();
  if (orphans.length) throw new ProcessFailureError("Found products that do not have a workflow associated with them", orphans.map((o) => o.name));
  return { check_that_products_have_at_least_one_workflow: true };
});

const checkCreateModifyTerminate = step("Check that all products have a create, modify and terminate workflow", async (_state, ctx) => {
  const db = await ctx.db();
  const rows = await db
    .selectFrom("products as p")
    .leftJoin("products_workflows as pw", "pw.product_id", "p.product_id")
    .leftJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
    .select(["p.name", "w.target"])
    .where("p.status", "=", "active")
    .execute();
  const missing: Record<string, string[]> = {};
  for (const name of new Set(rows.map((r) => r.name))) {
    const targets = new Set(rows.filter((r) => r.name === name).map((r) => r.target));
    const lacking = ["CREATE", "MODIFY", "TERMINATE"].filter((t) => !targets.has(t));
    if (lacking.length) missing[name] = lacking;
  }
  return { check_that_products_have_create_modify_and_terminate_workflows: true, products_without_all_workflows: missing };
});

export const task_validate_products = task(
  { runPredicate: noUncompletedInstance },
  begin.chain(checkWorkflows, checkTargets, checkProducts, checkCreateModifyTerminate),
);

/** The same comparison of code and database, for `db check` and the UI. */
export async function diffWorkflowRegistration(
  rows: readonly { name: string; target: string }[],
): Promise<WorkflowRegistrationDiff> {
  const inDb = new Map(rows.map((r) => [r.name, r.target]));
  const notInDatabase = [...ALL_WORKFLOWS.keys()].filter((n) => !inDb.has(n)).sort();
  const notRegistered = [...inDb.keys()].filter((n) => !ALL_WORKFLOWS.has(n)).sort();
  const targetMismatch: WorkflowRegistrationDiff["targetMismatch"] = [];
  for (const [name, target] of inDb) {
    if (!ALL_WORKFLOWS.has(name)) continue;
    const workflow = await getWorkflow(name);
    if (workflow && workflow.target !== target) targetMismatch.push({ name, code: workflow.target, database: target });
  }
  return { notInDatabase, notRegistered, targetMismatch };
}
