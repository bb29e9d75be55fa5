/**
 * Run an app's `main.ts` as a user does: `runMain` as a subprocess (`node --import tsx main.ts …`), `runMainHere` in
 * this test process (the same `main.ts`, run through `withCliProcess`), which saves the second or so each subprocess
 * spends starting Node and loading the library. Use the subprocess where the process itself is tested: its exit
 * status as the shell sees it, signals, a terminal, start-up output, what reaches standard output and standard
 * error from anywhere, whether it exits by itself.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { withCliProcess, type CliProcess } from "../../src/testing.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runMain(appDir: string, args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return runProcess(process.execPath, ["--import", "tsx", "main.ts", ...args], { cwd: appDir, env, input });
}

/**
 * Any command as a subprocess in `cwd`, with `env` added to this process's environment (less NODE_TEST_CONTEXT, which
 * would make a child `node --test` report to this test runner instead of printing) and `input` as standard input.
 */
export function runProcess(command: string, args: string[], options: { cwd: string; env?: Record<string, string | undefined>; input?: string }): Promise<CliResult> {
  const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...parent, NO_COLOR: "1", FORCE_COLOR: "0", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Colours, should this process's picocolors have decided on them (NO_COLOR is set for the subprocesses). */
const stripColours = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

let runs = 0;
let running = false;

/**
 * `main.ts` of `appDir` run in this process, as `runMain` runs it: `args` as its command line, `env` added to this
 * process's environment, `input` as standard input (ended after it), the working folder `appDir` while it runs. Each
 * run evaluates `main.ts` anew; the modules it imports (the library, the app's models and workflows, migration files)
 * are loaded once per test process, so change a file a command has loaded by writing a new one, not by editing it.
 * The exit status is the one the process would end with (an error thrown out of `main.ts`: 1, its stack printed, as
 * Node does). One run at a time.
 */
export async function runMainHere(appDir: string, args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  if (running) throw new Error("runMainHere: one command at a time (it changes the working folder)");
  running = true;
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const stdin = new PassThrough();
  stdin.end(input ?? "");
  const cli: CliProcess = {
    argv: [process.execPath, join(appDir, "main.ts"), ...args],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
    stdin,
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    exitCode: undefined,
  };
  const cwd = process.cwd();
  process.chdir(appDir);
  try {
    await withCliProcess(cli, () => import(`${pathToFileURL(join(appDir, "main.ts")).href}?run=${++runs}`));
  } catch (error) {
    stderr += `${inspect(error)}\n`;
    cli.exitCode = 1;
  } finally {
    process.chdir(cwd);
    running = false;
  }
  return { code: cli.exitCode ?? 0, stdout: stripColours(stdout), stderr: stripColours(stderr) };
}

/** A minimal app entry point, as `db init` users write it. */
export function writeMain(appDir: string): void {
  writeFileSync(
    join(appDir, "main.ts"),
    `import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@orchestrator-ts/core";
await runCli({ appRoot: dirname(fileURLToPath(import.meta.url)) });
`,
  );
}
