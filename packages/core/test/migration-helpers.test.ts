/**
 * The migration helpers (packages/core/src/migrations/helpers.ts): their effect on the rows of a database with the
 * initial schema. One database per `describe`; every test starts from empty tables.
 */
import { randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { sql, type Kysely } from "kysely";
import type { Database } from "../src/db/types.js";
import * as helpers from "../src/migrations/helpers.js";
import {
  addProductBlockRelationBetweenProductsById,
  addProductsToWorkflowByProductTag,
  backfillResourceTypeWithDefault,
  convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr,
  convertResourceTypeRelationsToInstanceRelations,
  create,
  createFixedInputs,
  createProductBlocks,
  createProducts,
  createResourceTypesForProductBlocks,
  createTask,
  createWorkflow,
  createWorkflows,
  deleteObsolete,
  deleteProduct,
  deleteProductBlock,
  deleteProductsByTag,
  deleteResourceType,
  deleteResourceTypeById,
  deleteResourceTypes,
  deleteResourceTypesFromProductBlocks,
  deleteWorkflow,
  ensureDefaultWorkflows,
  getAllActiveProductsAndIds,
  getFixedInputIdByName,
  getFixedInputsByProductId,
  getProductBlockIdByName,
  getProductById,
  getProductIdByName,
  getProductIdsByProductType,
  getProductNameById,
  getResourceTypeIdByName,
  hasTableColumn,
  insertResourceType,
  removeProductBlockRelationBetweenProductsById,
  removeProductsFromWorkflowByProductTag,
  removeResourceTypeFromSubscriptionInstance,
  Target,
  type CreateSpec,
  type WorkflowRecord,
} from "../src/migrations/helpers.js";
import { upgrade } from "../src/migrations/versions/schema/2026-11-27_3f1c0a7e2b91_initial_schema.js";
import { freshDatabase, type TestDatabase } from "./support/db.js";

type Db = Kysely<Database>;
type Table = keyof Database;

/** One database with the initial schema for the enclosing describe; tables emptied before each test. */
function useDatabase(): () => Db {
  let test: TestDatabase | undefined;
  before(async () => {
    test = await freshDatabase();
    await test.db.transaction().execute((trx) => upgrade(trx));
  });
  after(async () => {
    await test?.close();
  });
  beforeEach(async () => {
    await sql`TRUNCATE products, product_blocks, resource_types, workflows, processes, subscriptions CASCADE`.execute(
      test!.db,
    );
  });
  return () => test!.db;
}

async function count(db: Db, table: Table): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
  return rows[0]!.n;
}

async function addProduct(db: Db, name: string, productType: string, tag = "T", status = "active"): Promise<string> {
  const row = await db
    .insertInto("products")
    .values({ name, product_type: productType, tag, status, description: `${name} product` })
    .returning("product_id")
    .executeTakeFirstOrThrow();
  return row.product_id;
}

async function addBlock(db: Db, name: string): Promise<string> {
  const row = await db
    .insertInto("product_blocks")
    .values({ name, description: `${name} block`, tag: "B", status: "active" })
    .returning("product_block_id")
    .executeTakeFirstOrThrow();
  return row.product_block_id;
}

async function addResourceType(db: Db, name: string): Promise<string> {
  const row = await db
    .insertInto("resource_types")
    .values({ resource_type: name, description: `${name} rt` })
    .returning("resource_type_id")
    .executeTakeFirstOrThrow();
  return row.resource_type_id;
}

async function addWorkflow(db: Db, name: string, target = "MODIFY"): Promise<string> {
  const row = await db
    .insertInto("workflows")
    .values({ name, target, description: `${name} wf` })
    .returning("workflow_id")
    .executeTakeFirstOrThrow();
  return row.workflow_id;
}

async function workflow(db: Db, name: string) {
  return db.selectFrom("workflows").selectAll().where("name", "=", name).executeTakeFirst();
}

/** Sorted names of the products linked to the workflow `name`. */
async function linkedProducts(db: Db, name: string): Promise<string[]> {
  const rows = await db
    .selectFrom("products_workflows as pw")
    .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
    .innerJoin("products as p", "p.product_id", "pw.product_id")
    .select("p.name")
    .where("w.name", "=", name)
    .orderBy("p.name")
    .execute();
  return rows.map((r) => r.name);
}

/** Sorted resource type names linked to the block `name`. */
async function blockResourceTypes(db: Db, name: string): Promise<string[]> {
  const rows = await db
    .selectFrom("product_block_resource_types as x")
    .innerJoin("product_blocks as pb", "pb.product_block_id", "x.product_block_id")
    .innerJoin("resource_types as rt", "rt.resource_type_id", "x.resource_type_id")
    .select("rt.resource_type")
    .where("pb.name", "=", name)
    .orderBy("rt.resource_type")
    .execute();
  return rows.map((r) => r.resource_type);
}

/** Sorted block names linked to the product `name`. */
async function productBlocksOf(db: Db, name: string): Promise<string[]> {
  const rows = await db
    .selectFrom("product_product_blocks as x")
    .innerJoin("products as p", "p.product_id", "x.product_id")
    .innerJoin("product_blocks as pb", "pb.product_block_id", "x.product_block_id")
    .select("pb.name")
    .where("p.name", "=", name)
    .orderBy("pb.name")
    .execute();
  return rows.map((r) => r.name);
}

async function blockRelations(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("product_block_relations as r")
    .innerJoin("product_blocks as u", "u.product_block_id", "r.in_use_by_id")
    .innerJoin("product_blocks as d", "d.product_block_id", "r.depends_on_id")
    .select(["u.name as in_use_by", "d.name as depends_on"])
    .execute();
  return rows.map((r) => `${r.in_use_by}->${r.depends_on}`).sort();
}

describe("migration helpers: lookups", () => {
  const db = useDatabase();

  it("hasTableColumn tells whether a table has a column", async () => {
    assert.equal(await hasTableColumn(db(), "workflows", "is_task"), true);
    assert.equal(await hasTableColumn(db(), "workflows", "no_such_column"), false);
    assert.equal(await hasTableColumn(db(), "no_such_table", "is_task"), false);
  });

  it("get…IdByName return the id, and throw a clear error when nothing has that name", async () => {
    const rt = await addResourceType(db(), "speed");
    const block = await addBlock(db(), "PortBlock");
    const product = await addProduct(db(), "Port 10G", "Port");
    assert.equal(await getResourceTypeIdByName(db(), "speed"), rt);
    assert.equal(await getProductBlockIdByName(db(), "PortBlock"), block);
    assert.equal(await getProductIdByName(db(), "Port 10G"), product);
    await assert.rejects(getResourceTypeIdByName(db(), "nope"), { message: 'No resource type named "nope"' });
    await assert.rejects(getProductBlockIdByName(db(), "nope"), { message: 'No product block named "nope"' });
    await assert.rejects(getProductIdByName(db(), "nope"), { message: 'No product named "nope"' });
  });

  it("getFixedInputIdByName finds a fixed input, optionally of one product", async () => {
    const p1 = await addProduct(db(), "P1", "Port");
    const p2 = await addProduct(db(), "P2", "Port");
    const ids = await db()
      .insertInto("fixed_inputs")
      .values([
        { name: "speed", value: "10", product_id: p1 },
        { name: "speed", value: "100", product_id: p2 },
      ])
      .returning(["fixed_input_id", "product_id"])
      .execute();
    const idOf = (p: string) => ids.find((r) => r.product_id === p)!.fixed_input_id;
    assert.ok([idOf(p1), idOf(p2)].includes(await getFixedInputIdByName(db(), "speed")));
    assert.equal(await getFixedInputIdByName(db(), "speed", p2), idOf(p2));
    await assert.rejects(getFixedInputIdByName(db(), "colour"), { message: 'No fixed input named "colour"' });
    await assert.rejects(getFixedInputIdByName(db(), "speed", randomUUID()), /No fixed input named "speed" for product/);
  });

  it("getProductNameById and getProductById read a product by id", async () => {
    const id = await addProduct(db(), "Port 10G", "Port", "PORT", "active");
    assert.equal(await getProductNameById(db(), id), "Port 10G");
    const row = await getProductById(db(), id);
    assert.equal(row.product_id, id);
    assert.equal(row.name, "Port 10G");
    assert.equal(row.product_type, "Port");
    assert.equal(row.tag, "PORT");
    assert.equal(row.status, "active");
    assert.equal(row.description, "Port 10G product");
    assert.ok(row.created_at instanceof Date);
    assert.equal(row.end_date, null);
    const missing = randomUUID();
    await assert.rejects(getProductNameById(db(), missing), { message: `No product with id "${missing}"` });
    await assert.rejects(getProductById(db(), missing), { message: `No product with id "${missing}"` });
  });

  it("getProductIdsByProductType, getFixedInputsByProductId, getAllActiveProductsAndIds", async () => {
    const a = await addProduct(db(), "A", "Port");
    const b = await addProduct(db(), "B", "Port", "T", "end of life");
    const c = await addProduct(db(), "C", "Node");
    assert.deepEqual((await getProductIdsByProductType(db(), "Port")).sort(), [a, b].sort());
    assert.deepEqual(await getProductIdsByProductType(db(), "Nothing"), []);

    await db().insertInto("fixed_inputs").values({ name: "speed", value: "10", product_id: a }).execute();
    const inputs = await getFixedInputsByProductId(db(), a);
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0]!.name, "speed");
    assert.equal(inputs[0]!.value, "10");
    assert.equal(inputs[0]!.product_id, a);
    assert.deepEqual(await getFixedInputsByProductId(db(), c), []);

    const active = await getAllActiveProductsAndIds(db());
    assert.deepEqual(
      active.sort((x, y) => x.name.localeCompare(y.name)),
      [
        { product_id: a, name: "A" },
        { product_id: c, name: "C" },
      ],
    );
  });
});

describe("migration helpers: workflows and tasks", () => {
  const db = useDatabase();
  const createUserGroup: WorkflowRecord = {
    name: "create_user_group",
    target: Target.CREATE,
    description: "Create user group",
    product_type: "UserGroup",
  };

  it("Target holds the six workflow targets", () => {
    assert.deepEqual(Object.keys(Target), ["CREATE", "MODIFY", "TERMINATE", "SYSTEM", "VALIDATE", "RECONCILE"]);
    for (const [key, value] of Object.entries(Target)) assert.equal(key, value);
  });

  it("createWorkflow inserts the workflow and links it to every product of the type", async () => {
    await addProduct(db(), "UG 1", "UserGroup");
    await addProduct(db(), "UG 2", "UserGroup");
    await addProduct(db(), "UG 3", "UserGroup");
    await addProduct(db(), "User", "User");
    await createWorkflow(db(), createUserGroup);
    const wf = await workflow(db(), "create_user_group");
    assert.ok(wf);
    assert.equal(wf.target, "CREATE");
    assert.equal(wf.description, "Create user group");
    assert.equal(wf.is_task, false);
    assert.equal(wf.deleted_at, null);
    assert.ok(wf.created_at instanceof Date);
    assert.match(wf.workflow_id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await linkedProducts(db(), "create_user_group"), ["UG 1", "UG 2", "UG 3"]);
    assert.equal(await count(db(), "products_workflows"), 3);
  });

  it("createWorkflow again with the same name adds nothing and keeps the description", async () => {
    await addProduct(db(), "UG 1", "UserGroup");
    await createWorkflow(db(), createUserGroup);
    await addProduct(db(), "UG 2", "UserGroup");
    await createWorkflow(db(), { ...createUserGroup, description: "Something else" });
    assert.equal(await count(db(), "workflows"), 1);
    assert.equal((await workflow(db(), "create_user_group"))!.description, "Create user group");
    // The new product is not linked either: the INSERT returned no workflow id.
    assert.deepEqual(await linkedProducts(db(), "create_user_group"), ["UG 1"]);
  });

  it("createWorkflow with product_tag links only the products of the type with that tag; is_task is stored", async () => {
    await addProduct(db(), "UG 1", "UserGroup", "UG");
    await addProduct(db(), "UG 2", "UserGroup", "OTHER");
    await addProduct(db(), "X", "Other", "UG");
    await createWorkflow(db(), { ...createUserGroup, product_tag: "UG", is_task: true });
    assert.deepEqual(await linkedProducts(db(), "create_user_group"), ["UG 1"]);
    assert.equal((await workflow(db(), "create_user_group"))!.is_task, true);
  });

  it("createWorkflow with a product_tag of null links every product of the type", async () => {
    await addProduct(db(), "UG 1", "UserGroup", "UG");
    await addProduct(db(), "UG 2", "UserGroup", "OTHER");
    await createWorkflow(db(), { ...createUserGroup, product_tag: null });
    assert.deepEqual(await linkedProducts(db(), "create_user_group"), ["UG 1", "UG 2"]);
  });

  it("createWorkflow for a product type (or tag) no product has fails, naming it: no workflow without products", async () => {
    await addProduct(db(), "User", "User", "U");
    await assert.rejects(createWorkflow(db(), { ...createUserGroup, product_type: "UserGrop" }), {
      message:
        'createWorkflow: workflow "create_user_group" has product_type "UserGrop", which no product has (product types in the database: User); ' +
        "check the spelling, or create the products first",
    });
    await assert.rejects(createWorkflow(db(), { ...createUserGroup, product_type: "User", product_tag: "UX" }), /has product_tag "UX" with product_type "User", which no product has/);
    assert.equal(await workflow(db(), "create_user_group"), undefined);
    assert.equal(await count(db(), "products_workflows"), 0);
  });

  it("createWorkflow without product_type, or with an unknown target, fails with a clear error", async () => {
    const { product_type: _omitted, ...noType } = createUserGroup;
    await assert.rejects(createWorkflow(db(), noType as WorkflowRecord), {
      message: 'createWorkflow: workflow "create_user_group" has no product_type',
    });
    await assert.rejects(createWorkflow(db(), { ...createUserGroup, target: "DESTROY" as Target }), {
      message:
        'createWorkflow: workflow "create_user_group" has target "DESTROY"; expected one of CREATE, MODIFY, TERMINATE, SYSTEM, VALIDATE, RECONCILE',
    });
    assert.equal(await count(db(), "workflows"), 0);
  });

  it("createWorkflow runs inside the revision's transaction: a later failure rolls it back", async () => {
    await addProduct(db(), "UG 1", "UserGroup");
    await assert.rejects(
      db()
        .transaction()
        .execute(async (trx) => {
          await createWorkflow(trx, createUserGroup);
          assert.equal(await count(trx, "workflows"), 1);
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(await count(db(), "workflows"), 0);
    assert.equal(await count(db(), "products_workflows"), 0);
  });

  it("deleteWorkflow hard-deletes the workflow; its product links go by cascade", async () => {
    await addProduct(db(), "UG 1", "UserGroup");
    await addProduct(db(), "UG 2", "UserGroup");
    await createWorkflow(db(), createUserGroup);
    await createWorkflow(db(), { ...createUserGroup, name: "modify_user_group", target: Target.MODIFY });
    await deleteWorkflow(db(), "create_user_group");
    assert.equal(await workflow(db(), "create_user_group"), undefined);
    assert.equal(await count(db(), "products_workflows"), 2);
    assert.deepEqual(await linkedProducts(db(), "modify_user_group"), ["UG 1", "UG 2"]);
    await deleteWorkflow(db(), "no_such_workflow");
    assert.equal(await count(db(), "workflows"), 1);
  });

  it("deleteWorkflow fails while a process refers to the workflow", async () => {
    await addProduct(db(), "UG 1", "UserGroup");
    await createWorkflow(db(), createUserGroup);
    const wf = await workflow(db(), "create_user_group");
    await db().insertInto("processes").values({ workflow_id: wf!.workflow_id, last_status: "completed" }).execute();
    await assert.rejects(deleteWorkflow(db(), "create_user_group"), {
      name: "MigrationError",
      message: 'Cannot delete workflow "create_user_group": rows in processes still refer to it',
    });
    assert.ok(await workflow(db(), "create_user_group"));
    assert.deepEqual(await linkedProducts(db(), "create_user_group"), ["UG 1"]);
  });

  it("createTask inserts a SYSTEM task without product links, once", async () => {
    await addProduct(db(), "UG 1", "UserGroup");
    await createTask(db(), { name: "task_clean_up", description: "Clean up" });
    await createTask(db(), { name: "task_clean_up", description: "Changed" });
    const task = await workflow(db(), "task_clean_up");
    assert.ok(task);
    assert.equal(task.target, "SYSTEM");
    assert.equal(task.is_task, true);
    assert.equal(task.description, "Clean up");
    assert.equal(await count(db(), "workflows"), 1);
    assert.equal(await count(db(), "products_workflows"), 0);
  });

  it("createWorkflows inserts workflows with fixed ids linked by tag and name pattern; a duplicate fails", async () => {
    await addProduct(db(), "Port 10G", "Port", "PORT");
    await addProduct(db(), "Port 100G", "Port", "PORT");
    await addProduct(db(), "Fiber 10G", "Port", "FIBER");
    await addProduct(db(), "Node", "Node", "NODE");
    const id1 = randomUUID();
    const id2 = randomUUID();
    await createWorkflows(db(), {
      create_port: { workflow_id: id1, target: Target.CREATE, description: "Create port", tag: "PORT", search_phrase: "Port%" },
      validate_10g: {
        workflow_id: id2,
        target: Target.VALIDATE,
        description: "Validate",
        tag: "PORT",
        search_phrase: "%10G",
        is_task: true,
      },
    });
    assert.equal((await workflow(db(), "create_port"))!.workflow_id, id1);
    assert.equal((await workflow(db(), "create_port"))!.is_task, false);
    assert.equal((await workflow(db(), "validate_10g"))!.workflow_id, id2);
    assert.equal((await workflow(db(), "validate_10g"))!.is_task, true);
    assert.equal((await workflow(db(), "validate_10g"))!.target, "VALIDATE");
    assert.deepEqual(await linkedProducts(db(), "create_port"), ["Port 100G", "Port 10G"]);
    assert.deepEqual(await linkedProducts(db(), "validate_10g"), ["Port 10G"]);
    await assert.rejects(
      createWorkflows(db(), {
        create_port: { workflow_id: randomUUID(), target: "CREATE", description: "again", tag: "PORT", search_phrase: "%" },
      }),
    );
  });

  it("ensureDefaultWorkflows links every product to the default workflows, idempotently", async () => {
    await addProduct(db(), "A", "Port");
    await addProduct(db(), "B", "Node");
    await addWorkflow(db(), "modify_note");
    await addWorkflow(db(), "other");
    await ensureDefaultWorkflows(db());
    assert.deepEqual(await linkedProducts(db(), "modify_note"), ["A", "B"]);
    assert.deepEqual(await linkedProducts(db(), "other"), []);
    await ensureDefaultWorkflows(db());
    assert.equal(await count(db(), "products_workflows"), 2);
    await ensureDefaultWorkflows(db(), ["other", "does_not_exist"]);
    assert.deepEqual(await linkedProducts(db(), "other"), ["A", "B"]);
    assert.equal(await count(db(), "products_workflows"), 4);
    await ensureDefaultWorkflows(db(), []);
    assert.equal(await count(db(), "products_workflows"), 4);
  });

  it("ensureDefaultWorkflows without products or without the workflow does nothing", async () => {
    await addWorkflow(db(), "modify_note");
    await ensureDefaultWorkflows(db());
    await db().deleteFrom("workflows").execute();
    await addProduct(db(), "A", "Port");
    await ensureDefaultWorkflows(db());
    assert.equal(await count(db(), "products_workflows"), 0);
  });

  it("addProductsToWorkflowByProductTag / removeProductsFromWorkflowByProductTag link and unlink by tag", async () => {
    await addProduct(db(), "UG 1", "UserGroup", "UG");
    await addProduct(db(), "UG 2", "UserGroup", "UG");
    await addProduct(db(), "UG special", "UserGroup", "UG");
    await addProduct(db(), "User", "User", "USER");
    await addWorkflow(db(), "modify_user_group");
    await addProductsToWorkflowByProductTag(db(), "modify_user_group", "UG", "UG _");
    assert.deepEqual(await linkedProducts(db(), "modify_user_group"), ["UG 1", "UG 2"]);
    // A product that already has the workflow makes the insert fail (no ON CONFLICT).
    await assert.rejects(addProductsToWorkflowByProductTag(db(), "modify_user_group", "UG"));
    assert.deepEqual(await linkedProducts(db(), "modify_user_group"), ["UG 1", "UG 2"]);
    await addProductsToWorkflowByProductTag(db(), "modify_user_group", "UG", "%special");
    await addProductsToWorkflowByProductTag(db(), "modify_user_group", "USER");
    assert.deepEqual(await linkedProducts(db(), "modify_user_group"), ["UG 1", "UG 2", "UG special", "User"]);
    await addProductsToWorkflowByProductTag(db(), "no_such_workflow", "UG");
    assert.equal(await count(db(), "products_workflows"), 4);

    await removeProductsFromWorkflowByProductTag(db(), "modify_user_group", "UG", "UG 1");
    assert.deepEqual(await linkedProducts(db(), "modify_user_group"), ["UG 2", "UG special", "User"]);
    await removeProductsFromWorkflowByProductTag(db(), "modify_user_group", "UG");
    assert.deepEqual(await linkedProducts(db(), "modify_user_group"), ["User"]);
  });
});

describe("migration helpers: products, product blocks, resource types, fixed inputs", () => {
  const db = useDatabase();

  it("insertResourceType inserts a resource type and keeps an existing one as is", async () => {
    await insertResourceType(db(), "speed", "Port speed");
    await insertResourceType(db(), "speed", "Changed");
    await insertResourceType(db(), "vlan", null);
    const rows = await db().selectFrom("resource_types").select(["resource_type", "description"]).orderBy("resource_type").execute();
    assert.deepEqual(rows, [
      { resource_type: "speed", description: "Port speed" },
      { resource_type: "vlan", description: null },
    ]);
  });

  it("createFixedInputs inserts fixed inputs and returns their ids per name", async () => {
    const p1 = await addProduct(db(), "P1", "Port");
    const p2 = await addProduct(db(), "P2", "Port");
    const fixedId = randomUUID();
    const ids1 = await createFixedInputs(db(), p1, { speed: "10", colour: ["red", fixedId] });
    const ids2 = await createFixedInputs(db(), p2, { speed: "100" });
    assert.equal(ids1.colour, fixedId);
    const rows = await db().selectFrom("fixed_inputs").selectAll().execute();
    const find = (name: string, product: string) => rows.find((r) => r.name === name && r.product_id === product)!;
    assert.equal(find("colour", p1).fixed_input_id, fixedId);
    assert.equal(find("colour", p1).value, "red");
    assert.equal(ids1.speed, find("speed", p1).fixed_input_id);
    assert.equal(ids2.speed, find("speed", p2).fixed_input_id);
    assert.equal(find("speed", p2).value, "100");
    assert.ok(find("speed", p2).created_at instanceof Date);
    // Again: existing (name, product) pairs keep their value.
    const again = await createFixedInputs(db(), p2, { speed: "999" });
    assert.equal(again.speed, ids2.speed);
    assert.equal((await getFixedInputsByProductId(db(), p2))[0]!.value, "100");
    assert.equal(await count(db(), "fixed_inputs"), 3);
  });

  it("createProducts inserts products with their block links and fixed inputs", async () => {
    const block = await addBlock(db(), "PortBlock");
    const id1 = randomUUID();
    const id2 = randomUUID();
    const ids = await createProducts(db(), {
      "Port 10G": {
        product_id: id1,
        product_type: "Port",
        description: "10G port",
        tag: "PORT",
        status: "active",
        product_block_ids: [block],
        fixed_inputs: { speed: "10000" },
      },
      "Port 1G": { product_id: id2, product_type: "Port", description: "1G port", tag: "PORT", status: "end of life" },
    });
    assert.deepEqual(ids, { "Port 10G": id1, "Port 1G": id2 });
    const p = await getProductById(db(), id1);
    assert.equal(p.name, "Port 10G");
    assert.equal(p.description, "10G port");
    assert.equal(p.product_type, "Port");
    assert.equal(p.tag, "PORT");
    assert.equal(p.status, "active");
    assert.equal((await getProductById(db(), id2)).status, "end of life");
    assert.deepEqual(await productBlocksOf(db(), "Port 10G"), ["PortBlock"]);
    assert.deepEqual(await productBlocksOf(db(), "Port 1G"), []);
    const inputs = await getFixedInputsByProductId(db(), id1);
    assert.deepEqual(
      inputs.map((i) => [i.name, i.value]),
      [["speed", "10000"]],
    );
    await assert.rejects(
      createProducts(db(), { X: { product_type: "Port", description: "x", tag: "PORT", status: "active" } as never }),
      { message: 'createProducts: product "X" has no product_id' },
    );
  });

  it("createProductBlocks inserts blocks with their resource types and relations", async () => {
    const existing = await addBlock(db(), "Existing");
    const b1 = randomUUID();
    const b2 = randomUUID();
    const ids = await createProductBlocks(db(), {
      Port: {
        product_block_id: b1,
        description: "Port block",
        tag: "PORT",
        status: "active",
        resource_types: { speed: "Speed", vlan: "VLAN" },
        depends_on_block_relations: ["Existing"],
      },
      Node: {
        product_block_id: b2,
        description: "Node block",
        tag: null,
        status: null,
        in_use_by_block_relations: ["Port", "Existing"],
      },
    });
    assert.deepEqual(ids, { Port: b1, Node: b2 });
    const node = await db().selectFrom("product_blocks").selectAll().where("product_block_id", "=", b2).executeTakeFirstOrThrow();
    assert.equal(node.name, "Node");
    assert.equal(node.description, "Node block");
    assert.equal(node.tag, null);
    assert.equal(node.status, null);
    assert.equal((await getProductBlockIdByName(db(), "Port")), b1);
    assert.deepEqual(await blockResourceTypes(db(), "Port"), ["speed", "vlan"]);
    assert.deepEqual(await blockRelations(db()), ["Existing->Node", "Port->Existing", "Port->Node"]);
    assert.ok(existing);
    await assert.rejects(
      createProductBlocks(db(), {
        Other: { product_block_id: randomUUID(), description: "x", tag: null, status: null, depends_on_block_relations: ["Missing"] },
      }),
      { message: 'No product block named "Missing"' },
    );
  });

  it("createResourceTypesForProductBlocks creates (or reuses) resource types and links them to blocks", async () => {
    await addBlock(db(), "A");
    await addBlock(db(), "B");
    const existing = await addResourceType(db(), "shared");
    const fixed = randomUUID();
    const ids = await createResourceTypesForProductBlocks(db(), {
      A: { speed: "Speed", vlan: ["VLAN", fixed] },
      B: { shared: "ignored description", speed: "Speed" },
    });
    const speed = await getResourceTypeIdByName(db(), "speed");
    assert.deepEqual(ids, [speed, fixed, existing, speed]);
    assert.equal(await getResourceTypeIdByName(db(), "vlan"), fixed);
    const shared = await db().selectFrom("resource_types").selectAll().where("resource_type", "=", "shared").executeTakeFirstOrThrow();
    assert.equal(shared.description, "shared rt");
    assert.deepEqual(await blockResourceTypes(db(), "A"), ["speed", "vlan"]);
    assert.deepEqual(await blockResourceTypes(db(), "B"), ["shared", "speed"]);
    assert.equal(await count(db(), "resource_types"), 3);
    // Linking an already linked resource type fails (no ON CONFLICT), as in the original.
    await assert.rejects(createResourceTypesForProductBlocks(db(), { A: { speed: "Speed" } }));
    // An unknown block name links nothing.
    await createResourceTypesForProductBlocks(db(), { Missing: { colour: "Colour" } });
    assert.equal(await count(db(), "product_block_resource_types"), 4);
    assert.equal(await count(db(), "resource_types"), 4);
  });

  it("create makes blocks, products, resource types and workflows, then links the default workflows", async () => {
    await addBlock(db(), "Existing");
    await addWorkflow(db(), "modify_note");
    const portBlock = randomUUID();
    const nodeBlock = randomUUID();
    const hardCoded = randomUUID();
    const port = randomUUID();
    const node = randomUUID();
    const wf = randomUUID();
    const spec: CreateSpec = {
      product_blocks: {
        PortBlock: {
          product_block_id: portBlock,
          description: "Port block",
          tag: "PORT",
          status: "active",
          resources: { speed: "Speed", vlan: "VLAN" },
        },
        NodeBlock: {
          product_block_id: nodeBlock,
          description: "Node block",
          tag: "NODE",
          status: "active",
          resource_types: { hostname: "Host name" },
          depends_on_block_relations: ["PortBlock"],
        },
      },
      products: {
        "Port 10G": {
          product_id: port,
          product_type: "Port",
          description: "Port",
          tag: "PORT",
          status: "active",
          root_product_block: "PortBlock",
          product_block_ids: [hardCoded],
          fixed_inputs: { speed: "10000" },
        },
        Node: {
          product_id: node,
          product_type: "Node",
          description: "Node",
          tag: "NODE",
          status: "active",
          product_blocks: ["NodeBlock", "Existing"],
        },
      },
      resources: { Existing: { colour: ["Colour", randomUUID()] } },
      workflows: {
        create_port: { workflow_id: wf, target: "CREATE", description: "Create port", tag: "PORT", search_phrase: "Port%" },
      },
    };
    const before = structuredClone(spec);
    await create(db(), spec);
    assert.deepEqual(spec, before, "the spec is not modified");

    assert.equal(await getProductBlockIdByName(db(), "PortBlock"), portBlock);
    assert.equal(await getProductBlockIdByName(db(), "NodeBlock"), nodeBlock);
    assert.deepEqual(await blockResourceTypes(db(), "PortBlock"), ["speed", "vlan"]);
    assert.deepEqual(await blockResourceTypes(db(), "NodeBlock"), ["hostname"]);
    assert.deepEqual(await blockResourceTypes(db(), "Existing"), ["colour"]);
    assert.deepEqual(await blockRelations(db()), ["NodeBlock->PortBlock"]);
    assert.deepEqual(await productBlocksOf(db(), "Port 10G"), ["PortBlock"]);
    assert.deepEqual(await productBlocksOf(db(), "Node"), ["Existing", "NodeBlock"]);
    assert.equal(await getProductIdByName(db(), "Port 10G"), port);
    assert.equal((await getFixedInputsByProductId(db(), port))[0]!.value, "10000");
    assert.equal((await workflow(db(), "create_port"))!.workflow_id, wf);
    assert.deepEqual(await linkedProducts(db(), "create_port"), ["Port 10G"]);
    assert.deepEqual(await linkedProducts(db(), "modify_note"), ["Node", "Port 10G"]);
  });

  it("create with an unknown block name fails clearly; default workflows can be chosen", async () => {
    await assert.rejects(
      create(db(), {
        products: {
          X: { product_id: randomUUID(), product_type: "X", description: "x", tag: "X", status: "active", root_product_block: "Nope" },
        },
      }),
      { message: 'create: "Nope" is not a valid product block' },
    );
    await addWorkflow(db(), "modify_note");
    await addWorkflow(db(), "custom_default");
    await create(db(), {
      products: { Y: { product_id: randomUUID(), product_type: "Y", description: "y", tag: "Y", status: "active" } },
    }, ["custom_default"]);
    assert.deepEqual(await linkedProducts(db(), "custom_default"), ["Y"]);
    assert.deepEqual(await linkedProducts(db(), "modify_note"), []);
  });
});

describe("migration helpers: relations and deletes", () => {
  const db = useDatabase();

  /** Two products sharing a block, with resource types, fixed inputs, workflows and relations. */
  async function seed() {
    const d = db();
    const port = await addProduct(d, "Port", "Port", "PORT");
    const node = await addProduct(d, "Node", "Node", "NODE");
    const portBlock = await addBlock(d, "PortBlock");
    const nodeBlock = await addBlock(d, "NodeBlock");
    await d
      .insertInto("product_product_blocks")
      .values([
        { product_id: port, product_block_id: portBlock },
        { product_id: node, product_block_id: nodeBlock },
      ])
      .execute();
    await createResourceTypesForProductBlocks(d, { PortBlock: { speed: "s", vlan: "v" }, NodeBlock: { speed: "s", hostname: "h" } });
    await createFixedInputs(d, port, { speed: "10" });
    await addWorkflow(d, "modify_note");
    await ensureDefaultWorkflows(d);
    await addProductBlockRelationBetweenProductsById(d, nodeBlock, portBlock);
    return { port, node, portBlock, nodeBlock };
  }

  it("add/removeProductBlockRelationBetweenProductsById insert and delete one relation", async () => {
    const a = await addBlock(db(), "A");
    const b = await addBlock(db(), "B");
    await addProductBlockRelationBetweenProductsById(db(), a, b);
    await addProductBlockRelationBetweenProductsById(db(), b, a);
    assert.deepEqual(await blockRelations(db()), ["A->B", "B->A"]);
    await assert.rejects(addProductBlockRelationBetweenProductsById(db(), a, b));
    await removeProductBlockRelationBetweenProductsById(db(), a, b);
    assert.deepEqual(await blockRelations(db()), ["B->A"]);
    await removeProductBlockRelationBetweenProductsById(db(), a, b);
    assert.deepEqual(await blockRelations(db()), ["B->A"]);
  });

  it("deleteResourceTypeById deletes the resource type and its block links", async () => {
    await seed();
    await deleteResourceTypeById(db(), await getResourceTypeIdByName(db(), "speed"));
    await assert.rejects(getResourceTypeIdByName(db(), "speed"));
    assert.deepEqual(await blockResourceTypes(db(), "PortBlock"), ["vlan"]);
    assert.deepEqual(await blockResourceTypes(db(), "NodeBlock"), ["hostname"]);
  });

  it("deleteResourceTypesFromProductBlocks unlinks but keeps the resource types", async () => {
    await seed();
    await deleteResourceTypesFromProductBlocks(db(), { PortBlock: { speed: "s", vlan: "v" }, NodeBlock: { hostname: "h" } });
    assert.deepEqual(await blockResourceTypes(db(), "PortBlock"), []);
    assert.deepEqual(await blockResourceTypes(db(), "NodeBlock"), ["speed"]);
    assert.equal(await count(db(), "resource_types"), 3);
  });

  it("deleteResourceTypes unlinks and deletes the named resource types", async () => {
    await seed();
    await deleteResourceTypes(db(), new Set(["speed", "hostname"]));
    assert.deepEqual(
      (await db().selectFrom("resource_types").select("resource_type").execute()).map((r) => r.resource_type),
      ["vlan"],
    );
    assert.deepEqual(await blockResourceTypes(db(), "PortBlock"), ["vlan"]);
    assert.deepEqual(await blockResourceTypes(db(), "NodeBlock"), []);
    await deleteResourceTypes(db(), []);
    assert.equal(await count(db(), "resource_types"), 1);
  });

  it("deleteResourceType deletes one resource type and its block links", async () => {
    await seed();
    await deleteResourceType(db(), "speed");
    assert.equal(await count(db(), "resource_types"), 2);
    assert.deepEqual(await blockResourceTypes(db(), "PortBlock"), ["vlan"]);
    assert.deepEqual(await blockResourceTypes(db(), "NodeBlock"), ["hostname"]);
  });

  it("deleteProductsByTag deletes the product with that name (fixed inputs and links by cascade)", async () => {
    await seed();
    await deleteProductsByTag(db(), "Port");
    await assert.rejects(getProductIdByName(db(), "Port"));
    assert.ok(await getProductIdByName(db(), "Node"));
    assert.equal(await count(db(), "fixed_inputs"), 0);
    assert.deepEqual(await linkedProducts(db(), "modify_note"), ["Node"]);
    assert.equal(await count(db(), "product_product_blocks"), 1);
    await deleteProductsByTag(db(), "PORT");
    assert.equal(await count(db(), "products"), 1);
  });

  it("deleteProduct deletes a product with its block links, workflow links and fixed inputs", async () => {
    const { node } = await seed();
    await deleteProduct(db(), "Port");
    assert.equal(await count(db(), "products"), 1);
    assert.deepEqual(await productBlocksOf(db(), "Node"), ["NodeBlock"]);
    assert.equal(await count(db(), "product_product_blocks"), 1);
    assert.deepEqual(await linkedProducts(db(), "modify_note"), ["Node"]);
    assert.equal(await count(db(), "fixed_inputs"), 0);
    assert.equal(await count(db(), "product_blocks"), 2);
    assert.equal(await count(db(), "workflows"), 1);

    await db()
      .insertInto("subscriptions")
      .values({ description: "s", status: "active", product_id: node, customer_id: "c", insync: true })
      .execute();
    await assert.rejects(deleteProduct(db(), "Node"), {
      name: "MigrationError",
      message: 'Cannot delete product "Node": rows in subscriptions still refer to it',
    });
  });

  it("deleteProductBlock deletes a block with its product links, resource type links and relations", async () => {
    await seed();
    await deleteProductBlock(db(), "PortBlock");
    assert.equal(await count(db(), "product_blocks"), 1);
    assert.deepEqual(await productBlocksOf(db(), "Port"), []);
    assert.deepEqual(await productBlocksOf(db(), "Node"), ["NodeBlock"]);
    assert.equal(await count(db(), "product_block_resource_types"), 2);
    assert.equal(await count(db(), "product_block_relations"), 0);
    assert.equal(await count(db(), "resource_types"), 3);
    assert.equal(await count(db(), "products"), 2);
  });

  it("deleteObsolete (alias delete) removes resource types, blocks, products and workflows by name", async () => {
    assert.equal(helpers.delete, deleteObsolete);
    await seed();
    await addWorkflow(db(), "create_port");
    await deleteObsolete(db(), {
      resource_types: ["vlan"],
      product_blocks: ["PortBlock"],
      products: ["Port"],
      workflows: ["create_port"],
    });
    assert.deepEqual(
      (await db().selectFrom("resource_types").select("resource_type").orderBy("resource_type").execute()).map(
        (r) => r.resource_type,
      ),
      ["hostname", "speed"],
    );
    assert.deepEqual((await db().selectFrom("product_blocks").select("name").execute()).map((r) => r.name), ["NodeBlock"]);
    assert.deepEqual((await db().selectFrom("products").select("name").execute()).map((r) => r.name), ["Node"]);
    assert.deepEqual((await db().selectFrom("workflows").select("name").execute()).map((r) => r.name), ["modify_note"]);
    await helpers.delete(db(), {});
    assert.equal(await count(db(), "products"), 1);
  });
});

describe("migration helpers: subscription data conversions", () => {
  const db = useDatabase();

  /**
   * A "Parent" subscription whose instance refers to two "Child" subscriptions through values of resource type
   * `child_ref` (one child has two instances), plus an unrelated non-uuid value of another resource type.
   */
  async function seed() {
    const d = db();
    const product = await addProduct(d, "P", "P");
    const parentBlock = await addBlock(d, "ParentBlock");
    const childBlock = await addBlock(d, "ChildBlock");
    const childRef = await addResourceType(d, "child_ref");
    const label = await addResourceType(d, "label");
    const subscription = async () =>
      (
        await d
          .insertInto("subscriptions")
          .values({ description: "s", status: "active", product_id: product, customer_id: "c", insync: true })
          .returning("subscription_id")
          .executeTakeFirstOrThrow()
      ).subscription_id;
    const instance = async (subscriptionId: string, blockId: string) =>
      (
        await d
          .insertInto("subscription_instances")
          .values({ subscription_id: subscriptionId, product_block_id: blockId })
          .returning("subscription_instance_id")
          .executeTakeFirstOrThrow()
      ).subscription_instance_id;
    const parentSub = await subscription();
    const child1Sub = await subscription();
    const child2Sub = await subscription();
    const parent = await instance(parentSub, parentBlock);
    const child1 = await instance(child1Sub, childBlock);
    const child2a = await instance(child2Sub, childBlock);
    const child2b = await instance(child2Sub, childBlock);
    await d
      .insertInto("subscription_instance_values")
      .values([
        { subscription_instance_id: parent, resource_type_id: childRef, value: child1Sub },
        { subscription_instance_id: parent, resource_type_id: childRef, value: child2Sub },
        { subscription_instance_id: parent, resource_type_id: label, value: "not a uuid" },
      ])
      .execute();
    return { childRef, label, parent, child1, child2a, child2b, parentSub, child1Sub, child2Sub };
  }

  async function relations() {
    return db()
      .selectFrom("subscription_instance_relations")
      .selectAll()
      .orderBy("order_id")
      .execute();
  }

  async function values(resourceTypeId: string) {
    const rows = await db()
      .selectFrom("subscription_instance_values")
      .select(["subscription_instance_id", "value"])
      .where("resource_type_id", "=", resourceTypeId)
      .execute();
    return rows.map((r) => `${r.subscription_instance_id}=${r.value}`).sort();
  }

  it("convertResourceTypeRelationsToInstanceRelations turns subscription-id values into instance relations", async () => {
    const s = await seed();
    await convertResourceTypeRelationsToInstanceRelations(db(), s.childRef, "children");
    const rels = await relations();
    assert.deepEqual(
      rels.map((r) => r.order_id),
      [0, 1, 2],
    );
    for (const r of rels) {
      assert.equal(r.in_use_by_id, s.parent);
      assert.equal(r.domain_model_attr, "children");
    }
    assert.deepEqual(rels.map((r) => r.depends_on_id).sort(), [s.child1, s.child2a, s.child2b].sort());
    assert.deepEqual(await values(s.childRef), [], "converted values are removed");
    assert.deepEqual(await values(s.label), [`${s.parent}=not a uuid`], "other values stay");
  });

  it("convertResourceTypeRelationsToInstanceRelations with cleanup false keeps the values; a re-run adds nothing", async () => {
    const s = await seed();
    await convertResourceTypeRelationsToInstanceRelations(db(), s.childRef, "children", false);
    await convertResourceTypeRelationsToInstanceRelations(db(), s.childRef, "children", false);
    assert.equal((await relations()).length, 3);
    assert.equal((await values(s.childRef)).length, 2);
  });

  it("convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr turns relations back into values", async () => {
    const s = await seed();
    await db().deleteFrom("subscription_instance_values").where("resource_type_id", "=", s.childRef).execute();
    await db()
      .insertInto("subscription_instance_relations")
      .values([
        { in_use_by_id: s.parent, depends_on_id: s.child1, order_id: 0, domain_model_attr: "children" },
        { in_use_by_id: s.parent, depends_on_id: s.child2a, order_id: 1, domain_model_attr: "children" },
        { in_use_by_id: s.child1, depends_on_id: s.child2b, order_id: 0, domain_model_attr: "other" },
      ])
      .execute();
    await convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr(db(), "children", s.childRef, false);
    assert.deepEqual(await values(s.childRef), [`${s.parent}=${s.child1Sub}`, `${s.parent}=${s.child2Sub}`].sort());
    assert.equal((await relations()).length, 3, "cleanup false keeps the relations");

    await db().deleteFrom("subscription_instance_values").where("resource_type_id", "=", s.childRef).execute();
    await convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr(db(), "children", s.childRef);
    assert.equal((await values(s.childRef)).length, 2);
    assert.deepEqual(
      (await relations()).map((r) => r.domain_model_attr),
      ["other"],
    );
  });

  it("the two conversions round-trip", async () => {
    const s = await seed();
    const original = await values(s.childRef);
    await convertResourceTypeRelationsToInstanceRelations(db(), s.childRef, "children");
    await convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr(db(), "children", s.childRef);
    // child2 has two instances, so it comes back twice.
    assert.deepEqual(await values(s.childRef), [...original, `${s.parent}=${s.child2Sub}`].sort());
    assert.equal((await relations()).length, 0);
  });

  it("backfillResourceTypeWithDefault gives every instance of the block a value", async () => {
    const s = await seed();
    const speed = await addResourceType(db(), "speed");
    await backfillResourceTypeWithDefault(db(), speed, "ChildBlock", 1000);
    assert.deepEqual(await values(speed), [`${s.child1}=1000`, `${s.child2a}=1000`, `${s.child2b}=1000`].sort());
    await backfillResourceTypeWithDefault(db(), speed, "ParentBlock", true);
    await backfillResourceTypeWithDefault(db(), speed, "NoSuchBlock", "x");
    assert.deepEqual((await values(speed)).filter((v) => v.startsWith(s.parent)), [`${s.parent}=true`]);
    assert.equal((await values(speed)).length, 4);
  });

  it("removeResourceTypeFromSubscriptionInstance deletes every value of that resource type", async () => {
    const s = await seed();
    await removeResourceTypeFromSubscriptionInstance(db(), "child_ref");
    assert.deepEqual(await values(s.childRef), []);
    assert.equal((await values(s.label)).length, 1);
    assert.ok(await getResourceTypeIdByName(db(), "child_ref"), "the resource type itself stays");
    await assert.rejects(removeResourceTypeFromSubscriptionInstance(db(), "nope"), {
      message: 'No resource type named "nope"',
    });
  });
});
