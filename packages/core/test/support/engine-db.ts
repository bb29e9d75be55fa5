/** A migrated test database with the test workflows registered in code and in the `workflows` table. */
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { CORE_VERSIONS_FOLDER, LazyWorkflowInstance, loadMigrations, Migrator, type Target } from "../../src/index.js";
import type { TestDatabase } from "./db.js";

export const TEST_WORKFLOWS_FILE = fileURLToPath(new URL("./test-workflows.ts", import.meta.url));

export async function migrate(db: TestDatabase): Promise<void> {
  await new Migrator(db.db, await loadMigrations([CORE_VERSIONS_FOLDER])).upgrade("heads");
  await sql`create table if not exists test_log (id serial primary key, pid uuid, step text)`.execute(db.db);
}

/** Register `name` (an export of test-workflows.ts) in code, and in the database unless `inDatabase` is false. */
export async function register(db: TestDatabase, name: string, target: Target = "SYSTEM", options: { inDatabase?: boolean; isTask?: boolean } = {}): Promise<void> {
  new LazyWorkflowInstance(TEST_WORKFLOWS_FILE, name);
  if (options.inDatabase === false) return;
  await db.db
    .insertInto("workflows")
    .values({ name, target, description: name, is_task: options.isTask ?? false })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
}
