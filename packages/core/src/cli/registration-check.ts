/**
 * `db check`: print the registration report (`workflows/registration.ts`, the same one the registration view and
 * task_validate_products give) grouped by kind of problem, and fail when there is any.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { MigrationError } from "../errors.js";
import { checkRegistration, type RegistrationProblem, type RegistrationProblemKind } from "../workflows/index.js";
import { formatTable } from "./prompt.js";

/** Heading and line of each kind of problem, in the report's order. */
const SECTIONS: Record<RegistrationProblemKind, { heading: string; line: (p: RegistrationProblem) => string }> = {
  not_in_database: {
    heading: "Workflows registered in code but not in the database (add them with db migrate-workflows / migrate-tasks):",
    line: (p) => p.workflow!,
  },
  not_in_code: { heading: "Workflows in the database but not registered in code (no LazyWorkflowInstance):", line: (p) => p.workflow! },
  load_error: { heading: "Workflows registered in code whose module cannot be loaded:", line: (p) => `${p.workflow}: ${p.message}` },
  target_mismatch: { heading: "Workflows whose target in code differs from the database:", line: () => "" },
  no_products: {
    heading: "Workflows linked to no product (did the product_type of their createWorkflow match no product?):",
    line: (p) => p.workflow!,
  },
  product_without_workflows: { heading: "Products without any workflow:", line: (p) => p.product! },
  missing_default_workflow: {
    heading: "Products without the default workflows (DEFAULT_PRODUCT_WORKFLOWS; link them with ensureDefaultWorkflows in a data migration):",
    line: (p) => `${p.product}: ${p.workflow}`,
  },
};

export interface RegistrationCheckCommandOptions {
  /** The setting DEFAULT_PRODUCT_WORKFLOWS. */
  defaultWorkflows: readonly string[];
  out: (line: string) => void;
}

/**
 * Print the report; throws `MigrationError` ("N workflow registration problems found") when there is a problem.
 * Active products without a create, modify or terminate workflow are printed as a note, as the task reports them.
 */
export async function runRegistrationCheck(db: Kysely<Database>, options: RegistrationCheckCommandOptions): Promise<void> {
  const report = await checkRegistration(db, { defaultWorkflows: options.defaultWorkflows });
  const out = options.out;
  for (const [kind, section] of Object.entries(SECTIONS) as [RegistrationProblemKind, (typeof SECTIONS)[RegistrationProblemKind]][]) {
    const found = report.problems.filter((p) => p.kind === kind);
    if (found.length === 0) continue;
    out(section.heading);
    if (kind === "target_mismatch") {
      const rows = new Map(report.workflows.map((w) => [w.name, w]));
      out(formatTable(["name", "code", "database"], found.map((p) => [p.workflow, rows.get(p.workflow!)?.target, rows.get(p.workflow!)?.database_target])));
    } else {
      for (const p of found) out(`  ${section.line(p)}`);
    }
  }
  const incomplete = Object.entries(report.productsWithoutAllWorkflows);
  if (incomplete.length) {
    out("Note: active products without a create, modify or terminate workflow (not an error):");
    for (const [product, targets] of incomplete) out(`  ${product}: ${targets.join(", ")}`);
  }
  const n = report.problems.length;
  if (n > 0) throw new MigrationError(`${n} workflow registration problem${n > 1 ? "s" : ""} found`);
  const inCode = report.workflows.filter((w) => w.in_code).length;
  out(`Code and database agree on all ${inCode} workflows, and every product has its workflows.`);
}
