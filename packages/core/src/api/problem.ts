/**
 * Errors as HTTP answers. Every error body is JSON in orchestrator-core's problem-detail shape
 * `{detail, status, title, type?}`; the form errors keep pydantic-forms' bodies (510 with the next page, 400 with
 * per-field errors). Typed orchestrator errors map to the original's status codes by their `code`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import { isDatabaseConnectionError } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import { FormError, FormOverflowError } from "../forms/index.js";

/** An error that is an HTTP answer: thrown by route handlers for 4xx cases. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export const notFound = (detail: string) => new HttpProblem(404, detail);
/** A 400; `field`, when the request names one, goes in the answer as `field` (as request validation's 422s). */
export const badRequest = (detail: string, field?: string) => new HttpProblem(400, detail, field === undefined ? {} : { field });

/** orchestrator-core's refusal of changes to processes while the engine is paused (503). */
export const enginePaused = () => new HttpProblem(503, "Engine is locked cannot accept changes on processes at this time");

/** Status code per OrchestratorError code. Codes not listed are 400 (the request cannot be carried out). */
const STATUS_BY_CODE: Record<string, number> = {
  workflow_not_found: 404,
  workflow_not_in_database: 404,
  process_not_found: 404,
  not_found: 404,
  invalid_token: 404,
  process_conflict: 409,
  start_predicate: 412,
  workflow_removed: 409,
  stale_data: 409,
  database_unavailable: 503,
  settings_invalid: 500,
  migration_error: 500,
};

export function problemBody(status: number, detail: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { detail, status, title: STATUS_CODES[status] ?? "Error", ...extra };
}

/** Fastify error handler: form errors, our problems, orchestrator errors, request validation, then 500. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof FormError) {
    // more pages submitted than the form has is bad input, not a server error
    if (error instanceof FormOverflowError) return reply.status(400).send({ ...error.toProblem(), status: 400, title: "Bad Request" });
    return reply.status(error.status).send(error.toProblem());
  }
  if (error instanceof HttpProblem) return reply.status(error.status).send(problemBody(error.status, error.message, error.extra));
  if (error instanceof OrchestratorError) {
    const status = STATUS_BY_CODE[error.code] ?? 400;
    if (status >= 500) request.log.error({ err: error }, error.message);
    return reply.status(status).send(problemBody(status, error.message));
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    // request validation (params, query, body): FastAPI answers 422 with what was wrong
    return reply.status(422).send(problemBody(422, validationDetail(fastifyError), { field: validationField(fastifyError) }));
  }
  const refused = databaseRefusal(error);
  if (refused) {
    // a safety net: the route schemas should have refused the value before the database saw it
    request.log.warn({ err: error }, "the database refused a value the API accepted");
    return reply.status(refused.status).send(problemBody(refused.status, refused.detail));
  }
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = bodyStatus(fastifyError) ?? fastifyError.statusCode;
    return reply.status(status).send(problemBody(status, clientErrorDetail(fastifyError, request)));
  }
  if (isDatabaseConnectionError(error)) {
    // the database is unreachable or the connection was lost: nothing to fix in the request; try again later
    request.log.warn({ err: error }, "database unavailable");
    return reply
      .status(503)
      .header("retry-after", "5")
      .send(problemBody(503, `Database unavailable: ${(error as Error).message}. The request was not carried out; try again shortly.`));
  }
  request.log.error({ err: error }, "unhandled error");
  return reply.status(500).send(problemBody(500, "Internal server error: see the server log"));
}

/**
 * What a request validation error says: `<part>.<path>: <message>` per field (`body.limit: …`), the first issue of
 * each (as pydantic reports the first constraint a field fails: one fix at a time, no contradicting limits).
 */
export function validationDetail(error: FastifyError): string {
  const context = error.validationContext ?? "request";
  const byField = new Map<string, string>();
  for (const issue of error.validation ?? []) {
    const path = issuePath(issue);
    const field = `${context}${path ? `.${path}` : ""}`;
    if (!byField.has(field)) byField.set(field, `${field}: ${issue.message ?? "invalid"}`);
  }
  return byField.size ? [...byField.values()].join("; ") : error.message;
}

/**
 * The field a request validation error is about, for the answer's `field` (as the 400s of checks beyond the schema
 * carry it): the first issue's path without its part (`interval_seconds`, `0.group_name`), or the part itself
 * (`body`) when the whole of it is wrong.
 */
export function validationField(error: FastifyError): string {
  const first = error.validation?.[0];
  return (first && issuePath(first)) || (error.validationContext ?? "request");
}

/** A validation issue's path, dotted (`0.group_name`; empty for the whole part). */
function issuePath(issue: { instancePath?: string }): string {
  return (issue.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
}

/** `body.interval_seconds` → `interval_seconds`; `body` → `body`. */
export function fieldOf(path: string): string {
  const dot = path.indexOf(".");
  return dot < 0 ? path : path.slice(dot + 1);
}

/** A body that could not be read is a 400 (415 for a media type the API does not take: a JSON API takes JSON). */
function bodyStatus(error: FastifyError): number | undefined {
  return error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? 400 : undefined;
}

/** The detail of a Fastify client error, naming the limit or what is accepted where Fastify's message does not. */
function clientErrorDetail(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return `Unsupported Content-Type ${JSON.stringify(request.headers["content-type"] ?? "")}: send application/json`;
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return `Request body is too large: at most ${request.routeOptions.bodyLimit ?? "the server's limit of"} bytes`;
    default:
      return error.message;
  }
}

/** What the database says when it refuses a value, as PostgreSQL (and PGlite) errors carry it. */
interface PostgresError {
  code: string;
  message: string;
  severity?: string;
  table?: string;
  column?: string;
  detail?: string;
}

function isPostgresError(error: unknown): error is PostgresError {
  const e = error as Partial<PostgresError> | null;
  // SQLSTATE codes are five digits or capital letters; node's own error codes (ECONNRESET…) are not
  return typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.message === "string" && "severity" in e;
}

/**
 * A PostgreSQL error caused by the value sent, as an HTTP answer: data exceptions (class 22: invalid byte sequence,
 * string too long, number out of range, invalid text representation, untranslatable character…) and program
 * limits (54: a value too large for an index, nested too deep) are 400; a unique or foreign key violation (23505,
 * 23503) is a 409 conflict with what is stored. The detail names the column when PostgreSQL gives it.
 */
export function databaseRefusal(error: unknown): { status: number; detail: string } | undefined {
  if (!isPostgresError(error)) return undefined;
  const where = error.column ? ` for ${error.table ? `${error.table}.` : ""}${error.column}` : error.table ? ` in ${error.table}` : "";
  const why = error.detail ? `${error.message} (${error.detail})` : error.message;
  if (error.code.startsWith("22") || error.code.startsWith("54")) return { status: 400, detail: `Invalid value${where}: ${why}` };
  if (error.code === "23505" || error.code === "23503") return { status: 409, detail: `Conflict with stored data${where}: ${why}` };
  return undefined;
}
