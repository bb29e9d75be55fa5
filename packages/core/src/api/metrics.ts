/**
 * Prometheus metrics for `/api/metrics` (prom-client, one registry per server). Counts are read from the database
 * when scraped, so every instance on the same database reports the same totals; step durations are observed as
 * this instance's engine logs steps.
 */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/index.js";
import type { ProcessEvent, WorkflowEngine } from "../workflow/index.js";

export class Metrics {
  readonly registry = new Registry();
  private readonly detach: () => void;

  constructor(db: Kysely<Database>, engine: WorkflowEngine) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry, prefix: "orchestrator_node_" });

    new Gauge({
      name: "orchestrator_processes",
      help: "Processes by last status and workflow",
      labelNames: ["status", "workflow", "is_task"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const rows = await sql<{ status: string; workflow: string; is_task: boolean; n: number }>`
          SELECT p.last_status AS status, w.name AS workflow, p.is_task, count(*)::int AS n
          FROM processes p JOIN workflows w ON w.workflow_id = p.workflow_id
          GROUP BY 1, 2, 3`.execute(db);
        for (const r of rows.rows) this.set({ status: r.status, workflow: r.workflow, is_task: String(r.is_task) }, r.n);
      },
    });

    new Gauge({
      name: "orchestrator_subscriptions",
      help: "Subscriptions by product and lifecycle status",
      labelNames: ["product", "lifecycle", "insync"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const rows = await sql<{ product: string; lifecycle: string; insync: boolean; n: number }>`
          SELECT pr.name AS product, s.status AS lifecycle, s.insync, count(*)::int AS n
          FROM subscriptions s JOIN products pr ON pr.product_id = s.product_id
          GROUP BY 1, 2, 3`.execute(db);
        for (const r of rows.rows) this.set({ product: r.product, lifecycle: r.lifecycle, insync: String(r.insync) }, r.n);
      },
    });

    new Gauge({
      name: "orchestrator_engine_status",
      help: "1 for the engine's current status (RUNNING, PAUSING, PAUSED), 0 for the others",
      labelNames: ["status"] as const,
      registers: [registry],
      async collect() {
        const { global_status } = await engine.engineStatus();
        for (const status of ["RUNNING", "PAUSING", "PAUSED"]) this.set({ status }, status === global_status ? 1 : 0);
      },
    });

    new Gauge({
      name: "orchestrator_workers",
      help: "Executor of this instance: workers, queued and running jobs",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const status = engine.executorStatus();
        this.set({ state: "online" }, status.workers);
        this.set({ state: "queued" }, status.queued);
        this.set({ state: "running" }, status.running);
      },
    });

    const stepDuration = new Histogram({
      name: "orchestrator_step_duration_seconds",
      help: "Duration of the steps this instance ran, by step name and step status",
      labelNames: ["step", "status"] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [registry],
    });
    const onProcess = (event: ProcessEvent) => {
      if (event.step !== undefined && event.stepSeconds !== undefined) {
        stepDuration.observe({ step: event.step, status: event.stepStatus ?? "unknown" }, event.stepSeconds);
      }
    };
    engine.events.on("process", onProcess);
    this.detach = () => engine.events.off("process", onProcess);
  }

  close(): void {
    this.detach();
  }
}
