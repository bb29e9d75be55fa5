/**
 * `/api/user`: what the WFO UI reports to the server's log — errors it met (`POST /user/error`) and sign-ins and
 * sign-outs (`POST /user/log/{user_name}`) — answered `{}` as in orchestrator-core. Bodies are JSON objects of at
 * most 64 KB.
 */
import { z } from "zod";
import type { ApiContext, ZodApp } from "../app.js";
import { identifier } from "../schemas.js";

const USER_LOG_BODY_LIMIT = 64 * 1024;
const tags = ["user"];
const anyObject = z.record(z.string(), z.unknown());

export async function userRoutes(app: ZodApp, _ctx: ApiContext): Promise<void> {
  app.post(
    "/user/error",
    { bodyLimit: USER_LOG_BODY_LIMIT, schema: { tags, summary: "Log an error the UI met", body: anyObject, response: { 200: z.object({}) } } },
    async (request) => {
      request.log.error({ data: request.body, frontend_error: true, user: request.user?.name }, "Client reported an error");
      return {};
    },
  );

  app.post(
    "/user/log/:user_name",
    {
      bodyLimit: USER_LOG_BODY_LIMIT,
      schema: { tags, summary: "Log a user's sign-in or sign-out as the UI reports it", params: z.object({ user_name: identifier() }), body: anyObject, response: { 200: z.object({}) } },
    },
    async (request) => {
      const message = request.body.message ?? request.body;
      request.log.info({ user_name: request.params.user_name, message, user: request.user?.name }, "Client sent user info");
      return {};
    },
  );
}
