/**
 * Opening the database: the embedded folder is exclusive to one process; bad URIs and unreachable servers are clear
 * errors.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CompiledQuery, sql } from "kysely";
import { namedStatement, openDatabase, redactUri } from "../src/db/connection.js";
import { DatabaseError, SettingsError } from "../src/errors.js";
import { backend, freshDatabase, seedPGliteFolder } from "./support/db.js";
import { REPO_ROOT, tempDir } from "./support/files.js";

describe("embedded database folder", () => {
  it("a second process opening the same folder gets 'in use by process N'", async () => {
    const dir = tempDir("lock");
    const folder = join(dir.path, "db");
    try {
      await seedPGliteFolder(folder);
      // a child process opens the folder and keeps it open until its stdin closes
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "-e",
          `const { openDatabase } = await import(${JSON.stringify(join(REPO_ROOT, "packages/core/src/db/connection.ts"))});
           const db = await openDatabase({ uri: ${JSON.stringify(`pglite://${folder}`)} });
           process.stdout.write("open\\n");
           process.stdin.on("end", async () => { await db.close(); process.exit(0); });
           process.stdin.resume();`,
        ],
        { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => d.toString().includes("open") && resolve());
        child.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
      });
      await assert.rejects(openDatabase({ uri: `pglite://${folder}` }), (error: Error) => {
        assert.ok(error instanceof DatabaseError);
        assert.equal(error.message.includes(`is in use by process ${child.pid}`), true, error.message);
        return true;
      });
      child.stdin.end();
      await new Promise((resolve) => child.on("exit", resolve));
      assert.equal(existsSync(`${folder}.lock`), false, "the lock is released on close");

      // now it opens, keeps the data, and a lock left by a dead process is taken over
      writeFileSync(`${folder}.lock`, "999999999\n");
      const db = await openDatabase({ uri: `pglite://${folder}` });
      const result = await sql<{ n: number }>`select 41 + 1 as n`.execute(db.db);
      assert.equal(result.rows[0]!.n, 42);
      await assert.rejects(openDatabase({ uri: `pglite://${folder}` }), /in use by this process/);
      await db.close();
    } finally {
      dir.cleanup();
    }
  });

  it("the default folder is .orchestrator/db inside the app root", async () => {
    const dir = tempDir("default");
    try {
      const db = await openDatabase({ uri: undefined, appRoot: dir.path });
      assert.equal(db.location, join(dir.path, ".orchestrator", "db"));
      await db.close();
      assert.ok(existsSync(join(dir.path, ".orchestrator", "db", "PG_VERSION")));
    } finally {
      dir.cleanup();
    }
  });
});

describe("database URIs", () => {
  it("refuses an unsupported scheme", async () => {
    await assert.rejects(openDatabase({ uri: "mysql://root@localhost/x" }), (e: Error) => e instanceof SettingsError && /not supported/.test(e.message));
  });

  it("reports an unreachable server without its password", async () => {
    await assert.rejects(openDatabase({ uri: "postgresql://user:secret@127.0.0.1:1/nothing" }), (e: Error) => {
      assert.ok(e instanceof DatabaseError);
      assert.match(e.message, /^Cannot connect to PostgreSQL at postgresql:\/\/user:\*\*\*@127\.0\.0\.1:1\/nothing: /);
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
  });

  it("accepts the original's postgresql+psycopg:// form", async () => {
    const db = await openDatabase({ uri: process.env.TEST_POSTGRES_URI?.replace("postgresql://", "postgresql+psycopg://") ?? "postgresql+psycopg://postgres@127.0.0.1:5432/postgres" });
    assert.equal(db.kind, "postgres");
    await db.close();
  });

  it("redacts passwords", () => {
    assert.equal(redactUri("postgresql://nwa:nwa@localhost/orchestrator-core"), "postgresql://nwa:***@localhost/orchestrator-core");
    assert.equal(redactUri("postgresql://nwa@localhost/x"), "postgresql://nwa@localhost/x");
  });
});

describe(`named statements (${backend})`, () => {
  it("a text registered with namedStatement runs as a named prepared statement on the server, also through Kysely", async () => {
    const text = namedStatement("orch_test_named", "SELECT $1::int + 1 AS x");
    const db = await freshDatabase();
    try {
      await db.db.connection().execute(async (conn) => {
        for (const n of [1, 2]) assert.deepEqual((await conn.executeQuery(CompiledQuery.raw(text, [n]))).rows, [{ x: n + 1 }]);
        if (backend !== "postgres") return; // PGlite: one session, nothing to name
        const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE name = 'orch_test_named'`.execute(conn);
        assert.deepEqual(rows, [{ name: "orch_test_named" }]);
      });
    } finally {
      await db.close();
    }
  });
});
