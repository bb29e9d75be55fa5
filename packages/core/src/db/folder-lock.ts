/**
 * An exclusive lock on an embedded database folder. PGlite cannot share a data folder between processes; two
 * writers would corrupt it.
 *
 * The lock is flock(2) on a file next to the folder (`<folder>.lock`): the kernel holds it for the open file and
 * drops it when the process ends, however it ends (crash, SIGKILL, power loss of a container), so a lock is never
 * stale and a reused process id cannot keep a folder locked. The file's content (the holder's process id, host and
 * start time) is only there for the message a refused process gets; it decides nothing.
 */
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { DatabaseError } from "../errors.js";

export interface FolderLock {
  /** Give the lock up (idempotent). The lock file is removed. */
  release(): void;
}

/** The part of the native `fs-ext` package used here. */
interface FsExt {
  flockSync(fd: number, flags: "ex" | "exnb" | "sh" | "shnb" | "un"): void;
}

let fsExt: FsExt | undefined;

/** Load `fs-ext` on first use, so that apps on a PostgreSQL server never need the native module. */
function loadFsExt(): FsExt {
  if (fsExt) return fsExt;
  try {
    fsExt = createRequire(import.meta.url)("fs-ext") as FsExt;
    return fsExt;
  } catch (error) {
    throw new DatabaseError(
      `Cannot lock the embedded database: the native module fs-ext did not load (${(error as Error).message}). ` +
        `Run \`npm rebuild fs-ext\` (it needs a C++ compiler), or set DATABASE_URI to a PostgreSQL server.`,
      { cause: error },
    );
  }
}

/** What a lock file says about its holder. */
interface Holder {
  pid: number;
  host?: string;
  since?: string;
}

function readHolder(lockPath: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8").trim();
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    if (typeof parsed === "number") return { pid: parsed };
    if (Number.isInteger(parsed.pid)) return parsed as Holder;
  } catch {
    // not JSON: a bare process id, as older versions wrote
    const pid = Number.parseInt(text, 10);
    if (Number.isInteger(pid)) return { pid };
  }
  return undefined;
}

function describeHolder(holder: Holder | undefined): string {
  if (!holder) return "another process";
  const here = !holder.host || holder.host === hostname();
  if (here && holder.pid === process.pid) return "this process";
  const where = here ? "" : ` on host ${holder.host}`;
  const since = holder.since ? ` (since ${holder.since})` : "";
  return `process ${holder.pid}${where}${since}`;
}

function isWouldBlock(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
}

/**
 * Take the exclusive lock of an embedded database folder (the file `<folder>.lock`, created with its parent folder
 * when missing), without waiting.
 *
 * Throws DatabaseError when another process, or another open database of this process, holds it: the message names
 * the holder ("in use by process 1234" / "by this process") and what to do. Also throws DatabaseError when the
 * native lock module cannot be loaded or the file system refuses the lock.
 */
export function lockFolder(folder: string): FolderLock {
  const { flockSync } = loadFsExt();
  const lockPath = `${folder}.lock`;
  const cannot = (error: unknown) =>
    new DatabaseError(`Cannot lock the embedded database folder ${folder}: ${(error as Error).message}`, { cause: error });
  // A holder removes the file on release. Whoever opened the removed file just before holds a lock on a file that is
  // no longer at lockPath, and must try again on the new one; a few rounds are plenty.
  for (let attempt = 0; attempt < 10; attempt++) {
    let fd: number;
    try {
      mkdirSync(dirname(lockPath), { recursive: true });
      // Not truncated on open: the file may be another holder's, whose content names it. Never through a symbolic
      // link: a link planted at the lock's path must not make this process write into the file it points to.
      fd = openSync(lockPath, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ELOOP") {
        throw new DatabaseError(`The lock file ${lockPath} of the embedded database is a symbolic link; remove it and start again`);
      }
      throw cannot(error); // a folder that cannot be written, say
    }
    try {
      flockSync(fd, "exnb");
    } catch (error) {
      closeSync(fd);
      if (!isWouldBlock(error)) throw cannot(error);
      const who = describeHolder(readHolder(lockPath));
      const stop = who === "this process" ? "Close the database this process opened before" : "Stop that process";
      throw new DatabaseError(
        `The embedded database folder ${folder} is in use by ${who}. ${stop}, or set DATABASE_URI to a PostgreSQL ` +
          `server to share one database between several processes.`,
      );
    }
    if (!sameFile(fd, lockPath)) {
      closeSync(fd); // also drops the lock
      continue;
    }
    const holder: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const lock = holdLock(fd, lockPath);
    try {
      ftruncateSync(fd, 0);
      writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
    } catch (error) {
      lock.release();
      throw cannot(error);
    }
    return lock;
  }
  throw new DatabaseError(`Cannot lock the embedded database folder ${folder}: its lock file ${lockPath} keeps changing`);
}

/** Whether the open file is still the one at `path` (not removed or replaced meanwhile). */
function sameFile(fd: number, path: string): boolean {
  try {
    const open = fstatSync(fd);
    const named = statSync(path);
    return open.ino === named.ino && open.dev === named.dev;
  } catch {
    return false;
  }
}

function holdLock(fd: number, lockPath: string): FolderLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    // Removed while still locked, so that nobody takes a lock on a file that is about to disappear (see lockFolder).
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
    closeSync(fd); // drops the lock
  };
  // The kernel drops the lock at exit anyway; this only tidies the file away on a normal exit.
  process.on("exit", release);
  return { release };
}
