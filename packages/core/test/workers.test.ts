/**
 * EXECUTOR=worker: the API process (`main.ts serve`) queues process runs, worker processes (`main.ts worker`) run
 * them. Real child processes on a real PostgreSQL database, as a user runs them: a process waits in the queue until a
 * worker runs it, its job is inserted with it or not at all, a SIGKILLed worker's processes are taken over by the
 * other worker with no step run twice, a pause stops the workers' processes and an unpause lets them finish, and a
 * form resume and a callback continue on a worker.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import WebSocket from "ws";
import { clusterLockKeySql } from "../src/db/index.js";
import { openDatabase, type OrchestratorDb } from "../src/index.js";
import { backend, createPostgresDatabase } from "./support/db.js";
import { migrate, register } from "./support/engine-db.js";
import { REPO_ROOT } from "./support/files.js";
import { startMain, type Child } from "./support/processes.js";
import { runMain } from "./support/cli.js";
import { WORKER_APP_WORKFLOWS } from "./support/worker-app/main.js";

const APP = join(REPO_ROOT, "packages/core/test/support/worker-app");
const postgresOnly = backend !== "postgres" ? "worker processes need a PostgreSQL server" : false;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`worker processes (${backend})`, () => {
  it("EXECUTOR=worker is refused on the embedded database, naming what it needs", { skip: backend !== "pglite" ? "PGlite only" : false }, async () => {
    for (const args of [["serve"], ["worker"]]) {
      const result = await runMain(APP, args, { EXECUTOR: "worker", DATABASE_URI: "pglite://memory", PORT: "0" });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /EXECUTOR="worker" needs a PostgreSQL server \(DATABASE_URI=postgresql:\/\/…\)/);
    }
  });

  it("a worker refuses to start unless EXECUTOR=worker", async () => {
    const result = await runMain(APP, ["worker"], { EXECUTOR: "threadpool", DATABASE_URI: "pglite://memory" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /set EXECUTOR=worker for both/);
  });

  describe("API process and workers", { skip: postgresOnly }, () => {
    let uri: string;
    let drop: () => Promise<void>;
    let database: OrchestratorDb;
    let api: Child;
    let url: string;
    const workers: Child[] = [];
    const env = (extra: Record<string, string> = {}) => ({ DATABASE_URI: uri, EXECUTOR: "worker", PORT: "0", ...extra });

    const startWorker = async (extra: Record<string, string> = {}) => {
      const { child } = await startMain({ appDir: APP, args: ["worker"], env: env({ MAX_WORKERS: "5", ...extra }), ready: /worker \S+ ready/ });
      workers.push(child);
      return child;
    };
    const post = async (path: string, body: unknown, method = "POST") => {
      const init = body === undefined ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
      const response = await fetch(`${url}/api${path}`, init);
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    };
    const get = async (path: string) => (await fetch(`${url}/api${path}`)).json() as Promise<any>;
    const status = async (pid: string) =>
      (await database.db.selectFrom("processes").select("last_status").where("pid", "=", pid).executeTakeFirstOrThrow()).last_status;
    const statuses = async (pids: string[]) =>
      (await database.db.selectFrom("processes").select("last_status").where("pid", "in", pids).execute()).map((r) => r.last_status);
    const jobsOf = async (pid: string) =>
      Number((await sql<{ n: string }>`select count(*) as n from pgboss.job where singleton_key = ${pid}`.execute(database.db)).rows[0]!.n);
    /** Steps logged more than once for one process (each logs in its step's transaction). */
    const stepsRunTwice = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from (select pid, step from test_log group by pid, step having count(*) > 1) t`.execute(database.db)).rows[0]!.n,
      );
    const startSleepy = async (n: number) => {
      const pids: string[] = [];
      for (let i = 0; i < n; i++) {
        const response = await post("/processes/sleepy", [{}]);
        assert.equal(response.status, 201, JSON.stringify(response.body));
        pids.push(response.body.id);
      }
      return pids;
    };

    before(async () => {
      ({ uri, drop } = await createPostgresDatabase());
      database = await openDatabase({ uri });
      await migrate({ ...database, uri });
      for (const name of WORKER_APP_WORKFLOWS) await register({ ...database, uri }, name, "SYSTEM", { isTask: name === "sleepy" || name === "three_steps" });
      const started = await startMain({ appDir: APP, args: ["serve", "--no-migrate"], env: env(), ready: /serving on (http:\/\/\S+)/ });
      api = started.child;
      url = started.match[1]!;
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.stop("SIGKILL")));
      await api?.stop();
      await database?.close();
      await drop?.();
    });

    it("without a worker a new process waits in the queue with exactly one job; a worker runs it", async () => {
      const [pid] = await startSleepy(1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await status(pid!), "created", "the API process runs nothing itself");
      assert.equal(await jobsOf(pid!), 1);
      await startWorker();
      await until("the process completed", async () => (await status(pid!)) === "completed");
      const steps = await sql<{ step: string }>`select step from test_log where pid = ${pid} order by id`.execute(database.db);
      assert.deepEqual(steps.rows.map((r) => r.step), ["One", "Two", "Three", "Four", "Five"]);
      // the claim's own statement completed the job
      const job = await sql<{ state: string }>`select state::text as state from pgboss.job where singleton_key = ${pid}`.execute(database.db);
      assert.deepEqual(job.rows.map((r) => r.state), ["completed"]);
      // a worker yields the CPU to the API process on a shared machine (WORKER_NICE, default 10)
      const stat = readFileSync(`/proc/${workers[0]!.process.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      assert.equal(Number(stat[16]), 10, "the worker's nice value");
      const workerStatus = await get("/settings/worker-status");
      assert.equal(workerStatus.executor_type, "worker");
      assert.equal(workerStatus.number_of_workers_online, 1);
      assert.equal(workerStatus.workers[0].capacity, 5);
    });

    it("the process and its job are written together or not at all", async () => {
      const before = Number((await sql<{ n: string }>`select count(*) as n from processes`.execute(database.db)).rows[0]!.n);
      // the job's insert fails: the process insert is rolled back with it
      await sql`create function refuse_job() returns trigger language plpgsql as $$ begin raise exception 'no jobs today'; end $$`.execute(database.db);
      await sql`create trigger refuse_job before insert on pgboss.job for each row execute function refuse_job()`.execute(database.db);
      try {
        const response = await post("/processes/sleepy", [{}]);
        assert.ok(response.status >= 500, `refused: ${response.status}`);
        assert.doesNotMatch(JSON.stringify(response.body), /no jobs today/, "the database's message stays in the log");
      } finally {
        await sql`drop trigger refuse_job on pgboss.job`.execute(database.db);
        await sql`drop function refuse_job()`.execute(database.db);
      }
      const afterCount = Number((await sql<{ n: string }>`select count(*) as n from processes`.execute(database.db)).rows[0]!.n);
      assert.equal(afterCount, before, "no process without its job");
      const orphanInputs = await sql<{ n: string }>`select count(*) as n from input_states i where not exists (select 1 from processes p where p.pid = i.pid)`.execute(database.db);
      assert.equal(Number(orphanInputs.rows[0]!.n), 0);
    });

    it("a form resume and a callback continue on a worker", async () => {
      const suspended = (await post("/processes/needs_input", [{}])).body.id as string;
      await until("suspended", async () => (await status(suspended)) === "suspended");
      const resumed = await post(`/processes/${suspended}/resume`, [{ confirmed: true }], "PUT");
      assert.equal(resumed.status, 204, JSON.stringify(resumed.body));
      await until("completed after the resume", async () => (await status(suspended)) === "completed");
      const detail = await get(`/processes/${suspended}`);
      assert.equal(detail.current_state.saw, true, "the worker read the resume's input");

      const awaiting = (await post("/processes/with_callback", [{}])).body.id as string;
      await until("awaiting the callback", async () => (await status(awaiting)) === "awaiting_callback");
      const route = (await get(`/processes/${awaiting}`)).current_state.callback_route as string;
      const callback = await post(route.replace(/^\/api/, ""), { ok: true });
      assert.ok(callback.status < 300, JSON.stringify(callback.body));
      await until("completed after the callback", async () => (await status(awaiting)) === "completed");
    });

    it("changes made by a worker reach the websocket of another API replica", async () => {
      if (workers.length === 0) await startWorker();
      const { child: replica, match } = await startMain({ appDir: APP, args: ["serve", "--no-migrate"], env: env(), ready: /serving on (http:\/\/\S+)/ });
      try {
        const socket = new WebSocket(`${match[1]!.replace("http", "ws")}/api/ws/events`);
        await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
        const messages: { type: string; id?: string }[] = [];
        socket.on("message", (data) => messages.push(JSON.parse(data.toString()).value));
        // started on the first API process, run by the worker, watched on the replica
        const [pid] = await startSleepy(1);
        await until("completed", async () => (await status(pid!)) === "completed");
        const forProcess = () => messages.filter((m) => m.type === "processes" && m.id === pid).length;
        // created (first API process), running, five steps and the end (worker)
        await until("the replica heard every change", async () => forProcess() >= 8, 5_000).catch(() => undefined);
        assert.ok(forProcess() >= 8, `the replica heard ${forProcess()} changes of the process: ${JSON.stringify(messages)}`);
        assert.ok(messages.some((m) => m.type === "processStatusCounts"));
        socket.close();
      } finally {
        await replica.stop();
      }
    });

    it("resume-all is one at a time across API processes: a database lock, not a flag in memory", async () => {
      const holder = await openDatabase({ uri });
      try {
        // what another API process's resume-all holds while it runs
        const session = await holder.dedicated!("test lock holder");
        await sql`select pg_advisory_lock(${sql.raw(clusterLockKeySql("resume-all"))})`.execute(session.db);
        const refused = await post("/processes/resume-all", undefined, "PUT");
        assert.equal(refused.status, 409, JSON.stringify(refused.body));
        assert.match(refused.body.detail, /Another request to resume all tasks is in progress/);
        await session.close();
        const allowed = await post("/processes/resume-all", undefined, "PUT");
        assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      } finally {
        await holder.close();
      }
    });

    /** Stop every worker, and start one with these settings. */
    const onlyWorker = async (extra: Record<string, string>) => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      return startWorker(extra);
    };
    const stepRows = async (pid: string) =>
      (await database.db.selectFrom("process_steps").select(["name", "status"]).where("pid", "=", pid).orderBy("seq").execute()).map((r) => r.name);
    const logRows = async (pid: string) => (await sql<{ step: string }>`select step from test_log where pid = ${pid} order by id`.execute(database.db)).rows.map((r) => r.step);

    it("an abort on the API process stops the run on a worker before its next step; the worker logs it", async () => {
      await onlyWorker({ SLEEPY_STEP_MS: "300" });
      const [pid] = await startSleepy(1);
      await until("two steps done", async () => (await logRows(pid!)).length >= 2);
      const aborted = await post(`/processes/${pid}/abort`, undefined, "PUT");
      assert.equal(aborted.status, 204, JSON.stringify(aborted.body));
      assert.equal(await status(pid!), "aborted");
      await new Promise((resolve) => setTimeout(resolve, 800));
      const rows = await stepRows(pid!);
      assert.equal(rows.at(-1), "User Aborted", `nothing after the abort: ${rows.join(", ")}`);
      assert.equal(rows.filter((name) => name === "User Aborted").length, 1);
      assert.ok((await logRows(pid!)).length < 5, "the run stopped");
      assert.equal(await status(pid!), "aborted");
    });

    it("an abort of a run in a step longer than the wait is logged at once; the run's late checkpoint is refused", async () => {
      await onlyWorker({ SLEEPY_STEP_MS: "4500" });
      const [pid] = await startSleepy(1);
      // claimed: its first step runs at once (Start, a pure step, is written with that step's checkpoint)
      await until("running its first step", async () => (await status(pid!)) === "running");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      const aborted = await post(`/processes/${pid}/abort`, undefined, "PUT");
      assert.equal(aborted.status, 204, JSON.stringify(aborted.body));
      assert.ok(Date.now() - started < 4000, "it did not wait for the step");
      assert.equal(await status(pid!), "aborted");
      // the step ends after 4.5 s: its checkpoint finds the process aborted and its write (the log row) is rolled back
      await new Promise((resolve) => setTimeout(resolve, 5000));
      assert.equal(await status(pid!), "aborted");
      const rows = await stepRows(pid!);
      assert.equal(rows.at(-1), "User Aborted", rows.join(", "));
      assert.deepEqual(await logRows(pid!), [], "the late step's write was rolled back");
    });

    it("SIGKILL of a worker mid-step: the other worker takes its processes over, none stuck, no step run twice", async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await sql`truncate test_log`.execute(database.db);
      const slow = { SLEEPY_STEP_MS: "400" };
      const victim = await startWorker(slow);
      const pids = await startSleepy(5);
      // all five run on the victim (capacity 5), each in its first steps
      await until("the victim runs them all", async () => (await statuses(pids)).every((s) => s === "running"));
      await until("steps are under way", async () => {
        const logged = await sql<{ n: string }>`select count(*) as n from test_log`.execute(database.db);
        return Number(logged.rows[0]!.n) >= 5;
      });
      const survivor = await startWorker(slow);
      const killedAt = Date.now();
      await victim.stop("SIGKILL");
      workers.splice(workers.indexOf(victim), 1);
      await until(
        "every process completed on the survivor",
        async () => (await statuses(pids)).every((s) => s === "completed"),
        30_000,
      );
      const takeoverMs = Date.now() - killedAt;
      console.log(`takeover: all 5 completed ${takeoverMs} ms after the SIGKILL (steps of 400 ms)`);
      assert.equal(await stepsRunTwice(), 0);
      const unfinished = await database.db.selectFrom("processes").select("pid").where("last_status", "in", ["running", "created", "resumed"]).execute();
      assert.deepEqual(unfinished, []);
      assert.ok(survivor.output().includes("ready"));
    });

    it("a worker stopped cleanly (Ctrl-C under npx: SIGINT twice) mid-step finishes the step and queues its processes again: none shows running", async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await sql`truncate test_log`.execute(database.db);
      const stopped = await startWorker({ SLEEPY_STEP_MS: "400" });
      const pids = await startSleepy(3);
      await until("all three running", async () => (await statuses(pids)).every((s) => s === "running"));
      // Ctrl-C in a terminal under npx reaches the worker twice at once (the process group, and npm passing it on):
      // the second used to stop it at once, leaving the step under way unwritten
      stopped.process.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await stopped.stop("SIGINT");
      assert.equal(stopped.process.exitCode, 0, stopped.output());
      workers.splice(workers.indexOf(stopped), 1);
      // before: left running with no lease and no job until another worker's sweep found it
      assert.deepEqual(await statuses(pids), ["resumed", "resumed", "resumed"]);
      const waiting = await sql<{ n: string }>`select count(*) as n from pgboss.job where singleton_key = any(${pids}) and state < 'active'`.execute(database.db);
      assert.equal(Number(waiting.rows[0]!.n), 3);
      await startWorker();
      await until("completed on the next worker", async () => (await statuses(pids)).every((s) => s === "completed"), 20_000);
      assert.equal(await stepsRunTwice(), 0);
    });

    it("jobs a worker fetched ahead go back to the queue when no room comes up soon: an idle worker runs them at once", async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      // waiting before the worker starts: its first fetch takes all four (room for one, and four ahead)
      const pids = await startSleepy(4);
      await startWorker({ MAX_WORKERS: "1", SLEEPY_STEP_MS: "400" });
      const activeJobs = async () =>
        Number((await sql<{ n: string }>`select count(*) as n from pgboss.job where singleton_key = any(${pids}) and state = 'active'`.execute(database.db)).rows[0]!.n);
      await until("one runs, the rest fetched ahead", async () => (await statuses(pids)).filter((s) => s === "running").length === 1 && (await activeJobs()) === 3);
      // the give-back wakes idle workers (no enqueue happens from here on: a notification is the give-back's)
      let notified = 0;
      const listener = await database.listen("orchestrator_jobs", { onNotify: () => notified++, onListening: () => undefined, onLost: () => undefined });
      try {
        // its one run takes 2 s; the three held jobs go back after half a second, not after their 30 s expiry
        await until("given back while the first still runs", async () => (await activeJobs()) === 0, 1500);
        await until("the give-back notified the workers", async () => notified > 0, 5000);
      } finally {
        await listener.close();
      }
      const startedAt = Date.now();
      await startWorker();
      await until("all completed", async () => (await statuses(pids)).every((s) => s === "completed"), 20_000);
      console.log(`jobs given back: all completed ${Date.now() - startedAt} ms after an idle worker started`);
      assert.equal(await stepsRunTwice(), 0);
      // a give-back is no failed try: fetched again, the jobs count no retry (pg-boss's retry limit stays far)
      const retries = await sql<{ n: number }>`select max(retry_count)::int as n from pgboss.job where singleton_key = any(${pids})`.execute(database.db);
      assert.equal(retries.rows[0]!.n, 0);
    });

    it("a pause stops the workers' processes before their next step and leaves the queued ones waiting; the unpause lets them finish", async () => {
      await sql`truncate test_log`.execute(database.db);
      // one worker with room for three: two more wait in the queue
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await startWorker({ SLEEPY_STEP_MS: "300", MAX_WORKERS: "3" });
      const pids = await startSleepy(5);
      const running = pids.slice(0, 3);
      const queued = pids.slice(3);
      await until("three running", async () => (await statuses(running)).every((s) => s === "running"));
      assert.equal((await post("/settings/status", { global_lock: true }, "PUT")).status, 200);
      await until("PAUSED once the steps under way are done", async () => (await get("/settings/status")).global_status === "PAUSED", 10_000);
      const logged = async () => Number((await sql<{ n: string }>`select count(*) as n from test_log`.execute(database.db)).rows[0]!.n);
      const atPause = await logged();
      // longer than a fetched-ahead job is held (half a second) and than a poll (a second)
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await logged(), atPause, "no step ran while paused");
      assert.ok(atPause < 15, "they stopped before the end");
      assert.deepEqual(await statuses(running), ["running", "running", "running"]);
      // the queued ones are not claimed while paused: still created, their jobs waiting
      assert.deepEqual(await statuses(queued), ["created", "created"]);
      const waiting = await sql<{ n: string }>`select count(*) as n from pgboss.job where singleton_key = any(${queued}) and state < 'active'`.execute(database.db);
      assert.equal(Number(waiting.rows[0]!.n), 2);
      assert.equal((await get("/settings/status")).running_processes, 3);
      const lastBeforeUnpause = Number((await sql<{ n: string }>`select coalesce(max(id), 0) as n from test_log`.execute(database.db)).rows[0]!.n);
      assert.equal((await post("/settings/status", { global_lock: false }, "PUT")).status, 200);
      await until("completed after the unpause", async () => (await statuses(pids)).every((s) => s === "completed"), 20_000);
      assert.equal(await stepsRunTwice(), 0);
      // the stopped ones go on first (they hold their subscriptions' locks): each logs its next step before a queued one
      // logs its first (the worker used to fetch the queued ones before the stopped ones were queued again)
      const firstAfter = async (pid: string) =>
        Number((await sql<{ n: string }>`select min(id) as n from test_log where pid = ${pid} and id > ${lastBeforeUnpause}`.execute(database.db)).rows[0]!.n);
      const resumedNext = await Promise.all(running.map(firstAfter));
      const queuedFirst = await Promise.all(queued.map(firstAfter));
      assert.ok(Math.max(...resumedNext) < Math.min(...queuedFirst), `resumed ${resumedNext}, queued ${queuedFirst}`);
    });
  });
});
