/**
 * The one verdict on workflow registration: whether the workflows registered in code (LazyWorkflowInstance), the
 * `workflows` table and the product links agree. The registration view (`GET /api/workflows/registration`), `db
 * check` and `task_validate_products` all show this report, and `db migrate-workflows` / `db migrate-tasks` offer
 * what its code-side diff ({@link diffWorkflowRegistration}) finds, so none of them can disagree.
 *
 * The checks are orchestrator-core's `task_validate_products` (orchestrator/core/workflows/tasks/validate_products.py):
 * every registered workflow has a row and every row a registration, with the same target; every product has a
 * workflow; every product has the default workflows (the original: active products and modify_note; here the
 * setting DEFAULT_PRODUCT_WORKFLOWS, which `ensureDefaultWorkflows` links to every product). Two more: a workflow
 * whose module cannot be loaded, and a product workflow linked to no product (a `createWorkflow` whose product_type
 * matched nothing). Active products without a create, modify or terminate workflow are reported, not a problem (as
 * in the original).
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import type { Target } from "../targets.js";
import { ALL_WORKFLOWS, getWorkflow } from "../workflow/index.js";

export type RegistrationProblemKind =
  /** Registered in code, no row in the workflows table. */
  | "not_in_database"
  /** A row in the workflows table, not registered in code. */
  | "not_in_code"
  /** Registered in code, but its module cannot be loaded. */
  | "load_error"
  /** Code and database give different targets. */
  | "target_mismatch"
  /** A workflow of products (not a task, not SYSTEM) linked to no product. */
  | "no_products"
  /** A product without any workflow. */
  | "product_without_workflows"
  /** A product without one of the DEFAULT_PRODUCT_WORKFLOWS. */
  | "missing_default_workflow";

export interface RegistrationProblem {
  readonly kind: RegistrationProblemKind;
  /** The workflow the problem is about (for a missing default workflow: that workflow); null for a product only. */
  readonly workflow: string | null;
  /** The product the problem is about, if any. */
  readonly product: string | null;
  /** What is wrong, said of the workflow (or of the product when there is no workflow). */
  readonly message: string;
}

/** One row of the registration view: a workflow in code, in the database, or both. */
export interface WorkflowRegistrationRow {
  name: string;
  in_code: boolean;
  /** The module of its LazyWorkflowInstance. */
  module: string | null;
  in_database: boolean;
  workflow_id: string | null;
  /** Target in code. */
  target: string | null;
  database_target: string | null;
  is_task: boolean | null;
  description: string | null;
  product_types: string[];
  products: { product_id: string; name: string }[];
  /** The messages of the problems about this workflow. */
  problems: string[];
}

export interface RegistrationReport {
  /** True when there is no problem. */
  ok: boolean;
  problems: RegistrationProblem[];
  /** Every workflow in code or in the database (soft-deleted rows excluded), by name. */
  workflows: WorkflowRegistrationRow[];
  /** Not a problem, reported: active products without a CREATE, MODIFY or TERMINATE workflow → the missing targets. */
  productsWithoutAllWorkflows: Record<string, string[]>;
}

export interface RegistrationCheckOptions {
  /** The setting DEFAULT_PRODUCT_WORKFLOWS: workflows every product must have. */
  defaultWorkflows: readonly string[];
}

/** Targets of workflows that belong to products (a SYSTEM workflow or a task needs none). */
const PRODUCT_TARGETS = new Set(["CREATE", "MODIFY", "TERMINATE", "VALIDATE", "RECONCILE"]);

/**
 * Compare code, workflows table and product links; a handful of queries plus loading each registered workflow's
 * module once. Never throws for what it finds (a module that fails to load is a `load_error` problem).
 */
export async function checkRegistration(db: Kysely<Database>, options: RegistrationCheckOptions): Promise<RegistrationReport> {
  const rows = await db
    .selectFrom("workflows")
    .select(["workflow_id", "name", "target", "is_task", "description"])
    .where("deleted_at", "is", null)
    .orderBy("name")
    .execute();
  // links to soft-deleted workflows do not count (the original's ProductTable.workflows leaves them out too)
  const links = await db
    .selectFrom("products_workflows as pw")
    .innerJoin("products as p", "p.product_id", "pw.product_id")
    .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
    .select(["pw.workflow_id", "p.product_id", "p.name", "p.product_type", "w.target"])
    .where("w.deleted_at", "is", null)
    .execute();
  const products = await db.selectFrom("products").select(["product_id", "name", "product_type", "status"]).execute();
  // by name in code-point order, the same on every database whatever its collation
  const byProductName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  links.sort(byProductName);
  products.sort(byProductName);

  const problems: RegistrationProblem[] = [];
  const problem = (kind: RegistrationProblemKind, workflow: string | null, product: string | null, message: string) =>
    problems.push({ kind, workflow, product, message });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const names = [...new Set([...ALL_WORKFLOWS.keys(), ...byName.keys(), ...options.defaultWorkflows])].sort();
  const code = await compareWithCode(rows);
  const codeTargets = code.targets;
  problems.push(...code.problems);
  for (const row of rows) {
    const linked = links.some((l) => l.workflow_id === row.workflow_id);
    if (!row.is_task && PRODUCT_TARGETS.has(row.target) && !linked && !options.defaultWorkflows.includes(row.name)) {
      problem("no_products", row.name, null, "not linked to any product (did the product_type of its createWorkflow match no product?)");
    }
  }

  for (const product of products) {
    const mine = new Set(links.filter((l) => l.product_id === product.product_id).map((l) => l.workflow_id));
    if (mine.size === 0) problem("product_without_workflows", null, product.name, `product ${product.name} has no workflows`);
    for (const name of options.defaultWorkflows) {
      const row = byName.get(name);
      if (row && mine.has(row.workflow_id)) continue;
      const why = row ? "DEFAULT_PRODUCT_WORKFLOWS links it to every product (ensureDefaultWorkflows)" : "it is in DEFAULT_PRODUCT_WORKFLOWS but not in the database";
      problem("missing_default_workflow", name, product.name, `not linked to product ${product.name}: ${why}`);
    }
  }

  const productsWithoutAllWorkflows: Record<string, string[]> = {};
  for (const product of products.filter((p) => p.status === "active")) {
    const targets = new Set(links.filter((l) => l.product_id === product.product_id).map((l) => l.target));
    const lacking = ["CREATE", "MODIFY", "TERMINATE"].filter((t) => !targets.has(t));
    if (lacking.length) productsWithoutAllWorkflows[product.name] = lacking;
  }

  const workflows: WorkflowRegistrationRow[] = names
    .filter((name) => byName.has(name) || ALL_WORKFLOWS.has(name) || problems.some((p) => p.workflow === name))
    .map((name) => {
      const row = byName.get(name);
      const lazy = ALL_WORKFLOWS.get(name);
      const linked = row ? links.filter((l) => l.workflow_id === row.workflow_id) : [];
      return {
        name,
        in_code: lazy !== undefined,
        module: lazy ? lazy.package : null,
        in_database: row !== undefined,
        workflow_id: row?.workflow_id ?? null,
        target: codeTargets.get(name) ?? null,
        database_target: row?.target ?? null,
        is_task: row?.is_task ?? null,
        description: row?.description ?? null,
        product_types: [...new Set(linked.map((l) => l.product_type))].sort(),
        products: linked.map((l) => ({ product_id: l.product_id, name: l.name })),
        problems: problems.filter((p) => p.workflow === name).map((p) => p.message),
      };
    });
  // a product without workflows belongs to the rows of the workflows of its product type, when there are any
  for (const p of problems.filter((x) => x.kind === "product_without_workflows")) {
    const type = products.find((x) => x.name === p.product)!.product_type;
    for (const row of workflows) if (row.product_types.includes(type)) row.problems.push(`not linked to product ${p.product} of product type ${type}`);
  }

  problems.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  return { ok: problems.length === 0, problems, workflows, productsWithoutAllWorkflows };
}

/** The order problems are reported in (and `task_validate_products` checks them). */
const KINDS: readonly RegistrationProblemKind[] = [
  "not_in_database",
  "not_in_code",
  "load_error",
  "target_mismatch",
  "no_products",
  "product_without_workflows",
  "missing_default_workflow",
];

/**
 * The code side of the check: each registered workflow loaded once for its target, compared with the given rows of
 * the workflows table (not soft-deleted). Problems of kinds not_in_database, not_in_code, load_error and
 * target_mismatch, by workflow name.
 */
async function compareWithCode(rows: readonly { name: string; target: string }[]): Promise<{ problems: RegistrationProblem[]; targets: Map<string, Target> }> {
  const problems: RegistrationProblem[] = [];
  const targets = new Map<string, Target>();
  const inDb = new Map(rows.map((r) => [r.name, r.target]));
  for (const name of [...new Set([...ALL_WORKFLOWS.keys(), ...inDb.keys()])].sort()) {
    const registered = ALL_WORKFLOWS.has(name);
    if (registered) {
      try {
        const workflow = await getWorkflow(name);
        if (workflow) targets.set(name, workflow.target);
      } catch (error) {
        problems.push({ kind: "load_error", workflow: name, product: null, message: (error as Error).message });
      }
    }
    const target = inDb.get(name);
    if (!registered) problems.push({ kind: "not_in_code", workflow: name, product: null, message: "in the database but not registered in code (no LazyWorkflowInstance)" });
    else if (target === undefined) {
      problems.push({ kind: "not_in_database", workflow: name, product: null, message: "registered in code but not in the database (write a migration: db migrate-workflows)" });
    } else if (targets.has(name) && targets.get(name) !== target) {
      problems.push({ kind: "target_mismatch", workflow: name, product: null, message: `target differs: ${targets.get(name)} in code, ${target} in the database` });
    }
  }
  return { problems, targets };
}

export interface WorkflowRegistrationDiff {
  /** Registered in code (LazyWorkflowInstance) but without a row in the workflows table. */
  notInDatabase: string[];
  /** In the workflows table but not registered in code. */
  notRegistered: string[];
  /** Registered in both, with a different target. */
  targetMismatch: { name: string; code: string; database: string }[];
  /** The target in code of every registered workflow, by name. */
  codeTargets: ReadonlyMap<string, Target>;
}

/**
 * The code side of {@link checkRegistration} alone, for rows of the workflows table the caller has read: what
 * `db migrate-workflows` and `db migrate-tasks` offer to add and delete (they pass soft-deleted rows too, which a
 * new createWorkflow would not replace). A module that cannot be loaded throws here (`invalid_workflow`).
 */
export async function diffWorkflowRegistration(rows: readonly { name: string; target: string }[]): Promise<WorkflowRegistrationDiff> {
  const { problems, targets } = await compareWithCode(rows);
  const loadError = problems.find((p) => p.kind === "load_error");
  if (loadError) throw new OrchestratorError("invalid_workflow", loadError.message);
  const names = (kind: RegistrationProblemKind) => problems.filter((p) => p.kind === kind).map((p) => p.workflow!);
  return {
    notInDatabase: names("not_in_database"),
    notRegistered: names("not_in_code"),
    targetMismatch: names("target_mismatch").map((name) => ({ name, code: targets.get(name)!, database: rows.find((r) => r.name === name)!.target })),
    codeTargets: targets,
  };
}
