/**
 * GraphQL errors in orchestrator-core's format (nwa-stdlib's error handler): every error carries
 * `extensions.error_type` — `bad_request` (bad filter, sort, paging or query), `not_authenticated` (no or a bad token:
 * the WFO UI signs out on it), `not_authorized`, `not_found`, `internal_error` (anything else, logged; its message
 * is not shown). Errors a resolver *registers* do not stop it: the data is answered with them.
 */
import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { OrchestratorError } from "../../errors.js";
import { HttpProblem } from "../problem.js";

export type ErrorType = "bad_request" | "not_authenticated" | "not_authorized" | "not_found" | "internal_error";

/** An error a resolver raises on purpose, with its type. */
export class GraphqlApiError extends Error {
  constructor(
    message: string,
    readonly errorType: ErrorType,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new GraphqlApiError(message, "bad_request");

/** What mercurius keeps per request: the errors registered so far (it adds them to the answer). */
export interface ErrorCollector {
  errors: Error[] | null;
}

/** Adds an error to the answer without stopping the resolver (orchestrator-core's `register_error`). */
export function registerError(context: ErrorCollector, info: GraphQLResolveInfo, message: string, errorType: ErrorType = "bad_request"): void {
  const error = new GraphQLError(message, { path: pathOf(info), extensions: { error_type: errorType } });
  context.errors = [...(context.errors ?? []), error];
}

function pathOf(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo["path"] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

/** The error type of an error thrown anywhere (resolver, authentication, database). */
export function errorTypeOf(error: unknown): ErrorType {
  if (error instanceof GraphqlApiError) return error.errorType;
  if (error instanceof HttpProblem) {
    if (error.status === 401) return "not_authenticated";
    if (error.status === 403) return "not_authorized";
    if (error.status === 404) return "not_found";
    if (error.status < 500) return "bad_request";
    return "internal_error";
  }
  if (error instanceof OrchestratorError) return error.code === "not_found" ? "not_found" : "internal_error";
  return "internal_error";
}

interface ExecutionLike {
  data?: unknown;
  errors?: readonly (GraphQLError | Error)[];
}

/**
 * mercurius's errorFormatter: each error with its `error_type`; a request that cannot be run at all (not
 * authenticated, a document that does not parse or validate) gets its HTTP status, anything answered with data 200.
 */
export function formatErrors(execution: ExecutionLike, context: { reply?: FastifyReply; app?: { log: FastifyRequest["log"] } }) {
  const log = context.reply?.log ?? context.app?.log;
  let statusCode = execution.data ? 200 : 0;
  const errors = (execution.errors ?? []).flatMap((error) => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    // mercurius's validation and parse errors carry the graphql-js errors in .errors
    const inner = (original as { errors?: unknown } | undefined)?.errors;
    if (Array.isArray(inner) && inner.length > 0) {
      statusCode ||= 400;
      return inner.map((e: GraphQLError) => withType(e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message)), "bad_request"));
    }
    const type = original ? errorTypeOf(original) : ((error as GraphQLError).extensions?.error_type as ErrorType | undefined) ?? "internal_error";
    if (!statusCode && original) statusCode = httpStatus(original, type);
    if (type === "internal_error" && original) {
      log?.error({ err: original ?? error }, "GraphQL resolver failed");
      return [withType(error as GraphQLError, type, "Internal error: see the server log")];
    }
    return [withType(error instanceof GraphQLError ? error : new GraphQLError(error.message), type)];
  });
  return { statusCode: statusCode || 200, response: { data: execution.data ?? null, errors } };
}

function httpStatus(error: unknown, type: ErrorType): number {
  if (error instanceof HttpProblem) return error.status;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === "number" && status >= 400) return status;
  return type === "not_authenticated" ? 401 : type === "bad_request" ? 400 : 200;
}

function withType(error: GraphQLError, errorType: ErrorType, message = error.message) {
  return {
    message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: { ...error.extensions, error_type: errorType },
  };
}

/** mercurius's errorHandler (errors before execution: authentication, a body that is not a GraphQL request). */
export function handleRequestError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const type = errorTypeOf(error);
  const status =
    error instanceof HttpProblem
      ? error.status
      : error instanceof GraphqlApiError
        ? { bad_request: 400, not_authenticated: 401, not_authorized: 403, not_found: 404, internal_error: 500 }[error.errorType]
        : typeof (error as FastifyError).statusCode === "number"
          ? (error as FastifyError).statusCode!
          : 500;
  // a document that does not parse or validate, variables of the wrong type: graphql-js's errors, each with its place
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) {
    const errors = inner.map((e: GraphQLError) => withType(e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message)), "bad_request"));
    return reply.status(status < 500 ? status : 400).send({ data: null, errors });
  }
  if (status >= 500) request.log.error({ err: error }, "GraphQL request failed");
  const message = status >= 500 ? "Internal error: see the server log" : error.message;
  return reply.status(status).send({ data: null, errors: [{ message, extensions: { error_type: status < 500 && type === "internal_error" ? "bad_request" : type } }] });
}
