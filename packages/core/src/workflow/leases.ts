/**
 * Per-process leases on a PostgreSQL server: while an engine runs a process it holds a session advisory lock on the
 * process id. Locks live on a few dedicated connections ("lanes"; a process always uses the same lane, so its lock
 * is released where it was taken). When an engine dies its connections close and its locks vanish, which is how
 * another engine tells an orphaned `running` process from one a live engine is running.
 *
 * Releases are batched: they ride along with the lane's next claim, or go out on their own after a short delay.
 *
 * A lane whose session is lost (the server ended it, the network broke) loses its locks with it: its processes are
 * reported through `onLost` (their runs must stop before their next step and leave them to recovery), and the lane
 * reconnects by itself with back-off, reporting `onRestored` when it can lease again.
 */
import { CompiledQuery, sql, type Kysely } from "kysely";
import { namedStatement, type DedicatedConnection, type Database } from "../db/index.js";

/**
 * Idle delay before released leases are sent on their own. Long enough that under load most releases ride on the
 * lane's next claim instead of a statement of their own (workers bench: 20 ms sent one for every two runs), short
 * enough that another engine wanting the process (a resume) finds it free after a retry or two.
 */
const UNLOCK_DELAY_MS = 100;
const UNLOCK_SQL = namedStatement("orchestrator_unlock", "SELECT pg_advisory_unlock(hashtextextended(u, 0)) FROM unnest($1::text[]) AS u");
/** Back-off between attempts to reconnect a lost lane. */
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5_000;

/** How lease connections show in pg_stat_activity. */
export const LEASE_APPLICATION_NAME = "orchestrator leases";

interface Lane {
  conn: Kysely<Database>;
  session: DedicatedConnection;
  /** False from the loss of the session until a new one is open. */
  up: boolean;
  pending: Set<string>;
  timer?: NodeJS.Timeout;
  /** Batched statements: one under way per lane, the items arriving meanwhile wait for the next. */
  batch: LaneItem[];
  busy: boolean;
}

interface LaneItem {
  processId: string;
  item: unknown;
  run: LaneBatch<unknown, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A statement for several processes of one lane at once: gets the lane's connection, the items and the leases to
 * release first, and answers one result per item, in order.
 */
export type LaneBatch<I, O> = (conn: Kysely<Database>, items: I[], unlock: string[]) => Promise<O[]>;

/** Where lease sessions come from, and who hears of lost and restored lanes. */
export interface LeaseOptions {
  /** Opens a session of its own (OrchestratorDb.dedicated). */
  connect: () => Promise<DedicatedConnection>;
  /** Lanes to open. */
  count: number;
  onError: (error: unknown) => void;
  /** The leases of these processes are lost (their lane's session ended). */
  onLost?: (processIds: string[]) => void;
  /** A lost lane is open again: processes can be leased (and recovered) again. */
  onRestored?: () => void;
}

export class ProcessLeases {
  private readonly held = new Set<string>();
  private closed = false;
  /**
   * The lane of each process started by this engine (chosen when it is created, so that it can ride along with
   * releases waiting on an idle lane), until its lease is released; other processes use the lane of their id's hash.
   */
  private readonly assigned = new Map<string, Lane>();

  private constructor(
    private readonly lanes: Lane[],
    private readonly options: Omit<LeaseOptions, "count">,
  ) {}

  private get onError(): (error: unknown) => void {
    return this.options.onError;
  }

  /** No leases (the embedded database: one process only). */
  static none(): ProcessLeases {
    return new ProcessLeases([], { connect: () => Promise.reject(new Error("no leases")), onError: () => undefined });
  }

  /** Open `count` lease sessions. Throws when a session cannot be opened (the others are closed). */
  static async open(options: LeaseOptions): Promise<ProcessLeases> {
    const sessions = await Promise.allSettled(Array.from({ length: options.count }, () => options.connect()));
    const failed = sessions.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await Promise.all(sessions.map((s) => (s.status === "fulfilled" ? s.value.close() : undefined)));
      throw failed.reason;
    }
    const lanes = sessions.map((s) => {
      const session = (s as PromiseFulfilledResult<DedicatedConnection>).value;
      return { conn: session.db, session, up: true, pending: new Set<string>(), batch: [], busy: false } satisfies Lane;
    });
    const leases = new ProcessLeases(lanes, options);
    for (const lane of lanes) leases.watch(lane);
    return leases;
  }

  /** When the lane's session is lost: drop its leases, tell the engine, reconnect with back-off. */
  private watch(lane: Lane): void {
    const session = lane.session;
    void session.lost.then(async (error) => {
      if (this.closed || lane.session !== session) return;
      lane.up = false;
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = undefined;
      lane.pending.clear(); // the session's locks are gone with it
      const lost: string[] = [];
      for (const pid of [...this.held]) {
        if (this.laneOf(pid) !== lane) continue;
        this.held.delete(pid);
        this.assigned.delete(pid);
        lost.push(pid);
      }
      for (const [pid, assigned] of this.assigned) if (assigned === lane) this.assigned.delete(pid);
      this.onError(error);
      if (lost.length) this.options.onLost?.(lost);
      for (let delay = RECONNECT_MIN_MS; !this.closed; delay = Math.min(delay * 2, RECONNECT_MAX_MS)) {
        await new Promise((r) => setTimeout(r, delay));
        if (this.closed) return;
        try {
          const next = await this.options.connect();
          if (this.closed) {
            await next.close();
            return;
          }
          lane.session = next;
          lane.conn = next.db;
          lane.up = true;
          this.watch(lane);
          this.options.onRestored?.();
          return;
        } catch {
          // still unreachable: try again after a longer wait
        }
      }
    });
  }

  get enabled(): boolean {
    return this.lanes.length > 0;
  }

  /** Whether a lease can be taken now (some lane's session is open). */
  get available(): boolean {
    return this.lanes.some((lane) => lane.up);
  }

  isHeld(processId: string): boolean {
    return this.held.has(processId);
  }

  private laneOf(processId: string): Lane {
    return this.assigned.get(processId) ?? this.hashLane(processId);
  }

  /** A lane for a new process: an idle one with releases waiting, else an idle one, else the hash's. */
  private pickLane(processId: string): Lane {
    let idle: Lane | undefined;
    for (const lane of this.lanes) {
      if (lane.busy || !lane.up) continue;
      if (lane.pending.size > 0) return lane;
      idle ??= lane;
    }
    return idle ?? this.hashLane(processId);
  }

  /** Forget the lane of processes whose lease is released (their releases have been executed). */
  private forget(pids: readonly string[]): void {
    for (const pid of pids) {
      const lane = this.assigned.get(pid);
      if (lane && !this.held.has(pid) && !lane.pending.has(pid)) this.assigned.delete(pid);
    }
  }

  /** The lane of the id's hash, or the next one that is up. */
  private hashLane(processId: string): Lane {
    const n = Number.parseInt(processId.replace(/-/g, "").slice(-8), 16);
    const first = (Number.isFinite(n) ? n : 0) % this.lanes.length;
    for (let i = 0; i < this.lanes.length; i++) {
      const lane = this.lanes[(first + i) % this.lanes.length]!;
      if (lane.up) return lane;
    }
    return this.lanes[first]!;
  }

  /** Try to take the lease (true when leases are off or it is held already). */
  async tryAcquire(processId: string): Promise<boolean> {
    if (!this.enabled || this.held.has(processId)) return true;
    const lane = this.laneOf(processId);
    await this.flush(lane);
    const result = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtextextended(${processId}, 0)) as ok`.execute(lane.conn);
    const ok = result.rows[0]?.ok === true;
    if (ok) {
      this.held.add(processId);
      // released on the session that holds it, whichever lanes are up then
      this.assigned.set(processId, lane);
    }
    return ok;
  }

  /**
   * For a claim that takes the lease in the same statement: the lane's connection and the releases to send first.
   * Undefined when leases are off or the lease is held already (claim on any connection then).
   */
  forClaim(processId: string): { conn: Kysely<Database>; unlock: string[] } | undefined {
    if (!this.enabled || this.held.has(processId)) return undefined;
    const lane = this.laneOf(processId);
    this.assigned.set(processId, lane);
    return { conn: lane.conn, unlock: this.take(lane) };
  }

  /**
   * Run `item` through `run` on the process's lane, in one statement with the other items that arrive for that lane
   * while its previous batch is under way (items batched together must share `run`). Leases to release ride along.
   */
  onLane<I, O>(processId: string, item: I, run: LaneBatch<I, O>): Promise<O> {
    let lane = this.assigned.get(processId);
    if (!lane) {
      lane = this.pickLane(processId);
      this.assigned.set(processId, lane);
    }
    return new Promise<O>((resolve, reject) => {
      lane.batch.push({ processId, item, run: run as LaneBatch<unknown, unknown>, resolve: resolve as (value: unknown) => void, reject });
      if (!lane.busy) void this.sendBatch(lane);
    });
  }

  private async sendBatch(lane: Lane): Promise<void> {
    if (lane.busy || lane.batch.length === 0) return;
    lane.busy = true;
    const run = lane.batch[0]!.run;
    const items = lane.batch.filter((b) => b.run === run);
    lane.batch = lane.batch.filter((b) => b.run !== run);
    const unlock = this.take(lane);
    try {
      const results = await run(lane.conn, items.map((b) => b.item), unlock);
      this.forget(unlock);
      items.forEach((b, i) => b.resolve(results[i]));
    } catch (error) {
      // releases that may not have gone out are sent again (releasing a lock not held is harmless)
      this.requeue(lane, unlock);
      for (const b of items) b.reject(error);
    } finally {
      lane.busy = false;
      void this.sendBatch(lane);
    }
  }

  /**
   * Record the outcome of a statement that tried to take the lease (`unlock`: the releases it carried, executed
   * with it).
   */
  claimed(processId: string, leased: boolean, unlock: readonly string[] = []): void {
    if (leased) this.held.add(processId);
    this.forget(leased ? unlock : [...unlock, processId]);
  }

  /** Releases handed out for a statement that failed: send them again with the lane's next statement. */
  unclaimed(unlock: readonly string[]): void {
    for (const pid of unlock) this.requeue(this.laneOf(pid), [pid]);
  }

  release(processId: string): void {
    if (!this.held.delete(processId)) return;
    this.requeue(this.laneOf(processId), [processId]);
  }

  /**
   * Queue releases on `lane` (those not held again meanwhile): they ride on the lane's next statement, or go out by
   * themselves after UNLOCK_DELAY_MS when the lane stays idle, so no lock outlives its run on a quiet lane. Found by
   * test/leases.test.ts: releases handed back after a failed statement used to wait for the lane's next statement.
   */
  private requeue(lane: Lane, pids: readonly string[]): void {
    // the session's locks went with it; after close() the sessions are gone (a retry would fail every
    // UNLOCK_DELAY_MS for ever, keeping the process alive)
    if (!lane.up || this.closed) return;
    for (const pid of pids) if (!this.held.has(pid)) lane.pending.add(pid);
    if (lane.pending.size > 0) lane.timer ??= setTimeout(() => void this.flush(lane), UNLOCK_DELAY_MS);
  }

  private take(lane: Lane): string[] {
    const pids = [...lane.pending];
    lane.pending.clear();
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = undefined;
    return pids;
  }

  private async flush(lane: Lane): Promise<void> {
    const pids = this.take(lane);
    if (!pids.length) return;
    try {
      await lane.conn.executeQuery(CompiledQuery.raw(UNLOCK_SQL, [pids]));
      this.forget(pids);
    } catch (error) {
      // sent again with the lane's next statement, or by itself after a while
      this.requeue(lane, pids);
      this.onError(error);
    }
  }

  /** Release everything and close the sessions. */
  async close(): Promise<void> {
    for (const pid of [...this.held]) this.release(pid);
    await Promise.all(this.lanes.filter((lane) => lane.up).map((lane) => this.flush(lane)));
    this.closed = true;
    for (const lane of this.lanes) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    await Promise.all(this.lanes.map((lane) => lane.session.close()));
    this.lanes.length = 0;
  }
}
