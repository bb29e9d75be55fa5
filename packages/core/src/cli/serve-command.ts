/** `serve` (the default command): migrate to heads, run the engine, serve the API and UI until SIGINT / SIGTERM. */
import { Command } from "commander";
import { serve } from "../api/index.js";
import type { CliContext } from "./context.js";

export function serveCommand(ctx: CliContext): Command {
  return new Command("serve")
    .description("Migrate the database to heads, start the workflow engine and serve the REST API and web UI (HOST, PORT)")
    .option("--no-migrate", "do not upgrade the database first")
    .addHelpText("after", "\nExamples:\n  npx tsx main.ts\n  PORT=9000 npx tsx main.ts serve")
    .action(async (opts: { migrate: boolean }) => {
      const server = await serve({ appRoot: ctx.appRoot, settings: ctx.settings(), migrate: opts.migrate });
      ctx.out(`orchestrator-ts serving on ${server.url} (API ${server.url}/api, docs ${server.url}/api/docs), database: ${server.database.location}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ctx.out(`${signal}: finishing running steps, then stopping`);
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          server.close().then(resolve, (error: unknown) => {
            ctx.err(`Error while stopping: ${(error as Error).message}`);
            resolve();
          });
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
