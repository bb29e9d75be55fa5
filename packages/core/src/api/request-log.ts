/**
 * One log line per request, at a level that depends on its outcome, so that the server's log at info shows what
 * went wrong and not every successful poll of the UI. A websocket connecting is logged at info when it opens.
 */
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import { redactTarget } from "./auth.js";

/**
 * The level of a request's log line: a successful request is routine (debug), a refused one (4xx) is worth seeing
 * at info, a failed one (5xx) at warn; the error behind a 5xx is logged at error where it happens. 510 is no failure:
 * it is how a form asks for its next page (orchestrator-core's FormNotCompleteError), as routine as a 200.
 */
export function requestLogLevel(statusCode: number): "debug" | "info" | "warn" {
  if (statusCode === 510) return "debug";
  if (statusCode >= 500) return "warn";
  if (statusCode >= 400) return "info";
  return "debug";
}

/** Fastify's request logging with our levels: `GET /api/processes 200 3.1 ms` when the request is done. */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    if (request.headers.upgrade?.toLowerCase() === "websocket") {
      // a live-events client (a UI page) connecting: rare, long-lived, and its request is never "completed"
      request.log.info({ req: request }, `websocket ${request.method} ${redactTarget(request.url)}`);
      return;
    }
    // the line written when the request is done says everything; this one only helps to follow slow requests
    request.log.trace({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply, undefined);
    if (this.isLogDisabled(request)) return;
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    reply.log[requestLogLevel(status)](
      { req: request, res: reply, responseTime: ms },
      `${request.method} ${redactTarget(request.url)} ${status} ${ms.toFixed(1)} ms`,
    );
  }
}
