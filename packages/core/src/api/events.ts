/**
 * Live events for the websocket `/api/ws/events`: orchestrator-core's `invalidateCache` messages, derived from the
 * engine's process and engine events, and from the changes other orchestrator processes on the database made (workers,
 * other API replicas: the engine's "cluster" events). Nothing is computed while no client listens.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { type ClusterEvent, type ProcessEvent, type WorkflowEngine, ProcessStatus } from "../workflow/index.js";

export interface InvalidateCache {
  name: "invalidateCache";
  value: { type: "processes" | "subscriptions" | "processStatusCounts" | "engineStatus"; id?: string };
}

export type EventListener = (message: InvalidateCache) => void;

/** Statuses after which the process's subscriptions have changed (lock released, lifecycle set). */
const SETTLED: readonly ProcessStatus[] = [
  ProcessStatus.COMPLETED,
  ProcessStatus.FAILED,
  ProcessStatus.INCONSISTENT_DATA,
  ProcessStatus.API_UNAVAILABLE,
  ProcessStatus.ABORTED,
  ProcessStatus.SUSPENDED,
  ProcessStatus.WAITING,
  ProcessStatus.AWAITING_CALLBACK,
];

export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly detach: () => void;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: WorkflowEngine,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    const onProcess = (event: ProcessEvent) => {
      if (this.listeners.size > 0) void this.processChanged(event).catch(this.onError);
    };
    const onEngine = () => this.publish({ type: "engineStatus" });
    const onCluster = (event: ClusterEvent) => {
      if (this.listeners.size === 0) return;
      if (event.kind === "process") onProcess(event);
      else if (event.kind === "subscription") this.publishSubscription(event.subscriptionId);
    };
    engine.events.on("process", onProcess);
    engine.events.on("engine", onEngine);
    engine.events.on("cluster", onCluster);
    this.detach = () => {
      engine.events.off("process", onProcess);
      engine.events.off("engine", onEngine);
      engine.events.off("cluster", onCluster);
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(value: InvalidateCache["value"]): void {
    const message: InvalidateCache = { name: "invalidateCache", value };
    for (const listener of this.listeners) listener(message);
  }

  /** A subscription changed outside a process (set in sync, customer description): here and on the other replicas. */
  subscriptionChanged(subscriptionId: string): void {
    this.engine.announceChange({ kind: "subscription", subscriptionId });
    this.publishSubscription(subscriptionId);
  }

  private publishSubscription(subscriptionId: string): void {
    this.publish({ type: "subscriptions" });
    this.publish({ type: "subscriptions", id: "LIST" });
    this.publish({ type: "subscriptions", id: subscriptionId });
  }

  close(): void {
    this.detach();
    this.listeners.clear();
  }

  private async processChanged(event: ProcessEvent): Promise<void> {
    this.publish({ type: "processes", id: "LIST" });
    this.publish({ type: "processes", id: event.processId });
    // a status change (not merely another step of a running process) changes the counts
    if (event.status !== ProcessStatus.RUNNING || event.step === undefined) this.publish({ type: "processStatusCounts" });
    // the first step (lock) and the end of a run change the process's subscriptions
    if (SETTLED.includes(event.status) || event.step === "Lock subscription" || event.step === "Create Process Subscription relation") {
      const rows = await this.db.selectFrom("processes_subscriptions").select("subscription_id").where("pid", "=", event.processId).execute();
      if (rows.length > 0) this.publish({ type: "subscriptions", id: "LIST" });
      for (const row of rows) this.publish({ type: "subscriptions", id: row.subscription_id });
    }
  }
}
