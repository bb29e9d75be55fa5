/**
 * What `db migrate-domain-models` compares the registered models with: the product catalogue in the database
 * (products, fixed inputs, product blocks, resource types and the links between them) and, per product and block,
 * how the subscriptions use it (statuses of the subscriptions that own instances, the attribute names of instance
 * relations). The catalogue is read once; the planner then simulates its own changes on this copy.
 */
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/index.js";

export interface CatalogueProduct {
  product_type: string;
  fixedInputs: Map<string, string>;
  /** Root blocks (`product_product_blocks`), by block name. */
  blocks: Set<string>;
  /** Statuses of the product's subscriptions (empty: none). */
  statuses: Set<string>;
}

export interface CatalogueRelation {
  min: number | null;
  max: number | null;
}

export interface CatalogueBlock {
  description: string;
  tag: string | null;
  status: string | null;
  resourceTypes: Set<string>;
  /** Blocks this block uses (`product_block_relations.depends_on`), with the bounds stored there. */
  dependsOn: Map<string, CatalogueRelation>;
  instances: number;
  /** Statuses of the subscriptions owning instances of this block. */
  ownerStatuses: Set<string>;
  /** Instance relations from this block's instances in the data: depends_on block name → `domain_model_attr`s. */
  attributes: Map<string, Set<string>>;
}

export interface DbCatalogue {
  products: Map<string, CatalogueProduct>;
  blocks: Map<string, CatalogueBlock>;
  /** Resource type name → description. */
  resourceTypes: Map<string, string | null>;
}

/**
 * Read the catalogue and its use by subscriptions; a constant number of queries. The shapes are plain maps keyed by
 * name, the way the models name things (orchestrator-core's `diff_product_in_database` compares by name too).
 */
export async function readCatalogue(db: Kysely<Database>): Promise<DbCatalogue> {
  const products = await db.selectFrom("products").select(["product_id", "name", "product_type"]).execute();
  const fixed = await db.selectFrom("fixed_inputs").select(["product_id", "name", "value"]).execute();
  const ppb = await db
    .selectFrom("product_product_blocks as l")
    .innerJoin("product_blocks as b", "b.product_block_id", "l.product_block_id")
    .select(["l.product_id", "b.name"])
    .execute();
  const productStatuses = await db.selectFrom("subscriptions").select(["product_id", "status"]).distinct().execute();
  const blocks = await db.selectFrom("product_blocks").select(["product_block_id", "name", "description", "tag", "status"]).execute();
  const links = await db
    .selectFrom("product_block_resource_types as l")
    .innerJoin("resource_types as r", "r.resource_type_id", "l.resource_type_id")
    .select(["l.product_block_id", "r.resource_type"])
    .execute();
  const relations = await db
    .selectFrom("product_block_relations as r")
    .innerJoin("product_blocks as d", "d.product_block_id", "r.depends_on_id")
    .select(["r.in_use_by_id", "d.name", "r.min", "r.max"])
    .execute();
  const instances = await sql<{ product_block_id: string; status: string; n: string | number }>`
    SELECT si.product_block_id, s.status, count(*) AS n
    FROM subscription_instances si JOIN subscriptions s ON s.subscription_id = si.subscription_id
    GROUP BY si.product_block_id, s.status`.execute(db);
  const attributes = await sql<{ in_use_by: string; depends_on: string; attr: string }>`
    SELECT DISTINCT u.product_block_id AS in_use_by, pb.name AS depends_on, r.domain_model_attr AS attr
    FROM subscription_instance_relations r
    JOIN subscription_instances u ON u.subscription_instance_id = r.in_use_by_id
    JOIN subscription_instances d ON d.subscription_instance_id = r.depends_on_id
    JOIN product_blocks pb ON pb.product_block_id = d.product_block_id
    WHERE r.domain_model_attr IS NOT NULL`.execute(db);
  const rts = await db.selectFrom("resource_types").select(["resource_type", "description"]).execute();

  const catalogue: DbCatalogue = {
    products: new Map(),
    blocks: new Map(),
    resourceTypes: new Map(rts.map((r) => [r.resource_type, r.description])),
  };
  for (const p of products) {
    catalogue.products.set(p.name, {
      product_type: p.product_type,
      fixedInputs: new Map(fixed.filter((f) => f.product_id === p.product_id).map((f) => [f.name, f.value])),
      blocks: new Set(ppb.filter((l) => l.product_id === p.product_id).map((l) => l.name)),
      statuses: new Set(productStatuses.filter((s) => s.product_id === p.product_id).map((s) => s.status)),
    });
  }
  for (const b of blocks) {
    const mine = instances.rows.filter((i) => i.product_block_id === b.product_block_id);
    const used = new Map<string, Set<string>>();
    for (const a of attributes.rows.filter((r) => r.in_use_by === b.product_block_id)) {
      (used.get(a.depends_on) ?? used.set(a.depends_on, new Set()).get(a.depends_on)!).add(a.attr);
    }
    catalogue.blocks.set(b.name, {
      description: b.description,
      tag: b.tag,
      status: b.status,
      resourceTypes: new Set(links.filter((l) => l.product_block_id === b.product_block_id).map((l) => l.resource_type)),
      dependsOn: new Map(relations.filter((r) => r.in_use_by_id === b.product_block_id).map((r) => [r.name, { min: r.min, max: r.max }])),
      instances: mine.reduce((n, i) => n + Number(i.n), 0),
      ownerStatuses: new Set(mine.map((i) => i.status)),
      attributes: used,
    });
  }
  return catalogue;
}
