/**
 * SQL that `db migrate-domain-models` writes for the subscriptions of a changed model: new block instances (with
 * their instance relations and default values) for existing subscriptions, and the removal of instances, values and
 * relations a model no longer has, backed up so that the downgrade brings them back.
 *
 * Every statement is plain text that names products, blocks and resource types by name and finds the subscriptions
 * it changes when it runs, so a migration generated against one database does the right thing on another one
 * (orchestrator-core's `product_block_helpers.py` / `product_helpers.py` list the subscription ids of the database
 * the migration was generated on instead).
 */

/** A SQL string literal. */
export const q = (value: string): string => `'${value.replace(/'/g, "''")}'`;
export const productId = (name: string): string => `(SELECT product_id FROM products WHERE name = ${q(name)})`;
export const blockId = (name: string): string => `(SELECT product_block_id FROM product_blocks WHERE name = ${q(name)})`;
export const rtId = (name: string): string => `(SELECT resource_type_id FROM resource_types WHERE resource_type = ${q(name)})`;

/**
 * A set of subscription instances as a query with the columns `id` (subscription_instance_id) and `sub` (the
 * owning subscription), evaluated when the statement using it runs.
 */
export interface InstanceSet {
  readonly sql: string;
  /** The block of every instance in the set. */
  readonly block: string;
}

/** Every instance of `block`. */
export function allInstances(block: string): InstanceSet {
  return {
    block,
    sql: `SELECT si.subscription_instance_id AS id, si.subscription_id AS sub FROM subscription_instances si WHERE si.product_block_id = ${blockId(block)}`,
  };
}

/** Whether instance `alias` is used by another instance of its own subscription (so it is not a root block). */
const usedWithin = (alias: string) =>
  `EXISTS (SELECT 1 FROM subscription_instance_relations ur JOIN subscription_instances uu ON uu.subscription_instance_id = ur.in_use_by_id ` +
  `WHERE ur.depends_on_id = ${alias}.subscription_instance_id AND uu.subscription_id = ${alias}.subscription_id)`;

/** The root instances of `block` in the subscriptions of `product` (how a product type's own block is stored). */
export function rootInstances(product: string, block: string): InstanceSet {
  return {
    block,
    sql:
      `SELECT si.subscription_instance_id AS id, si.subscription_id AS sub FROM subscription_instances si ` +
      `JOIN subscriptions s ON s.subscription_id = si.subscription_id ` +
      `WHERE s.product_id = ${productId(product)} AND si.product_block_id = ${blockId(block)} AND NOT ${usedWithin("si")}`,
  };
}

/**
 * The instances of `block` that instances of `parents` use under attribute `attr`; with `owned`, only those of the
 * user's own subscription (a block of another subscription is referenced, never removed with its user).
 */
export function childInstances(parents: InstanceSet, attr: string, block: string, options: { owned?: boolean } = {}): InstanceSet {
  return {
    block,
    sql:
      `SELECT DISTINCT c.subscription_instance_id AS id, c.subscription_id AS sub FROM subscription_instance_relations r ` +
      `JOIN subscription_instances c ON c.subscription_instance_id = r.depends_on_id ` +
      `JOIN (${parents.sql}) p ON p.id = r.in_use_by_id ` +
      `WHERE r.domain_model_attr = ${q(attr)} AND c.product_block_id = ${blockId(block)}` +
      (options.owned ? ` AND c.subscription_id = p.sub` : ""),
  };
}

/**
 * The instances of `block` that instances of `parent` use and own (same subscription), under any attribute or, with
 * `notAttrs`, under any attribute NOT listed: what disappears when the parent's model no longer has those attributes.
 */
export function ownedChildren(parent: string, block: string, notAttrs?: readonly string[]): InstanceSet {
  return {
    block,
    sql:
      `SELECT DISTINCT c.subscription_instance_id AS id, c.subscription_id AS sub FROM subscription_instance_relations r ` +
      `JOIN subscription_instances u ON u.subscription_instance_id = r.in_use_by_id ` +
      `JOIN subscription_instances c ON c.subscription_instance_id = r.depends_on_id ` +
      `WHERE u.product_block_id = ${blockId(parent)} AND c.product_block_id = ${blockId(block)} AND c.subscription_id = u.subscription_id` +
      attrCondition("r", notAttrs),
  };
}

/** The condition on relations `r` from instances of `parent` to instances of `block` (attributes as in ownedChildren). */
export function relationCondition(parent: string, block: string, notAttrs?: readonly string[]): string {
  return (
    `r.in_use_by_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(parent)}) ` +
    `AND r.depends_on_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(block)})` +
    attrCondition("r", notAttrs)
  );
}

function attrCondition(alias: string, notAttrs: readonly string[] | undefined): string {
  if (notAttrs === undefined || notAttrs.length === 0) return "";
  return ` AND ${alias}.domain_model_attr NOT IN (${notAttrs.map(q).join(", ")})`;
}

/**
 * Give every subscription of `product` that has no root instance of `block` yet `count` new ones (a product type's
 * new root block; orchestrator-core's `generate_create_product_instance_relations_sql`).
 */
export function createRootInstances(product: string, block: string, count: number): string {
  return (
    `INSERT INTO subscription_instances (subscription_id, product_block_id) ` +
    `SELECT s.subscription_id, ${blockId(block)} FROM subscriptions s CROSS JOIN generate_series(1, ${count}) AS k(n) ` +
    `WHERE s.product_id = ${productId(product)} ` +
    `AND NOT EXISTS (SELECT 1 FROM (${rootInstances(product, block).sql}) x WHERE x.sub = s.subscription_id)`
  );
}

/**
 * Give every instance of `parents` that has no relation under `attr` yet `count` new instances of `block`, owned by
 * the parent's subscription and related to it under `attr` with order_id 0…count-1, in one statement
 * (orchestrator-core's `generate_create_product_block_instance_relations_sql`, which gives exactly one).
 */
export function createChildInstances(parents: InstanceSet, attr: string, block: string, count: number): string {
  return (
    `WITH parents AS MATERIALIZED (` +
    `SELECT p.id, p.sub, k.n AS order_id, gen_random_uuid() AS child ` +
    `FROM (SELECT DISTINCT id, sub FROM (${parents.sql}) x) p CROSS JOIN generate_series(0, ${count - 1}) AS k(n) ` +
    `WHERE NOT EXISTS (SELECT 1 FROM subscription_instance_relations r WHERE r.in_use_by_id = p.id AND r.domain_model_attr = ${q(attr)})` +
    `), created AS (` +
    `INSERT INTO subscription_instances (subscription_instance_id, subscription_id, product_block_id) ` +
    `SELECT child, sub, ${blockId(block)} FROM parents RETURNING subscription_instance_id` +
    `) INSERT INTO subscription_instance_relations (in_use_by_id, depends_on_id, order_id, domain_model_attr) ` +
    `SELECT id, child, order_id, ${q(attr)} FROM parents`
  );
}

/** Delete the instances of a set; their values and relations go by cascade. */
export function deleteInstances(set: InstanceSet): string {
  return `DELETE FROM subscription_instances WHERE subscription_instance_id IN (SELECT id FROM (${set.sql}) x)`;
}

/** Give every instance of `set` without a value of `resourceType` the value `value`. */
export function insertDefaultValues(set: InstanceSet, resourceType: string, value: string): string {
  return (
    `INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value) ` +
    `SELECT DISTINCT x.id, ${rtId(resourceType)}, ${q(value)} FROM (${set.sql}) x ` +
    `WHERE NOT EXISTS (SELECT 1 FROM subscription_instance_values v WHERE v.subscription_instance_id = x.id AND v.resource_type_id = ${rtId(resourceType)})`
  );
}

/** Delete the values of `resourceType` of the instances of `set`. */
export function deleteValues(set: InstanceSet, resourceType: string): string {
  return (
    `DELETE FROM subscription_instance_values WHERE resource_type_id = ${rtId(resourceType)} ` +
    `AND subscription_instance_id IN (SELECT id FROM (${set.sql}) x)`
  );
}

/**
 * The instances of `seed` and every instance they own below them (same subscription, through relations): what goes
 * when the seed goes. Instances of other subscriptions are referenced, never owned, so they stay.
 */
export function ownedClosure(seed: InstanceSet): InstanceSet {
  return {
    block: seed.block,
    sql:
      `WITH RECURSIVE doomed(id, sub) AS (SELECT id, sub FROM (${seed.sql}) s UNION ` +
      `SELECT c.subscription_instance_id, c.subscription_id FROM subscription_instance_relations r ` +
      `JOIN doomed d ON r.in_use_by_id = d.id ` +
      `JOIN subscription_instances c ON c.subscription_instance_id = r.depends_on_id AND c.subscription_id = d.sub) ` +
      `SELECT id, sub FROM doomed`,
  };
}

// -----------------------------------------------------------------------------------------------------------------
// backups: what an upgrade deletes from subscriptions, kept for its downgrade
// -----------------------------------------------------------------------------------------------------------------

/** The table that keeps deleted subscription data between an upgrade and its downgrade, by backup key. */
export const BACKUP_TABLE = "domain_model_migration_backups";

export function createBackupTable(): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${BACKUP_TABLE} (backup_key varchar(64) NOT NULL, kind varchar(16) NOT NULL, ` +
    `data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`
  );
}

const backupInsert = (key: string, kind: string) => `INSERT INTO ${BACKUP_TABLE} (backup_key, kind, data) SELECT ${q(key)}, ${q(kind)}, `;

/**
 * Back up the instances of `set` with their values and every relation from or to them (blocks and resource types
 * by name, so the downgrade finds them again when it has re-created them with new ids).
 */
export function backupInstances(key: string, set: InstanceSet): string[] {
  const ids = `(SELECT id FROM (${set.sql}) x)`;
  return [
    backupInsert(key, "instance") +
      `jsonb_build_object('subscription_instance_id', si.subscription_instance_id, 'subscription_id', si.subscription_id, 'block', pb.name, 'label', si.label) ` +
      `FROM subscription_instances si JOIN product_blocks pb ON pb.product_block_id = si.product_block_id WHERE si.subscription_instance_id IN ${ids}`,
    ...backupValues(key, `v.subscription_instance_id IN ${ids}`),
    ...backupRelations(key, `r.in_use_by_id IN ${ids} OR r.depends_on_id IN ${ids}`),
  ];
}

/** Back up the values `v` (subscription_instance_values) matching `condition`. */
export function backupValues(key: string, condition: string): string[] {
  return [
    backupInsert(key, "value") +
      `jsonb_build_object('subscription_instance_value_id', v.subscription_instance_value_id, 'subscription_instance_id', v.subscription_instance_id, 'resource_type', rt.resource_type, 'value', v.value) ` +
      `FROM subscription_instance_values v JOIN resource_types rt ON rt.resource_type_id = v.resource_type_id WHERE ${condition}`,
  ];
}

/** Back up the relations `r` (subscription_instance_relations) matching `condition`. */
export function backupRelations(key: string, condition: string): string[] {
  return [
    backupInsert(key, "relation") +
      `jsonb_build_object('in_use_by_id', r.in_use_by_id, 'depends_on_id', r.depends_on_id, 'order_id', r.order_id, 'domain_model_attr', r.domain_model_attr) ` +
      `FROM subscription_instance_relations r WHERE ${condition}`,
  ];
}

/**
 * Put back everything backed up under `key` — instances (of subscriptions that still exist), then their values, then
 * relations whose two ends exist — with their original ids, and forget the backup. Rows that exist already (or were
 * backed up twice) are put back once.
 */
export function restoreBackup(key: string): string[] {
  const rows = (kind: string) => `FROM ${BACKUP_TABLE} b WHERE b.backup_key = ${q(key)} AND b.kind = ${q(kind)}`;
  const uuid = (field: string) => `(b.data->>'${field}')::uuid`;
  return [
    `INSERT INTO subscription_instances (subscription_instance_id, subscription_id, product_block_id, label) ` +
      `SELECT ${uuid("subscription_instance_id")}, ${uuid("subscription_id")}, (SELECT product_block_id FROM product_blocks WHERE name = b.data->>'block'), b.data->>'label' ` +
      `${rows("instance")} AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscription_id = ${uuid("subscription_id")}) ON CONFLICT DO NOTHING`,
    `INSERT INTO subscription_instance_values (subscription_instance_value_id, subscription_instance_id, resource_type_id, value) ` +
      `SELECT ${uuid("subscription_instance_value_id")}, ${uuid("subscription_instance_id")}, (SELECT resource_type_id FROM resource_types WHERE resource_type = b.data->>'resource_type'), b.data->>'value' ` +
      `${rows("value")} AND EXISTS (SELECT 1 FROM subscription_instances si WHERE si.subscription_instance_id = ${uuid("subscription_instance_id")}) ON CONFLICT DO NOTHING`,
    `INSERT INTO subscription_instance_relations (in_use_by_id, depends_on_id, order_id, domain_model_attr) ` +
      `SELECT ${uuid("in_use_by_id")}, ${uuid("depends_on_id")}, (b.data->>'order_id')::int, b.data->>'domain_model_attr' ` +
      `${rows("relation")} AND EXISTS (SELECT 1 FROM subscription_instances si WHERE si.subscription_instance_id = ${uuid("in_use_by_id")}) ` +
      `AND EXISTS (SELECT 1 FROM subscription_instances si WHERE si.subscription_instance_id = ${uuid("depends_on_id")}) ON CONFLICT DO NOTHING`,
    `DELETE FROM ${BACKUP_TABLE} WHERE backup_key = ${q(key)}`,
  ];
}
