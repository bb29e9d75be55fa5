/**
 * `db migrate-workflows` and `db migrate-tasks`: compare the workflows registered in code (LazyWorkflowInstance) with
 * the `workflows` table, let the user choose what to add and delete in a menu (or with --add / --delete), and write
 * a data migration with the createWorkflow / deleteWorkflow (createTask) loops.
 */
import pc from "picocolors";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { CORE_PACKAGE, type MigrationProject } from "../migrations/index.js";
import { TASK_TARGETS, type Target } from "../targets.js";
import { ALL_WORKFLOWS, getWorkflow } from "../workflow/index.js";
import { diffWorkflowRegistration, type WorkflowRegistrationDiff } from "../workflows/index.js";
import { formatTable, type LineInput } from "./prompt.js";

export interface WorkflowChange {
  name: string;
  target: Target;
  description: string;
  product_type: string;
}

export interface TaskChange {
  name: string;
  description: string;
  target?: Target;
}

interface DbWorkflow {
  name: string;
  deleted: boolean;
  target: string;
  description: string;
  is_task: boolean;
  product_types: string[];
}

/**
 * Everything the wizard works from: the database's workflows (soft-deleted ones too: a createWorkflow would not
 * replace them) and product types, the code registry, and the registration diff of the two (workflows/registration.ts,
 * the one that `db check` and the registration view report from).
 */
export interface RegistrationState {
  database: DbWorkflow[];
  productTypes: string[];
  registered: string[];
  diff: WorkflowRegistrationDiff;
}

export async function readRegistrationState(db: Kysely<Database>): Promise<RegistrationState> {
  const rows = await db
    .selectFrom("workflows as w")
    .leftJoin("products_workflows as pw", "pw.workflow_id", "w.workflow_id")
    .leftJoin("products as p", "p.product_id", "pw.product_id")
    .select(["w.name", "w.target", "w.description", "w.is_task", "w.deleted_at", "p.product_type"])
    .orderBy("w.name")
    .execute();
  const byName = new Map<string, DbWorkflow>();
  for (const r of rows) {
    const wf = byName.get(r.name) ?? {
      name: r.name,
      deleted: r.deleted_at !== null,
      target: r.target,
      description: r.description,
      is_task: r.is_task,
      product_types: [],
    };
    if (r.product_type && !wf.product_types.includes(r.product_type)) wf.product_types.push(r.product_type);
    byName.set(r.name, wf);
  }
  const types = await db.selectFrom("products").select("product_type").distinct().orderBy("product_type").execute();
  const database = [...byName.values()];
  const diff = await diffWorkflowRegistration(database);
  return { database, productTypes: types.map((t) => t.product_type), registered: [...ALL_WORKFLOWS.keys()], diff };
}

function codeTarget(state: RegistrationState, name: string): Target {
  const target = state.diff.codeTargets.get(name);
  if (!target) throw new OrchestratorError("workflow_not_found", `Workflow ${name} is not registered in code`);
  return target;
}

/** Registered workflows without a database row and not chosen yet (in registration order): the tasks among them, or the others. */
async function registeredWithoutRow(state: RegistrationState, chosen: readonly { name: string }[], tasks: boolean): Promise<string[]> {
  const missing = new Set(state.diff.notInDatabase);
  const taken = new Set(chosen.map((c) => c.name));
  return state.registered.filter((name) => missing.has(name) && !taken.has(name) && TASK_TARGETS.includes(codeTarget(state, name)) === tasks);
}

/** Rows among `rows` whose workflow is not registered in code (per the registration diff). */
function unregistered(state: RegistrationState, rows: DbWorkflow[]): DbWorkflow[] {
  const dangling = new Set(state.diff.notRegistered);
  return rows.filter((w) => dangling.has(w.name));
}

// -----------------------------------------------------------------------------------------------------------------
// Workflows
// -----------------------------------------------------------------------------------------------------------------

export class WorkflowWizard {
  readonly add: WorkflowChange[] = [];
  readonly remove: WorkflowChange[] = [];

  constructor(private readonly state: RegistrationState) {}

  /** Registered workflows that are not tasks (by their target in code), have no row yet and are not chosen already. */
  addable(): Promise<string[]> {
    return registeredWithoutRow(this.state, this.add, false);
  }

  /** Database workflows linked to products (not tasks) that are not chosen for deletion yet. */
  deletable(): DbWorkflow[] {
    const chosen = new Set(this.remove.map((w) => w.name));
    return this.state.database
      .filter((w) => w.product_types.length > 0 && !chosen.has(w.name))
      .sort((a, b) => (a.product_types[0]! + a.target).localeCompare(b.product_types[0]! + b.target));
  }

  /** Database workflows (with products) without a registration in code. */
  dangling(): DbWorkflow[] {
    return unregistered(this.state, this.deletable());
  }

  async addWorkflow(name: string, productType: string, description: string): Promise<void> {
    if (!this.state.registered.includes(name)) throw new OrchestratorError("invalid_input", `Workflow ${name} is not registered in code (LazyWorkflowInstance)`);
    if (!(await this.addable()).includes(name)) {
      throw new OrchestratorError("invalid_input", `Workflow ${name} is a task, already in the database, or chosen already`);
    }
    if (!this.state.productTypes.includes(productType)) {
      throw new OrchestratorError("invalid_input", `No product has product type ${productType} (product types: ${this.state.productTypes.join(", ") || "none"})`);
    }
    if (!description.trim()) throw new OrchestratorError("invalid_input", `Workflow ${name} needs a description`);
    this.add.push({ name, target: codeTarget(this.state, name), description: description.trim(), product_type: productType });
  }

  deleteWorkflow(name: string): void {
    const wf = this.deletable().find((w) => w.name === name);
    if (!wf) throw new OrchestratorError("invalid_input", `Workflow ${name} is not in the database with products, or already chosen`);
    this.remove.push({ name: wf.name, target: wf.target as Target, description: wf.description, product_type: wf.product_types[0]! });
  }

  /** The interactive menu. Returns false when the user quit (or the input ended) without finishing. */
  async run(io: LineInput): Promise<boolean> {
    for (;;) {
      io.line(pc.bold(pc.underline("\nWhat do you want to do?\n")));
      const choice = await io.menu([
        ["a", "Add workflow to database"],
        ["x", "Delete workflow from database"],
        ["c", "Delete unregistered workflows from database"],
        ["y", "Finish and create migration file"],
        ["d", "Show current diff"],
        ["q", "Quit menu without creating a migration file"],
      ]);
      if (choice === undefined || choice === "q") return false;
      if (choice === "y") return true;
      if (choice === "a") await this.menuAdd(io);
      if (choice === "x") await this.menuDelete(io);
      if (choice === "c") await this.menuDangling(io);
      if (choice === "d") this.showDiff(io);
    }
  }

  private async menuAdd(io: LineInput): Promise<void> {
    io.line(pc.underline("\nAdd new workflow\n"));
    const names = await this.addable();
    if (names.length === 0) return io.line("No registered workflows found to add to the database");
    if (this.state.productTypes.length === 0) return io.line("No registered product types found");
    io.line("Which product type should the workflow be added to?");
    const typeKey = await io.menu([...this.state.productTypes.map((t, i) => [String(i + 1), t] as const), ["q", "cancel"]]);
    if (typeKey === undefined || typeKey === "q") return;
    const productType = this.state.productTypes[Number(typeKey) - 1]!;
    io.line(`\nAdd product type ${pc.bold(productType)} to which workflow?`);
    const wfKey = await io.menu([...names.map((n, i) => [String(i + 1), n] as const), ["q", "cancel"]]);
    if (wfKey === undefined || wfKey === "q") return;
    const name = names[Number(wfKey) - 1]!;
    io.line("\nPlease provide a description for this workflow.");
    io.line("This description will be managed in the database and can be updated via the UI/API endpoint.");
    const description = await io.ask("Workflow description: ");
    if (!description) return io.line("Description is required. Cancelling workflow addition.");
    await this.addWorkflow(name, productType, description);
  }

  private async menuDelete(io: LineInput): Promise<void> {
    io.line(pc.underline("\nDelete existing workflow\n"));
    const rows = this.deletable();
    if (rows.length === 0) return io.line("No deletable workflows in database");
    io.line(formatTable(["#", "name", "target", "description", "product_type"], rows.map((w, i) => [i + 1, w.name, w.target, w.description, w.product_types.join(", ")])));
    const answer = (await io.ask("Which workflow do you want to delete? (q to cancel) ")) || "q";
    if (answer === "q") return;
    const index = Number(answer);
    if (!Number.isInteger(index) || index < 1 || index > rows.length) return io.line(pc.red("Invalid choice"));
    this.deleteWorkflow(rows[index - 1]!.name);
  }

  private async menuDangling(io: LineInput): Promise<void> {
    const rows = this.dangling();
    if (rows.length === 0) return io.line("No dangling workflows found.");
    io.line("\nThe following workflows were found in the database that do not have a corresponding LazyWorkflowInstance:\n");
    io.line(formatTable(["name", "target", "description", "product_type"], rows.map((w) => [w.name, w.target, w.description, w.product_types.join(", ")])));
    const answer = (await io.ask("Do you wish to delete all dangling workflows from the database? [y/n]: ")) || "n";
    if (answer !== "y") return io.line("Cancelling");
    for (const w of rows) this.deleteWorkflow(w.name);
  }

  showDiff(io: LineInput): void {
    const table = (list: WorkflowChange[]) =>
      formatTable(["name", "target", "description", "product_type"], list.map((w) => [w.name, w.target, w.description, w.product_type]));
    io.line(pc.green("\nWorkflows to add:"));
    io.line(table(this.add));
    io.line(pc.red("Workflows to delete:"));
    io.line(table(this.remove));
  }
}

/** The source of a generated migration's data lists: readable TypeScript literals. */
function literalList(name: string, type: string, items: readonly object[]): string {
  if (items.length === 0) return `const ${name}: ${type}[] = [];`;
  const lines = items.map((item) => `  { ${Object.entries(item).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")} },`);
  return `const ${name}: ${type}[] = [\n${lines.join("\n")}\n];`;
}

export function workflowMigrationBody(add: readonly WorkflowChange[], remove: readonly WorkflowChange[]) {
  return {
    imports: [`import { createWorkflow, deleteWorkflow, type WorkflowRecord } from "${CORE_PACKAGE}";`],
    preamble: `${literalList("new_workflows", "WorkflowRecord", add)}\n\n${literalList("old_workflows", "WorkflowRecord", remove)}`,
    upgradeBody: [
      "  for (const workflow of new_workflows) await createWorkflow(conn, workflow);",
      "  for (const workflow of old_workflows) await deleteWorkflow(conn, workflow.name);",
    ].join("\n"),
    downgradeBody: [
      "  for (const workflow of new_workflows) await deleteWorkflow(conn, workflow.name);",
      "  for (const workflow of old_workflows) await createWorkflow(conn, workflow);",
    ].join("\n"),
  };
}

// -----------------------------------------------------------------------------------------------------------------
// Tasks
// -----------------------------------------------------------------------------------------------------------------

export class TaskWizard {
  readonly add: TaskChange[] = [];
  readonly remove: TaskChange[] = [];

  constructor(private readonly state: RegistrationState) {}

  /** Registered workflows with a task target (SYSTEM, VALIDATE), without a row, not chosen yet. */
  addable(): Promise<string[]> {
    return registeredWithoutRow(this.state, this.add, true);
  }

  deletable(): DbWorkflow[] {
    const chosen = new Set(this.remove.map((t) => t.name));
    return this.state.database.filter((w) => w.is_task && !chosen.has(w.name));
  }

  dangling(): DbWorkflow[] {
    return unregistered(this.state, this.deletable());
  }

  async addTask(name: string, description?: string): Promise<void> {
    if (!(await this.addable()).includes(name)) {
      throw new OrchestratorError("invalid_input", `Task ${name} is not a registered task (target SYSTEM or VALIDATE) missing from the database`);
    }
    const workflow = (await getWorkflow(name))!;
    const text = (description ?? workflow.description ?? "").trim();
    if (!text) throw new OrchestratorError("invalid_input", `Task ${name} needs a description`);
    this.add.push({ name, description: text, ...(workflow.target !== "SYSTEM" ? { target: workflow.target } : {}) });
  }

  deleteTask(name: string): void {
    const task = this.deletable().find((t) => t.name === name);
    if (!task) throw new OrchestratorError("invalid_input", `Task ${name} is not in the database, or already chosen`);
    this.remove.push({ name: task.name, description: task.description, ...(task.target !== "SYSTEM" ? { target: task.target as Target } : {}) });
  }

  async run(io: LineInput): Promise<boolean> {
    for (;;) {
      io.line(pc.bold(pc.underline("\nWhat do you want to do?\n")));
      const choice = await io.menu([
        ["a", "Add task to database"],
        ["x", "Delete task from database"],
        ["c", "Delete unregistered tasks from database"],
        ["y", "Finish and create migration file"],
        ["d", "Show current diff"],
        ["q", "Quit menu without creating a migration file"],
      ]);
      if (choice === undefined || choice === "q") return false;
      if (choice === "y") return true;
      if (choice === "a") {
        const names = await this.addable();
        if (names.length === 0) {
          io.line("No registered tasks found to add to the database");
          continue;
        }
        io.line("\nWhich task should be added?");
        const key = await io.menu([...names.map((n, i) => [String(i + 1), n] as const), ["q", "cancel"]]);
        if (key === undefined || key === "q") continue;
        const name = names[Number(key) - 1]!;
        const fromCode = (await getWorkflow(name))!.description;
        const description = fromCode ?? (await io.ask("Task description: "));
        if (!description) {
          io.line("Description is required. Cancelling task addition.");
          continue;
        }
        await this.addTask(name, description);
      }
      if (choice === "x") {
        const rows = this.deletable();
        if (rows.length === 0) {
          io.line("No deletable tasks in database");
          continue;
        }
        io.line(formatTable(["#", "name", "description"], rows.map((t, i) => [i + 1, t.name, t.description])));
        const answer = (await io.ask("Which task do you want to delete? (q to cancel) ")) || "q";
        const index = Number(answer);
        if (answer !== "q" && Number.isInteger(index) && index >= 1 && index <= rows.length) this.deleteTask(rows[index - 1]!.name);
        else if (answer !== "q") io.line(pc.red("Invalid choice"));
      }
      if (choice === "c") {
        const rows = this.dangling();
        if (rows.length === 0) {
          io.line("No dangling tasks found.");
          continue;
        }
        io.line(formatTable(["name", "description"], rows.map((t) => [t.name, t.description])));
        const answer = (await io.ask("Do you wish to delete all dangling tasks from the database? [y/n]: ")) || "n";
        if (answer === "y") for (const t of rows) this.deleteTask(t.name);
        else io.line("Cancelling");
      }
      if (choice === "d") {
        io.line(pc.green("\nTasks to add:"));
        io.line(formatTable(["name", "description"], this.add.map((t) => [t.name, t.description])));
        io.line(pc.red("Tasks to delete:"));
        io.line(formatTable(["name", "description"], this.remove.map((t) => [t.name, t.description])));
      }
    }
  }
}

export function taskMigrationBody(add: readonly TaskChange[], remove: readonly TaskChange[]) {
  return {
    imports: [`import { createTask, deleteWorkflow, type TaskRecord } from "${CORE_PACKAGE}";`],
    preamble: `${literalList("new_tasks", "TaskRecord", add)}\n\n${literalList("old_tasks", "TaskRecord", remove)}`,
    upgradeBody: [
      "  for (const task of new_tasks) await createTask(conn, task);",
      "  for (const task of old_tasks) await deleteWorkflow(conn, task.name);",
    ].join("\n"),
    downgradeBody: [
      "  for (const task of new_tasks) await deleteWorkflow(conn, task.name);",
      "  for (const task of old_tasks) await createTask(conn, task);",
    ].join("\n"),
  };
}

/** Write the migration (or, with `test`, print it); "Nothing to do" writes nothing. */
export async function writeRegistrationMigration(
  project: MigrationProject,
  io: Pick<LineInput, "line">,
  message: string,
  changes: number,
  body: ReturnType<typeof workflowMigrationBody>,
  test: boolean,
): Promise<void> {
  if (changes === 0) return io.line("Nothing to do");
  if (test) {
    io.line(body.preamble);
    return;
  }
  io.line("Generating migration file.\n");
  const written = await project.revision({ message, body });
  for (const file of written) io.line(`Generating ${project.rel(file.path)} ... done`);
  io.line("Migration generated. Don't forget to create a database backup before migrating!");
}
