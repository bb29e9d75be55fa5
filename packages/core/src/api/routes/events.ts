/**
 * `/api/ws/events`: the websocket the UI listens to for `invalidateCache` messages; `__ping__` is answered with
 * `__pong__`. With authentication on, the token comes as the subprotocol pair `base64.bearer.token, <JWT>` (or
 * `?token=`): a malformed header closes with 1002, a bad token with 1008, as orchestrator-core does.
 */
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";

/** The longest delay a Node timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

export async function eventsRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  // public at the HTTP level: browsers cannot send headers with a websocket, so the handler checks the token
  app.get("/ws/events", { ...PUBLIC_ROUTE, websocket: true, schema: { tags: ["events"], summary: "Websocket of invalidateCache events" } }, async (socket, request) => {
    // handlers are attached at once: messages that arrive while the token is checked would otherwise be lost
    let authorized = !ctx.auth.active;
    let pingWhileChecking = false;
    let unsubscribe = () => {};
    let expiry: NodeJS.Timeout | undefined;
    socket.on("message", (data) => {
      if (data.toString() !== "__ping__") return;
      if (authorized) socket.send("__pong__");
      else pingWhileChecking = true;
    });
    const end = () => {
      unsubscribe();
      clearTimeout(expiry);
    };
    socket.on("close", end);
    socket.on("error", end);
    if (ctx.auth.active) {
      const header = request.headers["sec-websocket-protocol"];
      const query = request.query as { token?: string };
      let token = query.token;
      if (!token) {
        const parts = (header ?? "").split(",").map((p) => p.trim());
        if (parts.length !== 2 || parts[0] !== "base64.bearer.token" || !parts[1]) {
          socket.close(1002, "Expected the subprotocols 'base64.bearer.token, <token>'");
          return;
        }
        token = parts[1];
      }
      let exp: unknown;
      try {
        exp = (await ctx.auth.verify(token)).claims.exp;
      } catch {
        socket.close(1008, "Not authorized");
        return;
      }
      // the token was checked once, at the start: the socket ends when it expires (the UI reconnects with a new one)
      if (typeof exp === "number") {
        expiry = setTimeout(() => socket.close(1008, "Token expired"), Math.min(Math.max(0, exp * 1000 - Date.now()), MAX_TIMER_MS));
      }
      if (socket.readyState !== socket.OPEN) return;
      authorized = true;
      if (pingWhileChecking) socket.send("__pong__");
    }
    unsubscribe = ctx.hub.subscribe((message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    });
  });
}
