/**
 * API benchmark: requests/s and p99 latency of `GET /api/processes?range=0,14` (a page of 15) and of the
 * subscription list (a page of 15, newest first; plus sorted-and-filtered and search variants) with 10,000 and
 * 100,000 subscriptions in the database, on the PostgreSQL server (POSTGRES_URI; a fresh database is created and
 * dropped). The bench generates the data itself: subscriptions of the beginner products in mixed lifecycles, one
 * create process per 10 subscriptions. The server runs in a child process; load comes from autocannon in this one.
 * Per route: p50/p99 latency one request at a time, then requests/s and p99 with CONNECTIONS in flight (default 10),
 * DURATION seconds each (default 5). It also counts the SQL statements per request, which must not grow with the
 * data. The last line is exactly `subscriptions_p99_ms_100k=<ms>`: the p99 latency of the newest-first page of 15 at
 * 100,000 subscriptions.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { sql } from "kysely";
import { MigrationProject, Migrator, openDatabase, type OrchestratorDb } from "@orchestrator-ts/core";
import { admin, databaseUri } from "./support.js";

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const DURATION = Number(process.env.DURATION ?? 5);
const SIZES = [10_000, 100_000];
const here = fileURLToPath(new URL(".", import.meta.url));
const BEGINNER = join(here, "..", "examples", "beginner");

const ROUTES = [
  { name: "processes", path: "/api/processes?range=0,14" },
  { name: "subscriptions", path: "/api/subscriptions?range=0,14" },
  { name: "subscriptions sorted+filtered", path: "/api/subscriptions?range=0,14&sort=description,asc&filter=status,active" },
  { name: "subscriptions search", path: "/api/subscriptions?range=0,14&query=group%2042" },
];

/** Add subscriptions (and one create process per 10) until there are `total`. */
async function grow(database: OrchestratorDb, total: number): Promise<void> {
  const db = database.db;
  const have = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM subscriptions`.execute(db)).rows[0]!.n);
  const add = total - have;
  if (add <= 0) return;
  await sql`
    WITH products AS (SELECT array_agg(product_id ORDER BY name) AS ids, array_agg(name ORDER BY name) AS names FROM products),
    numbers AS (SELECT g AS n FROM generate_series(${have + 1}::int, ${total}::int) g)
    INSERT INTO subscriptions (subscription_id, description, status, product_id, customer_id, insync, start_date, note)
    SELECT gen_random_uuid(), names[1 + n % 3] || ' ' || n,
           (ARRAY['active','active','active','terminated','provisioning','initial'])[1 + n % 6],
           ids[1 + n % 3], 'customer-' || (n % 50), n % 17 <> 0,
           now() - make_interval(secs => n * 37), CASE WHEN n % 11 = 0 THEN 'note ' || n END
    FROM numbers, products`.execute(db);
  const workflow = await db.selectFrom("workflows").select("workflow_id").where("name", "=", "create_user_group").executeTakeFirstOrThrow();
  await sql`
    WITH fresh AS (
      SELECT subscription_id, start_date FROM subscriptions ORDER BY start_date ASC LIMIT ${Math.ceil(add / 10)}
    ), p AS (
      INSERT INTO processes (pid, workflow_id, last_status, last_step, created_by, is_task, started_at, last_modified_at)
      SELECT gen_random_uuid(), ${workflow.workflow_id}, 'completed', 'Done', 'bench', false, start_date, start_date FROM fresh
      RETURNING pid, started_at
    )
    INSERT INTO processes_subscriptions (pid, subscription_id, workflow_target)
    SELECT p.pid, f.subscription_id, 'CREATE' FROM p JOIN fresh f ON f.start_date = p.started_at`.execute(db);
  // what autovacuum does to a table after a bulk load: statistics and the visibility map (index-only counts)
  await sql`VACUUM ANALYZE`.execute(db);
}

function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: Record<string, unknown>) => {
      if (key in reply) {
        child.off("message", onMessage);
        resolve(reply[key] as T);
      }
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

async function statementsPerRequest(child: ChildProcess, url: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500)); // let the previous load's last requests finish
  await fetch(url).then((r) => r.arrayBuffer());
  const before = await ask<number>(child, "count", "count");
  await fetch(url).then((r) => r.arrayBuffer());
  return (await ask<number>(child, "count", "count")) - before;
}

/**
 * Latency one request at a time (what one user waits), then throughput with CONNECTIONS in flight (where the p99
 * includes queueing behind the other connections on this 2-core machine).
 */
async function load(url: string): Promise<{ p50: number; p99: number; rps: number; loadedP99: number; errors: number }> {
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const single = await autocannon({ url, connections: 1, duration: DURATION });
  const loaded = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  return {
    p50: single.latency.p50,
    p99: single.latency.p99,
    rps: loaded.requests.average,
    loadedP99: loaded.latency.p99,
    errors: single.errors + single.non2xx + loaded.errors + loaded.non2xx,
  };
}

const name = `orch_bench_api_${randomBytes(4).toString("hex")}`;
await admin(`CREATE DATABASE ${name}`);
const uri = databaseUri(name);
const database = await openDatabase({ uri, appRoot: BEGINNER, poolSize: 2 });
let child: ChildProcess | undefined;
try {
  await new Migrator(database.db, await new MigrationProject(BEGINNER).load()).upgrade("heads");
  child = fork(join(here, "api-server.ts"), [], { env: { ...process.env, DATABASE_URI: uri }, execArgv: ["--import", "tsx"] });
  const server = child;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.once("message", (m: { url: string }) => resolve(m.url));
    server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  console.log(`api bench: PostgreSQL ${name}, ${CONNECTIONS} connections, ${DURATION} s per route, server in a child process`);
  const statements: Record<string, number[]> = {};
  let headline = Number.NaN;
  for (const size of SIZES) {
    const started = performance.now();
    await grow(database, size);
    console.log(`\n${size.toLocaleString("en")} subscriptions (generated in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    for (const route of ROUTES) {
      const count = await statementsPerRequest(server, baseUrl + route.path);
      (statements[route.name] ??= []).push(count);
      const r = await load(baseUrl + route.path);
      console.log(
        `  ${route.name.padEnd(30)} p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  |  ${CONNECTIONS} in flight: ${r.rps.toFixed(0).padStart(5)} req/s, p99 ${String(r.loadedP99).padStart(4)} ms  |  ${count} statements/request${r.errors ? `  ERRORS ${r.errors}` : ""}`,
      );
      if (size === 100_000 && route.name === "subscriptions") headline = r.p99;
    }
  }
  const constant = Object.values(statements).every((counts) => counts.every((c) => c === counts[0]));
  console.log(`\nstatements per request constant from 10k to 100k: ${constant ? "yes" : "NO"} (${JSON.stringify(statements)})`);
  console.log(`subscriptions_p99_ms_100k=${headline}`);
} finally {
  if (child?.connected) {
    child.send("stop");
    await new Promise((resolve) => child!.once("exit", resolve));
  }
  await database.close();
  if (process.env.KEEP_DB) console.log(`kept database ${name}`);
  else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
