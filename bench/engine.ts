/**
 * Engine benchmark on the PostgreSQL server (POSTGRES_URI, default postgresql://postgres@127.0.0.1:5432/postgres;
 * a fresh database is created and dropped). Prints:
 * - a 3-step workflow (~200-byte step results) run one after another: median and p99 latency per run;
 * - throughput with 50 workflows in flight: workflows/s and steps/s;
 * - ms per step for 1, 10 and 50-step workflows;
 * - the floor, in the same run: one autocommitted INSERT of a 200-byte JSONB row per step, sequentially and with 50
 *   concurrent clients, measured in rounds alternating with the engine's (50-step runs; 50 in flight) so that a busy
 *   moment of this shared machine weighs on both sides alike;
 * - for reference, the step row alone: the engine's step insert outside the engine, with the rows of the 50-step
 *   runs (what each step changed, ~200 bytes, and every 16th row the whole state), in the same rounds, to tell the
 *   engine's own cost from the cost of the row it must write;
 * - the storage of one 50-step run: step_bytes_50 (the JSON text of its process_steps states, as stored) and, in the
 *   same line, what whole states after every step (the format before deltas) would take;
 * and last the two ratios tracked over time:
 *   per_step_ratio=<engine ms per step (50-step workflow) / floor ms per insert>
 *   throughput_ratio=<engine steps/s with 50 in flight / floor inserts/s with 50 concurrent>
 */
import { fileURLToPath } from "node:url";
import { admin, databaseUri, percentile } from "./support.js";
import {
  CORE_VERSIONS_FOLDER,
  encodeStepState,
  LazyWorkflowInstance,
  loadMigrations,
  Migrator,
  openDatabase,
  sql,
  WorkflowEngine,
  type StepStateBase,
} from "@orchestrator-ts/core";

const SEQUENTIAL_RUNS = Number(process.env.RUNS ?? 200);
const IN_FLIGHT = 50;
const THROUGHPUT_RUNS = Number(process.env.THROUGHPUT_RUNS ?? 500);
const FLOOR_INSERTS = Number(process.env.FLOOR_INSERTS ?? 3000);
/** Steps run for each workflow length in part 3: as many as the floor's sequential inserts, for a like sample. */
const STEPS_PER_LENGTH = Number(process.env.STEPS_PER_LENGTH ?? FLOOR_INSERTS);
/** Engine and floor are measured in alternating rounds, so both see the same load of the machine. */
const ROUNDS = 10;

const f = (n: number, digits = 2) => n.toFixed(digits);

const name = `orch_bench_engine_${process.pid}`;
await admin(`drop database if exists ${name}`);
await admin(`create database ${name}`);
const database = await openDatabase({ uri: databaseUri(name), poolSize: IN_FLIGHT + 5 });
let engine: WorkflowEngine | undefined;
try {
  await new Migrator(database.db, await loadMigrations([CORE_VERSIONS_FOLDER])).upgrade("heads");
  const file = fileURLToPath(new URL("./engine-workflows.ts", import.meta.url));
  for (const n of [1, 3, 10, 50]) {
    new LazyWorkflowInstance(file, `bench_${n}`);
    await database.db.insertInto("workflows").values({ name: `bench_${n}`, target: "SYSTEM", description: `${n} steps`, is_task: true }).execute();
  }
  engine = new WorkflowEngine({ database, maxWorkers: IN_FLIGHT });
  await engine.start();
  const running = engine;
  const runOnce = async (wf: string) => {
    const pid = await running.startProcess(wf, [{}]);
    const status = await running.waitFor(pid);
    if (status !== "completed") throw new Error(`${wf} ended ${status}`);
  };
  // the floor: one autocommitted INSERT of a 200-byte JSONB row per step
  await sql`create table bench_floor (id bigserial primary key, pid uuid not null, state jsonb not null)`.execute(database.db);
  const row = JSON.stringify({ r: "x".repeat(190) });
  const floorPid = "00000000-0000-0000-0000-000000000000";
  const insert = () => sql`insert into bench_floor (pid, state) values (${floorPid}, ${row}::jsonb)`.execute(database.db);
  // the step row alone: a process of its own, and the rows a 50-step run stores (the initial state, then ~200 bytes
  // more per step; deltas between snapshots as the engine writes them)
  const stepRowPid = "00000000-0000-0000-0000-000000000001";
  const bench50 = await database.db.selectFrom("workflows").select("workflow_id").where("name", "=", "bench_50").executeTakeFirstOrThrow();
  await database.db.insertInto("processes").values({ pid: stepRowPid, workflow_id: bench50.workflow_id, last_status: "completed" }).execute();
  const stepRows: { json: string; isDelta: boolean }[] = [];
  let grown: Record<string, unknown> = { process_id: stepRowPid, reporter: "SYSTEM", workflow_name: "bench_50", workflow_target: "SYSTEM" };
  let base: StepStateBase | undefined;
  for (let i = 0; i < 50; i++) {
    const encoded = encodeStepState((grown = { ...grown, [`r${i}`]: "x".repeat(190) }), base, false);
    base = encoded.base;
    stepRows.push(encoded);
  }
  let stepRowCount = 0;
  const insertStepRow = () => {
    const i = stepRowCount++ % 50;
    return sql`insert into process_steps (stepid, pid, name, status, state, is_delta, created_by, started_at, completed_at)
      values (gen_random_uuid(), ${stepRowPid}, ${`Step ${i + 1}`}, 'success', ${stepRows[i]!.json}::jsonb, ${stepRows[i]!.isDelta}, 'SYSTEM', now(), clock_timestamp())`.execute(database.db);
  };
  /** Run `total` jobs with `width` at a time; returns the seconds taken. */
  const concurrently = async (total: number, width: number, job: () => Promise<unknown>) => {
    let started = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (started < total) {
          started++;
          await job();
        }
      }),
    );
    return (performance.now() - t) / 1000;
  };

  // warm up
  for (let i = 0; i < 20; i++) await runOnce("bench_3");
  for (let i = 0; i < 100; i++) await insert();

  // 1. sequential latency of a 3-step workflow
  const latencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL_RUNS; i++) {
    const t0 = performance.now();
    await runOnce("bench_3");
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  console.log(`sequential 3-step workflow: runs=${SEQUENTIAL_RUNS} median_ms=${f(percentile(latencies, 50))} p99_ms=${f(percentile(latencies, 99))}`);

  // 2. throughput with 50 in flight, and the floor's 50 concurrent inserts, in alternating rounds so that both are
  // measured under the same load of this shared machine
  let engineSeconds = 0;
  let floorSeconds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    engineSeconds += await concurrently(THROUGHPUT_RUNS / ROUNDS, IN_FLIGHT, () => runOnce("bench_3"));
    floorSeconds += await concurrently((FLOOR_INSERTS * 2) / ROUNDS, IN_FLIGHT, insert);
  }
  const engineStepsPerSecond = (THROUGHPUT_RUNS * 3) / engineSeconds;
  const floorPerSecond = (FLOOR_INSERTS * 2) / floorSeconds;
  console.log(`throughput 3-step workflows, ${IN_FLIGHT} in flight: workflows_per_s=${f(THROUGHPUT_RUNS / engineSeconds, 1)} steps_per_s=${f(engineStepsPerSecond, 1)}`);
  console.log(`floor ${IN_FLIGHT} concurrent: inserts_per_s=${f(floorPerSecond, 1)}`);

  // 3. ms per step by workflow length; the 50-step runs alternate with rounds of the floor's sequential inserts
  let msPerStep50 = 0;
  let floorMs = 0;
  let stepRowTotalMs = 0;
  for (const n of [1, 10, 50]) {
    const runs = Math.max(5, Math.round(STEPS_PER_LENGTH / n));
    const rounds = n === 50 ? ROUNDS : 1;
    let engineMs = 0;
    let floorTotalMs = 0;
    for (let round = 0; round < rounds; round++) {
      let t = performance.now();
      for (let i = 0; i < runs / rounds; i++) await runOnce(`bench_${n}`);
      engineMs += performance.now() - t;
      if (n !== 50) continue;
      t = performance.now();
      for (let i = 0; i < FLOOR_INSERTS / rounds; i++) await insert();
      floorTotalMs += performance.now() - t;
      t = performance.now();
      for (let i = 0; i < FLOOR_INSERTS / rounds; i++) await insertStepRow();
      stepRowTotalMs += performance.now() - t;
    }
    const perStep = engineMs / runs / n;
    if (n === 50) {
      msPerStep50 = perStep;
      floorMs = floorTotalMs / FLOOR_INSERTS;
    }
    console.log(`${n}-step workflow: runs=${runs} ms_per_step=${f(perStep, 3)}`);
  }
  console.log(`floor sequential: inserts=${FLOOR_INSERTS} ms_per_insert=${f(floorMs, 3)}`);
  const stepRowMs = stepRowTotalMs / FLOOR_INSERTS;
  console.log(`step row alone (states of the 50-step runs), sequential: inserts=${FLOOR_INSERTS} ms_per_insert=${f(stepRowMs, 3)} ratio_to_floor=${f(stepRowMs / floorMs, 3)}`);
  // 4. storage of one 50-step run: the states as stored, and as whole states after every step would be
  const storedRun = await running.startProcess("bench_50", [{}]);
  await running.waitFor(storedRun);
  const bytes = await sql<{ stored: number; whole: number }>`
    SELECT sum(octet_length(state::text))::int AS stored,
      (SELECT sum(octet_length(j::text)) FROM (
        SELECT (SELECT jsonb_object_agg(k, v) FROM process_steps p2, jsonb_each(CASE WHEN p2.is_delta THEN p2.state -> 'set' ELSE p2.state END) AS e(k, v)
          WHERE p2.pid = s.pid AND p2.seq <= s.seq) AS j
        FROM process_steps s WHERE s.pid = ${storedRun}) w)::int AS whole
    FROM process_steps WHERE pid = ${storedRun}`.execute(database.db);
  console.log(`step_bytes_50=${bytes.rows[0]!.stored} whole_states_bytes=${bytes.rows[0]!.whole}`);
  await engine.shutdown();

  console.log(`per_step_ratio=${f(msPerStep50 / floorMs, 3)}`);
  console.log(`throughput_ratio=${f(engineStepsPerSecond / floorPerSecond, 3)}`);
} finally {
  await engine?.shutdown();
  await database.close();
  await admin(`drop database if exists ${name} with (force)`);
}
