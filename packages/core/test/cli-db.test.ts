/**
 * Every `db` command run as a user runs it: the app's `main.ts db …` in its folder, in this process (runMainHere);
 * the last test runs some of them as a subprocess too and checks they print and exit the same.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMain, runMainHere, writeMain } from "./support/cli.js";
import { backend, createPostgresDatabase } from "./support/db.js";
import { tempDir } from "./support/files.js";

const SCHEMA_ROOT = "3f1c0a7e2b91";
const CORE_WORKFLOWS = "7c4d2e9a1b38";
const LIST_INDEXES = "a4e1c9b07d52";
const ENGINE_NOTIFY = "395053131319";
const STEP_DELTAS = "0d871e514f0b";
const NOTIFY_SEQUENCE = "5b2e8f0c7a13";
const STEPS_WITHOUT_FK = "9e4a6c1d2f70";
const SCHEMA_HEAD = "c3d8a5f19e27";

describe(`db commands as a user runs them (${backend})`, () => {
  const app = tempDir("cli");
  const versions = join(app.path, "migrations", "versions", "schema");
  let env: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;
  const db = (...args: string[]) => runMainHere(app.path, ["db", ...args], env);
  const fileOf = (rev: string) => readdirSync(versions).find((f) => f.includes(`_${rev}_`))!;
  const revisionsIn = (stdout: string) => [...stdout.matchAll(/_([0-9a-f]{12})_/g)].map((m) => m[1]!);
  const ok = async (...args: string[]) => {
    const result = await db(...args);
    assert.equal(result.code, 0, `db ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  const fails = async (pattern: RegExp, ...args: string[]) => {
    const result = await db(...args);
    assert.notEqual(result.code, 0, `db ${args.join(" ")} should fail:\n${result.stdout}`);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    return result.stderr;
  };

  let first = "";
  let second = "";
  let dataHead = "";

  before(async () => {
    writeMain(app.path);
    if (backend === "postgres") {
      const pg = await createPostgresDatabase();
      env = { DATABASE_URI: pg.uri };
      drop = pg.drop;
    }
  });
  after(async () => {
    await drop?.();
    app.cleanup();
  });

  it("init creates the migrations folder and refuses to run twice", async () => {
    const out = await ok("init");
    assert.match(out, /Created migrations\/versions\/schema/);
    assert.ok(existsSync(versions));
    assert.ok(existsSync(join(app.path, "migrations", "script.ts.tmpl")));
    assert.match(readFileSync(join(app.path, "migrations", "helpers.ts"), "utf8"), /Write your own helper functions below this line/);
    await fails(/Error: Directory .*migrations already exists and is not empty/, "init");
  });

  it("heads shows the core schema head", async () => {
    assert.equal((await ok("heads")).trim(), `${SCHEMA_HEAD} (schema) (head)`);
  });

  it("revision creates the data branch root first, then an empty revision on it", async () => {
    const out = await ok("revision", "--head", "data", "--message", "add User and UserGroup workflows");
    const ids = revisionsIn(out);
    assert.equal(ids.length, 2, out);
    [dataHead, first] = ids as [string, string];
    const files = readdirSync(versions).sort();
    assert.equal(files.length, 2);
    for (const f of files) assert.match(f, /^\d{4}-\d{2}-\d{2}_[0-9a-f]{12}_[a-z0-9_]+\.ts$/);
    assert.match(fileOf(dataHead), /_create_data_head\.ts$/);
    assert.match(fileOf(first), /_add_user_and_usergroup_workflows\.ts$/);
    const root = readFileSync(join(versions, fileOf(dataHead)), "utf8");
    assert.match(root, /^\/\*\*\n \* Create data head\./);
    assert.match(root, /export const down_revision = null;/);
    assert.match(root, /export const branch_labels = \["data"\];/);
    assert.match(root, new RegExp(`export const depends_on = "${SCHEMA_HEAD}";`));
    const text = readFileSync(join(versions, fileOf(first)), "utf8");
    assert.match(text, new RegExp(`Revises: ${dataHead}`));
    assert.match(text, new RegExp(`export const down_revision = "${dataHead}";`));
    assert.match(text, /export async function upgrade\(conn: MigrationConnection\): Promise<void> \{\n  \/\/ nothing to do\n\}/);
    assert.match(text, /export async function downgrade\(conn: MigrationConnection\)/);
    // give it something to do, as a user fills it
    writeFileSync(
      join(versions, fileOf(first)),
      text
        .replace('import type { MigrationConnection } from "@orchestrator-ts/core";', 'import { sql, type MigrationConnection } from "@orchestrator-ts/core";')
        .replace("upgrade(conn: MigrationConnection): Promise<void> {\n  // nothing to do", "upgrade(conn: MigrationConnection): Promise<void> {\n  await sql`create table cli_marker (id int)`.execute(conn);")
        .replace("downgrade(conn: MigrationConnection): Promise<void> {\n  // nothing to do", "downgrade(conn: MigrationConnection): Promise<void> {\n  await sql`drop table cli_marker`.execute(conn);"),
    );
    assert.equal((await ok("heads")).trim(), `${SCHEMA_HEAD} (schema) (head)\n${first} (data) (head)`);
  });

  it("current says base before the first upgrade", async () => {
    assert.match(await ok("current"), /at base/);
  });

  it("upgrade heads applies the schema branch, then the data branch", async () => {
    const out = await ok("upgrade", "heads");
    const lines = out.trim().split("\n");
    assert.deepEqual(lines, [
      `Running upgrade  -> ${SCHEMA_ROOT}, Initial schema`,
      `Running upgrade ${SCHEMA_ROOT} -> ${CORE_WORKFLOWS}, Add the core workflows`,
      `Running upgrade ${CORE_WORKFLOWS} -> ${LIST_INDEXES}, Add indexes for the API's lists`,
      `Running upgrade ${LIST_INDEXES} -> ${ENGINE_NOTIFY}, Engine speed: announce pause / unpause, and compress step states with lz4`,
      `Running upgrade ${ENGINE_NOTIFY} -> ${STEP_DELTAS}, Step states stored as deltas, with a snapshot at least every 16 rows`,
      `Running upgrade ${STEP_DELTAS} -> ${NOTIFY_SEQUENCE}, Pause notifications numbered by a sequence`,
      `Running upgrade ${NOTIFY_SEQUENCE} -> ${STEPS_WITHOUT_FK}, Process steps kept with their process by triggers instead of a foreign key`,
      `Running upgrade ${STEPS_WITHOUT_FK} -> ${SCHEMA_HEAD}, Worker processes and scheduled tasks`,
      `Running upgrade  -> ${dataHead}, Create data head`,
      `Running upgrade ${dataHead} -> ${first}, add User and UserGroup workflows`,
    ]);
    assert.equal((await ok("current")).trim(), `${SCHEMA_HEAD} (schema) (head)\n${first} (data) (head)`);
    assert.match(await ok("upgrade", "heads"), /Nothing to upgrade/);
  });

  it("upgrade head fails while there are two heads", async () => {
    await fails(/Error: Multiple heads are present/, "upgrade", "head");
  });

  it("history lists newest first and marks the current revisions", async () => {
    const out = await ok("history");
    const lines = out.trim().split("\n");
    assert.equal(lines[0], `${dataHead} -> ${first} (data) (head) (current), add User and UserGroup workflows`);
    assert.ok(lines.includes(`${STEPS_WITHOUT_FK} -> ${SCHEMA_HEAD} (schema) (head) (current), Worker processes and scheduled tasks`));
    assert.ok(lines.includes(`${NOTIFY_SEQUENCE} -> ${STEPS_WITHOUT_FK} (schema), Process steps kept with their process by triggers instead of a foreign key`));
    assert.ok(lines.includes(`${STEP_DELTAS} -> ${NOTIFY_SEQUENCE} (schema), Pause notifications numbered by a sequence`));
    assert.ok(lines.includes(`${ENGINE_NOTIFY} -> ${STEP_DELTAS} (schema), Step states stored as deltas, with a snapshot at least every 16 rows`));
    assert.ok(lines.includes(`${LIST_INDEXES} -> ${ENGINE_NOTIFY} (schema), Engine speed: announce pause / unpause, and compress step states with lz4`));
    assert.ok(lines.includes(`${CORE_WORKFLOWS} -> ${LIST_INDEXES} (schema), Add indexes for the API's lists`));
    assert.ok(lines.includes(`${SCHEMA_ROOT} -> ${CORE_WORKFLOWS} (schema), Add the core workflows`));
    assert.ok(lines.includes(`<base> -> ${SCHEMA_ROOT} (schema), Initial schema`));
    assert.ok(lines.includes(`<base> -> ${dataHead} (data), Create data head`));
    const verbose = await ok("history", "--verbose");
    assert.match(verbose, new RegExp(`Path: .*${fileOf(first)}`));
    assert.match(verbose, new RegExp(`Depends on: ${SCHEMA_HEAD}`));
  });

  it("a second revision builds on the data head; upgrade data@+1 and downgrade -1 move one step", async () => {
    second = revisionsIn(await ok("revision", "-m", "second step"))[0]!;
    assert.match(readFileSync(join(versions, fileOf(second)), "utf8"), new RegExp(`down_revision = "${first}"`));
    assert.equal((await ok("upgrade", "data@+1")).trim(), `Running upgrade ${first} -> ${second}, second step`);
    assert.equal((await ok("downgrade")).trim(), `Running downgrade ${second} -> ${first}, second step`);
    assert.equal((await ok("upgrade", second.slice(0, 6))).trim(), `Running upgrade ${first} -> ${second}, second step`);
  });

  it("revision on a revision that is not a head is refused", async () => {
    await fails(new RegExp(`Error: Revision ${first} is not a head revision`), "revision", "-m", "x", "--head", first);
  });

  it("a new branch, upgrade head refused, merge into one head", async () => {
    const feature = revisionsIn(await ok("revision", "-m", "feature root", "--head", "base", "--branch-label", "feature", "--depends-on", "schema"))[0]!;
    const text = readFileSync(join(versions, fileOf(feature)), "utf8");
    assert.match(text, /export const down_revision = null;/);
    assert.match(text, /export const branch_labels = \["feature"\];/);
    assert.match(text, new RegExp(`export const depends_on = "${SCHEMA_HEAD}";`));
    assert.equal((await ok("heads")).trim().split("\n").length, 3);
    const merge = revisionsIn(await ok("merge", "data", "feature", "-m", "merge feature into data"))[0]!;
    assert.match(readFileSync(join(versions, fileOf(merge)), "utf8"), new RegExp(`export const down_revision = \\["${second}", "${feature}"\\];`));
    assert.deepEqual((await ok("heads")).trim().split("\n"), [`${SCHEMA_HEAD} (schema) (head)`, `${merge} (data, feature) (head)`]);
    const out = await ok("upgrade", "heads");
    assert.match(out, new RegExp(`Running upgrade  -> ${feature}, feature root`));
    assert.match(out, new RegExp(`Running upgrade ${second}, ${feature} -> ${merge}, merge feature into data`));
    assert.match(await ok("history"), new RegExp(`${second}, ${feature} -> ${merge} \\(data, feature\\) \\(head\\) \\(mergepoint\\) \\(current\\)`));
  });

  it("downgrade base undoes everything", async () => {
    const out = await ok("downgrade", "base");
    assert.match(out, new RegExp(`Running downgrade ${first} -> ${dataHead}`));
    assert.match(out, new RegExp(`Running downgrade ${SCHEMA_ROOT} -> , Initial schema`));
    assert.match(await ok("current"), /at base/);
  });

  it("errors are one clear line with a non-zero exit code", async () => {
    await fails(/^Error: Unknown revision "zzzz": no migration file has that revision id or branch label\n$/, "upgrade", "zzzz");
    await fails(/^Error: No branch labelled "nope" \(branches: data, feature, schema\)\n$/, "downgrade", "nope@base");
    await fails(/error: required option '-m, --message <message>' not specified/, "revision");
    await fails(/error: missing required argument 'revision'/, "upgrade");

    const bad = join(versions, "2026-01-01_badbadbadbad_bad.ts");
    writeFileSync(bad, 'export const revision = "badbadbadbad";\nexport const down_revision = null;\nexport async function downgrade() {}\n');
    await fails(/Error: .*2026-01-01_badbadbadbad_bad\.ts does not export an upgrade\(conn\) function/, "heads");
    rmSync(bad);

    const c1 = join(versions, "2026-01-01_c1c1c1c1c1c1_c1.ts");
    const c2 = join(versions, "2026-01-01_c2c2c2c2c2c2_c2.ts");
    const cyc = (rev: string, down: string) =>
      `export const revision = "${rev}";\nexport const down_revision = "${down}";\nexport async function upgrade() {}\nexport async function downgrade() {}\n`;
    writeFileSync(c1, cyc("c1c1c1c1c1c1", "c2c2c2c2c2c2"));
    writeFileSync(c2, cyc("c2c2c2c2c2c2", "c1c1c1c1c1c1"));
    await fails(/Error: Cycle in the revision graph: c[12]c[12].* -> c[12].* -> c[12]/, "upgrade", "heads");
    rmSync(c1);
    rmSync(c2);

    const orphan = join(versions, "2026-01-01_0a0a0a0a0a0a_orphan.ts");
    writeFileSync(orphan, cyc("0a0a0a0a0a0a", "ffffffffffff"));
    await fails(/Error: Revision 0a0a0a0a0a0a \(.*orphan\.ts\) has down_revision ffffffffffff, which is not in any migration file/, "history");
    rmSync(orphan);
  });

  it("as a subprocess, a command prints and exits as it does here: success, its error, a usage error", async () => {
    for (const args of [["db", "current"], ["db", "upgrade", "zzzz"], ["db", "upgrade"]]) {
      const here = await runMainHere(app.path, args, env);
      const subprocess = await runMain(app.path, args, env);
      assert.deepEqual(subprocess, here, args.join(" "));
    }
  });

  it("every command has --help with an example", async () => {
    for (const command of ["init", "revision", "upgrade", "downgrade", "heads", "current", "history", "merge"]) {
      const out = await ok(command, "--help");
      assert.match(out, /Example/, `db ${command} --help`);
      assert.match(out, new RegExp(`npx tsx main\\.ts db ${command}`));
    }
  });
});
