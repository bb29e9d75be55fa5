/**
 * Database faults are survived (PostgreSQL; the embedded database has no connection to lose): every backend of the
 * orchestrator's database is terminated mid-run while new connections are refused. The server stays up, answers 503
 * while the database is unreachable, and once it is back every process completes by itself, each step run once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { startTestServer, type TestServer } from "./support/api.js";
import { admin, backend, databaseUri } from "./support/db.js";

const PROCESSES = 16;
const STEPS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`database faults (${backend})`, { skip: backend !== "postgres" && "the embedded database has no connection to lose" }, () => {
  let t: TestServer;
  let database: string;

  before(async () => {
    t = await startTestServer({ env: { MAX_WORKERS: "4" }, testWorkflows: [{ name: "steady", isTask: true }] });
    database = (await t.server.database.db.selectNoFrom((eb) => eb.fn<string>("current_database", []).as("db")).executeTakeFirstOrThrow()).db;
  });
  after(async () => {
    await admin((c) => c.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`)).catch(() => undefined);
    await t?.close();
  });

  const terminateAll = () =>
    admin((c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]));

  it("every backend terminated mid-run: 503 while unreachable, then every process completes, each step once", { timeout: 120_000 }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const r = await t.request("POST", "/api/processes/steady", [{}]);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    await sleep(150);

    // a server restart as seen from here: every connection ends, and new ones are refused for a while
    await admin((c) => c.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`));
    await terminateAll();
    await sleep(300);
    const health = await t.request("GET", "/api/health");
    assert.equal(health.status, 503, JSON.stringify(health.body));
    assert.match(health.body.detail, /Database unavailable/);
    assert.equal(health.headers.get("retry-after"), "5");
    const list = await t.request("GET", "/api/processes");
    assert.equal(list.status, 503, JSON.stringify(list.body));
    assert.match(list.body.detail, /database/i);
    const start = await t.request("POST", "/api/processes/steady", [{}]);
    assert.equal(start.status, 503, JSON.stringify(start.body));
    await sleep(1000);

    await admin((c) => c.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`));
    // and once more, while it catches up
    await sleep(200);
    await terminateAll();

    const deadline = Date.now() + 60_000;
    let statuses: string[] = [];
    for (;;) {
      const r = await t.request("GET", "/api/processes?filter=workflowName,steady");
      if (r.status === 200) {
        statuses = r.body.map((p: { last_status: string }) => p.last_status);
        if (statuses.length === PROCESSES && statuses.every((s) => s === "completed")) break;
        assert.ok(!statuses.some((s) => s === "failed"), `a process failed: ${JSON.stringify(r.body.filter((p: any) => p.last_status === "failed"))}`);
      }
      assert.ok(Date.now() < deadline, `processes did not complete: ${JSON.stringify(statuses)}`);
      await sleep(200);
    }
    assert.equal((await t.request("GET", "/api/health")).status, 200);

    // each step of each process ran (and was committed) exactly once
    // on a connection of its own, not the server's pool
    const own = new pg.Client({ connectionString: databaseUri(database) });
    await own.connect();
    const { rows } = await own
      .query<{ pid: string; step: string; n: number }>("SELECT pid::text, step, count(*)::int AS n FROM test_log GROUP BY pid, step")
      .finally(() => own.end());
    assert.equal(rows.length, PROCESSES * STEPS);
    assert.deepEqual(rows.filter((r) => r.n !== 1), []);
    for (const id of ids) {
      const detail = (await t.request("GET", `/api/processes/${id}`)).body;
      const names = detail.steps.map((s: { name: string }) => s.name).filter((n: string) => n.startsWith("Steady"));
      assert.deepEqual(names, Array.from({ length: STEPS }, (_, i) => `Steady ${i + 1}`), "one row per step");
    }
  });

  /** Start processes, run `fault` while they run, and check each completes with every step run once. */
  async function survives(fault: () => Promise<void>): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const r = await t.request("POST", "/api/processes/steady", [{}]);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    await fault();
    const deadline = Date.now() + 60_000;
    for (const id of ids) {
      for (;;) {
        const r = await t.request("GET", `/api/processes/${id}`);
        if (r.status === 200 && r.body.last_status === "completed") {
          const names = r.body.steps.map((s: { name: string }) => s.name).filter((n: string) => n.startsWith("Steady"));
          assert.deepEqual(names, Array.from({ length: STEPS }, (_, i) => `Steady ${i + 1}`), "one row per step");
          break;
        }
        assert.ok(r.status !== 200 || !["failed", "aborted"].includes(r.body.last_status), JSON.stringify(r.body.steps?.at(-1)));
        assert.ok(Date.now() < deadline, `process ${id} did not complete`);
        await sleep(100);
      }
    }
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM test_log WHERE pid = ANY(${ids}::uuid[])`.execute(t.server.database.db);
    assert.equal(Number(rows[0]!.n), PROCESSES * STEPS, "each step ran once");
  }

  it("the lease sessions terminated mid-run: their processes stop, are recovered and complete, each step once", { timeout: 120_000 }, async () => {
    await survives(async () => {
      await sleep(150);
      const { rows } = await admin((c) =>
        c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'orchestrator leases'", [database]),
      );
      assert.ok(rows.length >= 1, "lease sessions were found");
    });
  });

  it("every session terminated while idle: the next requests (reads and starts) are answered, none with a 503", { timeout: 60_000 }, async () => {
    const started: string[] = [];
    for (let round = 0; round < 20; round++) {
      // fill the pool with idle sessions, end them all, and ask at once (some before pg has noticed every end; a
      // session ended while a statement is under way is another case: that one may have committed, hence a 503)
      await Promise.all(Array.from({ length: 8 }, () => t.request("GET", "/api/processes?range=0,5")));
      await terminateAll();
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          sleep(i).then(() => (i % 2 ? t.request("GET", "/api/processes?range=0,5") : t.request("POST", "/api/processes/steady", [{}]))),
        ),
      );
      assert.deepEqual(
        answers.map((r) => r.status),
        Array.from({ length: 8 }, (_, i) => (i % 2 ? 200 : 201)),
        JSON.stringify(answers.find((r) => r.status >= 300)?.body),
      );
      started.push(...answers.filter((r) => r.status === 201).map((r) => r.body.id as string));
    }
    const deadline = Date.now() + 60_000;
    for (const id of started) {
      while ((await t.request("GET", `/api/processes/${id}`)).body.last_status !== "completed") {
        assert.ok(Date.now() < deadline, `process ${id} did not complete`);
        await sleep(100);
      }
    }
  });

  it("idle_session_timeout ends idle sessions (pool, leases, listener): the server goes on", { timeout: 120_000 }, async () => {
    await admin((c) => c.query(`ALTER DATABASE "${database}" SET idle_session_timeout = '300ms'`));
    try {
      await terminateAll(); // new sessions get the setting
      await survives(async () => {
        await sleep(1000);
      });
      await sleep(1000);
      assert.equal((await t.request("GET", "/api/health")).status, 200);
    } finally {
      await admin((c) => c.query(`ALTER DATABASE "${database}" RESET idle_session_timeout`));
      await terminateAll();
    }
  });
});
