/**
 * `/api/ws/events`: the websocket the UI listens to for `invalidateCache` messages; `__ping__` is answered with
 * `__pong__`. With authentication on, the token comes as the subprotocol pair `base64.bearer.token, <JWT>` (or
 * `?token=`): a malformed header closes with 1002, a bad token with 1008, as orchestrator-core does.
 */
import { PUBLIC_ROUTE, type ApiContext, type ZodApp } from "../app.js";

export async function eventsRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  // public at the HTTP level: browsers cannot send headers with a websocket, so the handler checks the token
  app.get("/ws/events", { ...PUBLIC_ROUTE, websocket: true, schema: { tags: ["events"], summary: "Websocket of invalidateCache events" } }, async (socket, request) => {
    // handlers are attached at once: messages that arrive while the token is checked would otherwise be lost
    let authorized = !ctx.auth.active;
    let pingWhileChecking = false;
    let unsubscribe = () => {};
    socket.on("message", (data) => {
      if (data.toString() !== "__ping__") return;
      if (authorized) socket.send("__pong__");
      else pingWhileChecking = true;
    });
    socket.on("close", () => unsubscribe());
    socket.on("error", () => unsubscribe());
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
      try {
        await ctx.auth.verify(token);
      } catch {
        socket.close(1008, "Not authorized");
        return;
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
