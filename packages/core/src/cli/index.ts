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
import { setWorkflowRoot } from "../workflow/registry.js";
import type { CliContext } from "./context.js";
import { dbCommand } from "./db-commands.js";
import { serveCommand } from "./serve-command.js";

export type { CliContext } from "./context.js";

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
    settings: () => (settings ??= loadSettings()),
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
  for (const command of options.commands ?? []) program.addCommand(command);
  program.hook("preSubcommand", (self, sub) => refuseUnknownCommand(self, sub, db));
  // every command checks every setting first, so a bad value stops `db heads` as it stops `serve`
  program.hook("preAction", () => void ctx.settings());
  return program;
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
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

/**
 * Parse `argv` (default: the process arguments) and run the command. Errors of the orchestrator are printed as one
 * line without a stack trace and set a non-zero exit code.
 */
export async function runCli(options: CliOptions, argv: readonly string[] = process.argv): Promise<void> {
  const program = createCli(options);
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (or the help)
      process.exitCode = error.exitCode;
      return;
    }
    process.exitCode = 1;
    if (error instanceof OrchestratorError) {
      process.stderr.write(`${pc.red("Error:")} ${error.message}\n`);
      if (process.env.DEBUG && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`);
      return;
    }
    throw error;
  }
}
