/**
 * The orchestrator command line, embedded in an app's entry point:
 *
 *   // main.ts
 *   import { runCli } from "@orchestrator-ts/core";
 *   await runCli({ appRoot: import.meta.dirname });
 *
 * so that `npx tsx main.ts db upgrade heads` works as `python main.py db upgrade heads` does.
 */
import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { OrchestratorError } from "../errors.js";
import { loadSettings, type Settings } from "../settings.js";
import { setWorkflowRoot } from "../workflow/index.js";
import type { CliContext } from "./context.js";
import { dbCommand } from "./db-commands.js";
import { cliProcess } from "./process.js";
import { serveCommand } from "./serve-command.js";
import { workerCommand } from "./worker-command.js";
import { schedulerCommand } from "./scheduler-command.js";
import { generateCommand, normalizeGenerateArgs } from "./generate/command.js";

export type { CliContext } from "./context.js";
export { withCliProcess, type CliProcess } from "./process.js";

export interface CliOptions {
  /** The app's folder: migrations live in `<appRoot>/migrations`, the embedded database in `<appRoot>/.orchestrator`. */
  appRoot: string;
  /** Program name shown in help. */
  name?: string;
  /** Settings to use instead of reading the environment. */
  settings?: Settings;
  /** Extra commands an app adds next to `db`. */
  commands?: Command[];
}

export function createCli(options: CliOptions, io: Pick<CliContext, "out" | "err"> = defaultIo): Command {
  setWorkflowRoot(options.appRoot);
  let settings = options.settings;
  const ctx: CliContext = {
    appRoot: options.appRoot,
    settings: () => (settings ??= loadSettings(cliProcess().env)),
    ...io,
  };
  const program = new Command(options.name ?? "main.ts")
    .description("orchestrator-ts: products, subscriptions and the workflows that change them")
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const db = dbCommand(ctx);
  // `serve` is what runs without a command (`npx tsx main.ts`, `npm start`); a word that names no command is an error
  program.addCommand(serveCommand(ctx), { isDefault: true });
  program.addCommand(db);
  program.addCommand(workerCommand(ctx));
  program.addCommand(schedulerCommand(ctx));
  program.addCommand(generateCommand(ctx));
  for (const command of options.commands ?? []) program.addCommand(command);
  // commander's own messages of the subcommands (usage errors, help) go to the process's output as they are
  for (const command of descendants(program)) {
    command.configureOutput({ writeOut: (s) => cliProcess().stdout.write(s), writeErr: (s) => cliProcess().stderr.write(s) });
  }
  program.hook("preSubcommand", (self, sub) => refuseUnknownCommand(self, sub, db));
  // every command checks every setting first, so a bad value stops `db heads` as it stops `serve`
  program.hook("preAction", () => void ctx.settings());
  return program;
}

/** Every command below `command` (commander copies no settings to commands added with addCommand). */
function descendants(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...descendants(sub)]);
}

/**
 * Commander hands every word it does not know to the default command (`serve`). Only `main.ts` with no command, or
 * with options only, may serve; a word is an unknown command, and a `db` subcommand without `db` is pointed at it.
 */
function refuseUnknownCommand(program: Command, sub: Command, db: Command): void {
  if (sub.name() !== "serve") return;
  const word = program.args.find((arg) => !arg.startsWith("-"));
  if (word === undefined || word === sub.name()) return;
  const dbSub = db.commands.find((c) => c.name() === word || c.aliases().includes(word));
  const hint = dbSub
    ? ` — did you mean \`db ${dbSub.name()}\`?`
    : ` (commands: ${program.commands.map((c) => c.name()).join(", ")})`;
  program.error(`error: unknown command '${word}'${hint}`, { exitCode: 1, code: "commander.unknownCommand" });
}

const defaultIo = {
  out: (line: string) => cliProcess().stdout.write(`${line}\n`),
  err: (line: string) => cliProcess().stderr.write(`${line}\n`),
};

/**
 * Parse `argv` (default: the process arguments) and run the command. Errors of the orchestrator are printed as one
 * line without a stack trace and set a non-zero exit code. The process is Node's, or the one `withCliProcess` gives.
 */
export async function runCli(options: CliOptions, argv: readonly string[] = cliProcess().argv): Promise<void> {
  const proc = cliProcess();
  const program = createCli(options);
  // a usage error or --help of any command ends the command, not the process: the exit status is set below
  for (const command of [program, ...descendants(program)]) command.exitOverride();
  try {
    await program.parseAsync(normalizeGenerateArgs(argv));
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help)
      proc.exitCode = error.exitCode;
      return;
    }
    proc.exitCode = 1;
    if (error instanceof OrchestratorError) {
      proc.stderr.write(`${pc.red("Error:")} ${error.message}\n`);
      if (proc.env.DEBUG && error.cause instanceof Error) proc.stderr.write(`${error.cause.stack}\n`);
      return;
    }
    throw error;
  }
}
