/**
 * Every prompt of the CLI in a real terminal: `db migrate-domain-models`, `db migrate-workflows` and
 * `db migrate-tasks` run in a pseudo-terminal, answers typed as a person types them and standard input left open.
 * Each must write its file after `y` (nothing after `q`) and exit by itself at once with status 0: a readline
 * interface left open on the terminal would keep the process waiting until Ctrl-C.
 */
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase, sql } from "../src/index.js";
import { runMainHere } from "./support/cli.js";
import { appDatabase, backend } from "./support/db.js";
import { REPO_ROOT, tempDir, writeFiles } from "./support/files.js";
import { runInTerminal, type TerminalRun } from "./support/terminal.js";

/** The beginner's questions, in the order migrate-domain-models asks them. */
const PRODUCT_ANSWERS = ["user group administration", "GROUP", "user administration - internal", "USER_INT", "1", "user administration - external", "USER_EXT", "2"];

/** The menu answers that add the six workflows (product type, workflow, description each). */
const ADD_SIX = [
  "a", "2", "1", "Create user group",
  "a", "2", "1", "Modify user group",
  "a", "2", "1", "Terminate user group",
  "a", "1", "1", "Create user",
  "a", "1", "1", "Modify user",
  "a", "1", "1", "Terminate user",
];

/** How soon after its last answer a command must have exited (tsx and the database are already up by then). */
const EXIT_WITHIN_MS = 5_000;

describe(`prompts in a real terminal exit by themselves (${backend})`, () => {
  const app = tempDir("terminal");
  const versions = join(app.path, "migrations", "versions", "schema");
  let uri: string;
  let drop: (() => Promise<void>) | undefined;
  const files = () => readdirSync(versions).filter((f) => f.endsWith(".ts")).sort();
  const terminal = (args: string[], answers: string[]) =>
    runInTerminal({ cwd: app.path, args: ["db", ...args], env: { DATABASE_URI: uri }, answers, exitWithinMs: EXIT_WITHIN_MS });
  /** The command exited by itself, soon after the last answer, with status 0. */
  const exitedCleanly = (run: TerminalRun) => {
    assert.ok(run.exitedByItself, `still running ${EXIT_WITHIN_MS} ms after the last answer:\n${run.output}`);
    assert.equal(run.code, 0, run.output);
    assert.ok(run.msAfterLastAnswer < EXIT_WITHIN_MS, `${run.msAfterLastAnswer} ms`);
  };
  /** Run `fn` and return the migration files it added. */
  const added = async (fn: () => Promise<void>) => {
    const before = files();
    await fn();
    return files().filter((f) => !before.includes(f));
  };

  before(async () => {
    // the beginner's models and workflows, and one task, registered in code; no migrations yet
    cpSync(join(REPO_ROOT, "examples/beginner/products"), join(app.path, "products"), { recursive: true });
    cpSync(join(REPO_ROOT, "examples/beginner/workflows"), join(app.path, "workflows"), { recursive: true });
    cpSync(join(REPO_ROOT, "examples/beginner/main.ts"), join(app.path, "main.ts"));
    const index = readFileSync(join(app.path, "workflows/index.ts"), "utf8");
    writeFiles(app.path, {
      "workflows/index.ts": `${index}new LazyWorkflowInstance("workflows.tasks.task_nightly", "task_nightly");\n`,
      "workflows/tasks/task_nightly.ts": `import { step, task } from "@orchestrator-ts/core";
export const task_nightly = task({ description: "Nightly clean-up" }, step("Clean", () => undefined));
`,
    });
    ({ uri, drop } = await appDatabase(app.path));
    for (const args of [["init"], ["upgrade", "heads"]]) {
      const r = await runMainHere(app.path, ["db", ...args], { DATABASE_URI: uri });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
  });
  after(async () => {
    await drop?.();
    app.cleanup();
  });

  it("migrate-domain-models: the questions typed, the products migration written, exits", async () => {
    let run!: TerminalRun;
    const written = await added(async () => {
      run = await terminal(["migrate-domain-models", "add User and UserGroup products"], PRODUCT_ANSWERS);
    });
    exitedCleanly(run);
    assert.match(run.output, /Supply the product description for User Group: user group administration\n/, "the terminal echoes what is typed");
    assert.match(run.output, /Migration generated/);
    assert.equal(written.filter((f) => f.includes("add_user_and_usergroup_products")).length, 1, written.join(", "));
    const upgraded = await runMainHere(app.path, ["db", "upgrade", "heads"], { DATABASE_URI: uri });
    assert.equal(upgraded.code, 0, upgraded.stdout + upgraded.stderr);
  });

  it("migrate-workflows: q writes nothing and exits", async () => {
    let run!: TerminalRun;
    assert.deepEqual(await added(async () => void (run = await terminal(["migrate-workflows", "nothing"], ["q"]))), []);
    exitedCleanly(run);
    assert.match(run.output, /q\) Quit menu without creating a migration file\n\? q\n/);
  });

  it("migrate-workflows: the six workflows added, y writes the migration and exits", async () => {
    let run!: TerminalRun;
    const written = await added(async () => void (run = await terminal(["migrate-workflows", "add User and UserGroup workflows"], [...ADD_SIX, "d", "y"])));
    exitedCleanly(run);
    assert.match(run.output, /Migration generated/);
    assert.equal(written.length, 1, written.join(", "));
    const text = readFileSync(join(versions, written[0]!), "utf8");
    for (const name of ["create_user_group", "modify_user_group", "terminate_user_group", "create_user", "modify_user", "terminate_user"]) {
      assert.match(text, new RegExp(`name: "${name}"`));
    }
    const upgraded = await runMainHere(app.path, ["db", "upgrade", "heads"], { DATABASE_URI: uri });
    assert.equal(upgraded.code, 0, upgraded.stdout + upgraded.stderr);
  });

  it("migrate-tasks: q writes nothing, a 1 y writes the task migration; both exit", async () => {
    let run!: TerminalRun;
    assert.deepEqual(await added(async () => void (run = await terminal(["migrate-tasks", "nothing"], ["q"]))), []);
    exitedCleanly(run);
    const written = await added(async () => void (run = await terminal(["migrate-tasks", "add the nightly task"], ["a", "1", "y"])));
    exitedCleanly(run);
    assert.equal(written.length, 1, run.output);
    assert.match(readFileSync(join(versions, written[0]!), "utf8"), /\{ name: "task_nightly", description: "Nightly clean-up" \}/);
  });

  it("a confirmation answered n: nothing written, exits", async () => {
    // a product block the models no longer have: migrate-domain-models asks whether to delete it
    const d = await openDatabase({ uri });
    await sql`insert into product_blocks (name, description, status) values ('Old block', 'old', 'active')`.execute(d.db);
    await d.close();
    let run!: TerminalRun;
    const written = await added(async () => void (run = await terminal(["migrate-domain-models", "drop old block"], ["n"])));
    exitedCleanly(run);
    assert.match(run.output, /Product block Old block is in no model; delete it\? \[y\/n\]: n\n/);
    assert.match(run.output, /not in the models.*: product block Old block/);
    assert.deepEqual(written, []);
  });

  it("with every answer given as options, nothing is asked and it exits", async () => {
    const run = await runInTerminal({
      cwd: app.path,
      args: ["db", "migrate-workflows", "drop one", "--delete", "create_user", "--test"],
      env: { DATABASE_URI: uri },
      doneWhen: /const old_workflows/,
      exitWithinMs: EXIT_WITHIN_MS,
    });
    exitedCleanly(run);
    assert.match(run.output, /\{ name: "create_user", target: "CREATE"/);
  });

  it("a refused answer given as an option: one error line, exits with status 1", async () => {
    const run = await runInTerminal({
      cwd: app.path,
      args: ["db", "migrate-workflows", "x", "--add", "nope:User:Nope"],
      env: { DATABASE_URI: uri },
      doneWhen: /Error:/,
      exitWithinMs: EXIT_WITHIN_MS,
    });
    assert.ok(run.exitedByItself, run.output);
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /Error: Workflow nope is not registered in code/);
  });
});
