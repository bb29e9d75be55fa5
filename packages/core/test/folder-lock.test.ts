/**
 * The embedded database folder belongs to one open database at a time, held by an OS lock (flock) that ends with
 * its process however the process ends: lock files left by crashed processes, whatever process id they name, never
 * block an open. Real child processes, no mocks; no SQL server is involved, so both back-ends run the same tests.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { openDatabase, type OrchestratorDb } from "../src/db/index.js";
import { DatabaseError } from "../src/errors.js";
import { backend, seedPGliteFolder } from "./support/db.js";
import { tempDir } from "./support/files.js";

const HOLDER = fileURLToPath(new URL("./support/lock-holder.ts", import.meta.url));

/** A child process that opens `uri` and holds it; resolves once it is open (rejects if it could not open). */
function holdInChild(uri: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", HOLDER, uri], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.startsWith(`OPEN ${child.pid}\n`)) resolve(child);
    });
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => reject(new Error(`lock holder exited ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

describe(`embedded database folder lock (${backend})`, () => {
  const root = tempDir("folder-lock");
  const children: ChildProcess[] = [];
  let n = 0;
  /** A data folder with an empty database (locked as one still to be created is), its URI and its lock file. */
  const place = async () => {
    const folder = join(root.path, `db${++n}`);
    await seedPGliteFolder(folder);
    return { folder, uri: `pglite://${folder}`, lockFile: `${folder}.lock` };
  };
  const leaveLockFile = (lockFile: string, content: string) => {
    mkdirSync(join(lockFile, ".."), { recursive: true });
    writeFileSync(lockFile, content);
  };
  const openAndClose = async (uri: string) => {
    const db = await openDatabase({ uri });
    assert.equal(db.kind, "pglite");
    await db.close();
  };

  after(() => {
    for (const child of children) child.kill("SIGKILL");
    root.cleanup();
  });

  it("opens when a lock file left behind names this very process", async () => {
    const { uri, lockFile } = await place();
    leaveLockFile(lockFile, `${process.pid}\n`);
    await openAndClose(uri);
  });

  it("never writes through a symbolic link at the lock's path", async () => {
    const { uri, lockFile } = await place();
    const victim = join(root.path, `victim${n}.txt`);
    writeFileSync(victim, "precious\n");
    mkdirSync(join(lockFile, ".."), { recursive: true });
    symlinkSync(victim, lockFile);
    await assert.rejects(openDatabase({ uri }), /is a symbolic link; remove it/);
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
  });

  it("opens when a lock file left behind names process 1 (a restarted container)", async () => {
    const { uri, lockFile } = await place();
    leaveLockFile(lockFile, "1\n");
    await openAndClose(uri);
  });

  it("opens when a lock file left behind names a live unrelated process", async () => {
    const { uri, lockFile } = await place();
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    children.push(sleeper);
    assert.ok(sleeper.pid);
    leaveLockFile(lockFile, `${sleeper.pid}\n`);
    try {
      await openAndClose(uri);
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("refuses a second process naming the holder's process id, and opens at once after the holder is killed", async () => {
    const { uri } = await place();
    const child = await holdInChild(uri);
    children.push(child);
    await assert.rejects(openDatabase({ uri }), (error: Error) => {
      assert.ok(error instanceof DatabaseError, String(error));
      assert.match(error.message, new RegExp(`is in use by process ${child.pid}\\b`));
      assert.match(error.message, /Stop that process/);
      assert.match(error.message, /set DATABASE_URI to a PostgreSQL server/);
      return true;
    });
    child.kill("SIGKILL"); // no exit handler runs: only the kernel lets go of the lock
    await exited(child);
    await openAndClose(uri);
  });

  it("refuses a second open in the same process, naming this process", async () => {
    const { uri } = await place();
    const first = await openDatabase({ uri });
    try {
      await assert.rejects(openDatabase({ uri }), (error: Error) => {
        assert.ok(error instanceof DatabaseError, String(error));
        assert.match(error.message, /is in use by this process\. Close the database this process opened before/);
        assert.match(error.message, /set DATABASE_URI to a PostgreSQL server/);
        return true;
      });
      // the refused open took nothing away from the first
      assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(first.db)).rows, [{ one: 1 }]);
    } finally {
      await first.close();
    }
  });

  it("opens again after close, in this process and in another, leaving no lock file", async () => {
    const { uri, lockFile } = await place();
    let db: OrchestratorDb = await openDatabase({ uri });
    await db.close();
    assert.equal(existsSync(lockFile), false);
    db = await openDatabase({ uri });
    await db.close();
    const child = await holdInChild(uri);
    children.push(child);
    child.kill("SIGKILL");
    await exited(child);
  });
});
