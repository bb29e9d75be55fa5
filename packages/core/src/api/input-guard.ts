/**
 * The input guard: what no request may carry, whatever its route, refused before any handler runs so that it is a
 * 4xx naming the field and the limit, never a database error (and never a half-written change).
 *
 * - Text must be storable: PostgreSQL text and jsonb cannot hold NUL (U+0000), and a lone UTF-16 surrogate is not
 *   Unicode at all (the driver would store U+FFFD in its place). Checked in path parameters, the query string and the
 *   whole JSON body, keys included, so form pages and callback data (which the schemas leave open) are covered too.
 * - JSON bodies may nest at most MAX_JSON_DEPTH levels: deeper values overflow the stack where they are serialised.
 * - The HTTP parser's own refusals (a request line and headers over Node's limit, a malformed request) and URLs that
 *   are not percent-encoded UTF-8 are answered as problem details like every other error.
 */
import type { Socket } from "node:net";
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fieldOf, handleError, HttpProblem, problemBody } from "./problem.js";

/** How deeply a JSON body may nest (arrays and objects). */
export const MAX_JSON_DEPTH = 100;

/** The most bytes Node accepts for a request line and headers together; a path or query parameter cannot be longer. */
export const MAX_URL_BYTES = maxHeaderSize;

// a high surrogate not followed by a low one, or a low one not preceded by a high one (UTF-16 code units)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` cannot be stored as text, or undefined when it can. */
export function textProblem(value: string): string | undefined {
  const nul = value.indexOf("\u0000");
  if (nul >= 0) return `must not contain NUL characters (\\u0000; found at position ${nul})`;
  const lone = value.search(LONE_SURROGATE);
  if (lone >= 0) {
    const unit = value.charCodeAt(lone).toString(16).toUpperCase();
    return `must be valid Unicode: a lone surrogate \\u${unit} at position ${lone}`;
  }
  return undefined;
}

interface Visit {
  value: unknown;
  depth: number;
  parent?: Visit;
  key?: string;
}

/** The dotted path of a visited value; a deep one shortened to its first keys (`body.0.a.a.a.a…`). */
function pathOf(visit: Visit, maxKeys = Infinity): string {
  const keys: string[] = [];
  for (let v: Visit | undefined = visit; v; v = v.parent) if (v.key !== undefined) keys.push(v.key);
  keys.reverse();
  return keys.length > maxKeys ? `${keys.slice(0, maxKeys).join(".")}…` : keys.join(".");
}

/**
 * The first thing in `root` (a parsed JSON value, query or params object) that cannot be stored: its path, dotted
 * from `rootName` as in validation errors (`body.0.group_name`), and why. Iterative, so a deep value cannot
 * overflow the stack here; paths are built only for the value refused.
 */
export function findUnstorable(root: unknown, rootName: string): { path: string; why: string } | undefined {
  const stack: Visit[] = [{ value: root, depth: 0, key: rootName }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === "string") {
      const problem = textProblem(value);
      if (problem) return { path: pathOf(visit), why: problem };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (visit.depth >= MAX_JSON_DEPTH) return { path: pathOf(visit, 6), why: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const child: Visit = { value: item, depth: visit.depth + 1, parent: visit, key };
      const keyProblem = Array.isArray(value) ? undefined : textProblem(key);
      if (keyProblem) return { path: pathOf(visit), why: `the key ${JSON.stringify(key)} ${keyProblem}` };
      stack.push(child);
    }
  }
  return undefined;
}

/**
 * preValidation hook: refuses (422) unstorable text or too deep JSON in the path, the query string or the body, naming
 * the field as the schemas' refusals do.
 */
export async function guardRequestInput(request: FastifyRequest): Promise<void> {
  const problem = findUnstorable(request.params, "params") ?? findUnstorable(request.query, "query") ?? findUnstorable(request.body, "body");
  if (problem) throw new HttpProblem(422, `${problem.path}: ${problem.why}`, { field: fieldOf(problem.path) });
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses, as a problem detail. A request line and headers
 * over Node's limit (which is how a 1 MB path or query parameter arrives) is a 400 naming the limit, as
 * orchestrator-core's server answers it; a timeout stays 408.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  // a reset connection has nobody to answer
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  let status = 400;
  let detail = `Malformed HTTP request (${error.code ?? error.message})`;
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") [status, detail] = [408, "The request was not received in time"];
  else if (error.code === "HPE_HEADER_OVERFLOW") {
    detail = `Request line and headers too large: at most ${MAX_URL_BYTES} bytes together (path and query parameters included)`;
  }
  const body = JSON.stringify(problemBody(status, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Fastify's `frameworkErrors`: errors of the router before a route is chosen (a URL that is not percent-encoded
 * UTF-8, such as an encoded lone surrogate) answered by the API's error handler, as problem details.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  handleError(error, request, reply);
}

/** The Fastify server options of the guard: the router takes parameters as long as a URL, the schemas limit them. */
export const GUARD_SERVER_OPTIONS = { clientErrorHandler, frameworkErrors } as const;
