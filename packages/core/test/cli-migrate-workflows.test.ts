/**
 * `db migrate-workflows`, `db migrate-tasks` and `db check`, run as a user runs them: answers piped line by line (the
 * app's `main.ts` run in this process), in a pseudo-terminal (a subprocess), and as options.
 */
import assert from "node:assert/strict";
import { copyFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../src/index.js";
import { runMainHere } from "./support/cli.js";
import { appDatabase, backend } from "./support/db.js";
import { REPO_ROOT, tempDir, writeFiles } from "./support/files.js";
import { runInTerminal } from "./support/terminal.js";

const SIX = [
  ["user_group", "create_user_group", "createWorkflow"],
  ["user_group", "modify_user_group", "modifyWorkflow"],
  ["user_group", "terminate_user_group", "terminateWorkflow"],
  ["user", "create_user", "createWorkflow"],
  ["user", "modify_user", "modifyWorkflow"],
  ["user", "terminate_user", "terminateWorkflow"],
] as const;

/** Answers for the menu that add the six workflows, in the seed's order. */
const ADD_SIX = [
  "a", "2", "1", "Create user group",
  "a", "2", "1", "Modify user group",
  "a", "2", "1", "Terminate user group",
  "a", "1", "1", "Create user",
  "a", "1", "1", "Modify user",
  "a", "1", "1", "Terminate user",
];

describe(`db migrate-workflows / migrate-tasks / check (${backend})`, () => {
  const app = tempDir("wizard");
  const versions = join(app.path, "migrations", "versions", "schema");
  let uri: string;
  let drop: (() => Promise<void>) | undefined;
  const db = (args: string[], input?: string) => runMainHere(app.path, ["db", ...args], { DATABASE_URI: uri }, input);
  const ok = async (args: string[], input?: string) => {
    const r = await db(args, input);
    assert.equal(r.code, 0, `db ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const files = () => readdirSync(versions).filter((f) => f.endsWith(".ts")).sort();
  const query = async <T>(fn: (d: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
    const d = await openDatabase({ uri });
    try {
      return await fn(d);
    } finally {
      await d.close();
    }
  };
  const workflowRows = () =>
    query(async ({ db: k }) => ({
      workflows: await k.selectFrom("workflows").select(["name", "target", "description", "is_task"]).where("name", "in", SIX.map((s) => s[1])).orderBy("name").execute(),
      links: (await k.selectFrom("products_workflows as pw").innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id").select("w.name").where("w.name", "in", SIX.map((s) => s[1])).execute()).length,
    }));

  before(async () => {
    const workflowFiles: Record<string, string> = {
      "main.ts": `import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";
import "./workflows/index.js";
await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
`,
      "workflows/index.ts": [
        'import { LazyWorkflowInstance } from "@orchestrator-ts/core";',
        ...SIX.map(([dir, name]) => `new LazyWorkflowInstance("workflows.${dir}.${name}", "${name}");`),
        'new LazyWorkflowInstance("workflows.tasks.task_nightly", "task_nightly");',
        "",
      ].join("\n"),
      "workflows/tasks/task_nightly.ts": `import { step, task } from "@orchestrator-ts/core";
export const task_nightly = task({ description: "Nightly clean-up" }, step("Clean", () => undefined));
`,
    };
    for (const [dir, name, builder] of SIX) {
      workflowFiles[`workflows/${dir}/${name}.ts`] = `import { ${builder}, step } from "@orchestrator-ts/core";
export const ${name} = ${builder}({}, step("Do it", () => undefined));
`;
    }
    writeFiles(app.path, workflowFiles);
    await ok(["init"]).catch(() => undefined);
    // the beginner's data branch up to its products (the root "Create data head" and the products migration)
    const beginner = join(REPO_ROOT, "examples/beginner/migrations/versions/schema");
    for (const file of readdirSync(beginner).filter((f) => f.includes("create_data_head") || f.includes("products"))) {
      copyFileSync(join(beginner, file), join(versions, file));
    }
    // the beginner's products migration predates migrate-domain-models linking DEFAULT_PRODUCT_WORKFLOWS, which db check requires
    writeFiles(versions, {
      "2026-11-27_d3fa017f1045_link_default_workflows.ts": `import { ensureDefaultWorkflows } from "@orchestrator-ts/core";
export const revision = "d3fa017f1045";
export const down_revision = "ebe6c37cf4c3";
export const branch_labels = null;
export const depends_on = null;
export async function upgrade(conn) { await ensureDefaultWorkflows(conn); }
export async function downgrade() {}
`,
    });
    ({ uri, drop } = await appDatabase(app.path));
    await ok(["upgrade", "heads"]);
  });
  after(async () => {
    await drop?.();
    app.cleanup();
  });

  it("q quits without writing; an empty description cancels the addition; nothing to do writes nothing", async () => {
    const before = files();
    let out = await ok(["migrate-workflows", "nothing"], "q\n");
    assert.match(out, /What do you want to do\?/);
    assert.match(out, /a\) Add workflow to database\nx\) Delete workflow from database\nc\) Delete unregistered workflows from database\ny\) Finish and create migration file\nd\) Show current diff\nq\) Quit menu without creating a migration file\n\? q/);
    out = await ok(["migrate-workflows", "nothing"], "z\na\n2\n1\n\ny\n");
    assert.match(out, /Invalid choice/);
    assert.match(out, /Which product type should the workflow be added to\?\n1\) User\n2\) UserGroup\nq\) cancel/);
    assert.match(out, /Add product type UserGroup to which workflow\?\n1\) create_user_group\n2\) modify_user_group/);
    assert.doesNotMatch(out, /\d\) task_nightly/, "tasks are not offered");
    assert.doesNotMatch(out, /\d\) modify_note/, "workflows already in the database are not offered");
    assert.match(out, /Description is required\. Cancelling workflow addition\./);
    assert.match(out, /Nothing to do/);
    out = await ok(["migrate-workflows", "nothing"], "a\n");
    assert.deepEqual(files(), before, "input that ends mid-menu writes nothing");
  });

  it("answers piped line by line write the migration; upgrade gives the six workflows and nine links", async () => {
    const before = files();
    const out = await ok(["migrate-workflows", "add User and UserGroup workflows"], [...ADD_SIX, "d", "y", ""].join("\n"));
    assert.match(out, /Workflows to add:\nname\s+target\s+description\s+product_type\n[- ]+\ncreate_user_group\s+CREATE\s+Create user group\s+UserGroup/);
    assert.match(out, /Generating migration file\./);
    assert.match(out, /Migration generated\. Don't forget to create a database backup before migrating!/);
    const added = files().filter((f) => !before.includes(f));
    assert.equal(added.length, 1, "the data branch exists already");
    const migration = readFileSync(join(versions, added.find((f) => f.includes("add_user_and_usergroup_workflows"))!), "utf8");
    assert.match(migration, /const new_workflows: WorkflowRecord\[\] = \[\n  \{ name: "create_user_group", target: "CREATE", description: "Create user group", product_type: "UserGroup" \},/);
    assert.match(migration, /for \(const workflow of new_workflows\) await createWorkflow\(conn, workflow\);/);
    assert.match(migration, /export async function downgrade[\s\S]*for \(const workflow of new_workflows\) await deleteWorkflow\(conn, workflow\.name\);/);
    await ok(["upgrade", "heads"]);
    const rows = await workflowRows();
    assert.deepEqual(rows.workflows, [
      { name: "create_user", target: "CREATE", description: "Create user", is_task: false },
      { name: "create_user_group", target: "CREATE", description: "Create user group", is_task: false },
      { name: "modify_user", target: "MODIFY", description: "Modify user", is_task: false },
      { name: "modify_user_group", target: "MODIFY", description: "Modify user group", is_task: false },
      { name: "terminate_user", target: "TERMINATE", description: "Terminate user", is_task: false },
      { name: "terminate_user_group", target: "TERMINATE", description: "Terminate user group", is_task: false },
    ]);
    assert.equal(rows.links, 9);
    await ok(["downgrade"]);
    assert.deepEqual((await workflowRows()).workflows, []);
    for (const f of added.filter((f) => f.includes("add_user_and_usergroup_workflows"))) rmSync(join(versions, f));
  });

  it("the same answers typed in a terminal write an equivalent migration", async () => {
    const before = files();
    const result = await runInTerminal({ cwd: app.path, args: ["db", "migrate-workflows", "add workflows from a terminal"], env: { DATABASE_URI: uri }, answers: [...ADD_SIX, "y"] });
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Migration generated/);
    const added = files().filter((f) => !before.includes(f));
    assert.equal(added.length, 1);
    const text = readFileSync(join(versions, added[0]!), "utf8");
    for (const [, name] of SIX) assert.match(text, new RegExp(`name: "${name}"`));
    await ok(["upgrade", "heads"]);
    const rows = await workflowRows();
    assert.equal(rows.workflows.length, 6);
    assert.equal(rows.links, 9);
  });

  it("migrate-tasks adds a task registered in code with its description from code", async () => {
    let out = await ok(["migrate-tasks", "add nightly", "--test"], "a\n1\ny\n");
    assert.match(out, /Which task should be added\?\n1\) task_nightly/);
    assert.match(out, /const new_tasks: TaskRecord\[\] = \[\n  \{ name: "task_nightly", description: "Nightly clean-up" \},/);
    out = await ok(["migrate-tasks", "add nightly", "--add", "task_nightly"]);
    assert.match(out, /Migration generated/);
    await ok(["upgrade", "heads"]);
    const row = await query(({ db: k }) => k.selectFrom("workflows").select(["target", "is_task", "description"]).where("name", "=", "task_nightly").executeTakeFirstOrThrow());
    assert.deepEqual(row, { target: "SYSTEM", is_task: true, description: "Nightly clean-up" });
  });

  it("check agrees now; x and c write deletions, every dangling workflow included", async () => {
    assert.match(await ok(["check"]), /Code and database agree on all/);
    // six dangling workflows linked to products (the original took only four)
    await query(async ({ db: k }) => {
      for (let i = 1; i <= 6; i++) {
        const w = await k.insertInto("workflows").values({ name: `old_${i}`, target: "MODIFY", description: `old ${i}` }).returning("workflow_id").executeTakeFirstOrThrow();
        await k.insertInto("products_workflows").values({ workflow_id: w.workflow_id, product_id: k.selectFrom("products").select("product_id").where("name", "=", "User Group") }).execute();
      }
    });
    const check = await db(["check"]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /Workflows in the database but not registered in code \(no LazyWorkflowInstance\):\n  old_1\n/);
    assert.match(check.stderr, /Error: 6 workflow registration problems found/);
    const out = await ok(["migrate-workflows", "remove old workflows", "--test"], "c\ny\nd\ny\n");
    assert.match(out, /The following workflows were found in the database that do not have a corresponding LazyWorkflowInstance/);
    for (let i = 1; i <= 6; i++) assert.match(out, new RegExp(`name: "old_${i}"`));
    const before = files();
    await ok(["migrate-workflows", "remove old_1"], "x\n1\ny\n");
    const added = files().filter((f) => !before.includes(f));
    assert.match(readFileSync(join(versions, added[0]!), "utf8"), /const old_workflows: WorkflowRecord\[\] = \[\n  \{ name: "create_user"/);
    rmSync(join(versions, added[0]!));
  });

  it("--add, --delete and --test work without the menu; bad options are clear errors", async () => {
    let r = await db(["migrate-workflows", "x", "--add", "create_user"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--add "create_user": expected name:product_type:description/);
    r = await db(["migrate-workflows", "x", "--add", "create_user:User:Again"]);
    assert.match(r.stderr, /Workflow create_user is a task, already in the database, or chosen already/);
    r = await db(["migrate-workflows", "x", "--add", "nope:User:x"]);
    assert.match(r.stderr, /Workflow nope is not registered in code/);
    const out = await ok(["migrate-workflows", "drop two", "--delete", "old_1", "--delete", "old_2", "--test"]);
    assert.match(out, /const old_workflows: WorkflowRecord\[\] = \[\n  \{ name: "old_1", target: "MODIFY", description: "old 1", product_type: "UserGroup" \},\n  \{ name: "old_2"/);
  });

});
