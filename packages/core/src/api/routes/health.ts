import { sql } from "kysely";
import { z } from "zod";
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";
import { HttpProblem } from "../problem.js";

export async function healthRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  app.get(
    "/health",
    { ...PUBLIC_ROUTE, schema: { tags: ["health"], summary: "OK when the database answers", response: { 200: z.literal("OK") } } },
    async (_request, reply) => {
      try {
        await sql`SELECT 1`.execute(ctx.database.db);
      } catch (error) {
        reply.header("retry-after", "5");
        throw new HttpProblem(503, `Database unavailable: ${(error as Error).message}`);
      }
      return "OK" as const;
    },
  );
}
