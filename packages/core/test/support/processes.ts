/**
 * Child processes of the orchestrator as a user runs them (`main.ts serve`, `main.ts worker`): started, awaited until
 * they announce themselves, killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface Child {
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (or `signal`) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Run `main.ts <args>` of `appDir` with node + tsx, and resolve once its output matches `ready` (the match is
 * returned). Rejects when it exits first or `timeoutMs` passes.
 */
export async function startMain(options: {
  appDir: string;
  args: string[];
  env: Record<string, string>;
  ready: RegExp;
  timeoutMs?: number;
}): Promise<{ child: Child; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, ["--import", "tsx", join(options.appDir, "main.ts"), ...options.args], {
    cwd: options.appDir,
    env: { ...process.env, LOG_LEVEL: "warn", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const child: Child = {
    process: proc,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main.ts ${options.args.join(" ")} did not start within ${options.timeoutMs ?? 30_000} ms:\n${output}`)), options.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const found = options.ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`main.ts ${options.args.join(" ")} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  return { child, match };
}
