/**
 * The live connection to `/api/ws/events`: sends `__ping__` on open and every 30 s and expects `__pong__` (within
 * 5 s of the first ping, 35 s of the last pong); reconnects with a growing delay, at once when the page becomes
 * visible again or the browser comes back online, or when `reconnect()` is called.
 */

export type SocketState = "connecting" | "connected" | "disconnected";

export interface LiveSocketOptions {
  url: string;
  onMessage: (data: string) => void;
  onState: (state: SocketState) => void;
  /** Subprotocols of each new connection (asked again on every connect: the token they carry may have changed). */
  protocols?: () => string[] | undefined;
  pingInterval?: number;
  firstPongTimeout?: number;
  pongTimeout?: number;
}

const MAX_RETRY_DELAY = 15_000;

export class LiveSocket {
  private socket: WebSocket | null = null;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private stopped = false;
  private readonly options: Required<LiveSocketOptions>;

  constructor(options: LiveSocketOptions) {
    this.options = { pingInterval: 30_000, firstPongTimeout: 5_000, pongTimeout: 35_000, protocols: () => undefined, ...options };
    document.addEventListener("visibilitychange", this.onWake);
    window.addEventListener("online", this.onWake);
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    document.removeEventListener("visibilitychange", this.onWake);
    window.removeEventListener("online", this.onWake);
    this.close();
  }

  /** Drop the current connection (if any) and connect again now. */
  reconnect(): void {
    this.retries = 0;
    this.close();
    this.open();
  }

  private readonly onWake = (): void => {
    if (document.visibilityState === "visible" && this.socket === null && !this.stopped) this.reconnect();
  };

  private open(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.options.onState("connecting");
    const socket = new WebSocket(this.options.url, this.options.protocols());
    this.socket = socket;
    socket.onopen = () => {
      this.retries = 0;
      this.options.onState("connected");
      this.ping(this.options.firstPongTimeout);
      this.pingTimer = setInterval(() => this.ping(this.options.pongTimeout), this.options.pingInterval);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (event.data === "__pong__") {
        clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
        return;
      }
      if (typeof event.data === "string") this.options.onMessage(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.close();
      this.scheduleRetry();
    };
  }

  private ping(timeout: number): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send("__ping__");
    if (this.pongTimer === undefined) {
      this.pongTimer = setTimeout(() => {
        this.close();
        this.scheduleRetry();
      }, timeout);
    }
  }

  private close(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.retryTimer);
    this.pingTimer = this.pongTimer = this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    }
    this.options.onState("disconnected");
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = Math.min(MAX_RETRY_DELAY, 1000 * 2 ** this.retries);
    this.retries += 1;
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}

/** The subprotocols that carry a bearer token to the events endpoint, as orchestrator-core's UI sends them. */
export function bearerProtocols(token: string | undefined): string[] | undefined {
  return token ? ["base64.bearer.token", token] : undefined;
}

/** The websocket URL of the events endpoint, on the page's own host. */
export function eventsUrl(location: Location): string {
  const protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return `${protocol}//${location.host}/api/ws/events`;
}
