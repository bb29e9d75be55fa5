/**
 * `/api/graphql`: orchestrator-core's GraphQL API (the queries the WFO UI sends) on mercurius, in the same Fastify
 * server as the REST API and behind the same authentication: its routes are not public, so the server's onRequest hook
 * asks for a bearer token when OAUTH2_ACTIVE, and a refusal is answered as a GraphQL error of type
 * `not_authenticated` (the WFO UI signs out on it). GraphiQL is served at `/api/graphiql`, and a browser opening
 * `/api/graphql` is sent there, when SERVE_GRAPHQL_UI (by default in local and development environments).
 */
import type { FastifyInstance } from "fastify";
import mercurius from "mercurius";
import type { ApiContext } from "../app.js";
import type { GraphqlContext } from "./context.js";
import { badRequest, formatErrors, handleRequestError } from "./errors.js";
import { createLoaders } from "./loaders.js";
import { catalogueResolvers } from "./resolvers/catalogue.js";
import { scalars } from "./resolvers/common.js";
import { otherResolvers } from "./resolvers/other.js";
import { processResolvers } from "./resolvers/processes.js";
import { subscriptionResolvers } from "./resolvers/subscriptions.js";
import { SCHEMA } from "./schema.js";

export const GRAPHQL_PATH = "/api/graphql";

/** Whether GraphiQL is served: SERVE_GRAPHQL_UI, or by default in a local or development environment. */
export function servesGraphiql(settings: ApiContext["settings"]): boolean {
  return settings.SERVE_GRAPHQL_UI ?? ["local", "development", "dev"].includes(settings.ENVIRONMENT.toLowerCase());
}

export const RESOLVERS = {
  ...scalars,
  ...processResolvers,
  ...subscriptionResolvers,
  ...catalogueResolvers,
  ...otherResolvers,
  Query: { ...processResolvers.Query, ...subscriptionResolvers.Query, ...catalogueResolvers.Query, ...otherResolvers.Query },
};

export async function graphqlRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const graphiql = servesGraphiql(ctx.settings);
  // GraphiQL's page and scripts carry no data: public like the REST API's docs
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/api/graphiql")) {
      route.config = { ...route.config, public: true };
      route.schema = { ...route.schema, hide: true };
    }
    // mercurius's JSON schemas are not for the server's zod compilers: the request is checked in checkRequest, and
    // the endpoint is documented in docs/api.md rather than in the OpenAPI document
    if (route.url === GRAPHQL_PATH) route.schema = { hide: true };
  });
  await app.register(mercurius, {
    schema: SCHEMA,
    resolvers: RESOLVERS as never,
    prefix: "/api",
    path: "/graphql",
    graphiql,
    // what the UI sends are queries; a development server may be explored with GraphiQL
    context: (request): Omit<GraphqlContext, "errors"> => ({ db: ctx.database.db, settings: ctx.settings, user: request.user, loaders: createLoaders(ctx.database.db) }),
    errorFormatter: formatErrors as never,
    errorHandler: handleRequestError as never,
    additionalRouteOptions: {
      // a browser opening the endpoint gets GraphiQL (orchestrator-core serves its IDE at the endpoint)
      preHandler: async (request, reply) => {
        const query = request.query as Record<string, unknown> | undefined;
        if (graphiql && request.method === "GET" && !query?.query && request.headers.accept?.includes("text/html")) {
          return reply.redirect("/api/graphiql");
        }
        checkRequest(request.method === "GET" ? query : request.body);
      },
    },
  });
}

/** A GraphQL request: `query` a string, `operationName` a string or null, `variables` an object (a JSON string in a GET). */
function checkRequest(input: unknown): void {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw badRequest("Invalid request: expected a JSON object {query, variables?, operationName?}");
  const { query, operationName, variables } = input as Record<string, unknown>;
  if (typeof query !== "string" || query.trim() === "") throw badRequest("Invalid request: query must be a GraphQL document (a string)");
  if (operationName != null && typeof operationName !== "string") throw badRequest("Invalid request: operationName must be a string");
  if (variables != null && typeof variables !== "object" && typeof variables !== "string") throw badRequest("Invalid request: variables must be an object");
  if (Array.isArray(variables)) throw badRequest("Invalid request: variables must be an object, not a list");
}
