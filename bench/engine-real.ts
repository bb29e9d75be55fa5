/**
 * Real-workflow engine benchmark on the PostgreSQL server (POSTGRES_URI, default
 * postgresql://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped): the beginner app's
 * migrations (core schema, its products and workflows), its products and workflows registered in code, then
 * - `create_user_group` processes started through the engine with 50 in flight (a product page, then the group
 *   name, as the API submits them);
 * - `modify_user_group` on the subscriptions those runs created, 50 in flight, each process on a subscription of its
 *   own (a subscription is locked while it is modified).
 * Each is measured in REAL_ROUNDS rounds (default 3) of REAL_PROCESSES processes (default 200) after a warm-up of
 * 50; prints the rounds' figures and their median:
 *   real_create_user_group_per_s=<processes/s>
 *   real_modify_user_group_per_s=<processes/s>
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { admin, databaseUri, median } from "./support.js";
import { CORE_VERSIONS_FOLDER, loadMigrations, Migrator, openDatabase, setWorkflowRoot, WorkflowEngine } from "@orchestrator-ts/core";

const IN_FLIGHT = 50;
const ROUNDS = Number(process.env.REAL_ROUNDS ?? 3);
const PROCESSES = Number(process.env.REAL_PROCESSES ?? 200);
const WARMUP = 50;

const APP = fileURLToPath(new URL("../examples/beginner/", import.meta.url));
setWorkflowRoot(APP);
await import("../examples/beginner/products/index.js");
await import("../examples/beginner/workflows/index.js");

const f = (n: number, digits = 1) => n.toFixed(digits);

const name = `orch_bench_real_${process.pid}`;
await admin(`drop database if exists ${name}`);
await admin(`create database ${name}`);
const database = await openDatabase({ uri: databaseUri(name), poolSize: IN_FLIGHT + 5 });
let engine: WorkflowEngine | undefined;
try {
  await new Migrator(database.db, await loadMigrations([CORE_VERSIONS_FOLDER, join(APP, "migrations/versions/schema")])).upgrade("heads");
  const product = await database.db.selectFrom("products").select("product_id").where("name", "=", "User Group").executeTakeFirstOrThrow();
  engine = new WorkflowEngine({ database, maxWorkers: IN_FLIGHT });
  await engine.start();
  const running = engine;
  const run = async (workflow: string, inputs: unknown[]) => {
    const pid = await running.startProcess(workflow, inputs);
    const status = await running.waitFor(pid);
    if (status !== "completed") {
      const row = await database.db.selectFrom("processes").select("failed_reason").where("pid", "=", pid).executeTakeFirst();
      throw new Error(`${workflow} ended ${status}: ${row?.failed_reason}`);
    }
  };
  /** Run job(0) … job(total - 1) with IN_FLIGHT at a time; returns processes per second. */
  const perSecond = async (total: number, job: (i: number) => Promise<unknown>) => {
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < total) await job(next++);
      }),
    );
    return total / ((performance.now() - t) / 1000);
  };
  let groups = 0;
  const create = () => run("create_user_group", [{ product: product.product_id }, { group_name: `Group ${++groups}` }]);

  await perSecond(WARMUP, create);
  const creates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) creates.push(await perSecond(PROCESSES, create));
  console.log(`create_user_group, ${IN_FLIGHT} in flight: rounds=${creates.map((n) => f(n)).join("|")} processes=${PROCESSES}`);

  // every create made one subscription: each modify round takes PROCESSES distinct ones
  const subscriptions = (await database.db.selectFrom("subscriptions").select("subscription_id").orderBy("subscription_id").execute()).map((s) => s.subscription_id);
  if (subscriptions.length < PROCESSES) throw new Error(`only ${subscriptions.length} subscriptions`);
  let modified = 0;
  const modify = (i: number) => run("modify_user_group", [{ subscription_id: subscriptions[i]! }, { group_name: `Renamed ${++modified}` }]);
  await perSecond(Math.min(WARMUP, PROCESSES), modify);
  const modifies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) modifies.push(await perSecond(PROCESSES, modify));
  console.log(`modify_user_group, ${IN_FLIGHT} in flight: rounds=${modifies.map((n) => f(n)).join("|")} processes=${PROCESSES}`);

  console.log(`real_create_user_group_per_s=${f(median(creates))}`);
  console.log(`real_modify_user_group_per_s=${f(median(modifies))}`);
} finally {
  await engine?.shutdown();
  await database.close();
  await admin(`drop database if exists ${name} with (force)`);
}
