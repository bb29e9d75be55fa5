/**
 * The server's public API. The server modules (Fastify and its plugins) load on first use, so that the CLI's `db`
 * commands, migrations and scripts that import the library do not pay for them.
 */
import type { FastifyInstance } from "fastify";
import type { ApiOptions } from "./app.js";
import type { RunningServer, ServeOptions } from "./serve.js";

export type { ApiOptions, ApiContext } from "./app.js";
export type { ServeOptions, RunningServer } from "./serve.js";
export type { ApiUser, Authenticator } from "./auth.js";
export type { InvalidateCache } from "./events.js";
export { HttpProblem } from "./problem.js";

/** Open the database, migrate it to heads, start the engine and serve the API and UI (see serve.ts). */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  return (await import("./serve.js")).serve(options);
}

/** The Fastify instance of the API around an open database and engine, not listening (see app.ts). */
export async function createApi(options: ApiOptions): Promise<FastifyInstance> {
  return (await import("./app.js")).createApi(options);
}

/** The OpenAPI document of the REST API, built without a server or a database (see openapi.ts). */
export async function openApiDocument(): Promise<import("openapi-types").OpenAPIV3.Document> {
  return (await import("./openapi.js")).openApiDocument();
}
