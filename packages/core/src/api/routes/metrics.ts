/** `/api/metrics`: Prometheus text format (when ENABLE_PROMETHEUS_METRICS_ENDPOINT, the default). */
import type { ApiContext, ZodApp } from "../app.js";

export async function metricsRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  if (!ctx.settings.ENABLE_PROMETHEUS_METRICS_ENDPOINT) return;
  app.get("/metrics", { schema: { tags: ["metrics"], summary: "Prometheus metrics: processes, subscriptions, engine, step durations" } }, async (_request, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
