/**
 * task_validate_products: checks that code and database agree on the workflows and that every product has its
 * workflows — orchestrator-core's orchestrator/core/workflows/tasks/validate_products.py. Every step reads the same
 * report as `db check` and the registration view (`../registration.ts`) and fails on its kinds of problem, so the
 * task fails exactly when they report a problem.
 */
import { loadSettings } from "../../settings.js";
import { begin, ProcessFailureError, step, type StepContext, task } from "../../workflow/index.js";
import { noUncompletedInstance } from "../predicates.js";
import { checkRegistration, type RegistrationProblem, type RegistrationProblemKind, type RegistrationReport } from "../registration.js";

export { diffWorkflowRegistration, type WorkflowRegistrationDiff } from "../registration.js";

async function report(ctx: StepContext): Promise<RegistrationReport> {
  return checkRegistration(await ctx.db(), { defaultWorkflows: loadSettings().DEFAULT_PRODUCT_WORKFLOWS });
}

async function problemsOf(ctx: StepContext, ...kinds: RegistrationProblemKind[]): Promise<RegistrationProblem[]> {
  return (await report(ctx)).problems.filter((p) => kinds.includes(p.kind));
}

const names = (problems: RegistrationProblem[], kind: RegistrationProblemKind) => problems.filter((p) => p.kind === kind).map((p) => p.workflow!);

const checkWorkflows = step("Check all workflows in database", async (_state, ctx) => {
  const found = await problemsOf(ctx, "not_in_database", "not_in_code");
  if (found.length) {
    throw new ProcessFailureError("Found missing workflows in database or implementations", {
      "Workflows not registered in the database": names(found, "not_in_database"),
      "Workflows not registered in a `LazyWorkflowInstance`": names(found, "not_in_code"),
    });
  }
  return { check_all_workflows_are_in_db: true };
});

const checkTargets = step("Check the workflow target", async (_state, ctx) => {
  const r = await report(ctx);
  const found = r.problems.filter((p) => p.kind === "target_mismatch" || p.kind === "load_error");
  if (found.length) {
    const rows = new Map(r.workflows.map((w) => [w.name, w]));
    throw new ProcessFailureError(
      "Found workflows with a target in code that differs from the database",
      found.map((p) =>
        p.kind === "target_mismatch"
          ? { name: p.workflow!, code: rows.get(p.workflow!)!.target!, database: rows.get(p.workflow!)!.database_target! }
          : { name: p.workflow!, error: p.message },
      ),
    );
  }
  return { check_workflows_for_matching_targets_and_descriptions: true };
});

const checkWorkflowProducts = step("Check that all workflows are linked to a product", async (_state, ctx) => {
  const found = await problemsOf(ctx, "no_products");
  if (found.length) throw new ProcessFailureError("Found workflows that are not linked to any product", names(found, "no_products"));
  return { check_that_workflows_have_at_least_one_product: true };
});

const checkProducts = step("Check that all products have at least one workflow", async (_state, ctx) => {
  const found = await problemsOf(ctx, "product_without_workflows");
  if (found.length) throw new ProcessFailureError("Found products that do not have a workflow associated with them", found.map((p) => p.product!));
  return { check_that_products_have_at_least_one_workflow: true };
});

const checkDefaultWorkflows = step("Check that all products have the default workflows", async (_state, ctx) => {
  const found = await problemsOf(ctx, "missing_default_workflow");
  if (found.length) {
    const missing: Record<string, string[]> = {};
    for (const p of found) (missing[p.product!] ??= []).push(p.workflow!);
    throw new ProcessFailureError("Found products that do not have the default workflows (DEFAULT_PRODUCT_WORKFLOWS)", missing);
  }
  return { check_that_products_have_the_default_workflows: true };
});

const checkCreateModifyTerminate = step("Check that all products have a create, modify and terminate workflow", async (_state, ctx) => {
  // reported, not failed: the original allows exceptions
  const { productsWithoutAllWorkflows } = await report(ctx);
  return { check_that_products_have_create_modify_and_terminate_workflows: true, products_without_all_workflows: productsWithoutAllWorkflows };
});

export const task_validate_products = task(
  { runPredicate: noUncompletedInstance },
  begin.chain(checkWorkflows, checkTargets, checkWorkflowProducts, checkProducts, checkDefaultWorkflows, checkCreateModifyTerminate),
);
