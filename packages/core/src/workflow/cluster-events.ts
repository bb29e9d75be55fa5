/**
 * Process and subscription changes of every orchestrator process on the database (API replicas, workers), so that each
 * API replica's websocket clients hear of changes made anywhere, and requests to whichever process runs a process
 * (abort) on a channel of their own that workers listen to. On a PostgreSQL server each change is published with
 * NOTIFY, batched for up to BATCH_MS into payloads under PostgreSQL's 8,000-byte limit; every instance
 * that listens hands on the changes of the others (its own it already knows). orchestrator-core sends them through
 * Redis pub/sub (its websocket broadcaster); here nothing else has to run. On the embedded database there is one
 * process: nothing is published.
 */
import { randomBytes } from "node:crypto";
import { CompiledQuery } from "kysely";
import { namedStatement, type Listener, type OrchestratorDb } from "../db/index.js";
import type { ProcessStatus } from "./status.js";

/** The notification channel of changes (API processes listen). */
export const CLUSTER_EVENTS_CHANNEL = "orchestrator_events";
/** The channel of requests to whoever runs a process (abort): every process listens, workers only to this one. */
export const CLUSTER_CONTROL_CHANNEL = "orchestrator_control";

/**
 * Changes published within this time go out in one notification (or a few, when they do not fit in one): a websocket
 * client hears of a change within about a tenth of a second, and a busy worker sends one statement per 100 ms for them
 * (at 20 ms they were a fifth of its statements in the workers bench).
 */
const BATCH_MS = 100;
const NOTIFY_SQL = namedStatement("orchestrator_notify", "SELECT pg_notify($1, $2)");
/** A payload stays below this many bytes (PostgreSQL refuses 8,000 and more). */
const PAYLOAD_LIMIT = 7_900;

export type ClusterEvent =
  | { kind: "process"; processId: string; status: ProcessStatus; step?: string }
  | { kind: "subscription"; subscriptionId: string }
  /** An abort asked for: the instance whose run holds the process stops it before its next step and logs it. */
  | { kind: "abort"; processId: string; user: string };

/** The wire form: short keys, so a payload holds more. */
type WireEvent = { p: string; s: string; t?: string } | { u: string } | { a: string; w: string };

export interface ClusterEventsOptions {
  /**
   * "changes": hear the changes of other instances and the requests (an API process); "requests": only the requests
   * (a worker: its engine has no websocket clients, and hearing every step of every other worker would cost it).
   */
  listen: "changes" | "requests";
  onError?: (error: unknown) => void;
}

export class ClusterEvents {
  /** Tells this instance's notifications from the others'. */
  private readonly origin = randomBytes(6).toString("hex");
  private readonly listeners = new Set<(event: ClusterEvent) => void>();
  private pending: WireEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly channelListeners: Listener[] = [];
  private closed = false;
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly database: OrchestratorDb | undefined,
    private readonly options: ClusterEventsOptions,
  ) {}

  /** Nothing published or heard (the embedded database, or no database at all). */
  static local(): ClusterEvents {
    return new ClusterEvents(undefined, { listen: "requests" });
  }

  /** Publish (and, with `listen`, hear) on a PostgreSQL server; local() on the embedded database. */
  static async open(database: OrchestratorDb, options: ClusterEventsOptions): Promise<ClusterEvents> {
    if (database.kind !== "postgres") return ClusterEvents.local();
    const events = new ClusterEvents(database, options);
    const handlers = {
      onNotify: (payload: string) => events.received(payload),
      onListening: () => undefined,
      onLost: (error: unknown) => options.onError?.(error),
    };
    events.channelListeners.push(await database.listen(CLUSTER_CONTROL_CHANNEL, handlers));
    if (options.listen === "changes") events.channelListeners.push(await database.listen(CLUSTER_EVENTS_CHANNEL, handlers));
    return events;
  }

  /** Whether changes are told to other instances (a PostgreSQL server). */
  get shared(): boolean {
    return this.database !== undefined && !this.closed;
  }

  /** Hear other instances' changes; returns the function that stops. */
  on(listener: (event: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell the other instances (within BATCH_MS). */
  publish(event: ClusterEvent): void {
    if (!this.database || this.closed) return;
    this.pending.push(
      event.kind === "process"
        ? event.step === undefined
          ? { p: event.processId, s: event.status }
          : { p: event.processId, s: event.status, t: event.step.slice(0, 200) }
        : event.kind === "abort"
          ? { a: event.processId, w: event.user.slice(0, 200) }
          : { u: event.subscriptionId },
    );
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Send what is pending, and stop. */
  async close(): Promise<void> {
    if (this.timer) this.flush();
    this.closed = true;
    await this.sending;
    await Promise.all(this.channelListeners.map((listener) => listener.close()));
    this.listeners.clear();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending;
    this.pending = [];
    const requests = events.filter((e) => "a" in e);
    const changes = requests.length === 0 ? events : events.filter((e) => !("a" in e));
    const sends = [
      ...this.payloads(requests).map((payload) => [CLUSTER_CONTROL_CHANNEL, payload] as const),
      ...this.payloads(changes).map((payload) => [CLUSTER_EVENTS_CHANNEL, payload] as const),
    ];
    const db = this.database!.db;
    this.sending = this.sending.then(async () => {
      for (const [channel, payload] of sends) {
        await db.executeQuery(CompiledQuery.raw(NOTIFY_SQL, [channel, payload])).catch((error: unknown) => this.options.onError?.(error));
      }
    });
  }

  /** The events as payloads under PAYLOAD_LIMIT bytes each. */
  private payloads(events: WireEvent[]): string[] {
    const head = `{"o":"${this.origin}","e":[`;
    const payloads: string[] = [];
    let body: string[] = [];
    let size = head.length + 2;
    for (const event of events) {
      const json = JSON.stringify(event);
      const bytes = Buffer.byteLength(json) + 1;
      if (body.length > 0 && size + bytes > PAYLOAD_LIMIT) {
        payloads.push(`${head}${body.join(",")}]}`);
        body = [];
        size = head.length + 2;
      }
      body.push(json);
      size += bytes;
    }
    if (body.length > 0) payloads.push(`${head}${body.join(",")}]}`);
    return payloads;
  }

  private received(payload: string): void {
    let message: { o?: string; e?: WireEvent[] };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return; // not ours
    }
    if (message.o === this.origin || !Array.isArray(message.e)) return;
    for (const wire of message.e) {
      const event: ClusterEvent =
        "u" in wire
          ? { kind: "subscription", subscriptionId: wire.u }
          : "a" in wire
            ? { kind: "abort", processId: wire.a, user: wire.w }
            : { kind: "process", processId: wire.p, status: wire.s as ProcessStatus, ...(wire.t === undefined ? {} : { step: wire.t }) };
      for (const listener of this.listeners) listener(event);
    }
  }
}
