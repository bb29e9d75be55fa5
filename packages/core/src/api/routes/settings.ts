/**
 * `/api/settings`: engine status (pause / unpause) and the executor's worker status; for the WFO UI's settings page
 * also the caches it may flush, the (absent) search index it may reset, the exposed settings, and the websocket
 * `ws-status` of the engine status.
 */
import { z } from "zod";
import { exposedSettings } from "../../settings.js";
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";
import { badRequest } from "../problem.js";
import { engineStatusSchema, workerStatusSchema } from "../responses.js";

/** The caches `DELETE /settings/cache/{name}` empties: the list reads shared by concurrent requests (shared-reads.ts). */
const CACHES: Record<string, string> = { all: "Every cache of this server: the list reads shared by concurrent requests" };

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

  app.get("/settings/cache-names", { schema: { tags, summary: "The caches that can be flushed: name → what it holds", response: { 200: z.record(z.string(), z.string()) } } }, async () => CACHES);

  app.delete(
    "/settings/cache/:name",
    { schema: { tags, summary: "Flush a cache (its entries are read again)", params: z.object({ name: z.string().max(255, { error: "at most 255 characters" }) }), response: { 200: z.null() } } },
    async (request) => {
      if (!(request.params.name in CACHES)) throw badRequest(`Invalid cache name ${JSON.stringify(request.params.name)}: use ${Object.keys(CACHES).join(", ")}`, "name");
      ctx.reads.changed();
      return null;
    },
  );

  app.post(
    "/settings/search-index/reset",
    { schema: { tags, summary: "Nothing to do: the search reads the tables themselves, there is no search index", response: { 200: z.null() } } },
    async () => null,
  );

  app.get(
    "/settings/overview",
    {
      schema: {
        tags,
        summary: "The settings (EXPOSE_SETTINGS=true; secrets hidden), as orchestrator-core's exposed settings",
        response: { 200: z.array(z.object({ name: z.string(), variables: z.array(z.object({ env_name: z.string(), env_value: z.unknown() })) })) },
      },
    },
    async () => (ctx.settings.EXPOSE_SETTINGS ? [{ name: "orchestrator-ts", variables: exposedSettings(ctx.settings) }] : []),
  );

  // orchestrator-core's older channel of the engine status: `{"engine-status": …}` at once and after every change
  app.get(
    "/settings/ws-status",
    { ...PUBLIC_ROUTE, websocket: true, schema: { tags, summary: "Websocket of the engine status (?token= with authentication)" } },
    async (socket, request) => {
      let unsubscribe = () => {};
      socket.on("close", () => unsubscribe());
      socket.on("error", () => unsubscribe());
      const send = async () => {
        const status = await ctx.engine.engineStatus();
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ "engine-status": status }));
      };
      if (ctx.auth.active) {
        // browsers cannot send headers with a websocket: the token comes in the query, or as the subprotocol pair
        const parts = (request.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
        const token = (request.query as { token?: string }).token ?? (parts[0] === "base64.bearer.token" ? parts[1] : undefined);
        try {
          if (!token) throw new Error("no token");
          await ctx.auth.verify(token);
        } catch {
          socket.close(1008, "Not authorized");
          return;
        }
      }
      unsubscribe = ctx.hub.subscribe((message) => {
        if (message.value.type === "engineStatus") send().catch((error) => request.log.warn({ err: error }, "ws-status"));
      });
      await send();
    },
  );
}
