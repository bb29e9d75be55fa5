/**
 * docs/tutorial.md, executed: every `sh` block runs in order (in a fresh app folder), and every `text` block after it
 * must appear in what it printed (`<rev>` and `<date>` stand for what varies).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { backend, createPostgresDatabase } from "./support/db.js";
import { REPO_ROOT } from "./support/files.js";

interface Block {
  lang: string;
  body: string;
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
}

function pattern(line: string): RegExp {
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<rev>/g, "[0-9a-f]{12}").replace(/<date>/g, "\\d{4}-\\d{2}-\\d{2}");
  return new RegExp(`^${escaped}\\s*$`, "m");
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

  it("every command succeeds and prints what the page shows", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/tutorial.md"), "utf8").replaceAll("examples/my-orchestrator", `examples/${folder}`);
    let cwd = REPO_ROOT;
    let lastOutput = "";
    let commands = 0;
    for (const block of blocks(doc)) {
      if (block.lang === "sh") {
        const script = `set -e\n${block.body}\necho "__CWD__$(pwd)"`;
        const result = spawnSync("bash", ["-c", script], {
          cwd,
          encoding: "utf8",
          env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", DATABASE_URI: "", ...env },
          timeout: 120_000,
        });
        lastOutput = `${result.stdout}\n${result.stderr}`;
        assert.equal(result.status, 0, `this block failed:\n${block.body}\n---\n${lastOutput}`);
        cwd = result.stdout.match(/__CWD__(.*)\n?$/m)![1]!;
        commands += block.body.split("\n").filter((l) => l.trim() && !l.startsWith("#")).length;
      } else if (block.lang === "text") {
        for (const line of block.body.split("\n").filter((l) => l.trim())) {
          assert.match(lastOutput, pattern(line), `the page shows "${line}", the commands printed:\n${lastOutput}`);
        }
      }
    }
    assert.ok(commands >= 10, `ran ${commands} command lines`);
  });
});
