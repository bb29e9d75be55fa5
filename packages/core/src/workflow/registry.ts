/**
 * The code side of workflow registration: `new LazyWorkflowInstance(module, name)` puts `name` in ALL_WORKFLOWS; the
 * module is imported the first time the workflow is needed and must export a workflow called `name`. The link with
 * the database's `workflows` row is the name alone. A module is named by a path or a dotted name from the app root,
 * or given as a loader (`() => import("./modify_note.js")`), which is how the core workflows register: a loader is
 * resolved by the module system, whatever the layout of the files.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { OrchestratorError } from "../errors.js";
import { isWorkflow, type Workflow } from "./workflow.js";

let appRoot = process.cwd();

/** Where dotted module names (`workflows.user.create_user`) are looked up; set by the app (runCli does it). */
export function setWorkflowRoot(root: string): void {
  appRoot = root;
}

export function workflowRoot(): string {
  return appRoot;
}

/** Registered workflows by name, in registration order. */
export const ALL_WORKFLOWS = new Map<string, LazyWorkflowInstance>();

const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

function findFile(base: string): string | undefined {
  if (EXTENSIONS.some((e) => base.endsWith(e)) && existsSync(base)) return base;
  const stripped = base.replace(/\.(js|mjs)$/, "");
  for (const candidate of [...EXTENSIONS.map((e) => stripped + e), ...EXTENSIONS.map((e) => join(stripped, `index${e}`))]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Imports a workflow's module: `() => import("./modify_note.js")`. */
export type WorkflowModuleLoader = () => Promise<object>;

export class LazyWorkflowInstance {
  /** The module's name as registered (with a loader: its label, shown in the registration view and messages). */
  readonly package: string;
  readonly function: string;
  private readonly load?: WorkflowModuleLoader;
  private loaded?: Workflow;

  /**
   * @param module `"workflows.user_group.create_user_group"` (dotted, from the app root), a path relative to the app
   *   root (`"./workflows/user_group/create_user_group.js"`) or an absolute path or file URL; with `load`, a label.
   * @param name the workflow's name: the export to load and the key in the database.
   * @param load imports the module instead of looking `module` up on disk (how the core workflows register).
   */
  constructor(module: string, name: string, load?: WorkflowModuleLoader) {
    if (typeof module !== "string" || !module) throw new OrchestratorError("invalid_workflow", "LazyWorkflowInstance needs a module");
    if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new OrchestratorError("invalid_workflow", `Invalid workflow name ${JSON.stringify(name)}: use letters, digits and _`);
    }
    if (load !== undefined && typeof load !== "function") throw new OrchestratorError("invalid_workflow", "LazyWorkflowInstance's loader must be a function");
    this.package = module;
    this.function = name;
    this.load = load;
    ALL_WORKFLOWS.set(name, this);
  }

  /** The file the module name points to, or undefined when there is none (or the module comes from a loader). */
  resolveFile(): string | undefined {
    if (this.load) return undefined;
    const m = this.package;
    if (m.startsWith("file:")) return findFile(fileURLToPath(m));
    if (isAbsolute(m)) return findFile(m);
    if (m.startsWith("./") || m.startsWith("../")) return findFile(resolve(appRoot, m));
    return findFile(join(appRoot, ...m.split(".")));
  }

  /** Import the module (once) and return its workflow, with `name` set to the registered name. */
  async instantiate(): Promise<Workflow> {
    if (this.loaded) return this.loaded;
    const file = this.load ? undefined : this.resolveFile();
    if (!this.load && !file) {
      throw new OrchestratorError("invalid_workflow", `Invalid workflow: module ${this.package} does not exist or has invalid imports`);
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await (this.load ? this.load() : import(pathToFileURL(file!).href))) as Record<string, unknown>;
    } catch (error) {
      throw new OrchestratorError(
        "invalid_workflow",
        `Invalid workflow: module ${this.package} does not exist or has invalid imports (${(error as Error).message})`,
        { cause: error },
      );
    }
    const value = mod[this.function];
    if (value === undefined) {
      throw new OrchestratorError("invalid_workflow", `Invalid workflow: module ${this.package} has no export named ${this.function}`);
    }
    if (!isWorkflow(value)) {
      throw new OrchestratorError(
        "invalid_workflow",
        `Invalid workflow: ${this.package}.${this.function} is not a workflow (build it with workflow(), createWorkflow(), task(), …)`,
      );
    }
    value.name = this.function;
    this.loaded = value;
    return value;
  }

  toString(): string {
    return `${this.package}.${this.function}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `LazyWorkflowInstance('${this.package}','${this.function}')`;
  }
}

/** The workflow registered as `name`, loading its module on first use; undefined when nothing is registered. */
export async function getWorkflow(name: string): Promise<Workflow | undefined> {
  const instance = ALL_WORKFLOWS.get(name);
  return instance ? instance.instantiate() : undefined;
}
