/**
 * One verdict on workflow registration: the registration view (`GET /api/workflows/registration` and its `/check`),
 * `db check` and `task_validate_products` on the same database. The database is the beginner example's, where they
 * once disagreed (its products lack modify_note, which the view flagged and the check and the task did not), plus a
 * workflow a typo'd createWorkflow left without products and a product without workflows. They must agree before,
 * during and after the repair. Also: a createWorkflow with a product_type no product has fails its migration, and a
 * products migration written by migrate-domain-models links the default workflows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runRegistrationCheck } from "../src/cli/registration-check.js";
import { domainMigrationBody, planDomainMigration } from "../src/cli/migrate-domain-models.js";
import {
  ALL_WORKFLOWS,
  CORE_VERSIONS_FOLDER,
  ensureDefaultWorkflows,
  LazyWorkflowInstance,
  loadMigrations,
  MigrationProject,
  Migrator,
  sql,
} from "../src/index.js";
import { startTestServer, BEGINNER_APP, type TestServer } from "./support/api.js";
import { backend, freshDatabase } from "./support/db.js";
import { TEST_WORKFLOWS_FILE } from "./support/engine-db.js";
import { tempDir, writeFiles } from "./support/files.js";

const DEFAULTS = ["modify_note"];

describe(`registration verdict: the view, db check and task_validate_products agree (${backend})`, () => {
  let t: TestServer;
  const db = () => t.server.database.db;

  /** What each of the three says about the database now. */
  async function verdicts() {
    const rows = (await t.request("GET", "/api/workflows/registration")).body as { name: string; problems: string[] }[];
    const check = (await t.request("GET", "/api/workflows/registration/check")).body as {
      ok: boolean;
      problems: { kind: string; workflow: string | null; product: string | null; message: string }[];
    };
    const lines: string[] = [];
    let cliError: string | undefined;
    await runRegistrationCheck(db(), { defaultWorkflows: DEFAULTS, out: (line) => lines.push(line) }).catch((e: Error) => (cliError = e.message));
    const started = await t.request("POST", "/api/processes/task_validate_products", [{}]);
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const task = await t.settle(started.body.id);
    if (task.last_status !== "completed") await t.request("PUT", `/api/processes/${started.body.id}/abort`);
    return { rows, check, output: lines.join("\n"), cliError, task };
  }

  /** The three agree: all say ok, or all report problems (the view on the workflows the problems are about). */
  function assertAgree(v: Awaited<ReturnType<typeof verdicts>>) {
    const viewOk = v.rows.every((r) => r.problems.length === 0);
    assert.equal(viewOk, v.check.ok, "the view's rows and its check");
    assert.equal(v.cliError === undefined, v.check.ok, `db check: ${v.cliError}\n${v.output}`);
    assert.equal(v.task.last_status === "completed", v.check.ok, `task: ${v.task.last_status} ${v.task.failed_reason}`);
    if (!v.check.ok) assert.equal(v.cliError, `${v.check.problems.length} workflow registration problem${v.check.problems.length > 1 ? "s" : ""} found`);
    for (const p of v.check.problems.filter((x) => x.workflow)) {
      assert.ok(v.rows.find((r) => r.name === p.workflow)?.problems.includes(p.message), `the view shows ${p.workflow}: ${p.message}`);
    }
  }

  before(async () => {
    t = await startTestServer();
    // an old migration's createWorkflow with a typo'd product_type: the row without products
    new LazyWorkflowInstance(TEST_WORKFLOWS_FILE, "create_thing");
    await db().insertInto("workflows").values({ name: "create_thing", target: "CREATE", description: "Create thing", is_task: false }).execute();
    // a product added later that nobody linked workflows to
    await db().insertInto("products").values({ name: "User Group XL", description: "big groups", product_type: "UserGroup", tag: "GROUP", status: "active" }).execute();
  });
  after(async () => {
    ALL_WORKFLOWS.delete("create_thing");
    await t.close();
  });

  it("on the database where they disagreed, all three report the same problems", async () => {
    const v = await verdicts();
    assertAgree(v);
    assert.equal(v.check.ok, false);
    assert.deepEqual(
      v.check.problems.map((p) => `${p.kind} ${p.workflow ?? "-"} ${p.product ?? "-"}`),
      [
        "no_products create_thing -",
        "product_without_workflows - User Group XL",
        "missing_default_workflow modify_note User Group XL",
      ],
    );
    assert.match(v.output, /Workflows linked to no product \(did the product_type of their createWorkflow match no product\?\):\n {2}create_thing\n/);
    assert.match(v.output, /Products without any workflow:\n {2}User Group XL\n/);
    assert.match(v.output, /Products without the default workflows \(DEFAULT_PRODUCT_WORKFLOWS; link them with ensureDefaultWorkflows in a data migration\):\n {2}User Group XL: modify_note\n/);
    assert.equal(v.task.failed_reason, "Found workflows that are not linked to any product");
    const byName = (name: string) => v.rows.find((r) => r.name === name)!;
    assert.ok(byName("modify_note").problems.includes("not linked to product User Group XL: DEFAULT_PRODUCT_WORKFLOWS links it to every product (ensureDefaultWorkflows)"));
    assert.ok(byName("create_user_group").problems.includes("not linked to product User Group XL of product type UserGroup"));
    assert.deepEqual(byName("create_user").problems, []);
  });

  it("they agree while the problems are repaired one by one, and all say ok at the end", async () => {
    await db().deleteFrom("workflows").where("name", "=", "create_thing").execute();
    ALL_WORKFLOWS.delete("create_thing");
    let v = await verdicts();
    assertAgree(v);
    assert.equal(v.task.failed_reason, "Found products that do not have a workflow associated with them");
    assert.equal(v.check.problems.length, 2);

    await ensureDefaultWorkflows(db(), DEFAULTS); // what the check advises; it gives User Group XL a workflow too
    v = await verdicts();
    assertAgree(v);
    assert.equal(v.check.ok, true);
    assert.match(v.output, /Code and database agree on all \d+ workflows, and every product has its workflows\./);
    assert.equal(v.task.last_status, "completed");
  });

  it("a createWorkflow whose product_type no product has fails its migration, naming it; nothing is written", async () => {
    const app = tempDir("typo");
    try {
      writeFiles(app.path, {
        "2026-12-01_0badc0ffee00_add_typo.ts": `import { createWorkflow, Target } from "@orchestrator-ts/core";
export const revision = "0badc0ffee00";
export const down_revision = "25bb4ad3db96";
export const branch_labels = null;
export const depends_on = null;
export async function upgrade(conn) {
  await createWorkflow(conn, { name: "validate_user_group", target: Target.VALIDATE, description: "Validate", product_type: "UserGrop" });
}
export async function downgrade() {}
`,
      });
      const set = await loadMigrations([CORE_VERSIONS_FOLDER, join(BEGINNER_APP, "migrations/versions/schema"), app.path]);
      await assert.rejects(new Migrator(db(), set).upgrade("heads"), (e: Error) => {
        assert.match(e.message, /createWorkflow: workflow "validate_user_group" has product_type "UserGrop", which no product has \(product types in the database: User, UserGroup\)/);
        return true;
      });
      assert.equal(await db().selectFrom("workflows").select("name").where("name", "=", "validate_user_group").executeTakeFirst(), undefined);
    } finally {
      app.cleanup();
    }
  });

  it("a products migration written by migrate-domain-models links DEFAULT_PRODUCT_WORKFLOWS to its products", async () => {
    const fresh = await freshDatabase();
    const app = tempDir("defaults");
    try {
      const project = new MigrationProject(app.path);
      project.init();
      await new Migrator(fresh.db, await project.load()).upgrade("heads");
      const plan = await planDomainMigration(fresh.db, {
        inputs: {
          "User Group": { description: "groups", tag: "GROUP" },
          "User internal": { description: "internal users", tag: "USER_INT", affiliation: "internal" },
          "User external": { description: "external users", tag: "USER_EXT", affiliation: "external" },
        },
      });
      assert.equal(plan.linkDefaultWorkflows, true);
      await project.revision({ message: "add products", body: domainMigrationBody(plan) });
      const migrator = new Migrator(fresh.db, await project.load());
      await migrator.upgrade("heads");
      const linked = await sql<{ name: string }>`
        select p.name from products p join products_workflows pw using (product_id) join workflows w using (workflow_id)
        where w.name = 'modify_note'`.execute(fresh.db);
      assert.deepEqual(linked.rows.map((r) => r.name).sort(), ["User Group", "User external", "User internal"]);
      await migrator.downgrade("data@-1");
      assert.equal((await fresh.db.selectFrom("products_workflows").select("product_id").execute()).length, 0);
    } finally {
      await fresh.close();
      app.cleanup();
    }
  });
});
