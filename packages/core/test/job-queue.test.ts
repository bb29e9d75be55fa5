/**
 * The process queue's fetch (EXECUTOR=worker, PostgreSQL only): jobs come out in pg-boss's order (resumes first, then
 * oldest), each to one caller however many fetch at once, and a fetch walks the index in fetch order, stopping at the
 * jobs it takes, even when the planner's statistics still say the queue is empty (they lag behind a backlog that has just arrived; pg-boss's own
 * fetch then read and sorted the whole backlog each time). Several processes opening the queue at once all succeed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { openDatabase, type OrchestratorDb } from "../src/index.js";
import { PROCESS_QUEUE, ProcessQueue, RESUME_PRIORITY } from "../src/workflow/job-queue.js";
import { backend, createPostgresDatabase } from "./support/db.js";

describe(`process queue fetch (${backend})`, { skip: backend !== "postgres" ? "the process queue needs a PostgreSQL server" : false }, () => {
  let database: OrchestratorDb;
  let drop: () => Promise<void>;
  let queue: ProcessQueue;
  /** Another process's queue, on a pool of several sessions (fetches at the same time). */
  let pooled: { db: OrchestratorDb; queue: ProcessQueue }[] = [];

  before(async () => {
    let uri: string;
    ({ uri, drop } = await createPostgresDatabase());
    // one session: the index statistics read below are this session's own
    database = await openDatabase({ uri, poolSize: 1 });
    // three processes starting at once install pg-boss's schema and our fetch function and index once
    const opening = [1, 2].map(async () => {
      const db = await openDatabase({ uri, poolSize: 8 });
      return { db, queue: await ProcessQueue.open(db.db, { supervise: false }) };
    });
    queue = await ProcessQueue.open(database.db, { supervise: false });
    pooled = await Promise.all(opening);
  });
  after(async () => {
    await queue?.close();
    for (const other of pooled) {
      await other.queue.close();
      await other.db.close();
    }
    await database?.close();
    await drop?.();
  });

  const jobState = async (state: string) =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = ${PROCESS_QUEUE} AND state = ${state}::pgboss.job_state`.execute(database.db)).rows[0]!.n);

  it("gives resumes first, then the oldest, each job to one caller, and marks them active", async () => {
    // the statistics say the queue is empty, as when a backlog has just arrived
    await sql`ANALYZE pgboss.job`.execute(database.db);
    const fresh: string[] = [];
    for (let i = 0; i < 400; i++) {
      const processId = randomUUID();
      fresh.push(processId);
      await queue.enqueue(database.db, { processId, user: "test" });
    }
    const resumed = [randomUUID(), randomUUID()];
    for (const processId of resumed) await queue.enqueue(database.db, { processId, user: "SYSTEM" }, RESUME_PRIORITY);

    const first = await queue.fetch(4);
    assert.deepEqual(
      first.map((job) => job.data.processId),
      [...resumed, fresh[0], fresh[1]],
    );
    assert.equal(first[0]!.data.user, "SYSTEM");
    assert.equal(await jobState("active"), 4);

    // many callers at once: no job twice, none left out
    const batches = await Promise.all(Array.from({ length: 12 }, (_, i) => pooled[i % 2]!.queue.fetch(20)));
    const ids = batches.flat().map((job) => job.data.processId);
    assert.equal(new Set(ids).size, ids.length, "no job handed out twice");
    assert.deepEqual([...ids].sort(), fresh.slice(2, 2 + ids.length).sort(), "the oldest after the first four, whoever fetched them");
    assert.equal(await queue.fetch(0).then((jobs) => jobs.length), 0);
  });

  it("a fetch walks the index in fetch order, not the whole backlog, while the statistics say the queue is empty", async () => {
    const indexReads = async () => {
      await sql`SELECT pg_stat_force_next_flush()`.execute(database.db);
      // the statistics views keep a snapshot per transaction: read them fresh
      await sql`SELECT pg_stat_clear_snapshot()`.execute(database.db);
      const rows = await sql<{ name: string; reads: string }>`
        SELECT indexrelname AS name, idx_tup_read::text AS reads FROM pg_stat_user_indexes WHERE schemaname = 'pgboss'`.execute(database.db);
      const fetchIndex = rows.rows.filter((r) => r.name.includes("orchestrator_job_fetch") || r.name.endsWith("_name_priority_created_on_id_idx"));
      assert.ok(fetchIndex.length > 0, `the fetch index exists on the queue's table: ${rows.rows.map((r) => r.name).join(", ")}`);
      return {
        fetchIndex: fetchIndex.reduce((n, r) => n + Number(r.reads), 0),
        // pg-boss's index of waiting jobs by start time (its fetch's plan with a stale row count: read all, then sort)
        others: rows.rows.filter((r) => r.name.endsWith("_i5") || r.name === "job_i5").reduce((n, r) => n + Number(r.reads), 0),
      };
    };
    // planned with sorts off, the function's final sort of the few jobs taken counts as huge: with JIT on, PostgreSQL
    // compiled the statement at every fetch (230 ms each; found by bench/workers.ts)
    const settings = await sql<{ config: string[] }>`
      SELECT proconfig AS config FROM pg_proc WHERE pronamespace = 'pgboss'::regnamespace AND proname LIKE 'orchestrator_fetch_jobs%'`.execute(database.db);
    assert.equal(settings.rows.length, 1);
    assert.ok(settings.rows[0]!.config.includes("jit=off"), settings.rows[0]!.config.join(" "));
    // twice: the first fetch also walks past the entries of the jobs fetched before (dead until vacuumed)
    for (let round = 0; round < 2; round++) {
      const before = await indexReads();
      assert.equal((await queue.fetch(3)).length, 3);
      const after = await indexReads();
      assert.ok(after.fetchIndex > before.fetchIndex, "the fetch walked the index in fetch order");
      assert.equal(after.others, before.others, "pg-boss's index of waiting jobs not read (a read and sort of the whole backlog)");
    }
  });
});
