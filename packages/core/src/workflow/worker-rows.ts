/** The rows of `engine_workers` as the settings page reads them (written by each worker's heartbeat: worker.ts). */
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/index.js";

/** A worker whose row was not refreshed for this long is gone (its heartbeat is every 2 s). */
export const WORKER_GONE_MS = 15_000;

/** A worker process as the settings page shows it. */
export interface WorkerRow {
  worker_id: string;
  hostname: string;
  pid: number;
  capacity: number;
  running: number;
  started_at: Date;
  heartbeat_at: Date;
}

/** The workers whose heartbeat is recent (alive), oldest first. */
export async function liveWorkers(db: Kysely<Database>): Promise<WorkerRow[]> {
  const rows = await db
    .selectFrom("engine_workers")
    .select(["worker_id", "hostname", "os_pid", "capacity", "running", "started_at", "heartbeat_at"])
    .where("heartbeat_at", ">=", sql<Date>`now() - make_interval(secs => ${WORKER_GONE_MS / 1000})`)
    .orderBy("started_at")
    .execute();
  return rows.map(({ os_pid, ...row }) => ({ ...row, pid: os_pid }));
}
