/**
 * Things made once per test run and shared by its test files, such as an empty embedded database to copy (PGlite
 * takes a second or two to create one; copying one takes a tenth of that).
 *
 * A run is one `node --test` process: its test files are its child processes, which may run at the same time; the
 * first that needs a template makes it (the others wait for it), and all use it read-only. A test file run without
 * the test runner makes its own. Templates live in tmp/test-runs/<run>/ and are removed by a later run once the
 * process of their run has ended.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { REPO_ROOT } from "./files.js";

const RUNS_ROOT = join(REPO_ROOT, "tmp", "test-runs");

/** The start time of process `pid` (clock ticks after boot), so that a reused process id names another run. */
function startTime(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: the command name (field 2) may contain spaces; the fields after its ")" are plain
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `<pid>-<start time>` of the run: the test runner (this process's parent) or, without one, this process. */
function runName(pid: number): string {
  return `${pid}-${startTime(pid) ?? "0"}`;
}

const RUN = runName(process.env.NODE_TEST_CONTEXT ? process.ppid : process.pid);

/** Whether the run named `name` has ended (its process is gone, or the process id now names another process). */
function ended(name: string): boolean {
  const pid = Number(name.split("-")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  return !isAlive(pid) || runName(pid) !== name;
}

let runFolder: string | undefined;

/** This run's folder, made on first use; the folders of ended runs are removed then. */
function folderOfRun(): string {
  if (runFolder) return runFolder;
  mkdirSync(RUNS_ROOT, { recursive: true });
  for (const name of readdirSync(RUNS_ROOT)) {
    if (name !== RUN && ended(name)) rmSync(join(RUNS_ROOT, name), { recursive: true, force: true });
  }
  runFolder = join(RUNS_ROOT, RUN);
  mkdirSync(runFolder, { recursive: true });
  return runFolder;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const flock = createRequire(import.meta.url)("fs-ext") as { flockSync(fd: number, flags: "exnb" | "un"): void };

/**
 * Take the lock file `path` (flock(2), as the embedded database's folder lock: the kernel drops it when its holder
 * ends), polling while another test file holds it. Returns the release.
 */
async function lock(path: string): Promise<() => void> {
  const fd = openSync(path, "a");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      flock.flockSync(fd, "exnb");
      return () => closeSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN" && (error as NodeJS.ErrnoException).code !== "EWOULDBLOCK") {
        closeSync(fd);
        throw error;
      }
    }
    if (Date.now() > deadline) {
      closeSync(fd);
      throw new Error(`waited 180 s for the lock ${path}`);
    }
    await sleep(50);
  }
}

const made = new Map<string, Promise<string>>();

/**
 * The folder of this run's template `name`: made by `make(folder)` the first time any test file of the run asks for
 * it, then the same folder for all of them. Do not change what is in it: copy it.
 */
export function runTemplate(name: string, make: (folder: string) => Promise<void>): Promise<string> {
  let folder = made.get(name);
  if (!folder) {
    folder = (async () => {
      const run = folderOfRun();
      const done = join(run, name);
      if (existsSync(done)) return done;
      const release = await lock(join(run, `${name}.lock`));
      try {
        if (existsSync(done)) return done;
        const building = join(run, `${name}.building-${process.pid}`);
        rmSync(building, { recursive: true, force: true });
        mkdirSync(building);
        await make(building);
        renameSync(building, done);
        return done;
      } finally {
        release();
      }
    })();
    made.set(name, folder);
  }
  return folder;
}
