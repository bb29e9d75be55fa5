/**
 * An app's migrations: the core `schema` branch shipped inside this library plus the app's own
 * `migrations/versions/schema/` folder, where the `data` branch lives. What `db init`, `db revision` and `db merge`
 * do to the files.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrationError } from "../errors.js";
import { loadMigrations, type MigrationSet } from "./loader.js";
import { DEFAULT_TEMPLATE, writeRevision, type NewRevision } from "./script.js";

/** The folder of the core schema revisions (branch `schema`). */
export const CORE_VERSIONS_FOLDER = fileURLToPath(new URL("./versions/schema", import.meta.url));
/** The package name app migrations import from. */
export const CORE_PACKAGE = "@orchestrator-ts/core";
export const SCHEMA_BRANCH = "schema";
export const DATA_BRANCH = "data";

export class MigrationProject {
  readonly migrationsFolder: string;
  readonly versionsFolder: string;
  readonly templatePath: string;

  constructor(readonly appRoot: string) {
    this.migrationsFolder = join(appRoot, "migrations");
    this.versionsFolder = join(this.migrationsFolder, "versions", "schema");
    this.templatePath = join(this.migrationsFolder, "script.ts.tmpl");
  }

  /** Version locations: core first, then the app's. */
  get locations(): string[] {
    return [CORE_VERSIONS_FOLDER, this.versionsFolder];
  }

  load(): Promise<MigrationSet> {
    return loadMigrations(this.locations);
  }

  /** `db init`: create the folders and files an app's migrations need. */
  init(): string[] {
    if (existsSync(this.migrationsFolder) && readdirSync(this.migrationsFolder).length > 0) {
      throw new MigrationError(`Directory ${this.rel(this.migrationsFolder)} already exists and is not empty`);
    }
    mkdirSync(this.versionsFolder, { recursive: true });
    writeFileSync(this.templatePath, DEFAULT_TEMPLATE);
    const helpers = join(this.migrationsFolder, "helpers.ts");
    writeFileSync(
      helpers,
      `/** Migration helpers: everything the core offers, plus your own. */\nexport * from "${CORE_PACKAGE}/migrations/helpers";\n\n// Write your own helper functions below this line.\n`,
    );
    return [this.migrationsFolder, join(this.migrationsFolder, "versions"), this.versionsFolder, this.templatePath, helpers];
  }

  /**
   * Write the root of the `data` branch if no revision carries the `data` label yet. It depends on the current
   * schema head, so `upgrade heads` applies the core schema first. Returns the written file, or undefined.
   */
  async createDataHeadIfNotExists(set: MigrationSet, now?: Date): Promise<{ path: string; revision: string } | undefined> {
    if (set.graph.hasLabel(DATA_BRANCH)) return undefined;
    const schemaHead = set.graph.branchHead(SCHEMA_BRANCH).revision;
    return this.write({
      message: "Create data head",
      downRevisions: [],
      branchLabels: [DATA_BRANCH],
      dependsOn: [schemaHead],
      now,
    });
  }

  /**
   * `db revision`: an empty revision on top of `head` (default `data@head`; a bare branch label means its head;
   * `base` starts a new root). Creates the data head first when needed. Returns the files written.
   */
  async revision(options: {
    message: string;
    head?: string;
    branchLabels?: readonly string[];
    dependsOn?: readonly string[];
    now?: Date;
    body?: Pick<NewRevision, "imports" | "preamble" | "upgradeBody" | "downgradeBody">;
  }): Promise<{ path: string; revision: string }[]> {
    if (!options.message.trim()) throw new MigrationError("A revision needs a message (--message)");
    let set = await this.load();
    const written: { path: string; revision: string }[] = [];
    const dataHead = await this.createDataHeadIfNotExists(set, options.now);
    if (dataHead) {
      written.push(dataHead);
      set = await this.load();
    }
    const head = options.head ?? `${DATA_BRANCH}@head`;
    let downRevisions: string[];
    if (head === "base") downRevisions = [];
    else {
      const name = head.replace(/@head$/, "");
      const id = set.graph.hasLabel(name) ? set.graph.branchHead(name).revision : set.graph.resolveId(name);
      if (set.graph.childrenOf(id).length > 0) {
        throw new MigrationError(`Revision ${id} is not a head revision; give a head (see \`db heads\`) or a branch such as data@head`);
      }
      downRevisions = [id];
    }
    const dependsOn = (options.dependsOn ?? []).map((d) => (set.graph.hasLabel(d) ? set.graph.branchHead(d).revision : set.graph.resolveId(d)));
    for (const label of options.branchLabels ?? []) {
      if (set.graph.hasLabel(label)) throw new MigrationError(`Branch label "${label}" is already used by ${set.graph.labelRevision(label).revision}`);
    }
    written.push(
      this.write({
        message: options.message,
        downRevisions,
        branchLabels: options.branchLabels,
        dependsOn,
        now: options.now,
        ...options.body,
      }),
    );
    return written;
  }

  /**
   * `db merge`: one revision whose down_revision lists the given revisions: ids, prefixes, `heads` (every head), or
   * branch labels, each meaning every head of that branch, so `db merge data` joins a data branch that has split.
   */
  async merge(revisions: readonly string[], message: string): Promise<{ path: string; revision: string }> {
    const set = await this.load();
    const { graph } = set;
    const ids = new Set<string>();
    for (const spec of revisions) {
      const name = spec.replace(/@head$/, "");
      if (spec === "heads") for (const h of graph.heads()) ids.add(h.revision);
      else if (graph.hasLabel(name)) {
        const members = graph.branchMembers(name);
        for (const h of graph.heads()) if (members.has(h.revision)) ids.add(h.revision);
      } else ids.add(graph.resolveId(name));
    }
    if (ids.size < 2) {
      const only = [...ids].map((id) => graph.describe(id)).join(", ") || "none";
      throw new MigrationError(`A merge needs at least two different heads; ${revisions.join(" ")} ${revisions.length > 1 ? "name" : "names"} one (${only}): nothing to merge (see \`db heads\`)`);
    }
    for (const id of ids) {
      const others = [...ids].filter((o) => o !== id);
      if (others.some((o) => graph.downAncestors(o).has(id))) {
        throw new MigrationError(`Revision ${id} is an ancestor of another revision in the merge; merge heads only`);
      }
    }
    return this.write({ message, downRevisions: [...ids] });
  }

  private write(rev: NewRevision): { path: string; revision: string } {
    return writeRevision(rev, { folder: this.versionsFolder, templatePath: this.templatePath, corePackage: CORE_PACKAGE });
  }

  rel(path: string): string {
    const r = relative(process.cwd(), path);
    return r.startsWith("..") || r === "" ? path : r;
  }
}
