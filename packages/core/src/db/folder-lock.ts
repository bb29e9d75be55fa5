/**
 * An exclusive lock on an embedded database folder. PGlite cannot share a data folder between processes; two
 * writers would corrupt it. The lock is a file next to the folder holding the owner's process id; a lock left by a
 * process that no longer runs is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseError } from "../errors.js";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface FolderLock {
  release(): void;
}

export function lockFolder(folder: string): FolderLock {
  const lockPath = `${folder}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(lockPath, "utf8").trim(), 10);
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isInteger(owner) && isRunning(owner)) {
        const who = owner === process.pid ? "this process" : `process ${owner}`;
        throw new DatabaseError(
          `The embedded database folder ${folder} is in use by ${who}. ` +
            `Stop that process, or set DATABASE_URI to a PostgreSQL server to run several processes.`,
        );
      }
      try {
        unlinkSync(lockPath); // stale lock of a process that is gone
      } catch {
        // someone else removed it first
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    const onExit = () => release();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      try {
        if (readFileSync(lockPath, "utf8").trim() === String(process.pid)) unlinkSync(lockPath);
      } catch {
        // already gone
      }
    };
    process.on("exit", onExit);
    return { release };
  }
  throw new DatabaseError(`Could not lock the embedded database folder ${folder}`);
}
