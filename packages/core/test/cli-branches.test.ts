/**
 * Branches and heads on the command line (the app's `main.ts`, run in this process): a data branch that has split in
 * two (a teammate's revision next to ours) is merged by its label, every ambiguous upgrade or downgrade names commands
 * that work (each one is run here), and a forgotten `db` is pointed out instead of falling into `serve` (as a
 * subprocess: nothing may be served).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMain, runMainHere } from "./support/cli.js";
import { appDatabase, backend } from "./support/db.js";
import { migrationSource, tempDir } from "./support/files.js";

/** The teammate's revision, on the same parent as ours. */
const THEIRS = "ab12ab12ab12";

/** Split a suggested command (`db merge data -m "merge heads"`) into arguments. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The commands an error message proposes: its lines that are a `db …` command. */
function proposed(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("db "));
}

describe(`branches and heads on the command line (${backend})`, () => {
  const app = tempDir("branches");
  const versions = join(app.path, "migrations", "versions", "schema");
  let env: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;
  const main = (args: string[]) => runMainHere(app.path, args, env);
  const ok = async (...args: string[]) => {
    const r = await main(args);
    assert.equal(r.code, 0, `${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const fails = async (...args: string[]) => {
    const r = await main(args);
    assert.equal(r.code, 1, `${args.join(" ")} should fail:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    return r.stderr;
  };
  const ids = (stdout: string) => [...stdout.matchAll(/_([0-9a-f]{12})_/g)].map((m) => m[1]!);
  const current = async () => (await ok("db", "current")).trim().split("\n").sort();
  let first = "";
  let ours = "";

  before(async () => {
    writeFileSync(
      join(app.path, "main.ts"),
      `import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";
await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
`,
    );
    const db = await appDatabase(app.path);
    env = { DATABASE_URI: db.uri };
    drop = db.drop;
    await ok("db", "init");
    first = ids(await ok("db", "revision", "-m", "first"))[1]!;
    ours = ids(await ok("db", "revision", "-m", "ours"))[0]!;
    // the teammate's revision arrives with a pull: the data branch now has two heads
    writeFileSync(join(versions, `2026-01-02_${THEIRS}_theirs.ts`), migrationSource({ revision: THEIRS, down: first, message: "theirs" }));
    await ok("db", "upgrade", "heads");
  });
  after(async () => {
    await drop?.();
    app.cleanup();
  });

  it("db heads shows both heads of data; upgrading `data` says how to join them", async () => {
    const heads = (await ok("db", "heads")).trim().split("\n");
    assert.ok(heads.includes(`${ours} (data) (head)`) && heads.includes(`${THEIRS} (data) (head)`), heads.join("\n"));
    const stderr = await fails("db", "upgrade", "data");
    assert.match(stderr, /Branch "data" has 2 heads .*; join them with `db merge data -m "merge heads"` or name one of them/);
  });

  for (const target of [[], ["-1"], ["data@-1"]]) {
    it(`db downgrade ${target.join(" ") || "(no target)"}: ambiguous, and every command it proposes works`, async () => {
      const before = await current();
      const stderr = await fails("db", "downgrade", ...target);
      assert.match(stderr, /is ambiguous: several heads are applied/);
      assert.doesNotMatch(stderr, /@\S*@|branch@/, "no impossible target such as data@data@-1");
      const commands = proposed(stderr);
      assert.deepEqual(commands.slice().sort(), [`db downgrade ${THEIRS}@-1`, `db downgrade ${ours}@-1`, `db merge data -m "merge heads"`].sort(), stderr);
      for (const command of commands) {
        const out = await ok(...words(command));
        if (command.startsWith("db downgrade")) {
          const undone = command.split(" ")[2]!.replace("@-1", "");
          assert.equal(out.trim(), `Running downgrade ${undone} -> ${first}, ${undone === ours ? "ours" : "theirs"}`);
          await ok("db", "upgrade", "heads");
        } else {
          // the merge joins the two heads: upgrade applies it, and a plain downgrade is no longer ambiguous
          const merge = ids(out)[0]!;
          assert.deepEqual((await ok("db", "heads")).trim().split("\n").filter((l) => l.includes("(data)")), [`${merge} (data) (head)`]);
          await ok("db", "upgrade", "heads");
          assert.match(await ok("db", "downgrade"), new RegExp(`Running downgrade .* -> ${merge}|Running downgrade ${merge}`));
          rmSync(join(versions, readdirSync(versions).find((f) => f.includes(merge))!));
        }
        assert.deepEqual(await current(), before);
      }
    });
  }

  it("db upgrade data@+1 where data branches: names each next revision, and each works", async () => {
    await ok("db", "downgrade", first);
    const stderr = await fails("db", "upgrade", "data@+1");
    assert.match(stderr, new RegExp(`branches at ${first} into`));
    const commands = proposed(stderr);
    assert.deepEqual(commands.slice().sort(), [`db upgrade ${THEIRS}`, `db upgrade ${ours}`].sort(), stderr);
    for (const command of commands) {
      assert.match(await ok(...words(command)), new RegExp(`Running upgrade ${first} -> ${command.split(" ")[2]}`));
      await ok("db", "downgrade", first);
    }
    // +1 with the schema and the data branch applied: only the data side can move, and not by its label here
    const bare = await fails("db", "upgrade", "+1");
    assert.doesNotMatch(bare, /@\S*@|branch@|data@\+1/);
    for (const command of proposed(bare)) await ok(...words(command)).then(() => ok("db", "downgrade", first));
    assert.equal(proposed(bare).length, 2, bare);
    await ok("db", "upgrade", "heads");
  });

  it("db merge data -m … merges the heads of the branch label data", async () => {
    const out = await ok("db", "merge", "data", "-m", "merge ours and theirs");
    const merge = ids(out)[0]!;
    const text = readFileSync(join(versions, readdirSync(versions).find((f) => f.includes(merge))!), "utf8");
    const down = /export const down_revision = (\[.*\]);/.exec(text)?.[1];
    assert.deepEqual(JSON.parse(down ?? "null").sort(), [THEIRS, ours].sort());
    assert.match(await ok("db", "upgrade", "heads"), new RegExp(`Running upgrade (${THEIRS}, ${ours}|${ours}, ${THEIRS}) -> ${merge}, merge ours and theirs`));
    // now one data head: nothing left to merge
    assert.match(await fails("db", "merge", "data", "-m", "again"), /A merge needs at least two different heads; data names one \(.* \(data\)\): nothing to merge/);
    assert.match(await ok("db", "downgrade"), new RegExp(`Running downgrade ${merge} -> `));
  });

  it("a forgotten db is pointed out, exit 1, nothing served", async () => {
    for (const [args, word] of [
      [["upgrade", "heads"], "upgrade"],
      [["heads"], "heads"],
      [["revision", "-m", "x"], "revision"],
      [["current"], "current"],
    ] as const) {
      const r = await runMain(app.path, [...args], { ...env, PORT: "0" });
      assert.equal(r.code, 1, `${args.join(" ")}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^error: unknown command '${word}' — did you mean \`db ${word}\`\\?\\n`));
      assert.doesNotMatch(r.stdout + r.stderr, /serving on|ready|Migrating|listening/i);
    }
    const r = await runMain(app.path, ["frobnicate"], { ...env, PORT: "0" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: unknown command 'frobnicate' \(commands: serve, db, worker, scheduler, generate\)/);
    assert.doesNotMatch(r.stdout + r.stderr, /serving on|ready|listening/i);
    assert.match(await ok("--help"), /serve \[options\]/);
  });
});
