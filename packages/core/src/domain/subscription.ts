/**
 * Subscriptions at run time: create one from a product, load one, save one, and move it to another lifecycle — the
 * typed models of `types.ts` on top of the storage of `subscription-store.ts`.
 *
 * A model is a plain JSON object (it lives in the process state between steps). Values of resource types are stored
 * as strings and parsed back by the field's type; a block owned by another subscription is kept as a reference.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { OrchestratorError } from "../errors.js";
import type { BlockField, BlockListField, FieldSpec, ResourceField } from "./fields.js";
import { isRequiredIn, SubscriptionLifecycle } from "./lifecycle.js";
import type { AnyProductBlock } from "./product-block.js";
import type { AnyProductType } from "./product-type.js";
import { modelForProduct } from "./registry.js";
import { loadStoredSubscription, ownedSnapshot, writeSubscription, type OwnedSnapshot, type StoredBlock, type StoredSubscription } from "./subscription-store.js";
import type { BlockModel, SubscriptionData, SubscriptionModel } from "./types.js";
import { parseSubscription, toLifecycle } from "./validate.js";
import { isLive, markLive, setSnapshot, snapshotOf } from "./live-model.js";

type Json = Record<string, unknown>;

/** A subscription model of any product type (what generic code such as the built-in steps handles). */
export type AnySubscriptionModel = SubscriptionData & { [field: string]: unknown };

/** Statuses a subscription that uses another may have when that other moves to a status (the original's table). */
export const SAFE_USED_BY_TRANSITIONS_FOR_STATUS: Record<SubscriptionLifecycle, readonly SubscriptionLifecycle[]> = {
  initial: ["initial"],
  active: ["initial", "provisioning", "migrating", "active", "terminated", "disabled"],
  migrating: ["initial", "migrating", "terminated"],
  provisioning: ["initial", "provisioning", "active", "terminated"],
  terminated: ["initial", "terminated"],
  disabled: ["initial", "disabled", "terminated"],
};

export class ProductNotFoundError extends OrchestratorError {
  constructor(productId: string) {
    super("not_found", `Could not find a product for the given product_id ${productId}`);
  }
}

/** True for a live subscription model (made by this module; JSON copies are not): what a step's return gets saved. */
export function isSubscriptionModel(value: unknown): value is AnySubscriptionModel {
  if (!isLive(value) || Array.isArray(value)) return false;
  const v = value as Json;
  const product = v.product as Json | undefined;
  return typeof v.subscription_id === "string" && typeof v.status === "string" && typeof product?.name === "string" && typeof v.customer_id === "string";
}

// -----------------------------------------------------------------------------------------------------------------
// new subscriptions
// -----------------------------------------------------------------------------------------------------------------

/**
 * A new instance of `block` owned by the subscription `ownerSubscriptionId`, as fromProductId makes them: a fresh
 * subscription_instance_id, resource fields empty, blocks required from "initial" made the same way. Assign it to a
 * field of that subscription's model; it is stored when the model is.
 */
export function newBlockInstance<B extends AnyProductBlock>(block: B, ownerSubscriptionId: string): BlockModel<B, "initial"> {
  return newBlock(block, ownerSubscriptionId) as BlockModel<B, "initial">;
}

function newBlock(block: AnyProductBlock, owner: string): Json {
  const instance: Json = { name: block.name, subscription_instance_id: randomUUID(), owner_subscription_id: owner, label: null };
  for (const [attr, spec] of block.fieldSpecs) instance[attr] = emptyValue(spec, owner);
  return instance;
}

/** The value of a field in a new (initial) subscription: blocks required from the start exist, everything else is empty. */
function emptyValue(spec: FieldSpec, owner: string): unknown {
  if (spec.kind === "resource") return spec.list ? [] : null;
  if (spec.kind === "block") return isRequiredIn(spec.requiredFrom, SubscriptionLifecycle.INITIAL) ? newBlock(spec.block, owner) : null;
  const count = isRequiredIn(spec.requiredFrom, SubscriptionLifecycle.INITIAL) ? spec.min : 0;
  return Array.from({ length: count }, () => newBlock(spec.block, owner));
}

export interface FromProductIdOptions {
  description?: string;
  status?: SubscriptionLifecycle;
  insync?: boolean;
  note?: string | null;
}

/**
 * A new subscription of a product, not saved yet: empty block instances for the blocks required from the start, the
 * product's fixed inputs, status `initial`. The product type comes from the registry unless given.
 */
export async function fromProductId<PT extends AnyProductType>(
  db: Kysely<Database>,
  productId: string,
  customerId: string,
  options: FromProductIdOptions & { productType?: PT } = {},
): Promise<SubscriptionModel<PT, "initial">> {
  const product = await db.selectFrom("products").selectAll().where("product_id", "=", productId).executeTakeFirst();
  if (!product) throw new ProductNotFoundError(productId);
  const productType = options.productType ?? (modelForProduct(product.name) as PT);
  if (productType.name !== product.product_type) {
    throw new OrchestratorError("model_mismatch", `Product ${product.name} has product type ${product.product_type}, not ${productType.name}`);
  }
  const fixed = await db.selectFrom("fixed_inputs").select(["name", "value"]).where("product_id", "=", productId).execute();
  const subscriptionId = randomUUID();
  const model: Json = {
    subscription_id: subscriptionId,
    customer_id: customerId,
    description: options.description ?? `Initial subscription of ${product.description}`,
    status: options.status ?? SubscriptionLifecycle.INITIAL,
    insync: options.insync ?? false,
    start_date: null,
    end_date: null,
    note: options.note ?? null,
    version: 1,
    product: productData(product),
  };
  for (const name of Object.keys(productType.fixedInputs)) model[name] = fixed.find((f) => f.name === name)?.value ?? null;
  for (const [attr, spec] of productType.blockSpecs) model[attr] = emptyValue(spec, subscriptionId);
  // nothing stored yet: the first save inserts
  setSnapshot(model, { version: null, blocks: new Map() } satisfies OwnedSnapshot);
  return markLive(model) as SubscriptionModel<PT, "initial">;
}

function productData(p: { product_id: string; name: string; description: string; product_type: string; tag: string; status: string; created_at?: Date; end_date?: Date | null }) {
  return {
    product_id: p.product_id,
    name: p.name,
    description: p.description,
    product_type: p.product_type,
    tag: p.tag,
    status: p.status,
    ...(p.created_at ? { created_at: p.created_at.toISOString() } : {}),
    ...(p.end_date !== undefined ? { end_date: p.end_date ? p.end_date.toISOString() : null } : {}),
  };
}

// -----------------------------------------------------------------------------------------------------------------
// loading
// -----------------------------------------------------------------------------------------------------------------

function parseValue(spec: ResourceField, raw: string): unknown {
  switch (spec.valueType) {
    case "integer":
      return Number.parseInt(raw, 10);
    case "number":
      return Number(raw);
    case "boolean":
      return raw === "True" || raw === "true" || raw === "1";
    default:
      return raw;
  }
}

function blockFromStored(block: AnyProductBlock, stored: StoredBlock): Json {
  const instance: Json = {
    name: stored.name,
    subscription_instance_id: stored.subscription_instance_id,
    owner_subscription_id: stored.owner_subscription_id,
    label: stored.label,
    in_use_by: stored.in_use_by,
  };
  for (const [attr, spec] of block.fieldSpecs) {
    if (spec.kind === "resource") {
      const raw = Object.hasOwn(stored.values, attr) ? stored.values[attr]! : [];
      instance[attr] = spec.list ? raw.map((v) => parseValue(spec, v)) : raw.length ? parseValue(spec, raw[0]!) : null;
    } else {
      const children = (Object.hasOwn(stored.relations, attr) ? stored.relations[attr]! : []).map((child) => blockFromStored(spec.block, child));
      instance[attr] = spec.kind === "blockList" ? children : (children[0] ?? null);
    }
  }
  return instance;
}

/** A subscription model from what is stored; the product type comes from the registry unless given. */
export function modelFromStored<PT extends AnyProductType>(stored: StoredSubscription, productType?: PT): SubscriptionModel<PT> {
  const type = productType ?? (modelForProduct(stored.product.name) as PT);
  const model: Json = {
    subscription_id: stored.subscription_id,
    customer_id: stored.customer_id,
    description: stored.description,
    status: stored.status,
    insync: stored.insync,
    start_date: stored.start_date ? stored.start_date.toISOString() : null,
    end_date: stored.end_date ? stored.end_date.toISOString() : null,
    note: stored.note,
    version: stored.version,
    product: productData(stored.product),
  };
  for (const name of Object.keys(type.fixedInputs)) model[name] = stored.fixed_inputs[name] ?? null;
  const unclaimed = [...stored.blocks];
  for (const [attr, spec] of type.blockSpecs) {
    const mine = unclaimed.filter((b) => b.name === spec.block.name);
    const taken = spec.kind === "blockList" ? mine : mine.slice(0, 1);
    for (const b of taken) unclaimed.splice(unclaimed.indexOf(b), 1);
    const blocks = taken.map((b) => blockFromStored(spec.block, b));
    model[attr] = spec.kind === "blockList" ? blocks : (blocks[0] ?? null);
  }
  setSnapshot(model, ownedSnapshot(stored));
  return markLive(model) as SubscriptionModel<PT>;
}

/** Load a subscription (its whole block tree, in a constant number of queries) as its model. */
export async function fromSubscription<PT extends AnyProductType>(
  db: Kysely<Database>,
  subscriptionId: string,
  productType?: PT,
): Promise<SubscriptionModel<PT>> {
  return modelFromStored(await loadStoredSubscription(db, subscriptionId), productType);
}

// -----------------------------------------------------------------------------------------------------------------
// saving
// -----------------------------------------------------------------------------------------------------------------

function formatValue(value: unknown): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

function blockToStored(block: AnyProductBlock, instance: Json, subscriptionId: string, path: string): StoredBlock {
  if (typeof instance !== "object" || instance === null) throw new OrchestratorError("model_invalid", `${path} is not a block instance`);
  const owner = typeof instance.owner_subscription_id === "string" ? instance.owner_subscription_id : subscriptionId;
  const stored: StoredBlock = {
    subscription_instance_id: typeof instance.subscription_instance_id === "string" ? instance.subscription_instance_id : randomUUID(),
    owner_subscription_id: owner,
    name: block.name,
    label: typeof instance.label === "string" ? instance.label : null,
    values: {},
    relations: {},
    in_use_by: [],
  };
  // keep the ids on the model too, so a saved model can be saved again
  instance.subscription_instance_id = stored.subscription_instance_id;
  instance.owner_subscription_id = owner;
  instance.name = block.name;
  for (const [attr, spec] of block.fieldSpecs) {
    const value = instance[attr];
    if (value === null || value === undefined) continue;
    if (spec.kind === "resource") stored.values[attr] = (spec.list ? (value as unknown[]) : [value]).map(formatValue);
    else {
      const list = spec.kind === "blockList" ? (value as Json[]) : [value as Json];
      stored.relations[attr] = list.map((child, i) => blockToStored((spec as BlockField | BlockListField).block, child, subscriptionId, `${path}.${attr}${spec.kind === "blockList" ? `[${i}]` : ""}`));
    }
  }
  return stored;
}

export interface SaveSubscriptionOptions {
  /** Check the model against its status first (default true). */
  validate?: boolean;
}

/**
 * Save a model in the given transaction (the step's): the subscription row and every block it owns; blocks of other
 * subscriptions are kept as references. Refused when the model is not valid for its status, or when the row changed
 * since the model was loaded (version). Updates `model.version`.
 */
export async function saveSubscription(
  db: Kysely<Database>,
  model: AnySubscriptionModel,
  options: SaveSubscriptionOptions = {},
): Promise<number> {
  const productType = modelForProduct(model.product.name);
  if (options.validate !== false) parseSubscription(productType, model.status as SubscriptionLifecycle, model);
  const m = model as unknown as Json;
  const blocks: StoredBlock[] = [];
  for (const [attr, spec] of productType.blockSpecs) {
    const value = m[attr];
    if (value === null || value === undefined) continue;
    const list = spec.kind === "blockList" ? (value as Json[]) : [value as Json];
    list.forEach((b, i) => blocks.push(blockToStored(spec.block, b, model.subscription_id, `${attr}${spec.kind === "blockList" ? `[${i}]` : ""}`)));
  }
  // the version check applies when the row exists (a new model's row is inserted); with the snapshot of what is
  // stored, only what changed is written
  const { version, snapshot } = await writeSubscription(
    db,
    {
      subscription_id: model.subscription_id,
      product_id: model.product.product_id,
      customer_id: model.customer_id,
      description: model.description,
      status: model.status,
      insync: model.insync,
      start_date: model.start_date ? new Date(model.start_date) : null,
      end_date: model.end_date ? new Date(model.end_date) : null,
      note: model.note,
      blocks,
    },
    { expectedVersion: model.version, previous: snapshotOf<OwnedSnapshot>(model) },
  );
  m.version = version;
  setSnapshot(model, snapshot);
  return version;
}

// -----------------------------------------------------------------------------------------------------------------
// lifecycle changes
// -----------------------------------------------------------------------------------------------------------------

/**
 * The safety rule of lifecycle changes: a subscription may only move to `status` while every other subscription
 * using one of its blocks has a status that allows it (e.g. terminated only while its users are initial or
 * terminated). Throws "Unsafe status change of Subscription with depending subscriptions: [...]".
 */
export async function validateLifecycleChange(db: Kysely<Database>, subscriptionId: string, status: SubscriptionLifecycle): Promise<void> {
  const allowed = SAFE_USED_BY_TRANSITIONS_FOR_STATUS[status] ?? [];
  const users = await db
    .selectFrom("subscription_instance_relations as r")
    .innerJoin("subscription_instances as used", "used.subscription_instance_id", "r.depends_on_id")
    .innerJoin("subscription_instances as user", "user.subscription_instance_id", "r.in_use_by_id")
    .innerJoin("subscriptions as s", "s.subscription_id", "user.subscription_id")
    .select(["s.subscription_id", "s.description", "s.status"])
    .distinct()
    .where("used.subscription_id", "=", subscriptionId)
    .where("user.subscription_id", "<>", subscriptionId)
    .execute();
  const unsafe = users.filter((u) => !allowed.includes(u.status as SubscriptionLifecycle));
  if (unsafe.length) {
    throw new OrchestratorError(
      "unsafe_status_change",
      `Unsafe status change of Subscription with depending subscriptions: [${unsafe.map((u) => `'${u.description}' (${u.status})`).join(", ")}]`,
    );
  }
}

/**
 * Move a model to another lifecycle: validated for it (each missing field named), safety rule checked, dates set.
 * Give the product type for a typed result; otherwise it comes from the registry.
 */
export async function changeLifecycle<L extends SubscriptionLifecycle, PT extends AnyProductType = AnyProductType>(
  db: Kysely<Database>,
  model: AnySubscriptionModel,
  status: L,
  productType?: PT,
): Promise<SubscriptionModel<PT, L>> {
  await validateLifecycleChange(db, model.subscription_id, status);
  const type = productType ?? (modelForProduct(model.product.name) as PT);
  return toLifecycle(model as SubscriptionModel<PT>, type, status);
}
