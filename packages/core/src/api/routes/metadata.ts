/** `/api/products`, `/api/product_blocks`, `/api/resource_types`: the product catalogue; descriptions are editable. */
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/index.js";
import type { ApiContext, ZodApp } from "../app.js";
import { notFound } from "../problem.js";
import { blocksOfResourceTypes, relatedBlocks, resourceTypesOfBlocks, type ProductBlockRow } from "../queries/catalogue.js";
import { productBlockSchema, productSchema, resourceTypeSchema, type Product } from "../responses.js";
import { text, uuid as uuidField } from "../schemas.js";

/** orchestrator-core's ProductLifecycle values. */
export const PRODUCT_LIFECYCLES = ["active", "pre production", "phase out", "end of life"] as const;

const description = text(2000);
const uuid = (name: string) => z.object({ id: uuidField(name) });

/** Products with their fixed inputs, blocks and workflows: one statement for any number of products. */
async function products(db: Kysely<Database>, filter: { id?: string; tag?: string; product_type?: string }): Promise<Product[]> {
  const where = [sql`true`];
  if (filter.id) where.push(sql`p.product_id = ${filter.id}`);
  if (filter.tag) where.push(sql`p.tag = ${filter.tag}`);
  if (filter.product_type) where.push(sql`p.product_type = ${filter.product_type}`);
  // one round trip and one pooled connection per request (it was four): what keeps the list fast while workers load
  // the database
  const rows = await sql<Record<string, unknown> & { fixed_inputs: Json[]; product_blocks: Json[]; workflows: Json[] }>`
    SELECT p.*,
      coalesce((SELECT jsonb_agg(to_jsonb(f) ORDER BY f.name) FROM fixed_inputs f WHERE f.product_id = p.product_id), '[]') AS fixed_inputs,
      coalesce((SELECT jsonb_agg(jsonb_build_object('product_block_id', pb.product_block_id, 'name', pb.name, 'description', pb.description,
          'tag', pb.tag, 'status', pb.status, 'created_at', pb.created_at, 'end_date', pb.end_date) ORDER BY pb.name)
        FROM product_product_blocks ppb JOIN product_blocks pb ON pb.product_block_id = ppb.product_block_id
        WHERE ppb.product_id = p.product_id), '[]') AS product_blocks,
      coalesce((SELECT jsonb_agg(jsonb_build_object('workflow_id', w.workflow_id, 'name', w.name, 'target', w.target, 'is_task', w.is_task,
          'description', w.description, 'created_at', w.created_at) ORDER BY w.name)
        FROM products_workflows pw JOIN workflows w ON w.workflow_id = pw.workflow_id
        WHERE pw.product_id = p.product_id AND w.deleted_at IS NULL), '[]') AS workflows
    FROM products p WHERE ${sql.join(where, sql` AND `)} ORDER BY p.name`.execute(db);
  return rows.rows.map((p) => ({
    ...p,
    fixed_inputs: p.fixed_inputs.map(withDates),
    product_blocks: p.product_blocks.map(withDates),
    // workflows.target holds a Target (see ../responses.ts)
    workflows: p.workflows.map(withDates),
  })) as unknown as Product[];
}

type Json = Record<string, unknown>;

/** Timestamps read back from JSON (strings) as the Dates the response schemas serialize. */
function withDates(row: Json): Json {
  const out = { ...row };
  for (const key of ["created_at", "end_date"]) if (typeof out[key] === "string") out[key] = new Date(out[key] as string);
  return out;
}

/** A block as the relations of blocks and resource types show it. */
const blockRef = ({ product_block_id, name, description, tag, status }: ProductBlockRow) => ({ product_block_id, name, description, tag, status });

/** Product blocks with their resource types and the blocks they depend on (the relations read as GraphQL reads them). */
async function productBlocks(db: Kysely<Database>, id?: string) {
  let query = db.selectFrom("product_blocks").selectAll().orderBy("name");
  if (id) query = query.where("product_block_id", "=", id);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.product_block_id);
  const [resourceTypes, dependsOn] = await Promise.all([resourceTypesOfBlocks(db, ids), relatedBlocks(db, ids, "dependsOn")]);
  return rows.map((b) => ({
    ...b,
    resource_types: resourceTypes.get(b.product_block_id) ?? [],
    depends_on: (dependsOn.get(b.product_block_id) ?? []).map(blockRef),
  }));
}

/** Resource types with the blocks that have them. */
async function resourceTypes(db: Kysely<Database>, id?: string) {
  let query = db.selectFrom("resource_types").selectAll().orderBy("resource_type");
  if (id) query = query.where("resource_type_id", "=", id);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const blocks = await blocksOfResourceTypes(db, rows.map((r) => r.resource_type_id));
  return rows.map((rt) => ({ ...rt, product_blocks: (blocks.get(rt.resource_type_id) ?? []).map(blockRef) }));
}

export async function metadataRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const db = ctx.database.db;

  app.get(
    "/products",
    {
      schema: {
        tags: ["products"],
        summary: "Products with their fixed inputs, product blocks and workflows",
        querystring: z.object({ tag: z.string().optional(), product_type: z.string().optional() }),
        response: { 200: z.array(productSchema) },
      },
    },
    async (request) => products(db, request.query),
  );

  app.get("/products/:id", { schema: { tags: ["products"], summary: "A product", params: uuid("product_id"), response: { 200: productSchema } } }, async (request) => {
    const [product] = await products(db, { id: request.params.id });
    if (!product) throw notFound(`Product ${request.params.id} not found`);
    return product;
  });

  app.patch(
    "/products/:id",
    {
      schema: {
        tags: ["products"],
        summary: "Change a product's description or lifecycle status",
        params: uuid("product_id"),
        body: z
          .strictObject({ description: description.optional(), status: z.enum(PRODUCT_LIFECYCLES).optional() })
          .refine((b) => b.description !== undefined || b.status !== undefined, "give a description or a status"),
        response: { 201: productSchema },
      },
    },
    async (request, reply) => {
      const result = await db.updateTable("products").set(request.body).where("product_id", "=", request.params.id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Product ${request.params.id} not found`);
      const [product] = await products(db, { id: request.params.id });
      if (!product) throw notFound(`Product ${request.params.id} not found`);
      return reply.status(201).send(product);
    },
  );

  app.get("/product_blocks", { schema: { tags: ["product_blocks"], summary: "Product blocks with resource types and the blocks they depend on", response: { 200: z.array(productBlockSchema) } } }, async () =>
    productBlocks(db),
  );

  app.get("/product_blocks/:id", { schema: { tags: ["product_blocks"], summary: "A product block", params: uuid("product_block_id"), response: { 200: productBlockSchema } } }, async (request) => {
    const [block] = await productBlocks(db, request.params.id);
    if (!block) throw notFound(`Product block ${request.params.id} not found`);
    return block;
  });

  app.patch(
    "/product_blocks/:id",
    { schema: { tags: ["product_blocks"], summary: "Change a product block's description", params: uuid("product_block_id"), body: z.strictObject({ description }), response: { 201: productBlockSchema } } },
    async (request, reply) => {
      const result = await db.updateTable("product_blocks").set(request.body).where("product_block_id", "=", request.params.id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Product block ${request.params.id} not found`);
      const [block] = await productBlocks(db, request.params.id);
      if (!block) throw notFound(`Product block ${request.params.id} not found`);
      return reply.status(201).send(block);
    },
  );

  app.get("/resource_types", { schema: { tags: ["resource_types"], summary: "Resource types with the blocks using them", response: { 200: z.array(resourceTypeSchema) } } }, async () => resourceTypes(db));

  app.get("/resource_types/:id", { schema: { tags: ["resource_types"], summary: "A resource type", params: uuid("resource_type_id"), response: { 200: resourceTypeSchema } } }, async (request) => {
    const [rt] = await resourceTypes(db, request.params.id);
    if (!rt) throw notFound(`Resource type ${request.params.id} not found`);
    return rt;
  });

  app.patch(
    "/resource_types/:id",
    { schema: { tags: ["resource_types"], summary: "Change a resource type's description", params: uuid("resource_type_id"), body: z.strictObject({ description }), response: { 201: resourceTypeSchema } } },
    async (request, reply) => {
      const result = await db.updateTable("resource_types").set(request.body).where("resource_type_id", "=", request.params.id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(`Resource type ${request.params.id} not found`);
      const [rt] = await resourceTypes(db, request.params.id);
      if (!rt) throw notFound(`Resource type ${request.params.id} not found`);
      return reply.status(201).send(rt);
    },
  );
}
