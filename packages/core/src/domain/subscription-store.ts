/**
 * Storage of subscriptions the way orchestrator-core stores them: the `subscriptions` row; one
 * `subscription_instances` row per product-block instance; one `subscription_instance_values` row per scalar value
 * (lists: one row per element), as strings; one `subscription_instance_relations` row per block-in-block reference,
 * with the attribute name (`domain_model_attr`) and list position (`order_id`). A block owned by another subscription
 * (a User's reference to its User Group's block) is stored as a relation only, never copied or changed.
 *
 * This module is the model-independent layer: it reads and writes trees of plain stored blocks in a constant number
 * of statements, whatever the size of the tree. The typed models build on it.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";

export interface StoredBlock {
  subscription_instance_id: string;
  /** The subscription that owns (and saves) this block. */
  owner_subscription_id: string;
  /** The product block's name (`product_blocks.name`). */
  name: string;
  label: string | null;
  /** Resource type → values as stored (a scalar field has one, a list field several). */
  values: Record<string, string[]>;
  /** Attribute → referenced blocks in order (a single reference is a list of one). */
  relations: Record<string, StoredBlock[]>;
  /** Instances of other subscriptions that use this block: their ids and owners. */
  in_use_by: { subscription_instance_id: string; subscription_id: string }[];
}

export interface StoredSubscription {
  subscription_id: string;
  product_id: string;
  customer_id: string;
  description: string;
  status: string;
  insync: boolean;
  start_date: Date | null;
  end_date: Date | null;
  note: string | null;
  version: number;
  product: { product_id: string; name: string; description: string; product_type: string; tag: string; status: string };
  fixed_inputs: Record<string, string>;
  /** The subscription's root blocks (owned blocks no other block of it uses), by block name, in a stable order. */
  blocks: StoredBlock[];
}

export class StaleDataError extends OrchestratorError {
  constructor(subscriptionId: string, expected: number, actual: number) {
    super("stale_data", `Stale data: subscription ${subscriptionId} has version ${actual}, not ${expected}; reload it and try again`);
  }
}

export class SubscriptionNotFoundError extends OrchestratorError {
  constructor(subscriptionId: string) {
    super("not_found", `Subscription with id: ${subscriptionId}, does not exist`);
  }
}

/** Load a subscription with its whole block tree (including referenced blocks of other subscriptions): 5 queries. */
export async function loadStoredSubscription(db: Kysely<Database>, subscriptionId: string): Promise<StoredSubscription> {
  const sub = await db
    .selectFrom("subscriptions as s")
    .innerJoin("products as p", "p.product_id", "s.product_id")
    .selectAll("s")
    .select(["p.name as product_name", "p.description as product_description", "p.product_type", "p.tag", "p.status as product_status"])
    .where("s.subscription_id", "=", subscriptionId)
    .executeTakeFirst();
  if (!sub) throw new SubscriptionNotFoundError(subscriptionId);
  const fixed = await db.selectFrom("fixed_inputs").select(["name", "value"]).where("product_id", "=", sub.product_id).execute();
  // every instance reachable from this subscription's own instances through relations
  const instances = await sql<{ subscription_instance_id: string; subscription_id: string; label: string | null; name: string }>`
    WITH RECURSIVE tree(id) AS (
      SELECT subscription_instance_id FROM subscription_instances WHERE subscription_id = ${subscriptionId}
      UNION
      SELECT r.depends_on_id FROM subscription_instance_relations r JOIN tree t ON r.in_use_by_id = t.id
    )
    SELECT si.subscription_instance_id, si.subscription_id, si.label, pb.name
    FROM subscription_instances si JOIN product_blocks pb ON pb.product_block_id = si.product_block_id
    WHERE si.subscription_instance_id IN (SELECT id FROM tree)
    ORDER BY si.subscription_instance_id`.execute(db);
  const ids = instances.rows.map((r) => r.subscription_instance_id);
  const values = ids.length
    ? await sql<{ subscription_instance_id: string; resource_type: string; value: string }>`
        SELECT v.subscription_instance_id, rt.resource_type, v.value
        FROM subscription_instance_values v JOIN resource_types rt ON rt.resource_type_id = v.resource_type_id
        WHERE v.subscription_instance_id = ANY(${ids}::uuid[])
        ORDER BY v.subscription_instance_id, rt.resource_type, v.value`.execute(db)
    : { rows: [] };
  const relations = ids.length
    ? await sql<{ in_use_by_id: string; depends_on_id: string; order_id: number; domain_model_attr: string | null; user_subscription_id: string }>`
        SELECT r.in_use_by_id, r.depends_on_id, r.order_id, r.domain_model_attr, u.subscription_id AS user_subscription_id
        FROM subscription_instance_relations r JOIN subscription_instances u ON u.subscription_instance_id = r.in_use_by_id
        WHERE r.in_use_by_id = ANY(${ids}::uuid[]) OR r.depends_on_id = ANY(${ids}::uuid[])
        ORDER BY r.in_use_by_id, r.domain_model_attr, r.order_id`.execute(db)
    : { rows: [] };

  const blocks = new Map<string, StoredBlock>();
  for (const i of instances.rows) {
    blocks.set(i.subscription_instance_id, {
      subscription_instance_id: i.subscription_instance_id,
      owner_subscription_id: i.subscription_id,
      name: i.name,
      label: i.label,
      values: {},
      relations: {},
      in_use_by: [],
    });
  }
  for (const v of values.rows) (blocks.get(v.subscription_instance_id)!.values[v.resource_type] ??= []).push(v.value);
  const usedWithin = new Set<string>();
  for (const r of relations.rows) {
    const user = blocks.get(r.in_use_by_id);
    const used = blocks.get(r.depends_on_id);
    if (user && used) {
      (user.relations[r.domain_model_attr ?? used.name] ??= []).push(used);
      if (user.owner_subscription_id === subscriptionId) usedWithin.add(used.subscription_instance_id);
    }
    if (used && r.user_subscription_id !== used.owner_subscription_id) {
      used.in_use_by.push({ subscription_instance_id: r.in_use_by_id, subscription_id: r.user_subscription_id });
    }
  }
  const roots = [...blocks.values()].filter((b) => b.owner_subscription_id === subscriptionId && !usedWithin.has(b.subscription_instance_id));
  return {
    subscription_id: sub.subscription_id,
    product_id: sub.product_id,
    customer_id: sub.customer_id,
    description: sub.description,
    status: sub.status,
    insync: sub.insync,
    start_date: sub.start_date,
    end_date: sub.end_date,
    note: sub.note,
    version: sub.version,
    product: {
      product_id: sub.product_id,
      name: sub.product_name,
      description: sub.product_description,
      product_type: sub.product_type,
      tag: sub.tag,
      status: sub.product_status,
    },
    fixed_inputs: Object.fromEntries(fixed.map((f) => [f.name, f.value])),
    blocks: roots.sort((a, b) => a.name.localeCompare(b.name) || a.subscription_instance_id.localeCompare(b.subscription_instance_id)),
  };
}

export interface SaveOptions {
  /** The version the caller loaded; the save is refused when the row has moved on (optimistic locking). */
  expectedVersion?: number;
}

/**
 * Save a subscription and the blocks it owns, in the given transaction, in a constant number of statements: the
 * subscription row (inserted or updated; its version is bumped by the database), the owned instances, their values
 * and relations (replaced), and owned instances no longer in the tree are deleted. Blocks of other subscriptions are
 * referenced, never written. Returns the new version.
 */
export async function saveStoredSubscription(
  trx: Transaction<Database> | Kysely<Database>,
  sub: Omit<StoredSubscription, "product" | "fixed_inputs" | "version">,
  options: SaveOptions = {},
): Promise<number> {
  const id = sub.subscription_id;
  const row = {
    product_id: sub.product_id,
    customer_id: sub.customer_id,
    description: sub.description,
    status: sub.status,
    insync: sub.insync,
    start_date: sub.start_date,
    end_date: sub.end_date,
    note: sub.note && sub.note.trim() !== "" ? sub.note : null,
  };
  const updated = await trx
    .updateTable("subscriptions")
    .set(row)
    .where("subscription_id", "=", id)
    .$if(options.expectedVersion !== undefined, (q) => q.where("version", "=", options.expectedVersion!))
    .returning("version")
    .executeTakeFirst();
  let version: number;
  if (updated) version = updated.version;
  else {
    const existing = await trx.selectFrom("subscriptions").select("version").where("subscription_id", "=", id).executeTakeFirst();
    if (existing) throw new StaleDataError(id, options.expectedVersion!, existing.version);
    version = (await trx.insertInto("subscriptions").values({ subscription_id: id, ...row }).returning("version").executeTakeFirstOrThrow()).version;
  }

  // the owned blocks of the tree (foreign ones are leaves: referenced, not walked into)
  const owned = new Map<string, StoredBlock>();
  const walk = (block: StoredBlock) => {
    if (block.owner_subscription_id !== id || owned.has(block.subscription_instance_id)) return;
    owned.set(block.subscription_instance_id, block);
    for (const list of Object.values(block.relations)) list.forEach(walk);
  };
  sub.blocks.forEach(walk);
  const blocks = [...owned.values()];
  const ids = blocks.map((b) => b.subscription_instance_id);

  // names → ids of blocks and resource types, checking the model against the product blocks in the database
  const blockNames = [...new Set(blocks.map((b) => b.name))];
  const pbRows = blockNames.length
    ? await trx
        .selectFrom("product_blocks as pb")
        .leftJoin("product_block_resource_types as l", "l.product_block_id", "pb.product_block_id")
        .leftJoin("resource_types as rt", "rt.resource_type_id", "l.resource_type_id")
        .select(["pb.name", "pb.product_block_id", "rt.resource_type", "rt.resource_type_id"])
        .where("pb.name", "in", blockNames)
        .execute()
    : [];
  const blockIds = new Map(pbRows.map((r) => [r.name, r.product_block_id]));
  const resourceTypes = new Map<string, Map<string, string>>();
  for (const r of pbRows) if (r.resource_type) (resourceTypes.get(r.name) ?? resourceTypes.set(r.name, new Map()).get(r.name)!).set(r.resource_type, r.resource_type_id!);
  for (const b of blocks) {
    if (!blockIds.has(b.name)) throw new OrchestratorError("model_mismatch", `Product block ${b.name} does not exist in the database`);
    const missing = Object.keys(b.values).filter((rt) => !resourceTypes.get(b.name)?.has(rt));
    if (missing.length) {
      throw new OrchestratorError("model_mismatch", `Domain model ${b.name} does not match the product block ${b.name} in the database, missing: ${missing.join(", ")}`);
    }
  }

  if (ids.length) {
    await sql`
      INSERT INTO subscription_instances (subscription_instance_id, subscription_id, product_block_id, label)
      SELECT * FROM unnest(${ids}::uuid[], ${ids.map(() => id)}::uuid[], ${blocks.map((b) => blockIds.get(b.name)!)}::uuid[], ${blocks.map((b) => b.label)}::text[])
      ON CONFLICT (subscription_instance_id) DO UPDATE SET label = EXCLUDED.label, product_block_id = EXCLUDED.product_block_id`.execute(trx);
    await sql`DELETE FROM subscription_instance_values WHERE subscription_instance_id = ANY(${ids}::uuid[])`.execute(trx);
    await sql`DELETE FROM subscription_instance_relations WHERE in_use_by_id = ANY(${ids}::uuid[])`.execute(trx);
  }
  const values = blocks.flatMap((b) =>
    Object.entries(b.values).flatMap(([rt, list]) => list.map((value) => [b.subscription_instance_id, resourceTypes.get(b.name)!.get(rt)!, value] as const)),
  );
  if (values.length) {
    await sql`
      INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value)
      SELECT * FROM unnest(${values.map((v) => v[0])}::uuid[], ${values.map((v) => v[1])}::uuid[], ${values.map((v) => v[2])}::text[])`.execute(trx);
  }
  const relations = blocks.flatMap((b) =>
    Object.entries(b.relations).flatMap(([attr, list]) => list.map((child, order) => [b.subscription_instance_id, child.subscription_instance_id, order, attr] as const)),
  );
  if (relations.length) {
    await sql`
      INSERT INTO subscription_instance_relations (in_use_by_id, depends_on_id, order_id, domain_model_attr)
      SELECT * FROM unnest(${relations.map((r) => r[0])}::uuid[], ${relations.map((r) => r[1])}::uuid[], ${relations.map((r) => r[2])}::int[], ${relations.map((r) => r[3])}::text[])`.execute(trx);
  }
  // owned instances that are no longer part of the subscription
  await sql`DELETE FROM subscription_instances WHERE subscription_id = ${id} AND NOT (subscription_instance_id = ANY(${ids}::uuid[]))`.execute(trx);
  return version;
}
