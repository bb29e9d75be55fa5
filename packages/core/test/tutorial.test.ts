/**
 * docs/tutorial.md, executed: every `sh` block runs in order (in a fresh app folder) and must succeed, and what it
 * prints must be exactly the `text` block after it, by the rules of ./support/doc-output.ts (ids, dates, times and
 * durations normalised; `…` on its own line for a cut; no text block: nothing printed).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { backend, createPostgresDatabase } from "./support/db.js";
import { compareOutput, docSteps, normaliseOutput, type DocStep } from "./support/doc-output.js";
import { REPO_ROOT } from "./support/files.js";

const PAGE = "docs/tutorial.md";
const APP = "examples/my-orchestrator";
const CWD_MARK = "__TUTORIAL_CWD__";

/** Runs one step's commands in `cwd` (standard error merged into standard output); returns the output and the new cwd. */
function run(step: DocStep, cwd: string, env: Record<string, string>): { output: string; cwd: string } {
  const script = `exec 2>&1\nset -e\n${step.commands}\necho "${CWD_MARK}$(pwd)"`;
  const result = spawnSync("bash", ["-c", script], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", DATABASE_URI: "", ...env },
    timeout: 180_000,
  });
  const output = result.stdout ?? "";
  assert.equal(result.status, 0, `${PAGE}:${step.line}: this block failed:\n${step.commands}---\n${output}${result.error ?? ""}`);
  const mark = output.lastIndexOf(CWD_MARK);
  return { output: output.slice(0, mark), cwd: output.slice(mark + CWD_MARK.length).trim() };
}

describe(`docs/tutorial.md runs as written (${backend})`, () => {
  const folder = `tutorial-${randomBytes(4).toString("hex")}`;
  let env: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    if (backend === "postgres") {
      const pg = await createPostgresDatabase();
      env = { DATABASE_URI: pg.uri };
      drop = pg.drop;
    }
  });
  after(async () => {
    rmSync(join(REPO_ROOT, "examples", folder), { recursive: true, force: true });
    await drop?.();
  });

  it("every command succeeds and prints exactly what the page shows", () => {
    const page = readFileSync(join(REPO_ROOT, PAGE), "utf8");
    const steps = docSteps(page.replaceAll(APP, `examples/${folder}`));
    // what differs from one run to the next, written back as the page writes it
    const replacements = [
      [folder, APP.split("/")[1]!],
      [REPO_ROOT.replace(/\/$/, ""), "<repo>"],
    ] as const;
    let cwd = REPO_ROOT;
    for (const step of steps) {
      const ran = run(step, cwd, env);
      cwd = ran.cwd;
      const printed = normaliseOutput(ran.output, replacements);
      const difference = compareOutput(step.expected ?? "", printed);
      assert.equal(
        difference,
        undefined,
        `${PAGE}:${step.line}: the output differs from the page (${difference}).\n--- commands\n${step.commands}--- the page shows\n${step.expected ?? "(no text block: nothing printed)\n"}--- the commands printed (normalised)\n${printed}\n`,
      );
    }
    const commands = steps.flatMap((s) => s.commands.split("\n")).filter((l) => l.startsWith("npx "));
    assert.ok(commands.length >= 9, `ran ${commands.length} npx commands`);
  });
});

describe("the tutorial's output rules", () => {
  const printed = "Running upgrade  -> 3f1c0a7e2b91, Initial schema\nGenerating migrations/versions/schema/2026-11-30_8e19c706ef10_x.ts ... done  \nDone in 1.5 s at 14:03:09\n\n";

  it("normalise ids, dates, times, durations and trailing blanks, and nothing else", () => {
    assert.equal(
      normaliseOutput(`${printed}process 0b5c8a52-1e2f-4c3d-9a8b-7c6d5e4f3a21 in tmp/t-1`, [["tmp/t-1", "my-app"]]),
      "Running upgrade  -> <rev>, Initial schema\nGenerating migrations/versions/schema/<date>_<rev>_x.ts ... done\nDone in <duration> at <time>\n\nprocess <id> in my-app",
    );
    assert.equal(normaliseOutput("13 workflows, 2 subscriptions, 395053131319"), "13 workflows, 2 subscriptions, <rev>");
  });

  it("accept the whole output, or cuts marked with … on their own line", () => {
    const output = normaliseOutput("a\nb\nc\nd\ne");
    assert.equal(compareOutput("a\nb\nc\nd\ne\n", output), undefined);
    assert.equal(compareOutput("a\n…\ne\n", output), undefined);
    assert.equal(compareOutput("a\n…\nc\n…\ne\n", output), undefined);
    assert.equal(compareOutput("…\nd\ne\n", output), undefined);
    assert.equal(compareOutput("", ""), undefined);
  });

  it("refuse any drift: a line added, left out, changed or moved, or a cut that hides nothing", () => {
    const output = normaliseOutput("a\nb\nc");
    assert.match(compareOutput("a\nb\n", output)!, /line 3 differs: the page shows "\(nothing\)", the commands printed "c"/);
    assert.match(compareOutput("a\nb\nc\nd\n", output)!, /line 4 differs/);
    assert.match(compareOutput("a\nB\nc\n", output)!, /line 2 differs: the page shows "B", the commands printed "b"/);
    assert.ok(compareOutput("a\nc\nb\n", output));
    assert.ok(compareOutput("a\n…\nb\nc\n", output), "a cut must stand for at least one line");
    assert.ok(compareOutput("…\nb\n", output), "the lines after the last cut end the output");
    assert.ok(compareOutput("", output), "no text block: nothing may be printed");
  });

  it("pair each sh block with the text block after it", () => {
    const steps = docSteps("```sh\none\n```\n\n```ts\ncode\n```\n\n```text\nout\n```\n\n```sh\ntwo\n```\n");
    assert.deepEqual(steps, [
      { commands: "one\n", expected: "out\n", line: 1 },
      { commands: "two\n", expected: undefined, line: 13 },
    ]);
    assert.throws(() => docSteps("```sh\none\n```\n```text\na\n```\n```text\nb\n```\n"), /a second text block/);
  });
});
