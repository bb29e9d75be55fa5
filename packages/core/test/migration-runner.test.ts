import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { openDatabase } from "../src/db/connection.js";
import { CORE_TABLES } from "../src/db/types.js";
import { MigrationError } from "../src/errors.js";
import { loadMigrations } from "../src/migrations/loader.js";
import { CORE_VERSIONS_FOLDER } from "../src/migrations/project.js";
import { Migrator } from "../src/migrations/runner.js";
import { backend, freshDatabase, type TestDatabase } from "./support/db.js";
import { migrationSource, tempDir, writeFiles } from "./support/files.js";

async function tables(db: TestDatabase): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(db.db);
  return result.rows.map((r) => r.table_name);
}

describe(`core schema (${backend})`, () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
  });
  after(() => db.close());

  it("upgrade heads creates every table of the data model and records the schema head", async () => {
    const migrator = new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER]));
    const done = await migrator.upgrade("heads");
    assert.ok(done.length >= 1);
    assert.deepEqual(await tables(db), [...CORE_TABLES, "alembic_version"].sort());
    assert.deepEqual(await migrator.current(), [migrator.graph.branchHead("schema").revision]);
    const engine = await db.db.selectFrom("engine_settings").selectAll().execute();
    assert.deepEqual(engine, [{ global_lock: false }]);
    assert.deepEqual(await migrator.upgrade("heads"), [], "a second upgrade is a no-op");
  });

  it("bumps a subscription's version on every update", async () => {
    const product = await db.db
      .insertInto("products")
      .values({ name: "P", description: "p", product_type: "T", tag: "T", status: "active" })
      .returning("product_id")
      .executeTakeFirstOrThrow();
    const sub = await db.db
      .insertInto("subscriptions")
      .values({ description: "s", status: "initial", product_id: product.product_id, customer_id: "c", insync: false })
      .returning(["subscription_id", "version"])
      .executeTakeFirstOrThrow();
    assert.equal(sub.version, 1);
    await db.db.updateTable("subscriptions").set({ insync: true }).where("subscription_id", "=", sub.subscription_id).execute();
    await db.db.updateTable("subscriptions").set({ note: "x" }).where("subscription_id", "=", sub.subscription_id).execute();
    const row = await db.db.selectFrom("subscriptions").select("version").executeTakeFirstOrThrow();
    assert.equal(row.version, 3);
  });

  it("downgrade base drops everything again", async () => {
    const migrator = new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER]));
    await db.db.deleteFrom("subscriptions").execute();
    await db.db.deleteFrom("products").execute();
    await migrator.downgrade("base");
    assert.deepEqual(await tables(db), ["alembic_version"]);
    assert.deepEqual(await migrator.current(), []);
  });
});

describe(`migration runner (${backend})`, () => {
  let db: TestDatabase;
  const dir = tempDir("runner");
  before(async () => {
    db = await freshDatabase();
  });
  after(async () => {
    await db.close();
    dir.cleanup();
  });

  it("rolls back a failing revision completely and names its file", async () => {
    const folder = join(dir.path, "failing");
    writeFiles(folder, {
      "1_r1.ts": migrationSource({ revision: "r1", labels: ["x"], up: "create table t1 (id int)", down_sql: "drop table t1" }),
      "2_r2.ts": migrationSource({
        revision: "r2",
        down: "r1",
        up: "create table t2 (id int); insert into t2 values (1)",
        upThrows: "boom in r2",
      }),
    });
    const migrator = new Migrator(db.db, await loadMigrations([folder]));
    await assert.rejects(migrator.upgrade("heads"), (error: Error) => {
      assert.ok(error instanceof MigrationError);
      assert.match(error.message, /Upgrade of revision r2 \(.*2_r2\.ts\) failed and was rolled back: boom in r2/);
      return true;
    });
    const names = await tables(db);
    assert.ok(names.includes("t1"));
    assert.ok(!names.includes("t2"), "the failing revision's table is rolled back");
    assert.deepEqual(await migrator.current(), ["r1"]);
    await migrator.downgrade("base");
    assert.ok(!(await tables(db)).includes("t1"));
  });

  it("a failing statement in a multi-statement revision leaves nothing behind", async () => {
    const folder = join(dir.path, "badsql");
    writeFiles(folder, {
      "1_s1.ts": migrationSource({ revision: "s1", up: "create table u1 (id int); insert into u1 values (1); select no_such_column from u1" }),
    });
    const migrator = new Migrator(db.db, await loadMigrations([folder]));
    await assert.rejects(migrator.upgrade("heads"), /Upgrade of revision s1 .* failed and was rolled back: .*no_such_column/);
    assert.ok(!(await tables(db)).includes("u1"));
    assert.deepEqual(await migrator.current(), []);
  });

  it("refuses a database whose version table names an unknown revision", async () => {
    const folder = join(dir.path, "unknown");
    writeFiles(folder, { "1_k1.ts": migrationSource({ revision: "k1" }) });
    await sql`insert into alembic_version values ('f00f00f00f00')`.execute(db.db);
    const migrator = new Migrator(db.db, await loadMigrations([folder]));
    await assert.rejects(migrator.upgrade("heads"), /The database is at revision f00f00f00f00, which is not in any migration file/);
    await sql`delete from alembic_version`.execute(db.db);
  });

  it("two concurrent upgrades apply every revision exactly once", async () => {
    const folder = join(dir.path, "concurrent");
    const files: Record<string, string> = {
      "0_c0.ts": migrationSource({ revision: "c0", up: "create table applied_log (rev text primary key)", down_sql: "drop table applied_log" }),
    };
    for (let i = 1; i <= 5; i++) {
      files[`${i}_c${i}.ts`] = migrationSource({
        revision: `c${i}`,
        down: `c${i - 1}`,
        // not idempotent: a second run of the same revision fails on the primary key or the existing table
        up: `create table t_c${i} (id int); insert into applied_log values ('c${i}'); select pg_sleep(0.05)`,
        down_sql: `drop table t_c${i}; delete from applied_log where rev = 'c${i}'`,
      });
    }
    writeFiles(folder, files);
    const set = await loadMigrations([folder]);
    // On a server, two separate pools (as two processes would have); PGlite is one session shared in-process.
    const second = db.uri ? await openDatabase({ uri: db.uri, poolSize: 2 }) : undefined;
    try {
      const a = new Migrator(db.db, set);
      const b = new Migrator((second ?? db).db, set);
      const [doneA, doneB] = await Promise.all([a.upgrade("heads"), b.upgrade("heads")]);
      assert.equal(doneA.length + doneB.length, 6, `each revision applied once: ${doneA} / ${doneB}`);
      const log = await sql<{ rev: string }>`select rev from applied_log order by rev`.execute(db.db);
      assert.deepEqual(log.rows.map((r) => r.rev), ["c1", "c2", "c3", "c4", "c5"]);
      assert.deepEqual(await a.current(), ["c5"]);
      await a.downgrade("base");
    } finally {
      await second?.close();
    }
  });

  it("records one version row per branch and downgrades relative to a branch", async () => {
    const folder = join(dir.path, "branches");
    writeFiles(folder, {
      "a1.ts": migrationSource({ revision: "a1", labels: ["schema"], up: "create table a1 (id int)", down_sql: "drop table a1" }),
      "a2.ts": migrationSource({ revision: "a2", down: "a1" }),
      "d1.ts": migrationSource({ revision: "d1", labels: ["data"], dependsOn: "a2" }),
      "d2.ts": migrationSource({ revision: "d2", down: "d1", up: "create table d2 (id int)", down_sql: "drop table d2" }),
    });
    const migrator = new Migrator(db.db, await loadMigrations([folder]));
    await migrator.upgrade("heads");
    const rows = await sql<{ version_num: string }>`select version_num from alembic_version order by 1`.execute(db.db);
    assert.deepEqual(rows.rows.map((r) => r.version_num), ["a2", "d2"]);
    assert.deepEqual(await migrator.downgrade("-1"), ["d2"]);
    assert.ok(!(await tables(db)).includes("d2"));
    assert.deepEqual(await migrator.current(), ["a2", "d1"]);
    assert.deepEqual(await migrator.downgrade("a1"), ["d1", "a2"]);
    assert.deepEqual(await migrator.current(), ["a1"]);
    assert.deepEqual(await migrator.upgrade("data@head"), ["a2", "d1", "d2"]);
    await migrator.downgrade("base");
  });
});
