/**
 * Durability: a process killed with SIGKILL in the middle of a step is completed by a new engine from its last
 * checkpoint, with no completed step run again and nothing of the interrupted step's writes kept.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { openDatabase, WorkflowEngine } from "../src/index.js";
import { appDatabase, backend } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";
import { REPO_ROOT, tempDir } from "./support/files.js";

/** A child engine that started `crash_me` and is blocked inside its second step. */
async function startBlockedChild(uri: string): Promise<{ child: ChildProcess; pid: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "packages/core/test/support/crash-child.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URI: uri, BLOCK_STEP_TWO: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("IN_STEP_TWO") && /PID [0-9a-f-]{36}\n/.test(output)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited early (${code}): ${output}`)));
  });
  return { child, pid: output.match(/PID ([0-9a-f-]{36})/)![1]! };
}

describe(`crash recovery (${backend})`, () => {
  const dir = tempDir("crash");
  let uri: string;
  let drop: (() => Promise<void>) | undefined;

  before(async () => {
    ({ uri, drop } = await appDatabase(dir.path));
    const database = await openDatabase({ uri });
    await migrate({ ...database, uri });
    await database.close();
  });
  after(async () => {
    await drop?.();
    dir.cleanup();
  });

  it("SIGKILL mid-step: a new engine finishes the process, each completed step ran once", async () => {
    const { child, pid } = await startBlockedChild(uri);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));

    const database = await openDatabase({ uri });
    try {
      const db = { ...database, uri };
      const before = await db.db.selectFrom("processes").select("last_status").where("pid", "=", pid).executeTakeFirstOrThrow();
      assert.equal(before.last_status, "running", "the killed engine left the process running");
      const rowsBefore = await db.db.selectFrom("process_steps").select("name").where("pid", "=", pid).execute();
      assert.deepEqual(rowsBefore.map((r) => r.name), ["Start", "One"], "only the completed steps were checkpointed");

      await register(db, "crash_me", "SYSTEM", { isTask: true });
      const engine = new WorkflowEngine({ database });
      const recovered = await engine.start();
      assert.deepEqual(recovered, [pid]);
      assert.equal(await engine.waitFor(pid), "completed");
      await engine.shutdown();

      const steps = await db.db.selectFrom("process_steps").select(["name", "status"]).where("pid", "=", pid).orderBy("seq").execute();
      assert.deepEqual(steps.map((s) => s.name), ["Start", "One", "Two", "Three", "Done"]);
      const log = await sql<{ step: string }>`select step from test_log where pid = ${pid} order by id`.execute(db.db);
      assert.deepEqual(log.rows.map((r) => r.step), ["One", "Two", "Three"], "One ran once; the killed run of Two left nothing");
    } finally {
      await database.close();
    }
  });

  it("an engine does not take over a process another live engine is running", { skip: backend !== "postgres" ? "one process per embedded database" : false }, async () => {
    const { child, pid } = await startBlockedChild(uri);
    const database = await openDatabase({ uri });
    try {
      const engine = new WorkflowEngine({ database });
      const recovered = await engine.start();
      assert.equal(recovered.includes(pid), false, "the live engine's process is left alone");
      await engine.shutdown();
    } finally {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.on("exit", resolve));
      await database.close();
    }
  });
});
