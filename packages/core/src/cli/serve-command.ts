/**
 * `serve` (the default command): migrate to heads, run the engine, serve the API and UI until SIGINT / SIGTERM.
 * It tells what it does on the way (the database created or opened, each revision applied) and then one line with
 * the URL.
 */
import { Command } from "commander";
import { serve } from "../api/index.js";
import type { CliContext } from "./context.js";
import { untilSignal } from "./runtime.js";

export function serveCommand(ctx: CliContext): Command {
  return new Command("serve")
    .description("Migrate the database to heads, start the workflow engine and serve the REST API and web UI (HOST, PORT)")
    .option("--no-migrate", "do not upgrade the database first")
    .addHelpText("after", "\nExamples:\n  npx tsx main.ts\n  PORT=9000 npx tsx main.ts serve")
    .action(async (opts: { migrate: boolean }) => {
      const server = await serve({ appRoot: ctx.appRoot, settings: ctx.settings(), migrate: opts.migrate, report: ctx.out });
      ctx.out(readyLine(server.url, server.database.location));
      await untilSignal(ctx, () => server.close());
    });
}

/** The one line that says the server is up: where, and where the UI and the API docs are. */
function readyLine(url: string, database: string): string {
  return `orchestrator-ts ready, serving on ${url} (UI /, API docs /api/docs), database: ${database}`;
}
