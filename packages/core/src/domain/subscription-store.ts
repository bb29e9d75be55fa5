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
import { namedStatement, type Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";

/**
 * A statement whose placeholders are $1 … $n, each once and in order, run through Kysely (so that its plugins see it,
 * as a raw query) and, on a server, as a named prepared statement (see namedStatement): Kysely numbers the
 * parameters of a template the same way, so the text it sends is this one.
 */
function preparedStatement(name: string, text: string) {
  const numbers = [...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  if (numbers.some((n, i) => n !== i + 1)) throw new Error(`${name}: placeholders must be $1 … $n in order`);
  namedStatement(name, text);
  const fragments = text.split(/\$\d+/);
  const strings = Object.assign([...fragments], { raw: [...fragments] }) as unknown as TemplateStringsArray;
  return async <R>(db: Kysely<Database>, parameters: readonly unknown[]): Promise<R[]> => {
    if (parameters.length !== numbers.length) throw new Error(`${name}: ${numbers.length} parameters expected`);
    return (await sql<R>(strings, ...parameters).execute(db)).rows;
  };
}

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

/**
 * The whole load in one statement (a round trip and a plan per load, not five): the subscription row with its
 * product, the fixed inputs, and every instance reachable from the subscription's own instances through relations
 * with their values and relations, as JSON arrays in a stable order. Columns are listed, not `s.*`, so that the
 * prepared statement survives a column added by a migration.
 */
/** The load's columns, for the instances whose ids satisfy `inTree` (an SQL condition on an instance id column). */
const loadColumns = (inTree: (column: string) => string) => `s.subscription_id, s.product_id, s.customer_id, s.description, s.status, s.insync, s.start_date, s.end_date, s.note, s.version,
    p.name AS product_name, p.description AS product_description, p.product_type, p.tag, p.status AS product_status,
    (SELECT json_agg(json_build_array(f.name, f.value)) FROM fixed_inputs f WHERE f.product_id = s.product_id) AS fixed,
    (SELECT json_agg(json_build_array(si.subscription_instance_id, si.subscription_id, si.label, pb.name) ORDER BY si.subscription_instance_id)
      FROM subscription_instances si JOIN product_blocks pb ON pb.product_block_id = si.product_block_id
      WHERE ${inTree("si.subscription_instance_id")}) AS instances,
    (SELECT json_agg(json_build_array(v.subscription_instance_id, rt.resource_type, v.value) ORDER BY v.subscription_instance_id, rt.resource_type, v.value)
      FROM subscription_instance_values v JOIN resource_types rt ON rt.resource_type_id = v.resource_type_id
      WHERE ${inTree("v.subscription_instance_id")}) AS vals,
    (SELECT json_agg(json_build_array(r.in_use_by_id, r.depends_on_id, r.order_id, r.domain_model_attr, u.subscription_id) ORDER BY r.in_use_by_id, r.domain_model_attr, r.order_id)
      FROM subscription_instance_relations r JOIN subscription_instances u ON u.subscription_instance_id = r.in_use_by_id
      WHERE ${inTree("r.in_use_by_id")} OR ${inTree("r.depends_on_id")}) AS rels`;

/** The instances reachable from subscription `owner`'s own instances through relations (a recursive query's body). */
const treeOf = (owner: string) => `SELECT subscription_instance_id FROM subscription_instances WHERE subscription_id = ${owner}
    UNION
    SELECT r.depends_on_id FROM subscription_instance_relations r JOIN tree t ON r.in_use_by_id = t.id`;

const loadStatement = preparedStatement(
  "orchestrator_load_subscription",
  `WITH RECURSIVE tree(id) AS (
    ${treeOf("$1")}
  )
  SELECT ${loadColumns((column) => `${column} IN (SELECT id FROM tree)`)}
  FROM subscriptions s JOIN products p ON p.product_id = s.product_id
  WHERE s.subscription_id = $2`,
);

/** The same load for many subscriptions in one statement (each one's tree in a lateral subquery). */
const loadManyStatement = preparedStatement(
  "orchestrator_load_subscriptions",
  `SELECT ${loadColumns((column) => `${column} = ANY (t.ids)`)}
  FROM subscriptions s JOIN products p ON p.product_id = s.product_id
  CROSS JOIN LATERAL (
    WITH RECURSIVE tree(id) AS (
      ${treeOf("s.subscription_id")}
    )
    SELECT coalesce(array_agg(id), '{}') AS ids FROM tree
  ) t
  WHERE s.subscription_id = ANY ($1::uuid[])`,
);

interface LoadRow {
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
  product_name: string;
  product_description: string;
  product_type: string;
  tag: string;
  product_status: string;
  fixed: [string, string][] | null;
  instances: [string, string, string | null, string][] | null;
  vals: [string, string, string][] | null;
  rels: [string, string, number, string | null, string][] | null;
}

/** Load a subscription with its whole block tree (including referenced blocks of other subscriptions): one query. */
export async function loadStoredSubscription(db: Kysely<Database>, subscriptionId: string): Promise<StoredSubscription> {
  const [sub] = await loadStatement<LoadRow>(db, [subscriptionId, subscriptionId]);
  if (!sub) throw new SubscriptionNotFoundError(subscriptionId);
  return storedFromRow(sub);
}

/**
 * Load many subscriptions with their block trees in one statement (for lists: GraphQL's productBlockInstances).
 * Answers one entry per id, in order: the subscription, or a SubscriptionNotFoundError.
 */
export async function loadStoredSubscriptions(db: Kysely<Database>, subscriptionIds: readonly string[]): Promise<(StoredSubscription | SubscriptionNotFoundError)[]> {
  if (subscriptionIds.length === 0) return [];
  const rows = await loadManyStatement<LoadRow>(db, [[...new Set(subscriptionIds)]]);
  const byId = new Map(rows.map((row) => [row.subscription_id, row]));
  return subscriptionIds.map((id) => {
    const row = byId.get(id);
    return row ? storedFromRow(row) : new SubscriptionNotFoundError(id);
  });
}

/** The list under `key`, made if missing; an own property only (a field named like one of Object's, e.g. constructor). */
function ownList<T>(record: Record<string, T[]>, key: string): T[] {
  if (!Object.hasOwn(record, key)) record[key] = [];
  return record[key]!;
}

function storedFromRow(sub: LoadRow): StoredSubscription {
  const subscriptionId = sub.subscription_id;

  const blocks = new Map<string, StoredBlock>();
  for (const [id, owner, label, name] of sub.instances ?? []) {
    blocks.set(id, { subscription_instance_id: id, owner_subscription_id: owner, name, label, values: {}, relations: {}, in_use_by: [] });
  }
  for (const [id, resourceType, value] of sub.vals ?? []) ownList(blocks.get(id)!.values, resourceType).push(value);
  const usedWithin = new Set<string>();
  for (const [inUseById, dependsOnId, , attr, userSubscriptionId] of sub.rels ?? []) {
    const user = blocks.get(inUseById);
    const used = blocks.get(dependsOnId);
    if (user && used) {
      ownList(user.relations, attr ?? used.name).push(used);
      if (user.owner_subscription_id === subscriptionId) usedWithin.add(used.subscription_instance_id);
    }
    if (used && userSubscriptionId !== used.owner_subscription_id) {
      used.in_use_by.push({ subscription_instance_id: inUseById, subscription_id: userSubscriptionId });
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
    fixed_inputs: Object.fromEntries(sub.fixed ?? []),
    blocks: roots.sort((a, b) => a.name.localeCompare(b.name) || a.subscription_instance_id.localeCompare(b.subscription_instance_id)),
  };
}

/**
 * What is stored of a subscription's own blocks at one version, per instance: enough for the next save to write
 * only what changed. Made by a load (`ownedSnapshot`) or a save (`writeSubscription`).
 */
export interface OwnedSnapshot {
  /** The version it is of; null for a subscription not stored yet (a new model). */
  version: number | null;
  /** Owned instance id → keys of its row (block, label), its values and its relations. */
  blocks: Map<string, BlockKeys>;
}

interface BlockKeys {
  row: string;
  values: string;
  relations: string;
}

/** The owned blocks of a tree (foreign ones are leaves: referenced, not walked into). */
function ownedBlocks(subscriptionId: string, roots: readonly StoredBlock[]): StoredBlock[] {
  const owned = new Map<string, StoredBlock>();
  const walk = (block: StoredBlock) => {
    if (block.owner_subscription_id !== subscriptionId || owned.has(block.subscription_instance_id)) return;
    owned.set(block.subscription_instance_id, block);
    for (const list of Object.values(block.relations)) list.forEach(walk);
  };
  roots.forEach(walk);
  return [...owned.values()];
}

/**
 * Keys that are equal exactly when the rows stored for the block would be: values as a multiset per resource type
 * (the database keeps no order among them), relations in order per attribute.
 */
function blockKeys(block: StoredBlock): BlockKeys {
  const values = Object.keys(block.values)
    .filter((rt) => block.values[rt]!.length > 0)
    .sort()
    .map((rt) => [rt, [...block.values[rt]!].sort()]);
  const relations = Object.keys(block.relations)
    .filter((attr) => block.relations[attr]!.length > 0)
    .sort()
    .map((attr) => [attr, block.relations[attr]!.map((child) => child.subscription_instance_id)]);
  return { row: JSON.stringify([block.name, block.label]), values: JSON.stringify(values), relations: JSON.stringify(relations) };
}

/** The snapshot of what a load read: every instance the subscription owns. */
export function ownedSnapshot(stored: StoredSubscription): OwnedSnapshot {
  return { version: stored.version, blocks: new Map(ownedBlocks(stored.subscription_id, stored.blocks).map((b) => [b.subscription_instance_id, blockKeys(b)])) };
}

export interface SaveOptions {
  /** The version the caller loaded; the save is refused when the row has moved on (optimistic locking). */
  expectedVersion?: number;
}

/** The subscription row's columns a save writes, in statement parameter order ($2 …). */
const ROW_COLUMNS = "product_id, customer_id, description, status, insync, start_date, end_date, note";
/** Their placeholders from $first on (the dates typed, as the pg driver sends them as text). */
const rowParams = (first: number) => ["", "", "", "", "", "::timestamptz", "::timestamptz", ""].map((type, i) => `$${first + i}${type}`).join(", ");

/** The product blocks named in $n with their resource types, as one JSON array (the check of the model, and the ids). */
const metadata = (n: number) => `(SELECT json_agg(json_build_array(pb.name, pb.product_block_id, rt.resource_type, rt.resource_type_id))
    FROM product_blocks pb
    LEFT JOIN product_block_resource_types l ON l.product_block_id = pb.product_block_id
    LEFT JOIN resource_types rt ON rt.resource_type_id = l.resource_type_id
    WHERE pb.name = ANY($${n}::text[])) AS meta`;

/**
 * The row update (with the version check when $10), the version found before it (told apart from a missing row),
 * and the metadata of the blocks to write: one round trip.
 */
const updateStatement = preparedStatement(
  "orchestrator_save_subscription_update",
  `WITH upd AS (
    UPDATE subscriptions SET (${ROW_COLUMNS}) = ROW(${rowParams(1)})
    WHERE subscription_id = $9 AND (NOT $10::boolean OR version = $11::int)
    RETURNING version
  )
  SELECT (SELECT version FROM upd) AS version, (SELECT version FROM subscriptions WHERE subscription_id = $12) AS existing, ${metadata(13)}`,
);

/** A new subscription's row when there is none yet, and the metadata of its blocks; nothing on a conflict. */
const insertStatement = preparedStatement(
  "orchestrator_save_subscription_insert",
  `WITH ins AS (
    INSERT INTO subscriptions (subscription_id, ${ROW_COLUMNS}) VALUES ($1, ${rowParams(2)})
    ON CONFLICT (subscription_id) DO NOTHING
    RETURNING version
  )
  SELECT (SELECT version FROM ins) AS version, ${metadata(10)}`,
);

const insertPlainStatement = preparedStatement(
  "orchestrator_save_subscription_insert_plain",
  `INSERT INTO subscriptions (subscription_id, ${ROW_COLUMNS}) VALUES ($1, ${rowParams(2)}) RETURNING version`,
);

const upsertInstancesStatement = preparedStatement(
  "orchestrator_save_instances",
  `INSERT INTO subscription_instances (subscription_instance_id, subscription_id, product_block_id, label)
  SELECT i, $1::uuid, b, l FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS u(i, b, l)
  ON CONFLICT (subscription_instance_id) DO UPDATE SET label = EXCLUDED.label, product_block_id = EXCLUDED.product_block_id`,
);

/** Replace the values of the instances in $1 by the rows in $2–$4 (values rows have no key but their own id). */
const replaceValuesStatement = preparedStatement(
  "orchestrator_save_values",
  `WITH gone AS (DELETE FROM subscription_instance_values WHERE subscription_instance_id = ANY($1::uuid[]))
  INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value)
  SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[])`,
);

const deleteValuesStatement = preparedStatement("orchestrator_save_values_delete", `DELETE FROM subscription_instance_values WHERE subscription_instance_id = ANY($1::uuid[])`);

const deleteRelationsStatement = preparedStatement("orchestrator_save_relations_delete", `DELETE FROM subscription_instance_relations WHERE in_use_by_id = ANY($1::uuid[])`);

const insertRelationsStatement = preparedStatement(
  "orchestrator_save_relations",
  `INSERT INTO subscription_instance_relations (in_use_by_id, depends_on_id, order_id, domain_model_attr)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[])`,
);

const deleteStaleStatement = preparedStatement(
  "orchestrator_save_instances_stale",
  `DELETE FROM subscription_instances WHERE subscription_id = $1 AND NOT (subscription_instance_id = ANY($2::uuid[]))`,
);

type MetaRow = [name: string, productBlockId: string, resourceType: string | null, resourceTypeId: string | null];

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
  return (await writeSubscription(trx, sub, options)).version;
}

/**
 * saveStoredSubscription, and with `previous` (what is stored at the version the caller loaded, or null for a new
 * subscription) only what changed since: instances whose block or label changed, values and relations of the
 * instances whose values or relations changed, and the delete of owned instances only when some are gone. The row
 * is always written (its version is the lock) and every owned block is checked against the database as before;
 * `previous` is trusted only when the row statement proves it current (the version matched, or the row is new).
 * Returns the new version and the snapshot of what is now stored.
 */
export async function writeSubscription(
  trx: Transaction<Database> | Kysely<Database>,
  sub: Omit<StoredSubscription, "product" | "fixed_inputs" | "version">,
  options: SaveOptions & { previous?: OwnedSnapshot } = {},
): Promise<{ version: number; snapshot: OwnedSnapshot }> {
  const id = sub.subscription_id;
  const row = [
    sub.product_id,
    sub.customer_id,
    sub.description,
    sub.status,
    sub.insync,
    sub.start_date,
    sub.end_date,
    sub.note && sub.note.trim() !== "" ? sub.note : null,
  ];
  const blocks = ownedBlocks(id, sub.blocks);
  const ids = blocks.map((b) => b.subscription_instance_id);
  const blockNames = [...new Set(blocks.map((b) => b.name))];

  let version: number | undefined;
  let meta: MetaRow[] | null = null;
  let previous: OwnedSnapshot | undefined;
  if (options.previous?.version === null) {
    // a new model: insert first; a row there already (saved meanwhile) goes the update way below
    const [inserted] = await insertStatement<{ version: number | null; meta: MetaRow[] | null }>(trx, [id, ...row, blockNames]);
    if (inserted?.version != null) {
      version = inserted.version;
      meta = inserted.meta;
      previous = options.previous;
    }
  }
  if (version === undefined) {
    const check = options.expectedVersion !== undefined;
    const [updated] = await updateStatement<{ version: number | null; existing: number | null; meta: MetaRow[] | null }>(trx, [
      ...row,
      id,
      check,
      check ? options.expectedVersion : null,
      id,
      blockNames,
    ]);
    meta = updated!.meta;
    if (updated!.version != null) {
      version = updated!.version;
      if (check && options.previous && options.previous.version === options.expectedVersion) previous = options.previous;
    } else {
      if (updated!.existing != null) throw new StaleDataError(id, options.expectedVersion!, updated!.existing);
      version = (await insertPlainStatement<{ version: number }>(trx, [id, ...row]))[0]!.version;
    }
  }

  // names → ids of blocks and resource types, checking the model against the product blocks in the database
  const blockIds = new Map((meta ?? []).map((r) => [r[0], r[1]]));
  const resourceTypes = new Map<string, Map<string, string>>();
  for (const [name, , rt, rtId] of meta ?? []) if (rt) (resourceTypes.get(name) ?? resourceTypes.set(name, new Map()).get(name)!).set(rt, rtId!);
  for (const b of blocks) {
    if (!blockIds.has(b.name)) throw new OrchestratorError("model_mismatch", `Product block ${b.name} does not exist in the database`);
    const missing = Object.keys(b.values).filter((rt) => !resourceTypes.get(b.name)?.has(rt));
    if (missing.length) {
      throw new OrchestratorError("model_mismatch", `Domain model ${b.name} does not match the product block ${b.name} in the database, missing: ${missing.join(", ")}`);
    }
  }

  // what to write: everything without a trusted snapshot, else what differs from it
  const keys = new Map(blocks.map((b) => [b.subscription_instance_id, blockKeys(b)]));
  const before = (b: StoredBlock) => previous?.blocks.get(b.subscription_instance_id);
  const rows = previous ? blocks.filter((b) => before(b)?.row !== keys.get(b.subscription_instance_id)!.row) : blocks;
  const valuesChanged = previous ? blocks.filter((b) => before(b)?.values !== keys.get(b.subscription_instance_id)!.values) : blocks;
  const relationsChanged = previous ? blocks.filter((b) => before(b)?.relations !== keys.get(b.subscription_instance_id)!.relations) : blocks;
  // rows to delete first: only of instances stored before (a new instance has none)
  const storedBefore = (list: StoredBlock[]) => list.filter((b) => !previous || before(b)).map((b) => b.subscription_instance_id);

  if (rows.length) {
    await upsertInstancesStatement(trx, [id, rows.map((b) => b.subscription_instance_id), rows.map((b) => blockIds.get(b.name)!), rows.map((b) => b.label)]);
  }
  const values = valuesChanged.flatMap((b) =>
    Object.entries(b.values).flatMap(([rt, list]) => list.map((value) => [b.subscription_instance_id, resourceTypes.get(b.name)!.get(rt)!, value] as const)),
  );
  const valuesGone = storedBefore(valuesChanged);
  if (values.length) await replaceValuesStatement(trx, [valuesGone, values.map((v) => v[0]), values.map((v) => v[1]), values.map((v) => v[2])]);
  else if (valuesGone.length) await deleteValuesStatement(trx, [valuesGone]);
  const relationsGone = storedBefore(relationsChanged);
  if (relationsGone.length) await deleteRelationsStatement(trx, [relationsGone]);
  const relations = relationsChanged.flatMap((b) =>
    Object.entries(b.relations).flatMap(([attr, list]) => list.map((child, order) => [b.subscription_instance_id, child.subscription_instance_id, order, attr] as const)),
  );
  if (relations.length) {
    await insertRelationsStatement(trx, [relations.map((r) => r[0]), relations.map((r) => r[1]), relations.map((r) => r[2]), relations.map((r) => r[3])]);
  }
  // owned instances that are no longer part of the subscription
  if (!previous || [...previous.blocks.keys()].some((instance) => !keys.has(instance))) await deleteStaleStatement(trx, [id, ids]);
  return { version, snapshot: { version, blocks: keys } };
}
