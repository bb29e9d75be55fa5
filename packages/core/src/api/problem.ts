/**
 * Errors as HTTP answers. Every error body is JSON in orchestrator-core's problem-detail shape
 * `{detail, status, title, type?}`; the form errors keep pydantic-forms' bodies (510 with the next page, 400 with
 * per-field errors). Typed orchestrator errors map to the original's status codes by their `code`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_CODES } from "node:http";
import { OrchestratorError } from "../errors.js";
import { FormError, FormOverflowError } from "../forms/errors.js";

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
export const badRequest = (detail: string) => new HttpProblem(400, detail);

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
    return reply.status(422).send(problemBody(422, validationDetail(fastifyError)));
  }
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return reply.status(fastifyError.statusCode).send(problemBody(fastifyError.statusCode, fastifyError.message));
  }
  request.log.error({ err: error }, "unhandled error");
  return reply.status(500).send(problemBody(500, "Internal server error: see the server log"));
}

function validationDetail(error: FastifyError): string {
  const context = error.validationContext ?? "request";
  const parts = (error.validation ?? []).map((issue) => {
    const path = (issue.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
    return `${context}${path ? `.${path}` : ""}: ${issue.message ?? "invalid"}`;
  });
  return parts.length ? parts.join("; ") : error.message;
}
