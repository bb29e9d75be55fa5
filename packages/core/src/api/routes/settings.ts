/** `/api/settings`: engine status (pause / unpause) and the executor's worker status. */
import { z } from "zod";
import type { ApiContext, ZodApp } from "../app.js";
import { engineStatusSchema, workerStatusSchema } from "../responses.js";

const tags = ["settings"];

export async function settingsRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  app.get("/settings/status", { schema: { tags, summary: "Engine status: RUNNING, PAUSING or PAUSED", response: { 200: engineStatusSchema } } }, async () => ctx.engine.engineStatus());

  app.put(
    "/settings/status",
    {
      schema: {
        tags,
        summary: "Pause (global_lock true) or unpause the engine; running processes stop before their next step",
        body: z.strictObject({ global_lock: z.boolean() }),
        response: { 200: engineStatusSchema },
      },
    },
    async (request) => {
      if (request.body.global_lock) await ctx.engine.pause();
      else await ctx.engine.unpause();
      return ctx.engine.engineStatus();
    },
  );

  app.get("/settings/worker-status", { schema: { tags, summary: "Executor type, workers, queued and running jobs", response: { 200: workerStatusSchema } } }, async () => {
    const status = await ctx.engine.workerStatus();
    return {
      executor_type: status.executor,
      number_of_workers_online: status.workers,
      number_of_queued_jobs: status.queued,
      number_of_running_jobs: status.running,
      workers: status.workerList ?? [],
    };
  });
}
