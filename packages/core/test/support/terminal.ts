/**
 * Run an app's `main.ts` in a real pseudo-terminal (util-linux `script`), typing answers as a person does: one answer
 * each time a new prompt appears. Standard input is never closed, so a command that waits for more input after its
 * last answer keeps running and the run reports that it did not exit by itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export interface TerminalRun {
  /** Exit status of the command (script -e passes it through); null when it had to be killed. */
  code: number | null;
  /** Everything the terminal showed, `\r\n` turned into `\n`. */
  output: string;
  /** Whether the command ended on its own within `exitWithinMs` of the last answer (or of its start). */
  exitedByItself: boolean;
  /** Milliseconds from the last answer (or from `doneWhen`, or the start) to the exit. */
  msAfterLastAnswer: number;
}

export interface TerminalOptions {
  cwd: string;
  args: readonly string[];
  env?: Record<string, string | undefined>;
  /** Typed one by one, each after the next prompt appears. */
  answers?: readonly string[];
  /** How long the command may take to exit after the last answer (default 8 s). */
  exitWithinMs?: number;
  /** How long to wait for each prompt before giving up (default 60 s: tsx and the database start first). */
  promptWithinMs?: number;
  /** What ends a prompt: the menu's `? `, a question's `: `, `(q to cancel) ` (default). */
  prompt?: RegExp;
  /** Without answers: output that means the command's work is done; from then on it has `exitWithinMs` to exit. */
  doneWhen?: RegExp;
}

const DEFAULT_PROMPT = /(\? |: |\) )$/;

const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

/**
 * Spawn `node --import tsx main.ts ARGS` in `cwd` in a pseudo-terminal. `script` hands the command to `$SHELL -c`;
 * it is pinned to /bin/sh and the command `exec`s node, so node is the terminal's foreground process: with dash
 * left waiting in between, a Ctrl-C would kill the shell (exit 130) even though node handles it.
 */
export function spawnInTerminal(options: { cwd: string; args: readonly string[]; env?: Record<string, string | undefined> }): ChildProcessWithoutNullStreams {
  const command = [process.execPath, "--import", "tsx", "main.ts", ...options.args].map(quote).join(" ");
  return spawn("script", ["-qfec", `exec ${command}`, "/dev/null"], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...options.env, SHELL: "/bin/sh" },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Run `node --import tsx main.ts ARGS` in a pseudo-terminal and type the answers. */
export function runInTerminal(options: TerminalOptions): Promise<TerminalRun> {
  const answers = [...(options.answers ?? [])];
  const exitWithin = options.exitWithinMs ?? 8_000;
  const promptWithin = options.promptWithinMs ?? 60_000;
  const prompt = options.prompt ?? DEFAULT_PROMPT;
  return new Promise((resolve, reject) => {
    const child = spawnInTerminal(options);
    let output = "";
    let lastAnswerAt = Date.now();
    // output length when the last answer was typed: a prompt counts only once something new was shown after it
    let seenAtAnswer = -1;
    let deadline: NodeJS.Timeout | undefined;
    let killed = false;
    const armDeadline = (ms: number, why: string) => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        killed = true;
        output += `\n[test: ${why}; killed]\n`;
        child.kill("SIGKILL");
      }, ms);
    };
    const typeIfPrompted = () => {
      if (answers.length === 0) return;
      const shown = output.replace(/\r/g, "");
      if (shown.length <= seenAtAnswer || !prompt.test(shown)) return;
      seenAtAnswer = shown.length;
      lastAnswerAt = Date.now();
      child.stdin.write(`${answers.shift()}\n`);
      armDeadline(answers.length ? promptWithin : exitWithin, answers.length ? "no prompt came" : "did not exit after the last answer");
    };
    let done = false;
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      typeIfPrompted();
      if (!done && !options.answers?.length && options.doneWhen?.test(output)) {
        done = true;
        lastAnswerAt = Date.now();
        armDeadline(exitWithin, "did not exit after its work was done");
      }
    });
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({
        code: killed ? null : code,
        output: output.replace(/\r\n/g, "\n"),
        exitedByItself: !killed,
        msAfterLastAnswer: Date.now() - lastAnswerAt,
      });
    });
    armDeadline(answers.length ? promptWithin : promptWithin + exitWithin, answers.length ? "no prompt came" : "did not exit");
  });
}
