/** `/api/metrics`: Prometheus text format (when ENABLE_PROMETHEUS_METRICS_ENDPOINT, the default). */
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";

export async function metricsRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  if (!ctx.settings.ENABLE_PROMETHEUS_METRICS_ENDPOINT) return;
  // public as in orchestrator-core (mounted outside the authenticated API router): scrapers carry no token
  app.get("/metrics", { ...PUBLIC_ROUTE, schema: { tags: ["metrics"], summary: "Prometheus metrics: processes, subscriptions, engine, step durations" } }, async (_request, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
