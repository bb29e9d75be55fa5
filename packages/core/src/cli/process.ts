/**
 * What a command takes from its process and gives back: arguments, environment, standard streams and exit status.
 * Normally Node's `process`; `withCliProcess` replaces them for the commands run inside `fn`, so that another
 * program (a test) can run an app's `main.ts` in its own process, as `npx tsx main.ts …` would run it, and read
 * what it printed and its exit status.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Readable, Writable } from "node:stream";

export interface CliProcess {
  /** As `process.argv`: the node executable, the script, then the command line. */
  readonly argv: readonly string[];
  /** The environment the settings are read from (and DEBUG). */
  readonly env: Record<string, string | undefined>;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The exit status a command sets (undefined: 0). */
  exitCode: number | undefined;
}

const replaced = new AsyncLocalStorage<CliProcess>();

/** Node's own process. */
const nodeProcess: CliProcess = {
  get argv() {
    return process.argv;
  },
  get env() {
    return process.env;
  },
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get exitCode() {
    const code = process.exitCode;
    return code === undefined ? undefined : Number(code);
  },
  set exitCode(code) {
    process.exitCode = code;
  },
};

/** The process of the command running now: the one given to `withCliProcess`, else Node's. */
export function cliProcess(): CliProcess {
  return replaced.getStore() ?? nodeProcess;
}

/** Run `fn` with `cli` as the process of every command it runs (also in modules it imports, such as `main.ts`). */
export function withCliProcess<T>(cli: CliProcess, fn: () => Promise<T>): Promise<T> {
  return replaced.run(cli, fn);
}
