/**
 * The HTTP server: orchestrator-core's REST API under `/api` (snake_case JSON, the original's status codes), the
 * websocket `/api/ws/events`, Prometheus metrics, the OpenAPI document generated from the route schemas, and the
 * web UI at `/`. `createApi` builds it around an open database and engine; `serve` (serve.ts) does the rest.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCors from "@fastify/cors";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import fastifyWebsocket from "@fastify/websocket";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { OrchestratorDb } from "../db/index.js";
import type { Settings } from "../settings.js";
import type { WorkflowEngine } from "../workflow/index.js";
import { createAuthenticator, redactTarget, SYSTEM_USER, type ApiUser, type Authenticator } from "./auth.js";
import { EventHub } from "./events.js";
import { SharedReads } from "./shared-reads.js";
import { Metrics } from "./metrics.js";
import { handleError, problemBody } from "./problem.js";
import { GUARD_SERVER_OPTIONS, guardRequestInput, MAX_URL_BYTES } from "./input-guard.js";
import { serverLogStream } from "./log-lines.js";
import { RequestLogController } from "./request-log.js";
import { authRoutes } from "./routes/auth.js";
import { eventsRoutes } from "./routes/events.js";
import { formRoutes } from "./routes/forms.js";
import { healthRoutes } from "./routes/health.js";
import { metadataRoutes } from "./routes/metadata.js";
import { metricsRoutes } from "./routes/metrics.js";
import { processRoutes } from "./routes/processes.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { searchRoutes } from "./routes/search.js";
import { settingsRoutes } from "./routes/settings.js";
import { subscriptionRoutes } from "./routes/subscriptions.js";
import { translationRoutes } from "./routes/translations.js";
import { userRoutes } from "./routes/user.js";
import { workflowRoutes } from "./routes/workflows.js";
import { GRAPHQL_PATH, graphqlRoutes } from "./graphql/plugin.js";

export interface ApiOptions {
  database: OrchestratorDb;
  engine: WorkflowEngine;
  settings: Settings;
  /** Folder of the built web UI served at `/`; default packages/ui/dist when it exists; false for none. */
  uiFolder?: string | false;
  /** Fastify's logger option (pino); default: LOG_LEVEL, none in tests. */
  logger?: FastifyServerOptions["logger"];
}

/** What every route module gets. */
export interface ApiContext {
  readonly database: OrchestratorDb;
  readonly engine: WorkflowEngine;
  readonly settings: Settings;
  readonly hub: EventHub;
  readonly metrics: Metrics;
  readonly auth: Authenticator;
  /** List reads shared by concurrent requests (shared-reads.ts). */
  readonly reads: SharedReads;
}

export type Api = FastifyInstance;
/** The Fastify instance route modules register on: zod schemas for params, query, body and responses. */
export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated user (undefined when authentication is off). */
    user?: ApiUser;
  }
}

/** The user name recorded on processes (`created_by`): the token's user, or SYSTEM without authentication. */
export function userName(user: ApiUser | undefined): string {
  return user?.name ?? SYSTEM_USER;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * Reachable without a bearer token when authentication is on. Every other route needs one: the decision is made
     * on the route the router matched, never on the raw request target (which can be spelled many ways).
     */
    public?: boolean;
  }
}

/** Route options that mark a route public (see FastifyContextConfig.public). */
export const PUBLIC_ROUTE = { config: { public: true } } as const;

/**
 * Registers a plugin whose routes are all public (the API docs, the UI's static files): they are marked as they are
 * added, so the mark is on each route.
 */
async function publicRoutes(scope: FastifyInstance, options: { register: (scope: FastifyInstance) => unknown }): Promise<void> {
  scope.addHook("onRoute", (route) => {
    route.config = { ...route.config, public: true };
  });
  await options.register(scope);
}

/**
 * The logger option with the request serializer that redacts secrets (unless the caller brings its own). By default
 * LOG_LEVEL, readable lines when standard output is a terminal and JSON lines otherwise.
 */
function loggerOptions(logger: ApiOptions["logger"], level: string): ApiOptions["logger"] {
  if (logger === undefined) {
    const stream = serverLogStream();
    return { level, serializers: { req: requestLogValue }, ...(stream ? { stream } : {}) };
  }
  if (typeof logger !== "object" || logger === null) return logger;
  return { ...logger, serializers: { req: requestLogValue, ...(logger as { serializers?: object }).serializers } };
}

/** What the request log shows of a request: no secrets in the target (websocket and callback tokens). */
function requestLogValue(request: FastifyRequest) {
  return { method: request.method, url: redactTarget(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}

export const DEFAULT_UI_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), "../../../ui/dist");

export async function createApi(options: ApiOptions): Promise<FastifyInstance> {
  const { settings, engine, database } = options;
  const app = Fastify({
    logger: loggerOptions(options.logger, settings.LOG_LEVEL),
    // one line per request, at a level that depends on its outcome
    logController: new RequestLogController(),
    // bodies such as `"progress text"` for callbacks are JSON strings
    bodyLimit: 10 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_URL_BYTES },
    ...GUARD_SERVER_OPTIONS,
  });
  // An empty body sent with a JSON content type (some clients set it on every request) reads as no body, as FastAPI
  // reads it: a route without a body answers as usual, one that needs a body says it is missing. Else Fastify's own
  // parser (prototype poisoning refused).
  const jsonParser = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) =>
    (body as string).length === 0 ? done(null, undefined) : jsonParser(request, body as string, done),
  );
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.addHook("preValidation", guardRequestInput);
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith("/api")) return reply.status(404).send(problemBody(404, `Not found: ${request.method} ${request.url.split("?")[0]}`));
    return sendUiIndex(reply);
  });

  const hub = new EventHub(database.db, engine, (error) => app.log.error({ err: error }, "event hub"));
  const metrics = new Metrics(database.db, engine);
  const auth = createAuthenticator(settings);
  if (auth.active && !settings.OIDC_AUDIENCE) {
    app.log.warn("OIDC_AUDIENCE is not set: tokens the identity provider issued for any of its clients are accepted");
  }
  const reads = new SharedReads(engine);
  // every write answered through this process (after its commit, before the client can read again) ends the sharing
  // of reads begun before it: a client reads its own writes (shared-reads.ts)
  app.addHook("onSend", async (request, reply, payload) => {
    // (GraphQL requests and searches are queries: they change nothing)
    const url = request.routeOptions.url;
    if (request.method !== "GET" && request.method !== "HEAD" && reply.statusCode < 400 && url !== GRAPHQL_PATH && !url?.startsWith("/api/search/")) reads.changed();
    return payload;
  });
  app.addHook("onClose", async () => {
    hub.close();
    metrics.close();
    reads.close();
  });
  const ctx: ApiContext = { database, engine, settings, hub, metrics, auth, reads };

  await app.register(fastifyCors, {
    origin: settings.CORS_ORIGINS === "*" ? true : settings.CORS_ORIGINS.split(",").map((o) => o.trim()),
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    exposedHeaders: ["Content-Range", "ETag", "Content-Type"],
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: "orchestrator-ts", description: "Products, subscriptions and the workflows that change them", version: "0.1.0" },
      components: auth.active ? { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } } : undefined,
      security: auth.active ? [{ bearer: [] }] : undefined,
    },
    transform: jsonSchemaTransform,
  });
  // CORS preflight answers (OPTIONS) carry no data and browsers send them without credentials
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === "OPTIONS")) route.config = { ...route.config, public: true };
    // the OpenAPI document says which routes need no token
    if (route.config?.public === true && route.schema) route.schema = { ...route.schema, security: [] };
  });
  await app.register(publicRoutes, { register: (scope) => scope.register(fastifySwaggerUi, { routePrefix: "/api/docs" }) });
  await app.register(fastifyWebsocket, {
    options: {
      // the WFO UI sends its token as the subprotocol pair "base64.bearer.token, <JWT>" and needs the first echoed
      handleProtocols: (protocols) => (protocols.has("base64.bearer.token") ? "base64.bearer.token" : false),
    },
  });

  // Deny by default: a route needs a token unless it is marked public. Unmatched requests (404, or the UI's
  // client-side routes answered with index.html) carry no data and pass.
  app.addHook("onRequest", async (request) => {
    if (!auth.active || request.is404 || request.routeOptions.config.public === true) return;
    request.user = await auth.authenticate(request.headers.authorization);
  });

  await app.register(
    async (api) => {
      const zodApi = api.withTypeProvider<ZodTypeProvider>();
      api.get("/openapi.json", { schema: { hide: true }, ...PUBLIC_ROUTE }, async () => app.swagger());
      await healthRoutes(zodApi, ctx);
      await authRoutes(zodApi, ctx);
      await processRoutes(zodApi, ctx);
      await subscriptionRoutes(zodApi, ctx);
      await metadataRoutes(zodApi, ctx);
      await workflowRoutes(zodApi, ctx);
      await settingsRoutes(zodApi, ctx);
      await scheduleRoutes(zodApi, ctx);
      await searchRoutes(zodApi, ctx);
      await formRoutes(zodApi, ctx);
      await translationRoutes(zodApi, ctx);
      await userRoutes(zodApi, ctx);
      await eventsRoutes(zodApi, ctx);
      await metricsRoutes(zodApi, ctx);
    },
    { prefix: "/api" },
  );
  // /api/graphql (its routes carry their /api prefix themselves, in a scope of their own)
  await app.register(async (scope) => graphqlRoutes(scope, ctx));

  const uiFolder = options.uiFolder === undefined ? (existsSync(DEFAULT_UI_FOLDER) ? DEFAULT_UI_FOLDER : false) : options.uiFolder;
  if (uiFolder) await app.register(publicRoutes, { register: (scope) => scope.register(fastifyStatic, { root: uiFolder, wildcard: false }) });
  // looked up once: every unknown path outside /api answers with it (the UI's client-side routes)
  const hasUiIndex = uiFolder !== false && existsSync(resolve(uiFolder, "index.html"));

  function sendUiIndex(reply: import("fastify").FastifyReply) {
    // read here, not with reply.sendFile: @fastify/static decorates the reply only inside its (public) plugin scope
    if (hasUiIndex) return reply.type("text/html").send(readFileSync(resolve(uiFolder as string, "index.html")));
    return reply
      .status(404)
      .type("text/plain")
      .send("orchestrator-ts: the web UI is not built (npm run build:ui); the API is at /api, its docs at /api/docs\n");
  }

  return app;
}
