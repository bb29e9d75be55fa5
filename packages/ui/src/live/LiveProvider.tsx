/** Keeps the websocket open while the app runs, turns its messages into cache invalidations, and shows its state. */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useAuth } from "../auth/AuthContext.ts";
import { invalidate, parseInvalidate, type InvalidateMessage } from "./invalidate.ts";
import { bearerProtocols, eventsUrl, LiveSocket, type SocketState } from "./socket.ts";

interface LiveContextValue {
  state: SocketState;
  reconnect: () => void;
}

const LiveContext = createContext<LiveContextValue>({ state: "disconnected", reconnect: () => undefined });

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const auth = useAuth();
  const [state, setState] = useState<SocketState>("connecting");
  const socket = useRef<LiveSocket | null>(null);

  useEffect(() => {
    let connectedBefore = false;
    // a process step sends several messages at once: collect them for a moment, refetch each query once
    const pending = new Map<string, InvalidateMessage>();
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      const messages = [...pending.values()];
      pending.clear();
      for (const message of messages) void invalidate(client, message);
    };
    const live = new LiveSocket({
      url: eventsUrl(window.location),
      // with authentication on, the token travels as the subprotocol pair "base64.bearer.token, <token>"
      protocols: () => bearerProtocols(auth?.token()),
      onState: (next) => {
        setState(next);
        if (next !== "connected") return;
        // on a reconnect: anything may have changed while we were not listening
        if (connectedBefore) void client.invalidateQueries();
        connectedBefore = true;
      },
      onMessage: (data) => {
        const message = parseInvalidate(data);
        if (!message) return;
        pending.set(`${message.type}/${message.id ?? ""}`, message);
        flushTimer ??= setTimeout(flush, 100);
      },
    });
    socket.current = live;
    live.start();
    return () => {
      clearTimeout(flushTimer);
      live.stop();
    };
  }, [client, auth]);

  return <LiveContext.Provider value={{ state, reconnect: () => socket.current?.reconnect() }}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);

/** "Live" / "Offline" badge; a click reconnects. */
export function LiveBadge() {
  const { state, reconnect } = useLive();
  const text = state === "connected" ? "Live" : state === "connecting" ? "Connecting" : "Offline";
  return (
    <button
      type="button"
      className={`badge live-badge live-${state}`}
      data-state={state}
      onClick={reconnect}
      title={state === "connected" ? "Live updates on (click to reconnect)" : "Live updates off: click to reconnect"}
      aria-label={`Live updates: ${state}. Reconnect`}
    >
      <span aria-hidden="true">●</span> {text}
    </button>
  );
}
