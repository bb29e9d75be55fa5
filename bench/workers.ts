/**
 * Workers bench (EXECUTOR=worker, PostgreSQL at POSTGRES_URI; a fresh database is created and dropped). The API
 * process and the workers are child processes (`main.ts serve`, `main.ts worker` of bench/worker-app), as a user runs
 * them. Printed as key=value:
 *
 * - `procs_per_s_1`, `procs_per_s_4`, `scale_4_over_1`: processes/s of `bench_sleepy` (five steps that each await
 *   STEP_MS = 20 ms, nothing else) over a WINDOW_S window with a backlog that outlasts it, with 1 and with 4 worker processes of
 *   MAX_WORKERS=10 each, once the workers are warm (WARMUP_S). The floor is `ideal_procs_per_s_per_worker` (10 slots /
 *   100 ms of awaiting = 100/s).
 * - `takeover_s`: from the SIGKILL of one of two busy workers until every process it was running is running on the
 *   other (or done); `stuck` (processes left created/running/resumed once the backlog is done) and `steps_run_twice`.
 * - `api_rps_50` (engine idle) and `api_rps_health_50` (its floor: a route that does nothing): requests/s with 50
 *   concurrent clients on the list endpoints (subscriptions, processes, status counts, products);
 *   `api_p99_ms_backlog`: their p99 while 2 workers run a backlog of BACKLOG (4,000) beginner create processes, and
 *   its floor `api_p99_ms_health_backlog` (the route that does nothing, at the same time).
 * PHASES=scale,takeover,api picks phases (and `idle`, not run by default: `idle_worker_cpu_ms_per_s`, what a worker
 * with nothing to do costs); PER_ROUTE=1 adds each list route's p99 under the backlog; API_POOL sets the API process's
 * DB_POOL_SIZE.
 * - `procs_per_s_1x40`: one worker with 40 slots, the floor of `procs_per_s_4` on this machine (the same slots in one
 *   process: what the CPUs and the database give).
 * Each throughput window also prints (as a # line) the CPU time per process of the workers, the database's sessions
 * and the API process. (Not the commits: PostgreSQL 15 counts a session's commits when it flushes its statistics, up to
 * seconds later, so a window's count took in the backlog's inserts.) To see where it goes: SAMPLE_QUERIES=1 prints what
 * the database's sessions were doing (sampled from pg_stat_activity); LOG_STATEMENTS=1 has the server log every
 * statement of the windows with its duration (ALTER SYSTEM, reset afterwards; the log is the server's own);
 * WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the workers (stopped with SIGTERM so they write it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { sql } from "kysely";
import { MigrationProject, Migrator, openDatabase, type OrchestratorDb } from "@orchestrator-ts/core";
import { admin, databaseUri } from "./support.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const APP = join(here, "worker-app");
const BEGINNER = join(here, "..", "examples", "beginner");
const WINDOW_S = Number(process.env.WINDOW_S ?? 8);
/**
 * Seconds the workers run the backlog before a throughput window opens. A worker just started spends its first
 * seconds under load compiling its hot code (four workers: about 2 s of CPU in the first second, all the machine has,
 * 0.4 s a second from the tenth on; V8's compiler and GC threads 0.6 s a second over the first three, 0.2 s over the
 * next six; one worker: 0.8 s, then 0.1 s), so a window opened at once measured four fresh processes warming up on two
 * cores against one: what a worker does over hours is its steady state. The warm-up's own rate is printed as a # line.
 */
const WARMUP_S = Number(process.env.WARMUP_S ?? 8);
const BACKLOG = Number(process.env.BACKLOG ?? 4000);
const DURATION = Number(process.env.DURATION ?? 5);
const STEP_MS = 20;
/** Which phases to run (comma-separated: scale, takeover, api); all by default. */
const PHASES = new Set((process.env.PHASES ?? "scale,takeover,api").split(","));

interface Child {
  proc: ChildProcess;
  ready: Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function start(args: string[], env: Record<string, string>, ready: RegExp, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, "--import", "tsx", join(APP, "main.ts"), ...args], {
    cwd: APP,
    env: { ...process.env, LOG_LEVEL: "error", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const readyPromise = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = ready.exec(output);
      if (match) resolve(match);
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (d: Buffer) => {
      onData(d);
      if (process.env.BENCH_DEBUG) process.stderr.write(d);
    });
    proc.on("exit", (code) => reject(new Error(`main.ts ${args.join(" ")} exited (${code}):\n${output}`)));
  });
  return {
    proc,
    ready: readyPromise,
    async kill(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

const count = async (database: OrchestratorDb, where: string): Promise<number> =>
  Number((await sql.raw<{ n: string }>(`SELECT count(*) AS n FROM processes WHERE ${where}`).execute(database.db)).rows[0]!.n);

/** POST `total` process starts with `concurrency` in flight. */
async function startMany(url: string, path: string, bodyOf: (i: number) => unknown, total: number, concurrency = 20): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const response = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bodyOf(i)) });
        if (response.status !== 201) throw new Error(`start ${path}: ${response.status} ${await response.text()}`);
      }
    }),
  );
}

const workerEnv = (uri: string): Record<string, string> => ({ DATABASE_URI: uri, EXECUTOR: "worker", MAX_WORKERS: "10", STEP_MS: String(STEP_MS) });

async function startWorkers(uri: string, n: number, extra: Record<string, string> = {}): Promise<Child[]> {
  const nodeArgs = process.env.WORKER_NODE_ARGS?.split(" ") ?? [];
  const workers = Array.from({ length: n }, () => start(["worker"], { ...workerEnv(uri), ...extra }, /worker \S+ ready/, nodeArgs));
  await Promise.all(workers.map((w) => w.ready));
  return workers;
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface CpuSample {
  workersMs: number;
  /** CPU ms of each server session of the database (sessions come and go). */
  postgres: Map<number, number>;
  apiMs: number;
}

/** CPU ms a process has used so far (Linux /proc; 0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    // utime and stime (fields 14 and 15 of stat, 12 and 13 after the command), in clock ticks of 10 ms
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU used so far by the workers, the database's server sessions and the API process. */
async function cpuSample(database: OrchestratorDb, workers: Child[]): Promise<CpuSample> {
  const backends = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(database.db);
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + cpuMs(pid), 0);
  return {
    workersMs: sum(workers.map((w) => w.proc.pid!)),
    postgres: new Map(backends.rows.map((r) => [r.pid, cpuMs(r.pid)])),
    apiMs: api ? cpuMs(api.proc.pid!) : 0,
  };
}

/** Have the server log every statement with its duration (or stop), for a look at the window's statements. */
async function logStatements(database: OrchestratorDb, on: boolean, phase: string): Promise<void> {
  if (!on) await sql.raw(`SELECT 'bench window end ${phase}'`).execute(database.db);
  await sql.raw(on ? "ALTER SYSTEM SET log_min_duration_statement = 0" : "ALTER SYSTEM RESET log_min_duration_statement").execute(database.db);
  await sql`SELECT pg_reload_conf()`.execute(database.db);
  // the sessions take the new setting when they get to the reload signal
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (on) await sql.raw(`SELECT 'bench window start ${phase}'`).execute(database.db);
}

/** What the database's sessions are doing, sampled for `ms`: statement text (shortened) → times seen active. */
async function sampleQueries(database: OrchestratorDb, ms: number): Promise<Map<string, number>> {
  const tally = new Map<string, number>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const rows = await sql<{ query: string; wait: string | null }>`
      SELECT query, wait_event_type || ':' || wait_event AS wait FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`.execute(database.db);
    for (const row of rows.rows) {
      const key = `${row.wait ?? "cpu"} ${row.query.replace(/\s+/g, " ").slice(0, 110)}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return tally;
}

/** Processes/s of bench_sleepy with `n` workers, over WINDOW_S with a backlog that outlasts it. */
async function throughput(database: OrchestratorDb, url: string, uri: string, n: number, slots = 10): Promise<number> {
  const backlog = Math.ceil(n * slots * (1000 / (5 * STEP_MS)) * (WARMUP_S + WINDOW_S) * 1.2) + 100;
  await startMany(url, "/api/processes/bench_sleepy", () => [{}], backlog);
  const atStart = await count(database, "last_status = 'completed'");
  const workers = await startWorkers(uri, n, { MAX_WORKERS: String(slots) });
  // the window starts once all are running and warm
  const warmStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
  const before = await count(database, "last_status = 'completed'");
  console.log(`# ${n}x${slots}: warm-up (the first ${WARMUP_S} s of the workers): ${((before - atStart) / ((performance.now() - warmStart) / 1000)).toFixed(1)} processes/s`);
  const cpuBefore = await cpuSample(database, workers);
  const t0 = performance.now();
  const sampling = process.env.SAMPLE_QUERIES ? sampleQueries(database, WINDOW_S * 1000) : undefined;
  if (process.env.LOG_STATEMENTS) await logStatements(database, true, `${n}x${slots}`);
  await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
  if (process.env.LOG_STATEMENTS) await logStatements(database, false, `${n}x${slots}`);
  const done = (await count(database, "last_status = 'completed'")) - before;
  if (sampling) {
    const tally = await sampling;
    const total = [...tally.values()].reduce((a, b) => a + b, 0);
    for (const [query, hits] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`#   ${((100 * hits) / total).toFixed(1)}% ${query}`);
  }
  const rate = done / ((performance.now() - t0) / 1000);
  const cpuAfter = await cpuSample(database, workers);
  const per = (delta: number) => (delta / Math.max(1, done)).toFixed(2);
  let postgresMs = 0;
  for (const [pid, ms] of cpuAfter.postgres) postgresMs += ms - (cpuBefore.postgres.get(pid) ?? 0);
  console.log(
    `# ${n}x${slots}: per process: ${per(cpuAfter.workersMs - cpuBefore.workersMs)} ms worker CPU, ${per(postgresMs)} ms PostgreSQL CPU, ` +
      `${per(cpuAfter.apiMs - cpuBefore.apiMs)} ms API CPU`,
  );
  if ((await count(database, "last_status IN ('created', 'resumed')")) === 0) console.log(`# warning: the backlog ran out with ${n} workers`);
  // a profiled worker (WORKER_NODE_ARGS=--cpu-prof) writes its profile when it exits of itself
  await Promise.all(workers.map((w) => w.kill(process.env.WORKER_NODE_ARGS ? "SIGTERM" : "SIGKILL")));
  // what the killed workers were running is taken over by the next phase's workers; the rest of the backlog is dropped
  await sql`DELETE FROM pgboss.job WHERE state < 'active'`.execute(database.db);
  await sql`DELETE FROM processes WHERE last_status IN ('created', 'resumed')`.execute(database.db);
  return rate;
}

/** SIGKILL one of two busy workers: seconds until what it ran runs elsewhere; stuck processes; steps run twice. */
async function takeover(database: OrchestratorDb, url: string, uri: string) {
  // each step logs its run (in its transaction): the count of steps run twice
  const workers = await startWorkers(uri, 2, { LOG_STEPS: "1" });
  await waitFor("the previous phase's processes are done", async () => (await count(database, "last_status IN ('created', 'resumed', 'running')")) === 0, 60_000);
  await sql`TRUNCATE bench_log`.execute(database.db);
  await startMany(url, "/api/processes/bench_sleepy", () => [{}], 600);
  await waitFor("both busy", async () => (await count(database, "last_status = 'running'")) >= 15, 30_000);
  const victimPid = workers[0]!.proc.pid!;
  const killedAt = performance.now();
  await workers[0]!.kill("SIGKILL");
  // the victim's processes: running, and nobody holds their lease once its connections are gone
  await new Promise((resolve) => setTimeout(resolve, 100));
  const orphans = (
    await sql<{ pid: string }>`
      SELECT pid::text AS pid FROM processes WHERE last_status = 'running'
        AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
          AND l.classid = ((hashtextextended(pid::text, 0) >> 32) & 4294967295)::oid AND l.objid = (hashtextextended(pid::text, 0) & 4294967295)::oid)`.execute(
      database.db,
    )
  ).rows.map((r) => r.pid);
  await waitFor(
    "the victim's processes run elsewhere",
    async () => {
      if (orphans.length === 0) return true;
      const rows = await sql<{ n: string }>`
        SELECT count(*) AS n FROM processes WHERE pid = ANY(${orphans}::uuid[]) AND (last_status = 'completed' OR (last_status = 'running'
          AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
            AND l.classid = ((hashtextextended(pid::text, 0) >> 32) & 4294967295)::oid AND l.objid = (hashtextextended(pid::text, 0) & 4294967295)::oid)))`.execute(
        database.db,
      );
      return Number(rows.rows[0]!.n) === orphans.length;
    },
    60_000,
  );
  const takeoverS = (performance.now() - killedAt) / 1000;
  await waitFor("the backlog is done", async () => (await count(database, "last_status IN ('created', 'resumed', 'running')")) === 0, 120_000).catch(() => undefined);
  const stuck = await count(database, "last_status IN ('created', 'resumed', 'running')");
  const twice = Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM (SELECT pid, step FROM bench_log GROUP BY pid, step HAVING count(*) > 1) t`.execute(database.db)).rows[0]!.n,
  );
  await workers[1]!.kill();
  return { takeoverS, stuck, twice, orphans: orphans.length, victimPid };
}

const LIST_ROUTES = ["/api/subscriptions?range=0,14", "/api/processes?range=0,14", "/api/processes/status-counts", "/api/products"];

async function listLoad(url: string, paths: string[]): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url, connections: 50, duration: DURATION, requests: paths.map((path) => ({ method: "GET", path })) });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

const name = `orch_bench_workers_${randomBytes(4).toString("hex")}`;
await admin(`CREATE DATABASE ${name}`);
const uri = databaseUri(name);
const database = await openDatabase({ uri, appRoot: BEGINNER, poolSize: 4 });
let api: Child | undefined;
try {
  await new Migrator(database.db, await new MigrationProject(BEGINNER).load()).upgrade("heads");
  await database.db.insertInto("workflows").values({ name: "bench_sleepy", target: "SYSTEM", description: "Bench: five awaits", is_task: true }).execute();
  await sql`CREATE TABLE bench_log (id bigserial PRIMARY KEY, pid uuid, step text)`.execute(database.db);
  api = start(["serve", "--no-migrate"], { DATABASE_URI: uri, EXECUTOR: "worker", PORT: "0", RUN_SCHEDULER: "false", ...(process.env.API_POOL ? { DB_POOL_SIZE: process.env.API_POOL } : {}) }, /serving on (http:\/\/\S+)/);
  const url = (await api.ready)[1]!;
  console.log(`workers bench: PostgreSQL ${name}; bench_sleepy = 5 steps of ${STEP_MS} ms; MAX_WORKERS=10 per worker; window ${WINDOW_S} s`);

  if (PHASES.has("scale")) {
    const one = await throughput(database, url, uri, 1);
    const four = await throughput(database, url, uri, 4);
    // the same 40 slots in one process: what the machine and the database give, whatever the number of processes
    const oneBy40 = await throughput(database, url, uri, 1, 40);
    console.log(`ideal_procs_per_s_per_worker=${(10 * 1000) / (5 * STEP_MS)}`);
    console.log(`procs_per_s_1x40=${oneBy40.toFixed(1)}`);
    console.log(`procs_per_s_1=${one.toFixed(1)}`);
    console.log(`procs_per_s_4=${four.toFixed(1)}`);
    console.log(`scale_4_over_1=${(four / one).toFixed(2)}`);
  }

  if (PHASES.has("idle")) {
    // what a worker costs with nothing to do (its timers, polls, heartbeats)
    const [idle] = await startWorkers(uri, 1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = cpuMs(idle!.proc.pid!);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    console.log(`idle_worker_cpu_ms_per_s=${((cpuMs(idle!.proc.pid!) - before) / 5).toFixed(1)}`);
    await idle!.kill();
  }

  if (PHASES.has("takeover")) {
    const t = await takeover(database, url, uri);
    console.log(`# takeover: ${t.orphans} processes were running on the killed worker`);
    console.log(`takeover_s=${t.takeoverS.toFixed(2)}`);
    console.log(`stuck=${t.stuck}`);
    console.log(`steps_run_twice=${t.twice}`);
  }

  if (PHASES.has("api")) {
    // subscriptions to list: the backlog's user groups (created below) and what the earlier phases left
    const idle = await listLoad(url, LIST_ROUTES);
    const health = await listLoad(url, ["/api/health"]);
    console.log(`api_rps_health_50=${health.rps.toFixed(0)}`);
    console.log(`api_rps_50=${idle.rps.toFixed(0)}`);
    console.log(`api_p99_ms_idle=${idle.p99}`);

    const product = await database.db.selectFrom("products").select("product_id").where("name", "=", "User Group").executeTakeFirstOrThrow();
    await startMany(url, "/api/processes/create_user_group", (i) => [{ product: product.product_id }, { group_name: `bench group ${i}` }], BACKLOG, 40);
    const workers = await startWorkers(uri, 2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const waiting = await count(database, "last_status IN ('created', 'resumed', 'running')");
    const busy = await listLoad(url, LIST_ROUTES);
    const healthBusy = await listLoad(url, ["/api/health"]);
    const left = await count(database, "last_status IN ('created', 'resumed', 'running')");
    console.log(`# backlog: ${waiting} waiting when the load began, ${left} when it ended; ${busy.errors} errors`);
    console.log(`api_rps_50_backlog=${busy.rps.toFixed(0)}`);
    console.log(`api_p99_ms_backlog=${busy.p99}`);
    console.log(`api_p99_ms_health_backlog=${healthBusy.p99}`);
    if (process.env.PER_ROUTE) for (const path of LIST_ROUTES) console.log(`# backlog ${path}: p99 ${(await listLoad(url, [path])).p99} ms`);
    await Promise.all(workers.map((w) => w.kill()));
  }
} finally {
  if (process.env.LOG_STATEMENTS) await logStatements(database, false, "aborted").catch(() => undefined);
  await api?.kill();
  await database.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
