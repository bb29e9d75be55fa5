/**
 * Time of `db upgrade heads` on an empty database (the core schema plus the beginner example's data migrations),
 * on the embedded database and on the PostgreSQL server. Prints one line per measurement.
 *
 *   npm run bench:migrations            (POSTGRES_URI=postgresql://postgres@127.0.0.1:5432/postgres by default)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { admin, databaseUri, median } from "./support.js";
import { MigrationProject, Migrator, openDatabase } from "@orchestrator-ts/core";

const RUNS = Number(process.env.RUNS ?? 3);
const appRoot = resolve(fileURLToPath(new URL("../examples/beginner", import.meta.url)));

/** Open + upgrade heads in this process; returns [open ms, upgrade ms, revisions]. */
async function inProcess(uri: string): Promise<[number, number, number]> {
  const set = await new MigrationProject(appRoot).load();
  const t0 = performance.now();
  const database = await openDatabase({ uri, appRoot });
  const t1 = performance.now();
  const applied = await new Migrator(database.db, set).upgrade("heads");
  const t2 = performance.now();
  await database.close();
  return [t1 - t0, t2 - t1, applied.length];
}

/** The whole command as a user runs it. */
function viaCli(env: Record<string, string>): number {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts", "db", "upgrade", "heads"], {
    cwd: appRoot,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`db upgrade heads failed: ${result.stderr}`);
  return performance.now() - t0;
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

async function benchPglite(): Promise<void> {
  const opens: number[] = [];
  const upgrades: number[] = [];
  const clis: number[] = [];
  let revisions = 0;
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "bench-mig-"));
    try {
      const [open, upgrade, n] = await inProcess(`pglite://${join(dir, "db")}`);
      opens.push(open);
      upgrades.push(upgrade);
      revisions = n;
      clis.push(viaCli({ DATABASE_URI: `pglite://${join(dir, "cli")}` }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`pglite   revisions=${revisions} open_new_folder=${fmt(median(opens))} upgrade_heads=${fmt(median(upgrades))} cli_total=${fmt(median(clis))} (median of ${RUNS})`);
}

async function benchPostgres(): Promise<void> {
  const opens: number[] = [];
  const upgrades: number[] = [];
  const clis: number[] = [];
  let revisions = 0;
  for (let i = 0; i < RUNS; i++) {
    for (const kind of ["lib", "cli"] as const) {
      const name = `orch_bench_${process.pid}_${i}_${kind}`;
      await admin(`create database ${name}`);
      const uri = databaseUri(name);
      try {
        if (kind === "lib") {
          const [open, upgrade, n] = await inProcess(uri);
          opens.push(open);
          upgrades.push(upgrade);
          revisions = n;
        } else clis.push(viaCli({ DATABASE_URI: uri }));
      } finally {
        await admin(`drop database if exists ${name} with (force)`);
      }
    }
  }
  console.log(`postgres revisions=${revisions} connect=${fmt(median(opens))} upgrade_heads=${fmt(median(upgrades))} cli_total=${fmt(median(clis))} (median of ${RUNS})`);
}

await benchPglite();
await benchPostgres();
