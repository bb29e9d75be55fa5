/**
 * Reads of the product catalogue and the workflows as lists (filtered, sorted, paged, counted: two queries), and the
 * relations between them fetched for many rows at once (one query per relation, whatever the number of rows): the
 * REST routes and GraphQL's batching loaders both read through these.
 *
 * Each list is described by its columns (name → column and type): every column can be filtered and sorted on, with
 * the meaning orchestrator-core gives a column of that type (./conditions.ts), plus the list's own relation filters
 * (a product's block names, a block's products, …).
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from "kysely";
import type { Database, ProductBlocksTable, ProductsTable, ResourceTypesTable, WorkflowsTable } from "../../db/index.js";
import type { Filter, ListQuery, ListSpec } from "../list-query.js";
import { boolIs, dateCompare, maybeNot, storedCaseIn, textIn, uuidIn, type Condition } from "./conditions.js";

type ColumnType = "text" | "uuid" | "bool" | "date" | "lower" | "upper";

export interface TableList<Row> {
  table: keyof Database;
  /** The id column, the unique tie-breaker of every sort. */
  id: string;
  columns: Record<string, { column: string; type: ColumnType }>;
  /** Filters on relations (snake_case name → condition over the table's rows, alias `t`). */
  relations: Record<string, (values: string[]) => Condition>;
  spec: ListSpec;
  /** Only rows meeting this (workflows: not deleted). */
  scope?: Condition;
  _row?: Row;
}

function tableList<Row>(options: Omit<TableList<Row>, "spec"> & { defaultSort: ListSpec["defaultSort"] }): TableList<Row> {
  const sortFields = Object.keys(options.columns);
  return {
    ...options,
    spec: { sortFields, filterFields: [...sortFields, ...Object.keys(options.relations)].sort(), defaultSort: options.defaultSort },
  };
}

/** `EXISTS (…)` of a relation: the related rows' name among the values (case-insensitively). */
const related = (from: string, where: string, nameColumn: string) => (values: string[]) =>
  sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.raw(from)} WHERE ${sql.raw(where)} AND ${textIn(nameColumn, values)})`;

export type ProductRow = Selectable<ProductsTable>;

export const PRODUCTS = tableList<ProductRow>({
  table: "products",
  id: "product_id",
  columns: {
    product_id: { column: "t.product_id", type: "uuid" },
    name: { column: "t.name", type: "text" },
    description: { column: "t.description", type: "text" },
    product_type: { column: "t.product_type", type: "text" },
    tag: { column: "t.tag", type: "text" },
    status: { column: "t.status", type: "lower" },
    created_at: { column: "t.created_at", type: "date" },
    end_date: { column: "t.end_date", type: "date" },
  },
  relations: {
    product_block: related("product_product_blocks ppb JOIN product_blocks pb ON pb.product_block_id = ppb.product_block_id", "ppb.product_id = t.product_id", "pb.name"),
  },
  defaultSort: [{ field: "name", direction: "asc" }],
});

export type ProductBlockRow = Selectable<ProductBlocksTable>;

export const PRODUCT_BLOCKS = tableList<ProductBlockRow>({
  table: "product_blocks",
  id: "product_block_id",
  columns: {
    product_block_id: { column: "t.product_block_id", type: "uuid" },
    name: { column: "t.name", type: "text" },
    description: { column: "t.description", type: "text" },
    tag: { column: "t.tag", type: "text" },
    status: { column: "t.status", type: "lower" },
    created_at: { column: "t.created_at", type: "date" },
    end_date: { column: "t.end_date", type: "date" },
  },
  relations: {
    product: related("product_product_blocks ppb JOIN products p ON p.product_id = ppb.product_id", "ppb.product_block_id = t.product_block_id", "p.name"),
    resource_type: related(
      "product_block_resource_types pbrt JOIN resource_types rt ON rt.resource_type_id = pbrt.resource_type_id",
      "pbrt.product_block_id = t.product_block_id",
      "rt.resource_type",
    ),
  },
  defaultSort: [{ field: "name", direction: "asc" }],
});

export type ResourceTypeRow = Selectable<ResourceTypesTable>;

export const RESOURCE_TYPES = tableList<ResourceTypeRow>({
  table: "resource_types",
  id: "resource_type_id",
  columns: {
    resource_type_id: { column: "t.resource_type_id", type: "uuid" },
    resource_type: { column: "t.resource_type", type: "text" },
    description: { column: "t.description", type: "text" },
  },
  relations: {
    product_block: related(
      "product_block_resource_types pbrt JOIN product_blocks pb ON pb.product_block_id = pbrt.product_block_id",
      "pbrt.resource_type_id = t.resource_type_id",
      "pb.name",
    ),
  },
  defaultSort: [{ field: "resource_type", direction: "asc" }],
});

/** A workflow that is not deleted (lists leave those out), so without its deleted_at. */
export type WorkflowRow = Omit<Selectable<WorkflowsTable>, "deleted_at">;

export const WORKFLOWS = tableList<WorkflowRow>({
  table: "workflows",
  id: "workflow_id",
  columns: {
    workflow_id: { column: "t.workflow_id", type: "uuid" },
    name: { column: "t.name", type: "text" },
    target: { column: "t.target", type: "upper" },
    description: { column: "t.description", type: "text" },
    is_task: { column: "t.is_task", type: "bool" },
    created_at: { column: "t.created_at", type: "date" },
  },
  relations: {
    product: related("products_workflows pw JOIN products p ON p.product_id = pw.product_id", "pw.workflow_id = t.workflow_id", "p.name"),
    tag: related("products_workflows pw JOIN products p ON p.product_id = pw.product_id", "pw.workflow_id = t.workflow_id", "p.tag"),
  },
  scope: sql<SqlBool>`t.deleted_at IS NULL`,
  defaultSort: [{ field: "name", direction: "asc" }],
});

/** The condition of one filter on a table list; undefined for a field it does not know. */
export function tableCondition(list: TableList<unknown>, filter: Filter): Condition | undefined {
  const relation = list.relations[filter.field];
  if (relation) return relation(filter.values);
  const column = list.columns[filter.field];
  if (!column) return undefined;
  switch (column.type) {
    case "text":
      return textIn(column.column, filter.values);
    case "lower":
    case "upper":
      return storedCaseIn(column.column, filter.values, column.type);
    case "uuid":
      return uuidIn(column.column, filter);
    case "bool":
      return boolIs(column.column, filter);
    case "date":
      return dateCompare(column.column, filter);
  }
}

/** The text columns of a table list (what a bare word of a free-text query is compared with). */
export function textColumns(list: TableList<unknown>): string[] {
  return Object.values(list.columns)
    .filter((c) => c.type !== "bool" && c.type !== "date")
    .map((c) => c.column);
}

/** One page of a table list and its total: two queries (one when `withItems` is false). */
export async function listTable<Row>(db: Kysely<Database>, table: TableList<Row>, list: ListQuery, withItems = true): Promise<{ items: Row[]; total: number }> {
  const where: RawBuilder<SqlBool>[] = table.scope ? [table.scope] : [];
  for (const filter of list.filters) {
    const condition = tableCondition(table as TableList<unknown>, filter);
    if (condition) where.push(maybeNot(filter, condition));
  }
  where.push(...(list.where ?? []));
  const whereSql = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const from = sql`${sql.table(table.table)} AS t`;
  const count = await sql<{ n: string }>`SELECT count(*) AS n FROM ${from} ${whereSql}`.execute(db);
  const total = Number(count.rows[0]!.n);
  if (!withItems || total === 0) return { items: [], total };
  const keys = list.sort.map((key) => sortKey(table.columns[key.field]!, key.direction));
  keys.push(sql`${sql.ref(`t.${table.id}`)} ${sql.raw(list.sort.at(-1)?.direction ?? "asc")}`);
  const rows = await sql<Row>`SELECT t.* FROM ${from} ${whereSql} ORDER BY ${sql.join(keys)} OFFSET ${list.offset} LIMIT ${list.limit}`.execute(db);
  return { items: rows.rows, total };
}

/** A sort key: text compared case-insensitively (orchestrator-core sorts strings by lower()). */
function sortKey(column: { column: string; type: ColumnType }, direction: "asc" | "desc") {
  const ref = column.type === "text" ? sql`lower(${sql.ref(column.column)})` : sql.ref(column.column);
  return sql`${ref} ${sql.raw(direction)}`;
}

// relations of many rows at once ---------------------------------------------------------------------------------

/** Rows grouped by a key, in the order given. */
function groupBy<T extends Record<string, unknown>, K extends keyof T>(rows: T[], key: K): Map<string, Omit<T, K>[]> {
  const result = new Map<string, Omit<T, K>[]>();
  for (const row of rows) {
    const { [key]: parent, ...rest } = row;
    const list = result.get(parent as string) ?? [];
    list.push(rest);
    result.set(parent as string, list);
  }
  return result;
}

/** The fixed inputs of the given products, by product id. */
export async function fixedInputsOfProducts(db: Kysely<Database>, productIds: readonly string[]) {
  if (productIds.length === 0) return new Map();
  const rows = await db.selectFrom("fixed_inputs").select(["product_id", "fixed_input_id", "name", "value", "created_at"]).where("product_id", "in", productIds).orderBy("name").execute();
  return groupBy(rows, "product_id");
}

/** The product blocks of the given products, by product id. */
export async function blocksOfProducts(db: Kysely<Database>, productIds: readonly string[]): Promise<Map<string, ProductBlockRow[]>> {
  if (productIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("product_product_blocks as ppb")
    .innerJoin("product_blocks as pb", "pb.product_block_id", "ppb.product_block_id")
    .select(["ppb.product_id", "pb.product_block_id", "pb.name", "pb.description", "pb.tag", "pb.status", "pb.created_at", "pb.end_date"])
    .where("ppb.product_id", "in", productIds)
    .orderBy("pb.name")
    .execute();
  return groupBy(rows, "product_id");
}

/** The workflows (not deleted) of the given products, by product id. */
export async function workflowsOfProducts(db: Kysely<Database>, productIds: readonly string[]): Promise<Map<string, WorkflowRow[]>> {
  if (productIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("products_workflows as pw")
    .innerJoin("workflows as w", "w.workflow_id", "pw.workflow_id")
    .select(["pw.product_id", "w.workflow_id", "w.name", "w.target", "w.description", "w.is_task", "w.created_at"])
    .where("pw.product_id", "in", productIds)
    .where("w.deleted_at", "is", null)
    .orderBy("w.name")
    .execute();
  return groupBy(rows, "product_id");
}

/** The products of the given workflows, by workflow id. */
export async function productsOfWorkflows(db: Kysely<Database>, workflowIds: readonly string[]): Promise<Map<string, ProductRow[]>> {
  if (workflowIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("products_workflows as pw")
    .innerJoin("products as p", "p.product_id", "pw.product_id")
    .select(["pw.workflow_id", "p.product_id", "p.name", "p.description", "p.product_type", "p.tag", "p.status", "p.created_at", "p.end_date"])
    .where("pw.workflow_id", "in", workflowIds)
    .orderBy("p.name")
    .execute();
  return groupBy(rows, "workflow_id");
}

/** The resource types of the given product blocks, by product block id. */
export async function resourceTypesOfBlocks(db: Kysely<Database>, blockIds: readonly string[]): Promise<Map<string, ResourceTypeRow[]>> {
  if (blockIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("product_block_resource_types as pbrt")
    .innerJoin("resource_types as rt", "rt.resource_type_id", "pbrt.resource_type_id")
    .select(["pbrt.product_block_id", "rt.resource_type_id", "rt.resource_type", "rt.description"])
    .where("pbrt.product_block_id", "in", blockIds)
    .orderBy("rt.resource_type")
    .execute();
  return groupBy(rows, "product_block_id");
}

/** The blocks the given product blocks depend on (`dependsOn`) or are used by (`inUseBy`), by product block id. */
export async function relatedBlocks(db: Kysely<Database>, blockIds: readonly string[], direction: "dependsOn" | "inUseBy"): Promise<Map<string, ProductBlockRow[]>> {
  if (blockIds.length === 0) return new Map();
  const [from, to] = direction === "dependsOn" ? (["r.in_use_by_id", "r.depends_on_id"] as const) : (["r.depends_on_id", "r.in_use_by_id"] as const);
  const rows = await db
    .selectFrom("product_block_relations as r")
    .innerJoin("product_blocks as pb", "pb.product_block_id", to)
    .select([sql<string>`${sql.ref(from)}`.as("parent"), "pb.product_block_id", "pb.name", "pb.description", "pb.tag", "pb.status", "pb.created_at", "pb.end_date"])
    .where(from, "in", blockIds)
    .orderBy("pb.name")
    .execute();
  return groupBy(rows, "parent");
}

/** The product blocks that have the given resource types, by resource type id. */
export async function blocksOfResourceTypes(db: Kysely<Database>, resourceTypeIds: readonly string[]): Promise<Map<string, ProductBlockRow[]>> {
  if (resourceTypeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("product_block_resource_types as pbrt")
    .innerJoin("product_blocks as pb", "pb.product_block_id", "pbrt.product_block_id")
    .select(["pbrt.resource_type_id", "pb.product_block_id", "pb.name", "pb.description", "pb.tag", "pb.status", "pb.created_at", "pb.end_date"])
    .where("pbrt.resource_type_id", "in", resourceTypeIds)
    .orderBy("pb.name")
    .execute();
  return groupBy(rows, "resource_type_id");
}
