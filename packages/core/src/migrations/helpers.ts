/**
 * Helpers for data migrations: the functions an app's migration calls to add or remove products, product blocks,
 * resource types, fixed inputs and workflows, and to convert subscription data between resource-type values and
 * instance relations. They mirror orchestrator-core's `orchestrator/core/migrations/helpers.py` (same names in
 * camelCase, same records with snake_case keys, same SQL effect on the rows).
 *
 * Every helper takes the revision's connection first and runs plain SQL on it with bound parameters, one statement
 * per query; none opens a transaction of its own, so everything a revision does commits or rolls back together.
 * Where the original fails with an obscure error (a missing key, a lookup that finds nothing), these throw a
 * `MigrationError` that says what is wrong.
 */
import { sql, type RawBuilder, type Selectable } from "kysely";
import type { FixedInputsTable, ProductsTable } from "../db/index.js";
import { MigrationError } from "../errors.js";
import { loadSettings } from "../settings.js";
import type { MigrationConnection } from "./types.js";

// ---------------------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------------------

import { Target, TARGETS } from "../targets.js";

export { Target };

/** A workflow for {@link createWorkflow}: linked to every product of `product_type` (and `product_tag`, if given). */
export interface WorkflowRecord {
  /** Unique workflow name, the key of the workflow in the app's registry. */
  name: string;
  target: Target;
  description: string;
  /** Products of this type get the workflow. Required, even when no such product exists yet. */
  product_type: string;
  /** Default false. */
  is_task?: boolean;
  /** When set (not null), only products of `product_type` with this tag get the workflow. */
  product_tag?: string | null;
}

/** A task for {@link createTask}: a workflow with target SYSTEM, `is_task` true and no products. */
export interface TaskRecord {
  name: string;
  description: string;
  /** SYSTEM (default) or VALIDATE: a validate workflow run as a task keeps its own target. */
  target?: typeof Target.SYSTEM | typeof Target.VALIDATE;
}

/**
 * One entry of {@link createWorkflows} (keyed by workflow name): a workflow with a fixed id, linked to the products
 * with tag `tag` whose name matches the LIKE pattern `search_phrase`.
 */
export interface WorkflowsEntry {
  workflow_id: string;
  target: Target;
  description: string;
  /** Default false. */
  is_task?: boolean;
  /** Product tag of the products to link. */
  tag: string;
  /** SQL LIKE pattern on the product name, e.g. `"Search Phrase%"`. */
  search_phrase: string;
}

/** A fixed input value: `"value"`, or `["value", fixed_input_id]` to fix the id. */
export type FixedInputSpec = string | readonly [value: string, fixed_input_id: string];

/** A resource type: `"description"`, or `["description", resource_type_id]` to fix the id. */
export type ResourceTypeSpec = string | readonly [description: string, resource_type_id: string];

/** Resource types per product block: `{ block name: { resource type name: ResourceTypeSpec } }`. */
export type ResourceTypesByProductBlock = Record<string, Record<string, ResourceTypeSpec>>;

/** A product for {@link createProducts} (keyed by product name). */
export interface ProductRecord {
  product_id: string;
  product_type: string;
  description: string;
  tag: string;
  /** Lifecycle status, e.g. `"active"`. */
  status: string;
  /** Product blocks to link in `product_product_blocks`. */
  product_block_ids?: readonly string[];
  /** Fixed inputs to create for the product, keyed by name. */
  fixed_inputs?: Record<string, FixedInputSpec>;
}

/** A product block for {@link createProductBlocks} (keyed by block name). */
export interface ProductBlockRecord {
  product_block_id: string;
  description: string;
  tag: string | null;
  status: string | null;
  /** Resource types to create and link to this block. */
  resource_types?: Record<string, ResourceTypeSpec>;
  /** Names of existing blocks that use this block (relation in_use_by = that block, depends_on = this one). */
  in_use_by_block_relations?: readonly string[];
  /** Names of existing blocks this block depends on (relation in_use_by = this block, depends_on = that one). */
  depends_on_block_relations?: readonly string[];
}

/** A product in {@link create}: a {@link ProductRecord} that may name its blocks instead of giving their ids. */
export interface CreateProductRecord extends Omit<ProductRecord, "product_block_ids"> {
  product_block_ids?: readonly string[];
  /** Name of the product's root block; replaces `product_block_ids` with exactly that block. */
  root_product_block?: string;
  /** Names of blocks (created by the same call or already in the database) appended to `product_block_ids`. */
  product_blocks?: readonly string[];
}

/** A product block in {@link create}: a {@link ProductBlockRecord} that may list its resource types as `resources`. */
export interface CreateProductBlockRecord extends ProductBlockRecord {
  /** Resource types to create and link to this block once the products exist (replaces `resources[<block>]`). */
  resources?: Record<string, ResourceTypeSpec>;
}

/** Everything {@link create} makes, in the order: product blocks, products, resource types, workflows. */
export interface CreateSpec {
  products?: Record<string, CreateProductRecord>;
  product_blocks?: Record<string, CreateProductBlockRecord>;
  /** Resource types for existing (or just created) product blocks. */
  resources?: ResourceTypesByProductBlock;
  workflows?: Record<string, WorkflowsEntry>;
}

/** Everything {@link deleteObsolete} removes, by name, in the order: resource types, product blocks, products, workflows. */
export interface ObsoleteSpec {
  resource_types?: readonly string[];
  product_blocks?: readonly string[];
  products?: readonly string[];
  workflows?: readonly string[];
}

/** A `products` row. */
export type ProductRow = Selectable<ProductsTable>;
/** A `fixed_inputs` row. */
export type FixedInputRow = Selectable<FixedInputsTable>;

// ---------------------------------------------------------------------------------------------------------------
// Internal checks
// ---------------------------------------------------------------------------------------------------------------

function requireString(fn: string, what: string, value: unknown, key: string): string {
  if (typeof value !== "string") throw new MigrationError(`${fn}: ${what} has no ${key}`);
  return value;
}

function checkTarget(fn: string, what: string, target: unknown): Target {
  if (typeof target !== "string" || !(TARGETS as readonly string[]).includes(target)) {
    throw new MigrationError(
      `${fn}: ${what} has target ${JSON.stringify(target)}; expected one of ${TARGETS.join(", ")}`,
    );
  }
  return target as Target;
}

function isTuple(value: unknown): value is readonly [string, string] {
  return Array.isArray(value);
}

/** Rethrow a foreign key violation (SQLSTATE 23503) raised by a delete as a message that names what was deleted. */
function explainDeleteError(error: unknown, subject: string): never {
  const e = error as { code?: unknown; table?: unknown };
  if (e && e.code === "23503") {
    const table = typeof e.table === "string" ? `rows in ${e.table}` : "other rows";
    throw new MigrationError(`Cannot delete ${subject}: ${table} still refer to it`, { cause: error });
  }
  throw error;
}

/** Refuse a product type (and tag) no product has: the workflow would be linked to nothing. */
async function checkProductsOfType(conn: MigrationConnection, fn: string, what: string, productType: string, tag: string | null): Promise<void> {
  const { rows } = await sql<{ n: number; tagged: number }>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE tag = ${tag})::int AS tagged
    FROM products WHERE product_type = ${productType}`.execute(conn);
  const { n, tagged } = rows[0] ?? { n: 0, tagged: 0 };
  if (n > 0 && (tag === null || tagged > 0)) return;
  const types = await sql<{ product_type: string }>`SELECT DISTINCT product_type FROM products ORDER BY product_type`.execute(conn);
  const known = types.rows.length ? types.rows.map((r) => r.product_type).join(", ") : "none";
  const subject = n === 0 ? `product_type ${JSON.stringify(productType)}` : `product_tag ${JSON.stringify(tag)} with product_type ${JSON.stringify(productType)}`;
  throw new MigrationError(
    `${fn}: ${what} has ${subject}, which no product has (product types in the database: ${known}); ` +
      `check the spelling, or create the products first`,
  );
}

async function firstValue<T>(conn: MigrationConnection, query: RawBuilder<{ v: T }>, notFound: string): Promise<T> {
  const { rows } = await query.execute(conn);
  const row = rows[0];
  if (!row) throw new MigrationError(notFound);
  return row.v;
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------------------------

/**
 * Whether `table_name` has a column `column_name` (`information_schema.columns`, limited to the schemas on the
 * search path so a same-named table elsewhere does not count).
 */
export async function hasTableColumn(conn: MigrationConnection, tableName: string, columnName: string): Promise<boolean> {
  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns
    WHERE table_name = ${tableName} AND column_name = ${columnName}
      AND table_schema = ANY (current_schemas(false))`.execute(conn);
  return rows.length > 0;
}

/** `resource_type_id` of the resource type named `name`; throws when there is none. */
export function getResourceTypeIdByName(conn: MigrationConnection, name: string): Promise<string> {
  return firstValue(
    conn,
    sql<{ v: string }>`SELECT resource_type_id AS v FROM resource_types WHERE resource_type = ${name}`,
    `No resource type named ${JSON.stringify(name)}`,
  );
}

/**
 * `fixed_input_id` of a fixed input named `name`; throws when there is none. Fixed input names are only unique per
 * product: pass `productId` to pick that product's one (without it, any product's, as in the original).
 */
export function getFixedInputIdByName(conn: MigrationConnection, name: string, productId?: string): Promise<string> {
  const query =
    productId === undefined
      ? sql<{ v: string }>`SELECT fixed_input_id AS v FROM fixed_inputs WHERE name = ${name}`
      : sql<{ v: string }>`SELECT fixed_input_id AS v FROM fixed_inputs WHERE name = ${name} AND product_id = ${productId}`;
  const where = productId === undefined ? "" : ` for product ${productId}`;
  return firstValue(conn, query, `No fixed input named ${JSON.stringify(name)}${where}`);
}

/** `product_block_id` of the product block named `name`; throws when there is none. */
export function getProductBlockIdByName(conn: MigrationConnection, name: string): Promise<string> {
  return firstValue(
    conn,
    sql<{ v: string }>`SELECT product_block_id AS v FROM product_blocks WHERE name = ${name}`,
    `No product block named ${JSON.stringify(name)}`,
  );
}

/** `product_id` of the product named `name`; throws when there is none. */
export function getProductIdByName(conn: MigrationConnection, name: string): Promise<string> {
  return firstValue(
    conn,
    sql<{ v: string }>`SELECT product_id AS v FROM products WHERE name = ${name}`,
    `No product named ${JSON.stringify(name)}`,
  );
}

/** Name of the product with id `productId`; throws when there is none. */
export function getProductNameById(conn: MigrationConnection, productId: string): Promise<string> {
  return firstValue(
    conn,
    sql<{ v: string }>`SELECT name AS v FROM products WHERE product_id = ${productId}`,
    `No product with id ${JSON.stringify(productId)}`,
  );
}

/** The whole `products` row with id `productId` (`SELECT *`); throws when there is none. */
export async function getProductById(conn: MigrationConnection, productId: string): Promise<ProductRow> {
  const { rows } = await sql<ProductRow>`SELECT * FROM products WHERE product_id = ${productId}`.execute(conn);
  const row = rows[0];
  if (!row) throw new MigrationError(`No product with id ${JSON.stringify(productId)}`);
  return row;
}

/** Ids of all products of `productType` (possibly none). */
export async function getProductIdsByProductType(conn: MigrationConnection, productType: string): Promise<string[]> {
  const { rows } = await sql<{ product_id: string }>`
    SELECT product_id FROM products WHERE product_type = ${productType}`.execute(conn);
  return rows.map((r) => r.product_id);
}

/** All `fixed_inputs` rows of the product `productId` (`SELECT *`). */
export async function getFixedInputsByProductId(conn: MigrationConnection, productId: string): Promise<FixedInputRow[]> {
  const { rows } = await sql<FixedInputRow>`SELECT * FROM fixed_inputs WHERE product_id = ${productId}`.execute(conn);
  return rows;
}

/** `{ product_id, name }` of every product with status `active`. */
export async function getAllActiveProductsAndIds(
  conn: MigrationConnection,
): Promise<{ product_id: string; name: string }[]> {
  const { rows } = await sql<{ product_id: string; name: string }>`
    SELECT product_id, name FROM products WHERE status = 'active'`.execute(conn);
  return rows.map((r) => ({ product_id: r.product_id, name: r.name }));
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows and tasks
// ---------------------------------------------------------------------------------------------------------------

/**
 * Insert a workflow and link it to the products of its `product_type` (narrowed to `product_tag` when given), in
 * one statement: `WITH new_workflow AS (INSERT INTO workflows … ON CONFLICT DO NOTHING RETURNING workflow_id)
 * INSERT INTO products_workflows SELECT … FROM products CROSS JOIN new_workflow WHERE product_type = … ON CONFLICT
 * DO NOTHING`. So if a workflow of that name already exists nothing changes (no links, description kept).
 *
 * Unlike the original (which then inserts a workflow no product can start), a `product_type` — or `product_tag` —
 * that matches no product fails the migration with a `MigrationError` naming it and the product types there are:
 * usually a typo, otherwise the products migration has to run first.
 */
export async function createWorkflow(conn: MigrationConnection, workflow: WorkflowRecord): Promise<void> {
  const fn = "createWorkflow";
  const name = requireString(fn, "a workflow", workflow.name, "name");
  const what = `workflow ${JSON.stringify(name)}`;
  const target = checkTarget(fn, what, workflow.target);
  const description = requireString(fn, what, workflow.description, "description");
  const productType = requireString(fn, what, workflow.product_type, "product_type");
  const isTask = workflow.is_task ?? false;
  const tag = workflow.product_tag;
  const tagFilter = tag === undefined || tag === null ? sql`` : sql` AND p.tag = ${tag}`;
  await checkProductsOfType(conn, fn, what, productType, tag ?? null);
  await sql`
    WITH new_workflow AS (
      INSERT INTO workflows (name, target, is_task, description)
      VALUES (${name}, ${target}, ${isTask}, ${description})
      ON CONFLICT DO NOTHING
      RETURNING workflow_id
    )
    INSERT INTO products_workflows (product_id, workflow_id)
    SELECT p.product_id, nw.workflow_id
    FROM products AS p CROSS JOIN new_workflow AS nw
    WHERE p.product_type = ${productType}${tagFilter}
    ON CONFLICT DO NOTHING`.execute(conn);
}

/**
 * Insert a task: `INSERT INTO workflows (name, target, is_task, description) VALUES (…, 'SYSTEM', true, …)
 * ON CONFLICT DO NOTHING`. No product links; a second call with the same name changes nothing.
 */
export async function createTask(conn: MigrationConnection, task: TaskRecord): Promise<void> {
  const name = requireString("createTask", "a task", task.name, "name");
  const description = requireString("createTask", `task ${JSON.stringify(name)}`, task.description, "description");
  const target = task.target ?? Target.SYSTEM;
  if (target !== Target.SYSTEM && target !== Target.VALIDATE) {
    throw new MigrationError(`createTask: task ${JSON.stringify(name)} has target ${JSON.stringify(target)}; a task is SYSTEM or VALIDATE`);
  }
  await sql`
    INSERT INTO workflows (name, target, is_task, description)
    VALUES (${name}, ${target}, true, ${description})
    ON CONFLICT DO NOTHING`.execute(conn);
}

/**
 * For each `{ name: entry }`: insert the workflow with its given `workflow_id` (no ON CONFLICT: an existing name or
 * id fails) and link it to the products with tag `tag` whose name is LIKE `search_phrase`, in one statement.
 */
export async function createWorkflows(conn: MigrationConnection, workflows: Record<string, WorkflowsEntry>): Promise<void> {
  const fn = "createWorkflows";
  for (const [name, wf] of Object.entries(workflows)) {
    const what = `workflow ${JSON.stringify(name)}`;
    const workflowId = requireString(fn, what, wf.workflow_id, "workflow_id");
    const target = checkTarget(fn, what, wf.target);
    const description = requireString(fn, what, wf.description, "description");
    const tag = requireString(fn, what, wf.tag, "tag");
    const searchPhrase = requireString(fn, what, wf.search_phrase, "search_phrase");
    const isTask = wf.is_task ?? false;
    await sql`
      WITH new_workflow AS (
        INSERT INTO workflows (workflow_id, name, target, is_task, description)
        VALUES (${workflowId}, ${name}, ${target}, ${isTask}, ${description})
        RETURNING workflow_id
      )
      INSERT INTO products_workflows (product_id, workflow_id)
      SELECT p.product_id, nw.workflow_id
      FROM products AS p CROSS JOIN new_workflow AS nw
      WHERE p.tag = ${tag} AND p.name LIKE ${searchPhrase}`.execute(conn);
  }
}

/**
 * Hard-delete the workflow named `name` (`DELETE FROM workflows WHERE name = …`); its `products_workflows` rows go
 * by ON DELETE CASCADE. Fails (with a message naming the workflow) while processes still refer to it.
 */
export async function deleteWorkflow(conn: MigrationConnection, name: string): Promise<void> {
  try {
    await sql`DELETE FROM workflows WHERE name = ${name}`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `workflow ${JSON.stringify(name)}`);
  }
}

/**
 * Link every product to every workflow named in `defaultWorkflows` (default: the app setting
 * DEFAULT_PRODUCT_WORKFLOWS of the environment the migration runs in, itself `["modify_note"]` by default, as the
 * original reads `app_settings`): `INSERT INTO products_workflows SELECT … FROM products CROSS JOIN workflows WHERE
 * name = ANY(…) ON CONFLICT DO NOTHING`. Idempotent; names without a workflow are skipped. A migration that creates
 * products calls it (`db migrate-domain-models` writes the call), so products created after the core workflows get
 * them too.
 */
export async function ensureDefaultWorkflows(
  conn: MigrationConnection,
  defaultWorkflows: readonly string[] = loadSettings().DEFAULT_PRODUCT_WORKFLOWS,
): Promise<void> {
  await sql`
    INSERT INTO products_workflows (product_id, workflow_id)
    SELECT p.product_id, w.workflow_id
    FROM products AS p CROSS JOIN workflows AS w
    WHERE w.name = ANY (${[...defaultWorkflows]}::varchar[])
    ON CONFLICT (product_id, workflow_id) DO NOTHING`.execute(conn);
}

/**
 * Link the workflow `workflowName` to the products with tag `productTag` whose name is LIKE `productNameLike`
 * (default: all). No ON CONFLICT: a product that already has the workflow makes it fail. An unknown workflow name
 * links nothing.
 */
export async function addProductsToWorkflowByProductTag(
  conn: MigrationConnection,
  workflowName: string,
  productTag: string,
  productNameLike = "%",
): Promise<void> {
  await sql`
    WITH workflow AS (SELECT workflow_id FROM workflows WHERE name = ${workflowName})
    INSERT INTO products_workflows (product_id, workflow_id)
    SELECT p.product_id, w.workflow_id
    FROM products AS p CROSS JOIN workflow AS w
    WHERE p.tag = ${productTag} AND p.name LIKE ${productNameLike}`.execute(conn);
}

/**
 * Unlink the workflow `workflowName` from the products with tag `productTag` whose name is LIKE `productNameLike`
 * (default: all): `DELETE FROM products_workflows WHERE workflow_id = (…) AND product_id IN (…)`.
 */
export async function removeProductsFromWorkflowByProductTag(
  conn: MigrationConnection,
  workflowName: string,
  productTag: string,
  productNameLike = "%",
): Promise<void> {
  await sql`
    DELETE FROM products_workflows
    WHERE workflow_id = (SELECT workflow_id FROM workflows WHERE name = ${workflowName})
      AND product_id IN (SELECT product_id FROM products WHERE tag = ${productTag} AND name LIKE ${productNameLike})`.execute(
    conn,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Products, product blocks, resource types, fixed inputs
// ---------------------------------------------------------------------------------------------------------------

/** Insert a resource type (`INSERT INTO resource_types … ON CONFLICT DO NOTHING`): an existing name is kept as is. */
export async function insertResourceType(
  conn: MigrationConnection,
  resourceType: string,
  description: string | null,
): Promise<void> {
  await sql`
    INSERT INTO resource_types (resource_type, description)
    VALUES (${resourceType}, ${description})
    ON CONFLICT DO NOTHING`.execute(conn);
}

/**
 * Insert fixed inputs for the product `productId` (`INSERT INTO fixed_inputs … ON CONFLICT DO NOTHING`, so an
 * existing (name, product) keeps its value). Returns `{ name: fixed_input_id }`: the given id for `[value, id]`
 * entries, otherwise the id read back for that name and product.
 */
export async function createFixedInputs(
  conn: MigrationConnection,
  productId: string,
  fixedInputs: Record<string, FixedInputSpec>,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [name, spec] of Object.entries(fixedInputs)) {
    if (isTuple(spec)) {
      const [value, fixedInputId] = spec;
      await sql`
        INSERT INTO fixed_inputs (fixed_input_id, name, value, created_at, product_id)
        VALUES (${fixedInputId}, ${name}, ${value}, now(), ${productId})
        ON CONFLICT DO NOTHING`.execute(conn);
      ids[name] = fixedInputId;
    } else {
      await sql`
        INSERT INTO fixed_inputs (name, value, created_at, product_id)
        VALUES (${name}, ${spec}, now(), ${productId})
        ON CONFLICT DO NOTHING`.execute(conn);
      ids[name] = await getFixedInputIdByName(conn, name, productId);
    }
  }
  return ids;
}

/**
 * Insert products (`INSERT INTO products … ON CONFLICT DO NOTHING`), link each to its `product_block_ids`
 * (`INSERT INTO product_product_blocks`, no ON CONFLICT) and create its `fixed_inputs`. Returns
 * `{ name: product_id }`.
 */
export async function createProducts(
  conn: MigrationConnection,
  products: Record<string, ProductRecord>,
): Promise<Record<string, string>> {
  const fn = "createProducts";
  const ids: Record<string, string> = {};
  for (const [name, product] of Object.entries(products)) {
    const what = `product ${JSON.stringify(name)}`;
    const productId = requireString(fn, what, product.product_id, "product_id");
    const productType = requireString(fn, what, product.product_type, "product_type");
    const description = requireString(fn, what, product.description, "description");
    const tag = requireString(fn, what, product.tag, "tag");
    const status = requireString(fn, what, product.status, "status");
    ids[name] = productId;
    await sql`
      INSERT INTO products (product_id, name, description, product_type, tag, status, created_at)
      VALUES (${productId}, ${name}, ${description}, ${productType}, ${tag}, ${status}, now())
      ON CONFLICT DO NOTHING`.execute(conn);
    for (const productBlockId of product.product_block_ids ?? []) {
      await sql`
        INSERT INTO product_product_blocks (product_id, product_block_id)
        VALUES (${productId}, ${productBlockId})`.execute(conn);
    }
    if (product.fixed_inputs) await createFixedInputs(conn, productId, product.fixed_inputs);
  }
  return ids;
}

/**
 * Insert product blocks (`INSERT INTO product_blocks … ON CONFLICT DO NOTHING`), each followed by its
 * `resource_types` (see {@link createResourceTypesForProductBlocks}) and its relations to blocks named in
 * `in_use_by_block_relations` / `depends_on_block_relations` (which must exist by then). Returns
 * `{ name: product_block_id }`.
 */
export async function createProductBlocks(
  conn: MigrationConnection,
  productBlocks: Record<string, ProductBlockRecord>,
): Promise<Record<string, string>> {
  const fn = "createProductBlocks";
  const ids: Record<string, string> = {};
  for (const [name, block] of Object.entries(productBlocks)) {
    const what = `product block ${JSON.stringify(name)}`;
    const blockId = requireString(fn, what, block.product_block_id, "product_block_id");
    const description = requireString(fn, what, block.description, "description");
    ids[name] = blockId;
    await sql`
      INSERT INTO product_blocks (product_block_id, name, description, tag, status, created_at)
      VALUES (${blockId}, ${name}, ${description}, ${block.tag ?? null}, ${block.status ?? null}, now())
      ON CONFLICT DO NOTHING`.execute(conn);
    if (block.resource_types) {
      await createResourceTypesForProductBlocks(conn, { [name]: block.resource_types });
    }
    for (const inUseByName of block.in_use_by_block_relations ?? []) {
      const inUseById = await getProductBlockIdByName(conn, inUseByName);
      await addProductBlockRelationBetweenProductsById(conn, inUseById, blockId);
    }
    for (const dependsOnName of block.depends_on_block_relations ?? []) {
      const dependsOnId = await getProductBlockIdByName(conn, dependsOnName);
      await addProductBlockRelationBetweenProductsById(conn, blockId, dependsOnId);
    }
  }
  return ids;
}

/**
 * Insert the resource types (`ON CONFLICT DO NOTHING`: existing ones are reused), then link, per block, every listed
 * resource type to the block of that name (`INSERT INTO product_block_resource_types SELECT … WHERE
 * resource_type = ANY(…) AND name = …`, no ON CONFLICT; an unknown block name links nothing). Returns the
 * resource type ids, one per listed entry, in order.
 */
export async function createResourceTypesForProductBlocks(
  conn: MigrationConnection,
  resourceTypes: ResourceTypesByProductBlock,
): Promise<string[]> {
  const ids: string[] = [];
  for (const types of Object.values(resourceTypes)) {
    for (const [resourceType, spec] of Object.entries(types)) {
      if (isTuple(spec)) {
        const [description, resourceTypeId] = spec;
        await sql`
          INSERT INTO resource_types (resource_type_id, resource_type, description)
          VALUES (${resourceTypeId}, ${resourceType}, ${description})
          ON CONFLICT DO NOTHING`.execute(conn);
      } else {
        await insertResourceType(conn, resourceType, spec);
      }
      ids.push(await getResourceTypeIdByName(conn, resourceType));
    }
  }
  for (const [blockName, types] of Object.entries(resourceTypes)) {
    await sql`
      INSERT INTO product_block_resource_types (product_block_id, resource_type_id)
      SELECT pb.product_block_id, rt.resource_type_id
      FROM product_blocks AS pb CROSS JOIN resource_types AS rt
      WHERE pb.name = ${blockName} AND rt.resource_type = ANY (${Object.keys(types)}::varchar[])`.execute(conn);
  }
  return ids;
}

/**
 * Create everything in `spec`, in this order: product blocks (a block's `resources` are set aside and linked after
 * the products), products (`root_product_block` → exactly that block; `product_blocks` names → ids appended to
 * `product_block_ids`), resource types for blocks, workflows ({@link createWorkflows}), and finally
 * {@link ensureDefaultWorkflows} with `defaultWorkflows` (default: the setting DEFAULT_PRODUCT_WORKFLOWS). The
 * caller's object is not modified.
 */
export async function create(
  conn: MigrationConnection,
  spec: CreateSpec,
  defaultWorkflows: readonly string[] = loadSettings().DEFAULT_PRODUCT_WORKFLOWS,
): Promise<void> {
  const resources: ResourceTypesByProductBlock = { ...(spec.resources ?? {}) };
  let blockIds: Record<string, string> = {};

  if (spec.product_blocks) {
    const blocks: Record<string, ProductBlockRecord> = {};
    for (const [name, { resources: blockResources, ...block }] of Object.entries(spec.product_blocks)) {
      if (blockResources) resources[name] = blockResources;
      blocks[name] = block;
    }
    blockIds = await createProductBlocks(conn, blocks);
  }

  const blockIdOf = async (name: string): Promise<string> => {
    const created = blockIds[name];
    if (created !== undefined) return created;
    try {
      return await getProductBlockIdByName(conn, name);
    } catch (error) {
      if (!(error instanceof MigrationError)) throw error;
      throw new MigrationError(`create: ${JSON.stringify(name)} is not a valid product block`, { cause: error });
    }
  };

  if (spec.products) {
    const products: Record<string, ProductRecord> = {};
    for (const [name, { root_product_block, product_blocks, ...product }] of Object.entries(spec.products)) {
      let productBlockIds = [...(product.product_block_ids ?? [])];
      if (root_product_block !== undefined) {
        // One root block per product is the norm: it wins over any hard-coded ids.
        productBlockIds = [await blockIdOf(root_product_block)];
      } else if (product_blocks) {
        for (const blockName of product_blocks) productBlockIds.push(await blockIdOf(blockName));
      }
      products[name] = { ...product, product_block_ids: productBlockIds };
    }
    await createProducts(conn, products);
  }

  if (Object.keys(resources).length > 0) await createResourceTypesForProductBlocks(conn, resources);
  if (spec.workflows) await createWorkflows(conn, spec.workflows);
  await ensureDefaultWorkflows(conn, defaultWorkflows);
}

// ---------------------------------------------------------------------------------------------------------------
// Product block relations
// ---------------------------------------------------------------------------------------------------------------

/** `INSERT INTO product_block_relations (in_use_by_id, depends_on_id)` (no ON CONFLICT: an existing pair fails). */
export async function addProductBlockRelationBetweenProductsById(
  conn: MigrationConnection,
  inUseById: string,
  dependsOnId: string,
): Promise<void> {
  await sql`
    INSERT INTO product_block_relations (in_use_by_id, depends_on_id)
    VALUES (${inUseById}, ${dependsOnId})`.execute(conn);
}

/** `DELETE FROM product_block_relations WHERE in_use_by_id = … AND depends_on_id = …`. */
export async function removeProductBlockRelationBetweenProductsById(
  conn: MigrationConnection,
  inUseById: string,
  dependsOnId: string,
): Promise<void> {
  await sql`
    DELETE FROM product_block_relations
    WHERE in_use_by_id = ${inUseById} AND depends_on_id = ${dependsOnId}`.execute(conn);
}

// ---------------------------------------------------------------------------------------------------------------
// Deletes
// ---------------------------------------------------------------------------------------------------------------

/** `DELETE FROM resource_types WHERE resource_type_id = …` (block links go by cascade). */
export async function deleteResourceTypeById(conn: MigrationConnection, resourceTypeId: string): Promise<void> {
  try {
    await sql`DELETE FROM resource_types WHERE resource_type_id = ${resourceTypeId}`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `resource type ${resourceTypeId}`);
  }
}

/**
 * Unlink resource types from product blocks, given `{ block name: { resource type name: anything } }` (the same
 * shape {@link createResourceTypesForProductBlocks} takes; only the keys count). The resource types stay.
 */
export async function deleteResourceTypesFromProductBlocks(
  conn: MigrationConnection,
  resourceTypes: Record<string, Record<string, unknown>>,
): Promise<void> {
  for (const [blockName, types] of Object.entries(resourceTypes)) {
    await sql`
      DELETE FROM product_block_resource_types AS pbrt
      USING resource_types AS rt
      WHERE pbrt.product_block_id = (SELECT product_block_id FROM product_blocks WHERE name = ${blockName})
        AND rt.resource_type_id = pbrt.resource_type_id
        AND rt.resource_type = ANY (${Object.keys(types)}::varchar[])`.execute(conn);
  }
}

/** Unlink the named resource types from every product block, then delete them from `resource_types`. */
export async function deleteResourceTypes(conn: MigrationConnection, resourceTypes: Iterable<string>): Promise<void> {
  const names = [...resourceTypes];
  await sql`
    DELETE FROM product_block_resource_types AS pbrt
    USING resource_types AS rt
    WHERE rt.resource_type_id = pbrt.resource_type_id AND rt.resource_type = ANY (${names}::varchar[])`.execute(conn);
  try {
    await sql`DELETE FROM resource_types WHERE resource_type = ANY (${names}::varchar[])`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `resource types ${names.map((n) => JSON.stringify(n)).join(", ")}`);
  }
}

/**
 * `DELETE FROM products WHERE name = …`. Despite its (original) name it deletes the product with that NAME, not by
 * tag; fixed inputs and links go by cascade.
 */
export async function deleteProductsByTag(conn: MigrationConnection, name: string): Promise<void> {
  try {
    await sql`DELETE FROM products WHERE name = ${name}`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `product ${JSON.stringify(name)}`);
  }
}

/**
 * Delete the product named `name` together with its `product_product_blocks` and `products_workflows` rows (one
 * statement with data-modifying CTEs); its fixed inputs go by cascade. Fails while subscriptions use the product.
 */
export async function deleteProduct(conn: MigrationConnection, name: string): Promise<void> {
  try {
    await sql`
      WITH deleted_p AS (
        DELETE FROM products WHERE name = ${name} RETURNING product_id
      ), deleted_p_pb AS (
        DELETE FROM product_product_blocks WHERE product_id IN (SELECT product_id FROM deleted_p)
      ), deleted_p_wf AS (
        DELETE FROM products_workflows WHERE product_id IN (SELECT product_id FROM deleted_p)
      )
      SELECT product_id FROM deleted_p`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `product ${JSON.stringify(name)}`);
  }
}

/**
 * Delete the product block named `name` together with its `product_product_blocks` and
 * `product_block_resource_types` rows (one statement); its block relations go by cascade. Fails while subscription
 * instances use the block.
 */
export async function deleteProductBlock(conn: MigrationConnection, name: string): Promise<void> {
  try {
    await sql`
      WITH deleted_pb AS (
        DELETE FROM product_blocks WHERE name = ${name} RETURNING product_block_id
      ), deleted_p_pb AS (
        DELETE FROM product_product_blocks WHERE product_block_id IN (SELECT product_block_id FROM deleted_pb)
      ), deleted_pb_rt AS (
        DELETE FROM product_block_resource_types WHERE product_block_id IN (SELECT product_block_id FROM deleted_pb)
      )
      SELECT product_block_id FROM deleted_pb`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `product block ${JSON.stringify(name)}`);
  }
}

/**
 * Delete the resource type named `resourceType` together with its `product_block_resource_types` rows (one
 * statement). Fails while subscription instance values use it.
 */
export async function deleteResourceType(conn: MigrationConnection, resourceType: string): Promise<void> {
  try {
    await sql`
      WITH deleted_rt AS (
        DELETE FROM resource_types WHERE resource_type = ${resourceType} RETURNING resource_type_id
      ), deleted_pb_rt AS (
        DELETE FROM product_block_resource_types WHERE resource_type_id IN (SELECT resource_type_id FROM deleted_rt)
      )
      SELECT resource_type_id FROM deleted_rt`.execute(conn);
  } catch (error) {
    explainDeleteError(error, `resource type ${JSON.stringify(resourceType)}`);
  }
}

/**
 * Delete by name, in this order: `resource_types` ({@link deleteResourceType}), `product_blocks`
 * ({@link deleteProductBlock}), `products` ({@link deleteProduct}), `workflows` ({@link deleteWorkflow}).
 * Exported as `delete` too, the original's name.
 */
export async function deleteObsolete(conn: MigrationConnection, obsolete: ObsoleteSpec): Promise<void> {
  for (const name of obsolete.resource_types ?? []) await deleteResourceType(conn, name);
  for (const name of obsolete.product_blocks ?? []) await deleteProductBlock(conn, name);
  for (const name of obsolete.products ?? []) await deleteProduct(conn, name);
  for (const name of obsolete.workflows ?? []) await deleteWorkflow(conn, name);
}

export { deleteObsolete as delete };

// ---------------------------------------------------------------------------------------------------------------
// Subscription data conversions (resource-type values <-> instance relations)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Turn subscription instance values of the resource type `resourceTypeId`, whose value is a subscription id, into
 * instance relations: for each such value, every instance of the referenced subscription becomes a
 * `subscription_instance_relations` row (in_use_by = the value's instance, depends_on = that instance, order_id
 * numbered from 0 per in_use_by instance, domain_model_attr = `domainModelAttr`; ON CONFLICT DO NOTHING). With
 * `cleanup` (default) the converted values are then deleted.
 */
export async function convertResourceTypeRelationsToInstanceRelations(
  conn: MigrationConnection,
  resourceTypeId: string,
  domainModelAttr: string,
  cleanup = true,
): Promise<void> {
  await sql`
    INSERT INTO subscription_instance_relations (in_use_by_id, depends_on_id, order_id, domain_model_attr)
    WITH dependencies AS MATERIALIZED (
      SELECT siv.subscription_instance_id AS in_use_by_id, siv.value::uuid AS subscription_id
      FROM subscription_instance_values AS siv
      WHERE siv.resource_type_id = ${resourceTypeId}::uuid
    )
    SELECT dep.in_use_by_id,
           si.subscription_instance_id,
           row_number() OVER (PARTITION BY dep.in_use_by_id ORDER BY dep.subscription_id, si.subscription_instance_id) - 1,
           ${domainModelAttr}::varchar
    FROM dependencies AS dep
    JOIN subscription_instances AS si ON si.subscription_id = dep.subscription_id
    ON CONFLICT DO NOTHING`.execute(conn);
  if (cleanup) {
    await sql`DELETE FROM subscription_instance_values WHERE resource_type_id = ${resourceTypeId}`.execute(conn);
  }
}

/**
 * The reverse of {@link convertResourceTypeRelationsToInstanceRelations}: for each instance relation with
 * `domain_model_attr = domainModelAttr`, insert a subscription instance value on the in_use_by instance with
 * resource type `resourceTypeId` and, as value, the subscription id of the depends_on instance. With `cleanup`
 * (default) those relations are then deleted.
 */
export async function convertInstanceRelationsToResourceTypeRelationsByDomainModelAttr(
  conn: MigrationConnection,
  domainModelAttr: string,
  resourceTypeId: string,
  cleanup = true,
): Promise<void> {
  await sql`
    INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value)
    SELECT sir.in_use_by_id, ${resourceTypeId}::uuid, si.subscription_id::text
    FROM subscription_instance_relations AS sir
    JOIN subscription_instances AS si ON si.subscription_instance_id = sir.depends_on_id
    WHERE sir.domain_model_attr = ${domainModelAttr}`.execute(conn);
  if (cleanup) {
    await sql`DELETE FROM subscription_instance_relations WHERE domain_model_attr = ${domainModelAttr}`.execute(conn);
  }
}

/**
 * Give every subscription instance of the product block named `productBlockName` a value `value` (stored as text)
 * for the resource type `resourceTypeId`: `INSERT INTO subscription_instance_values SELECT … FROM
 * subscription_instances JOIN product_blocks … WHERE name = …`. Instances that already have a value get another.
 */
export async function backfillResourceTypeWithDefault(
  conn: MigrationConnection,
  resourceTypeId: string,
  productBlockName: string,
  value: string | number | boolean,
): Promise<void> {
  await sql`
    INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value)
    SELECT si.subscription_instance_id, ${resourceTypeId}::uuid, ${String(value)}::varchar
    FROM subscription_instances AS si
    JOIN product_blocks AS pb ON pb.product_block_id = si.product_block_id
    WHERE pb.name = ${productBlockName}`.execute(conn);
}

/**
 * Delete every subscription instance value of the resource type named `resourceTypeName` (the resource type itself
 * stays). Throws when there is no such resource type.
 */
export async function removeResourceTypeFromSubscriptionInstance(
  conn: MigrationConnection,
  resourceTypeName: string,
): Promise<void> {
  const resourceTypeId = await getResourceTypeIdByName(conn, resourceTypeName);
  await sql`DELETE FROM subscription_instance_values WHERE resource_type_id = ${resourceTypeId}`.execute(conn);
}
