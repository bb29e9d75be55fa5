/**
 * The `db` command group: init, revision, upgrade, downgrade, heads, current, history, merge.
 * Output follows Alembic's (`<rev> (data) (head)`, `Running upgrade a -> b, message`).
 */
import { Command } from "commander";
import pc from "picocolors";
import { openDatabase } from "../db/index.js";
import { MigrationError } from "../errors.js";
import { type MigrationSet, MigrationProject, Migrator } from "../migrations/index.js";
import type { CliContext } from "./context.js";
import { cliProcess } from "./process.js";
import { domainMigrationBody, planDomainMigration } from "./migrate-domain-models.js";
import { runRegistrationCheck } from "./registration-check.js";
import { withPrompts, type LineInput } from "./prompt.js";
import {
  readRegistrationState,
  TaskWizard,
  taskMigrationBody,
  WorkflowWizard,
  workflowMigrationBody,
  writeRegistrationMigration,
  type RegistrationState,
} from "./migrate-workflows.js";

const collect = (value: string, previous: string[]) => [...previous, value];

export function dbCommand(ctx: CliContext): Command {
  const project = new MigrationProject(ctx.appRoot);
  const db = new Command("db").description("Interact with the application database and its migrations");

  /** Run `fn` with a migrator on the app's database; always closes the database. */
  async function withMigrator<T>(fn: (migrator: Migrator, set: MigrationSet) => Promise<T>): Promise<T> {
    const set = await project.load();
    const settings = ctx.settings();
    const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: 2 });
    try {
      return await fn(new Migrator(database.db, set), set);
    } finally {
      await database.close();
    }
  }

  const label = (set: MigrationSet, id: string): string => {
    const branches = set.graph.branchesOf(id);
    const isHead = set.graph.childrenOf(id).length === 0;
    return `${id}${branches.length ? ` (${branches.join(", ")})` : ""}${isHead ? " (head)" : ""}`;
  };

  db.command("init")
    .description("Create the migrations folder of this app (migrations/versions/schema, template, helpers)")
    .addHelpText("after", "\nExample:\n  npx tsx main.ts db init")
    .action(() => {
      for (const path of project.init()) ctx.out(`Created ${project.rel(path)}`);
    });

  db.command("revision")
    .description("Create a new empty revision file (the first one also creates the root of the data branch)")
    .requiredOption("-m, --message <message>", "what the revision does; becomes its description and file name")
    .option("--head <revision>", "revision or branch to build on: data (default), schema, a revision id, or base", "data@head")
    .option("--branch-label <label>", "put a new branch label on the revision")
    .option("--depends-on <revision...>", "revisions this one depends on across branches")
    .addHelpText("after", '\nExample:\n  npx tsx main.ts db revision --head data --message "add User and UserGroup workflows"')
    .action(async (opts: { message: string; head: string; branchLabel?: string; dependsOn?: string[] }) => {
      const written = await project.revision({
        message: opts.message,
        head: opts.head,
        branchLabels: opts.branchLabel ? [opts.branchLabel] : undefined,
        dependsOn: opts.dependsOn,
      });
      for (const file of written) ctx.out(`Generating ${project.rel(file.path)} ... done`);
    });

  db.command("upgrade")
    .description("Apply revisions up to REVISION (heads, head, branch@head, an id or prefix, +N, branch@+N, revision@+N)")
    .argument("<revision>", "target, e.g. heads")
    .addHelpText("after", "\nExamples:\n  npx tsx main.ts db upgrade heads\n  npx tsx main.ts db upgrade data@+1")
    .action(async (target: string) => {
      await withMigrator(async (migrator) => {
        const done = await migrator.upgrade(target, {
          onStart: (e) => ctx.out(e.description),
          onDone: (e) => e.skipped && ctx.out(pc.dim(`  ${e.revision.revision} was applied by another run meanwhile`)),
        });
        if (done.length === 0) ctx.out("Nothing to upgrade: the database is up to date");
      });
    });

  db.command("downgrade")
    .description("Undo revisions down to REVISION (-1 by default; base, branch@base, -N, branch@-N, revision@-N, an id)")
    .argument("[revision]", "target", "-1")
    .addHelpText("after", "\nExamples:\n  npx tsx main.ts db downgrade\n  npx tsx main.ts db downgrade data@-1\n  npx tsx main.ts db downgrade base")
    .action(async (target: string) => {
      await withMigrator(async (migrator) => {
        const done = await migrator.downgrade(target, { onStart: (e) => ctx.out(e.description) });
        if (done.length === 0) ctx.out("Nothing to downgrade");
      });
    });

  db.command("heads")
    .description("Show the head revision of every branch")
    .addHelpText("after", "\nExample:\n  npx tsx main.ts db heads")
    .action(async () => {
      const set = await project.load();
      for (const head of set.graph.heads()) ctx.out(label(set, head.revision));
    });

  db.command("current")
    .description("Show the revisions the database is at")
    .addHelpText("after", "\nExample:\n  npx tsx main.ts db current")
    .action(async () => {
      await withMigrator(async (migrator, set) => {
        const current = await migrator.current();
        if (current.length === 0) ctx.out("The database is at base (no revision applied)");
        for (const id of current) ctx.out(label(set, id));
      });
    });

  db.command("history")
    .description("List revisions, newest first, marking the database's current ones")
    .option("-v, --verbose", "show file, parents, dependencies and branch labels of each revision")
    .option("--no-current", "do not open the database to mark the current revisions")
    .addHelpText("after", "\nExample:\n  npx tsx main.ts db history --verbose")
    .action(async (opts: { verbose?: boolean; current: boolean }) => {
      const set = await project.load();
      const current = opts.current ? new Set(await withMigrator((m) => m.current())) : new Set<string>();
      const ordered = set.graph.topological(set.graph.revisions.map((r) => r.revision)).reverse();
      for (const id of ordered) {
        const node = set.graph.get(id);
        const down = node.downRevisions.length ? node.downRevisions.join(", ") : "<base>";
        const tags = [
          ...(set.graph.branchesOf(id).length ? [`(${set.graph.branchesOf(id).join(", ")})`] : []),
          ...(set.graph.childrenOf(id).length === 0 ? ["(head)"] : []),
          ...(node.downRevisions.length > 1 ? ["(mergepoint)"] : []),
          ...(set.graph.childrenOf(id).length > 1 ? ["(branchpoint)"] : []),
          ...(current.has(id) ? ["(current)"] : []),
        ];
        ctx.out(`${down} -> ${id}${tags.length ? ` ${tags.join(" ")}` : ""}, ${node.message}`);
        if (opts.verbose) {
          ctx.out(`    Path: ${node.source}`);
          if (node.branchLabels.length) ctx.out(`    Branch labels: ${node.branchLabels.join(", ")}`);
          if (node.dependsOn.length) ctx.out(`    Depends on: ${node.dependsOn.join(", ")}`);
          ctx.out("");
        }
      }
    });

  db.command("merge")
    .description("Create a revision that merges several heads into one")
    .argument("<revisions...>", "what to merge: revision ids or prefixes, heads, or branch labels (every head of the branch)")
    .requiredOption("-m, --message <message>", "description of the merge")
    .addHelpText(
      "after",
      '\nExamples:\n  npx tsx main.ts db merge data -m "merge heads"\n  npx tsx main.ts db merge 1a2b3c 4d5e6f -m "merge feature branches"',
    )
    .action(async (revisions: string[], opts: { message: string }) => {
      const file = await project.merge(revisions, opts.message);
      ctx.out(`Generating ${project.rel(file.path)} ... done`);
    });

  /** Read the registration state from the database (opened and closed again). */
  async function registrationState(): Promise<RegistrationState> {
    const settings = ctx.settings();
    const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: 2 });
    try {
      return await readRegistrationState(database.db);
    } finally {
      await database.close();
    }
  }

  /** Prompts on the terminal (or ctx.input) for the length of `fn`; the input is released afterwards. */
  const prompting = <T>(fn: (io: LineInput) => Promise<T>) => withPrompts(ctx.input ?? cliProcess().stdin, cliProcess().stdout, fn);

  db.command("migrate-workflows")
    .description("Write a migration that adds workflows registered in code to the database (and removes old ones), from a menu")
    .argument("<message>", "description of the migration")
    .option("--add <name:product_type:description>", "add a workflow without the menu (repeatable)", collect, [])
    .option("--delete <name>", "delete a workflow without the menu (repeatable)", collect, [])
    .option("--test", "print the lists instead of writing the migration")
    .addHelpText(
      "after",
      '\nExamples:\n  npx tsx main.ts db migrate-workflows "add User and UserGroup workflows"\n' +
        '  npx tsx main.ts db migrate-workflows "add create_user" --add "create_user:User:Create user"',
    )
    .action(async (message: string, opts: { add: string[]; delete: string[]; test?: boolean }) => {
      const wizard = new WorkflowWizard(await registrationState());
      await prompting(async (io) => {
        if (opts.add.length || opts.delete.length) {
          for (const spec of opts.add) {
            const [name, productType, ...rest] = spec.split(":");
            if (!name || !productType || rest.length === 0) {
              throw new MigrationError(`--add ${JSON.stringify(spec)}: expected name:product_type:description`);
            }
            await wizard.addWorkflow(name, productType, rest.join(":"));
          }
          for (const name of opts.delete) wizard.deleteWorkflow(name);
        } else if (!(await wizard.run(io))) {
          return;
        }
        await writeRegistrationMigration(project, io, message, wizard.add.length + wizard.remove.length, workflowMigrationBody(wizard.add, wizard.remove), opts.test === true);
      });
    });

  db.command("migrate-tasks")
    .description("Write a migration that adds tasks registered in code to the database (and removes old ones), from a menu")
    .argument("<message>", "description of the migration")
    .option("--add <name[:description]>", "add a task without the menu (repeatable); the description defaults to the one in code", collect, [])
    .option("--delete <name>", "delete a task without the menu (repeatable)", collect, [])
    .option("--test", "print the lists instead of writing the migration")
    .addHelpText("after", '\nExample:\n  npx tsx main.ts db migrate-tasks "add the nightly tasks"')
    .action(async (message: string, opts: { add: string[]; delete: string[]; test?: boolean }) => {
      const wizard = new TaskWizard(await registrationState());
      await prompting(async (io) => {
        if (opts.add.length || opts.delete.length) {
          for (const spec of opts.add) {
            const [name, ...rest] = spec.split(":");
            await wizard.addTask(name!, rest.length ? rest.join(":") : undefined);
          }
          for (const name of opts.delete) wizard.deleteTask(name);
        } else if (!(await wizard.run(io))) {
          return;
        }
        await writeRegistrationMigration(project, io, message, wizard.add.length + wizard.remove.length, taskMigrationBody(wizard.add, wizard.remove), opts.test === true);
      });
    });

  db.command("migrate-domain-models")
    .description("Write a migration that brings the products, blocks and resource types in the database to the registered domain models")
    .argument("<message>", "description of the migration")
    .option("--test", "print the SQL instead of writing the migration")
    .option("--inputs <json>", 'prefilled answers, e.g. {"User Group": {"description": "…", "tag": "GROUP"}}', "{}")
    .option("--updates <json>", 'renames, e.g. {"resource_types": {"old_name": "new_name"}}', "{}")
    .addHelpText("after", '\nExample:\n  npx tsx main.ts db migrate-domain-models "add User and UserGroup products"')
    .action(async (message: string, opts: { test?: boolean; inputs: string; updates: string }) => {
      const parse = (name: string, text: string) => {
        try {
          return JSON.parse(text) as never;
        } catch (error) {
          throw new MigrationError(`--${name} is not valid JSON: ${(error as Error).message}`);
        }
      };
      await prompting(async (io) => {
        const settings = ctx.settings();
        const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: 2 });
        let plan;
        try {
          plan = await planDomainMigration(database.db, { inputs: parse("inputs", opts.inputs), updates: parse("updates", opts.updates), io });
        } finally {
          await database.close();
        }
        for (const change of plan.changes) io.line(`  ${change}`);
        if (plan.upgrade.length === 0) return io.line("Nothing to do");
        if (opts.test) {
          io.line("-- upgrade");
          for (const statement of plan.upgrade) io.line(`${statement};`);
          io.line("-- downgrade");
          for (const statement of plan.downgrade) io.line(`${statement};`);
          return;
        }
        const written = await project.revision({ message, body: domainMigrationBody(plan) });
        for (const file of written) io.line(`Generating ${project.rel(file.path)} ... done`);
        io.line("Migration generated. Don't forget to create a database backup before migrating!");
      });
    });

  db.command("check")
    .description("Check that code, workflows table and products agree on the workflows (the registration view's and task_validate_products' verdict)")
    .addHelpText("after", "\nExample:\n  npx tsx main.ts db check")
    .action(async () => {
      const settings = ctx.settings();
      const database = await openDatabase({ uri: settings.DATABASE_URI, appRoot: ctx.appRoot, poolSize: 2 });
      try {
        await runRegistrationCheck(database.db, { defaultWorkflows: settings.DEFAULT_PRODUCT_WORKFLOWS, out: ctx.out });
      } finally {
        await database.close();
      }
    });

  return db;
}
