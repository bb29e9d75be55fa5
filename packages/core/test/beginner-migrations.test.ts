/**
 * The beginner example's hand-written migrations, run through its own entry point (its `main.ts db …`, run in this
 * process): products first, then the six workflows registered with createWorkflow.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase, type OrchestratorDb } from "../src/db/connection.js";
import { runMainHere } from "./support/cli.js";
import { appDatabase, backend } from "./support/db.js";
import { REPO_ROOT, tempDir } from "./support/files.js";

const APP = join(REPO_ROOT, "examples", "beginner");
const CORE = [
  "modify_note",
  "task_clean_up_tasks",
  "task_resume_workflows",
  "task_validate_products",
  "task_validate_product_type",
  "task_validate_subscriptions",
  "task_validate_awaiting_callbacks",
];
const SIX = ["create_user", "create_user_group", "modify_user", "modify_user_group", "terminate_user", "terminate_user_group"];

describe(`beginner example migrations (${backend})`, () => {
  const data = tempDir("beginner");
  let uri: string;
  let drop: (() => Promise<void>) | undefined;
  const db = async (...args: string[]) => {
    const result = await runMainHere(APP, ["db", ...args], { DATABASE_URI: uri });
    assert.equal(result.code, 0, `db ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  /** Open the database between CLI runs (PGlite allows one process at a time), query, close. */
  const query = async <T>(fn: (database: OrchestratorDb) => Promise<T>): Promise<T> => {
    const database = await openDatabase({ uri });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  };

  before(async () => {
    ({ uri, drop } = await appDatabase(data.path));
  });
  after(async () => {
    await drop?.();
    data.cleanup();
  });

  it("upgrade heads gives the six workflows and nine product links", async () => {
    const out = await db("upgrade", "heads");
    assert.match(out, /add User and UserGroup products/);
    assert.match(out, /add User and UserGroup workflows/);
    const { workflows, core, links } = await query(async ({ db: k }) => ({
      workflows: await k.selectFrom("workflows").select(["name", "target", "description", "is_task"]).where("name", "not in", CORE).orderBy("name").execute(),
      core: await k.selectFrom("workflows").select("name").where("name", "in", CORE).execute(),
      links: await k
        .selectFrom("products_workflows as pw")
        .innerJoin("products as p", "p.product_id", "pw.product_id")
        .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
        .select(["w.name as workflow", "p.name as product"])
        .orderBy("w.name")
        .orderBy("p.name")
        .execute(),
    }));
    assert.deepEqual(workflows, [
      { name: "create_user", target: "CREATE", description: "Create user", is_task: false },
      { name: "create_user_group", target: "CREATE", description: "Create user group", is_task: false },
      { name: "modify_user", target: "MODIFY", description: "Modify user", is_task: false },
      { name: "modify_user_group", target: "MODIFY", description: "Modify user group", is_task: false },
      { name: "terminate_user", target: "TERMINATE", description: "Terminate user", is_task: false },
      { name: "terminate_user_group", target: "TERMINATE", description: "Terminate user group", is_task: false },
    ]);
    assert.equal(core.length, CORE.length, "the core workflows are there too, from the schema branch");
    // the six workflows' nine links, and modify_note (DEFAULT_PRODUCT_WORKFLOWS) on each of the three products
    assert.equal(links.length, 12);
    assert.deepEqual(links.filter((l) => l.workflow === "modify_note").map((l) => l.product).sort(), ["User Group", "User external", "User internal"]);
    for (const wf of ["create_user", "modify_user", "terminate_user"]) {
      assert.deepEqual(links.filter((l) => l.workflow === wf).map((l) => l.product), ["User external", "User internal"]);
    }
    for (const wf of ["create_user_group", "modify_user_group", "terminate_user_group"]) {
      assert.deepEqual(links.filter((l) => l.workflow === wf).map((l) => l.product), ["User Group"]);
    }
  });

  it("the products migration gives the reference rows", async () => {
    const rows = await query(async ({ db: k }) => ({
      products: await k.selectFrom("products").select(["name", "description", "product_type", "tag", "status"]).orderBy("name").execute(),
      fixed: await k
        .selectFrom("fixed_inputs as f")
        .innerJoin("products as p", "p.product_id", "f.product_id")
        .select(["p.name as product", "f.name", "f.value"])
        .orderBy("p.name")
        .execute(),
      blocks: await k.selectFrom("product_blocks").select(["name", "description", "tag", "status"]).orderBy("name").execute(),
      resourceTypes: await k
        .selectFrom("product_block_resource_types as l")
        .innerJoin("product_blocks as b", "b.product_block_id", "l.product_block_id")
        .innerJoin("resource_types as r", "r.resource_type_id", "l.resource_type_id")
        .select(["b.name as block", "r.resource_type", "r.description"])
        .orderBy("b.name")
        .orderBy("r.resource_type")
        .execute(),
      relations: await k
        .selectFrom("product_block_relations as rel")
        .innerJoin("product_blocks as u", "u.product_block_id", "rel.in_use_by_id")
        .innerJoin("product_blocks as d", "d.product_block_id", "rel.depends_on_id")
        .select(["u.name as in_use_by", "d.name as depends_on"])
        .execute(),
    }));
    assert.deepEqual(rows.products, [
      { name: "User external", description: "user administration - external", product_type: "User", tag: "USER_EXT", status: "active" },
      { name: "User Group", description: "user group administration", product_type: "UserGroup", tag: "GROUP", status: "active" },
      { name: "User internal", description: "user administration - internal", product_type: "User", tag: "USER_INT", status: "active" },
    ].sort((a, b) => (a.name < b.name ? -1 : 1)));
    assert.deepEqual(rows.fixed, [
      { product: "User external", name: "affiliation", value: "external" },
      { product: "User internal", name: "affiliation", value: "internal" },
    ]);
    assert.deepEqual(rows.blocks, [
      { name: "UserBlock", description: "user block", tag: "UB", status: "active" },
      { name: "UserGroupBlock", description: "user group block", tag: "UGB", status: "active" },
    ]);
    assert.deepEqual(rows.resourceTypes, [
      { block: "UserBlock", resource_type: "age", description: "age of the user" },
      { block: "UserBlock", resource_type: "user_id", description: "id of the user" },
      { block: "UserBlock", resource_type: "username", description: "name of the user" },
      { block: "UserGroupBlock", resource_type: "group_id", description: "id of the user group" },
      { block: "UserGroupBlock", resource_type: "group_name", description: "name of the user group" },
    ]);
    assert.deepEqual(rows.relations, [{ in_use_by: "UserBlock", depends_on: "UserGroupBlock" }]);
  });

  it("downgrade -1 removes exactly the six workflows and their links", async () => {
    const out = await db("downgrade", "-1");
    assert.match(out, /^Running downgrade [0-9a-f]{12} -> [0-9a-f]{12}, add User and UserGroup workflows\n$/);
    const after = await query(async ({ db: k }) => ({
      workflows: await k.selectFrom("workflows").select("name").where("name", "in", SIX).execute(),
      links: await k.selectFrom("products_workflows").select("product_id").execute(),
      products: await k.selectFrom("products").select("name").execute(),
    }));
    assert.deepEqual(after.workflows, []);
    assert.equal(after.links.length, 3, "only the products migration's modify_note links stay");
    assert.equal(after.products.length, 3, "the products migration stays applied");
    await db("upgrade", "heads");
    const again = await query(({ db: k }) => k.selectFrom("products_workflows").select("product_id").execute());
    assert.equal(again.length, 12);
  });
});
