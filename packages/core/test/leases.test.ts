/**
 * Process leases (leases.ts `ProcessLeases`) on their own: session advisory locks on dedicated "lane" sessions.
 * Taking, holding and releasing a lease; releases batched onto the lane's next claim statement (forClaim / claimed /
 * unclaimed, onLane's LaneBatch); a lane whose session is lost (pg_terminate_backend) reports its processes through
 * onLost, reconnects and reports onRestored; a second ProcessLeases (another engine) cannot take a lease the first
 * holds, and can once it is released or lost. PostgreSQL only: the embedded database has no leases.
 *
 * Who holds a lease is read from pg_locks (the advisory lock's 64-bit key is classid:objid), not from the object.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql, type Kysely } from "kysely";
import type { DedicatedConnection } from "../src/db/connection.js";
import type { Database } from "../src/db/types.js";
import { ProcessLeases, type LaneBatch } from "../src/workflow/leases.js";
import { claimProcess, insertRunningProcesses, type NewProcess, type NewProcessResult } from "../src/workflow/process-store.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrate } from "./support/engine-db.js";

/** A process id on lane `lane` of `lanes` (ProcessLeases picks a lane from the id's last 8 hex digits). */
function pidOnLane(lane: number, lanes: number): string {
  for (;;) {
    const pid = randomUUID();
    if (Number.parseInt(pid.replace(/-/g, "").slice(-8), 16) % lanes === lane) return pid;
  }
}

/** Resolves once `check` is true (polled), fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe(`ProcessLeases (${backend})`, { skip: backend !== "postgres" ? "leases exist on a PostgreSQL server only (PGlite: one engine, no leases)" : false }, () => {
  let db: TestDatabase;
  let workflowId: string;
  let appSeq = 0;

  before(async () => {
    db = await freshDatabase();
    await migrate(db);
    const wf = await db.db
      .insertInto("workflows")
      .values({ name: "leases_test", target: "SYSTEM", description: "test", is_task: false })
      .returning("workflow_id")
      .executeTakeFirstOrThrow();
    workflowId = wf.workflow_id;
  });
  after(async () => {
    await db?.close();
  });

  interface Engine {
    leases: ProcessLeases;
    /** The lane sessions in lane order (the latest session of each lane). */
    sessions: DedicatedConnection[];
    lost: string[][];
    restored: number;
    errors: unknown[];
    /** The server process id of each lane's current session. */
    backends(): Promise<number[]>;
  }

  /** A ProcessLeases as an engine opens it, with its sessions and reports kept for the test. */
  async function openEngine(count = 1): Promise<Engine> {
    const name = `leases test ${process.pid} ${++appSeq}`;
    const engine: Engine = {
      leases: undefined as unknown as ProcessLeases,
      sessions: [],
      lost: [],
      restored: 0,
      errors: [],
      backends: () => Promise.all(engine.sessions.map(async (s) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(s.db)).rows[0]!.pid)),
    };
    let opened = 0;
    engine.leases = await ProcessLeases.open({
      count,
      connect: async () => {
        const index = opened++;
        const session = await db.dedicated!(name);
        // a reconnect replaces the lost session of its lane (the only lane that is down in these tests)
        if (index < count) engine.sessions[index] = session;
        else engine.sessions[engine.sessions.findIndex((s) => s === lostSession)] = session;
        return session;
      },
      onError: (error) => engine.errors.push(error),
      onLost: (pids) => engine.lost.push(pids),
      onRestored: () => engine.restored++,
    });
    let lostSession: DedicatedConnection | undefined;
    for (const s of engine.sessions) void s.lost.then(() => (lostSession ??= s));
    return engine;
  }

  /** The server process holding the lease of `pid` (its advisory lock), if any. */
  async function holder(pid: string): Promise<number | undefined> {
    const { rows } = await sql<{ pid: number }>`
      select l.pid from pg_locks l
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.database = (select oid from pg_database where datname = current_database())
        and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${pid}, 0)`.execute(db.db);
    return rows[0]?.pid;
  }

  async function newProcesses(n: number): Promise<string[]> {
    const pids = Array.from({ length: n }, () => randomUUID());
    await db.db.insertInto("processes").values(pids.map((pid) => ({ pid, workflow_id: workflowId, last_status: "created", created_by: "test" }))).execute();
    return pids;
  }

  const newProcess = (pid: string): NewProcess => ({ processId: pid, workflowId, isTask: false, user: "test", stateJson: "{}" });
  /** What the engine batches on a lane to create processes claimed with their leases. */
  const insertBatch: LaneBatch<NewProcess, NewProcessResult> = (conn: Kysely<Database>, items, unlock) => insertRunningProcesses(conn, items, true, unlock);

  it("acquire, isHeld, release: the lock is taken on the lane's session and released shortly after release()", async () => {
    const a = await openEngine();
    try {
      const [lane] = await a.backends();
      const pid = randomUUID();
      assert.equal(a.leases.isHeld(pid), false);
      assert.equal(await a.leases.tryAcquire(pid), true);
      assert.equal(a.leases.isHeld(pid), true);
      assert.equal(await holder(pid), lane, "held by the lane's session");
      assert.equal(await a.leases.tryAcquire(pid), true, "held already: true");
      a.leases.release(pid);
      assert.equal(a.leases.isHeld(pid), false, "not held as soon as it is released");
      assert.equal(await holder(pid), lane, "the unlock is batched: still locked right after release()");
      await until(async () => (await holder(pid)) === undefined, "the release to go out on its own");
      // released once only: the session's lock count went to zero (re-entrant locks would linger)
      assert.equal(await a.leases.tryAcquire(pid), true);
      a.leases.release(pid);
    } finally {
      await a.leases.close();
    }
  });

  it("another engine cannot take a lease the first holds, and can once it is released", async () => {
    const a = await openEngine();
    const b = await openEngine();
    try {
      const pid = randomUUID();
      assert.equal(await a.leases.tryAcquire(pid), true);
      assert.equal(await b.leases.tryAcquire(pid), false);
      assert.equal(b.leases.isHeld(pid), false);
      const [laneA] = await a.backends();
      assert.equal(await holder(pid), laneA, "B's attempt left A's lock as it was");
      a.leases.release(pid);
      await until(() => b.leases.tryAcquire(pid), "B to get the released lease");
      assert.equal(await a.leases.tryAcquire(pid), false, "and now A cannot");
      const [laneB] = await b.backends();
      assert.equal(await holder(pid), laneB);
    } finally {
      await a.leases.close();
      await b.leases.close();
    }
  });

  it("close() releases every lease", async () => {
    const a = await openEngine(2);
    const b = await openEngine();
    const pids = [pidOnLane(0, 2), pidOnLane(1, 2)];
    for (const pid of pids) assert.equal(await a.leases.tryAcquire(pid), true);
    await a.leases.close();
    try {
      for (const pid of pids) {
        assert.equal(await holder(pid), undefined);
        assert.equal(await b.leases.tryAcquire(pid), true);
      }
    } finally {
      await b.leases.close();
    }
  });

  it("releases handed back after close() are dropped: no retry against the closed sessions keeps the process alive", async () => {
    const a = await openEngine();
    const pid = pidOnLane(0, 1);
    assert.ok(a.leases.forClaim(pid), "a claim under way");
    await a.leases.close();
    // its statement failed with the closed session: the engine hands its releases back
    a.leases.unclaimed([pid]);
    a.leases.release(pid);
    await sleep(200);
    assert.deepEqual(a.errors, [], "nothing was sent (each try would fail and be retried every 20 ms, for ever)");
  });

  it("releases ride along with the lane's next claim: forClaim hands them out, the claim statement executes them", async () => {
    const a = await openEngine();
    try {
      const [lane] = await a.backends();
      const [p1, p2] = await newProcesses(2);
      assert.equal(await a.leases.tryAcquire(p1!), true);
      assert.equal(a.leases.forClaim(p1!), undefined, "a lease held already needs no claim on the lane");
      a.leases.release(p1!);
      const lease = a.leases.forClaim(p2!);
      assert.ok(lease);
      assert.deepEqual(lease.unlock, [p1], "the waiting release is handed to the claim");
      await sleep(60); // longer than the release's own delay: it no longer goes out by itself
      assert.equal(await holder(p1!), lane, "not released before the claim statement");

      const { claimed, leased } = await claimProcess(lease.conn, p2!, ["created"], true, lease.unlock);
      a.leases.claimed(p2!, leased, lease.unlock);
      assert.equal(leased, true);
      assert.ok(claimed);
      assert.equal(claimed.row.last_status, "running");
      assert.equal(a.leases.isHeld(p2!), true);
      assert.equal(await holder(p2!), lane, "the claim took the lease on the lane");
      assert.equal(await holder(p1!), undefined, "and executed the release it carried");
      a.leases.release(p2!);
    } finally {
      await a.leases.close();
    }
  });

  it("a claim that does not get the lease (another engine holds it) leaves the process unclaimed and unheld", async () => {
    const a = await openEngine();
    const b = await openEngine();
    try {
      const [pid] = await newProcesses(1);
      assert.equal(await b.leases.tryAcquire(pid!), true);
      const lease = a.leases.forClaim(pid!);
      assert.ok(lease);
      const { claimed, leased } = await claimProcess(lease.conn, pid!, ["created"], true, lease.unlock);
      a.leases.claimed(pid!, leased, lease.unlock);
      assert.equal(leased, false);
      assert.equal(claimed, undefined);
      assert.equal(a.leases.isHeld(pid!), false);
      const row = await db.db.selectFrom("processes").select("last_status").where("pid", "=", pid!).executeTakeFirstOrThrow();
      assert.equal(row.last_status, "created", "not claimed without its lease");
    } finally {
      await a.leases.close();
      await b.leases.close();
    }
  });

  it("releases handed out for a claim that failed (unclaimed) are handed out again with the next claim", async () => {
    const a = await openEngine();
    try {
      const [lane] = await a.backends();
      const p1 = randomUUID();
      assert.equal(await a.leases.tryAcquire(p1), true);
      a.leases.release(p1);
      const first = a.leases.forClaim(randomUUID());
      assert.deepEqual(first?.unlock, [p1]);
      a.leases.unclaimed(first!.unlock); // its statement failed: the release did not go out
      assert.equal(await holder(p1), lane);
      const second = a.leases.forClaim(randomUUID());
      assert.deepEqual(second?.unlock, [p1], "sent again with the next claim");
      await sql`select pg_advisory_unlock(hashtextextended(u, 0)) from unnest(${second!.unlock}::text[]) as u`.execute(second!.conn);
      assert.equal(await holder(p1), undefined);
    } finally {
      await a.leases.close();
    }
  });

  it(
    "a release handed back by unclaimed() goes out by itself when the lane stays idle",
    async () => {
      const a = await openEngine();
      try {
        const p1 = randomUUID();
        assert.equal(await a.leases.tryAcquire(p1), true);
        a.leases.release(p1);
        const lease = a.leases.forClaim(randomUUID());
        a.leases.unclaimed(lease!.unlock);
        await until(async () => (await holder(p1)) === undefined, "the handed-back release to go out", 1_000);
      } finally {
        await a.leases.close();
      }
    },
  );

  it("onLane: items arriving while the lane's statement is under way go together in its next one; releases ride along", async () => {
    const a = await openEngine();
    try {
      const [lane] = await a.backends();
      const released = randomUUID();
      assert.equal(await a.leases.tryAcquire(released), true);
      a.leases.release(released);
      const calls: { pids: string[]; unlock: string[] }[] = [];
      let letFirstGo!: () => void;
      const firstHeld = new Promise<void>((r) => (letFirstGo = r));
      const run: LaneBatch<NewProcess, NewProcessResult> = async (conn, items, unlock) => {
        calls.push({ pids: items.map((i) => i.processId), unlock: [...unlock] });
        if (calls.length === 1) await firstHeld;
        return insertBatch(conn, items, unlock);
      };
      const pids = [randomUUID(), randomUUID(), randomUUID()];
      const results = pids.map((pid) => a.leases.onLane(pid, newProcess(pid), run));
      await sleep(30);
      assert.deepEqual(calls, [{ pids: [pids[0]], unlock: [released] }], "the first goes at once, carrying the waiting release");
      letFirstGo();
      const answers = await Promise.all(results);
      assert.deepEqual(calls[1], { pids: pids.slice(1), unlock: [] }, "the two that arrived meanwhile, in one statement");
      assert.equal(calls.length, 2);
      for (const [i, pid] of pids.entries()) {
        assert.equal(answers[i]!.running, true, "inserted running with its lease");
        a.leases.claimed(pid, answers[i]!.running);
        assert.equal(a.leases.isHeld(pid), true);
        assert.equal(await holder(pid), lane);
      }
      assert.equal(await holder(released), undefined);
      for (const pid of pids) a.leases.release(pid);
    } finally {
      await a.leases.close();
    }
  });

  it("onLane: a failed statement rejects its items and its releases go out with the lane's next statement", async () => {
    const a = await openEngine();
    try {
      const [lane] = await a.backends();
      const released = randomUUID();
      assert.equal(await a.leases.tryAcquire(released), true);
      a.leases.release(released);
      const failing: LaneBatch<NewProcess, NewProcessResult> = async () => {
        throw new Error("statement failed");
      };
      await assert.rejects(a.leases.onLane(randomUUID(), newProcess(randomUUID()), failing), /statement failed/);
      assert.equal(await holder(released), lane, "the failed statement did not release it");
      const pid = randomUUID();
      const [answer] = await Promise.all([a.leases.onLane(pid, newProcess(pid), insertBatch)]);
      a.leases.claimed(pid, answer!.running);
      assert.equal(await holder(released), undefined, "released by the next statement");
      a.leases.release(pid);
    } finally {
      await a.leases.close();
    }
  });

  it("a lane's session lost: its processes are reported lost (not the other lane's), another engine can take them, the lane reconnects", async () => {
    const a = await openEngine(2);
    const b = await openEngine();
    try {
      const before = await a.backends();
      const onLost = pidOnLane(0, 2);
      const kept = pidOnLane(1, 2);
      assert.equal(await a.leases.tryAcquire(onLost), true);
      assert.equal(await a.leases.tryAcquire(kept), true);
      assert.equal(await holder(onLost), before[0]);
      assert.equal(await holder(kept), before[1]);
      assert.equal(await b.leases.tryAcquire(onLost), false);

      await sql`select pg_terminate_backend(${before[0]!}::int)`.execute(db.db);
      await until(() => a.lost.length > 0, "onLost");
      assert.deepEqual(a.lost, [[onLost]], "only the lost lane's process");
      assert.equal(a.leases.isHeld(onLost), false);
      assert.equal(a.leases.isHeld(kept), true);
      assert.ok(a.errors.length >= 1, "the loss is reported as an error");
      assert.equal(a.leases.available, true, "the other lane can still lease");
      assert.equal(await holder(kept), before[1], "the other lane's lock is untouched");
      assert.equal(await b.leases.tryAcquire(onLost), true, "the lock went with the session: another engine takes it over");

      await until(() => a.restored === 1, "onRestored");
      const afterRestore = await a.backends();
      assert.notEqual(afterRestore[0], before[0], "a new session on lane 0");
      assert.equal(afterRestore[1], before[1]);
      const fresh = pidOnLane(0, 2);
      assert.equal(await a.leases.tryAcquire(fresh), true);
      assert.equal(await holder(fresh), afterRestore[0], "the reconnected lane leases again");
      assert.equal(await a.leases.tryAcquire(onLost), false, "B holds it now");
      b.leases.release(onLost);
      await until(() => a.leases.tryAcquire(onLost), "A to lease it again once B released it");
      assert.equal(await holder(onLost), afterRestore[0]);
    } finally {
      await a.leases.close();
      await b.leases.close();
    }
  });

  it("all lanes lost: none available until one reconnects", async () => {
    const a = await openEngine(1);
    try {
      const [lane] = await a.backends();
      await sql`select pg_terminate_backend(${lane!}::int)`.execute(db.db);
      await until(() => !a.leases.available, "the lane to be down");
      assert.equal(a.leases.enabled, true);
      await until(() => a.leases.available, "the lane to come back");
      assert.equal(a.restored, 1);
      const pid = randomUUID();
      assert.equal(await a.leases.tryAcquire(pid), true);
      assert.equal(await holder(pid), (await a.backends())[0]);
    } finally {
      await a.leases.close();
    }
  });
});
