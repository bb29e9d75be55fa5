/** Runtime validation of subscriptions per lifecycle, and moving a subscription to another lifecycle. */
import { z } from "zod";
import { DomainModelError, type DomainIssue, DomainValidationError } from "./errors.js";
import type { FieldSpec } from "./fields.js";
import { isRequiredIn, isSubscriptionLifecycle, SubscriptionLifecycle } from "./lifecycle.js";
import type { AnyProductBlock } from "./product-block.js";
import type { AnyProductType } from "./product-type.js";
import type { BlockModel, SubscriptionModel } from "./types.js";
import { markLive, setSnapshot, snapshotOf } from "./live-model.js";

const blockSchemas = new WeakMap<AnyProductBlock, Map<SubscriptionLifecycle, z.ZodType>>();
const subscriptionSchemas = new WeakMap<AnyProductType, Map<SubscriptionLifecycle, z.ZodType>>();

/** The zod schema of an instance of `block` in `lifecycle` (unknown fields are rejected). */
export function blockSchema<B extends AnyProductBlock, L extends SubscriptionLifecycle>(
  block: B,
  lifecycle: L,
): z.ZodType<BlockModel<B, L>> {
  checkLifecycle(lifecycle);
  return buildBlockSchema(block, lifecycle, []) as z.ZodType<BlockModel<B, L>>;
}

/** The zod schema of a subscription of `productType` in `lifecycle` (unknown fields are rejected). */
export function subscriptionSchema<PT extends AnyProductType, L extends SubscriptionLifecycle>(
  productType: PT,
  lifecycle: L,
): z.ZodType<SubscriptionModel<PT, L>> {
  checkLifecycle(lifecycle);
  let perLifecycle = subscriptionSchemas.get(productType);
  if (perLifecycle === undefined) subscriptionSchemas.set(productType, (perLifecycle = new Map()));
  let schema = perLifecycle.get(lifecycle);
  if (schema === undefined) {
    const shape: Record<string, z.ZodType> = {
      subscription_id: z.string(),
      customer_id: z.string(),
      description: z.string(),
      status: z.literal(lifecycle),
      insync: z.boolean(),
      start_date: z.string().nullable(),
      end_date: z.string().nullable(),
      note: z.string().nullable(),
      version: z.number().int(),
      product: z.looseObject({
        product_id: z.string(),
        name: z.string(),
        description: z.string(),
        product_type: z.literal(productType.name),
        tag: z.string(),
        status: z.string(),
        created_at: z.string().optional(),
        end_date: z.string().nullish(),
      }),
    };
    for (const [name, fixedInput] of Object.entries(productType.fixedInputs)) shape[name] = fixedInput;
    for (const [name, spec] of productType.blockSpecs) shape[name] = fieldSchema(spec, lifecycle, []);
    schema = z.strictObject(shape);
    perLifecycle.set(lifecycle, schema);
  }
  return schema as z.ZodType<SubscriptionModel<PT, L>>;
}

/**
 * Validate `data` as a subscription of `productType` in `lifecycle` and return a validated copy; throws a
 * `DomainValidationError` naming every missing or invalid field.
 */
export function parseSubscription<PT extends AnyProductType, L extends SubscriptionLifecycle>(
  productType: PT,
  lifecycle: L,
  data: unknown,
): SubscriptionModel<PT, L> {
  const result = subscriptionSchema(productType, lifecycle).safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new DomainValidationError(productType.name, lifecycle, toDomainIssues(result.error.issues, lifecycle));
}

/**
 * A copy of `model` in `lifecycle`: the status is set, `start_date` becomes now on the way to `active` and
 * `end_date` on the way to `terminated` (when not set yet), and every field required in `lifecycle` is checked.
 */
export function toLifecycle<PT extends AnyProductType, L extends SubscriptionLifecycle>(
  model: SubscriptionModel<PT>,
  productType: PT,
  lifecycle: L,
): SubscriptionModel<PT, L> {
  checkLifecycle(lifecycle);
  if (typeof model !== "object" || model === null) throw new DomainModelError("toLifecycle(): the model must be an object");
  const now = new Date().toISOString();
  const next: Record<string, unknown> = { ...(model as Record<string, unknown>), status: lifecycle };
  if (lifecycle === SubscriptionLifecycle.ACTIVE && next.start_date == null) next.start_date = now;
  if (lifecycle === SubscriptionLifecycle.TERMINATED && next.end_date == null) next.end_date = now;
  const copy = markLive(parseSubscription(productType, lifecycle, next));
  // the copy is of the same stored subscription: its save may still write only what changed
  setSnapshot(copy, snapshotOf(model));
  return copy;
}

function checkLifecycle(lifecycle: unknown): asserts lifecycle is SubscriptionLifecycle {
  if (!isSubscriptionLifecycle(lifecycle)) {
    throw new DomainModelError(`'${String(lifecycle)}' is not a subscription lifecycle`);
  }
}

function buildBlockSchema(block: AnyProductBlock, lifecycle: SubscriptionLifecycle, stack: readonly AnyProductBlock[]): z.ZodType {
  if (stack.includes(block)) {
    throw new DomainModelError(`product block ${block.name} contains itself: ${[...stack, block].map((b) => b.name).join(" → ")}`);
  }
  let perLifecycle = blockSchemas.get(block);
  if (perLifecycle === undefined) blockSchemas.set(block, (perLifecycle = new Map()));
  let schema = perLifecycle.get(lifecycle);
  if (schema === undefined) {
    const shape: Record<string, z.ZodType> = {
      name: z.string().optional(),
      subscription_instance_id: z.string().optional(),
      owner_subscription_id: z.string().optional(),
      label: z.string().nullish(),
      in_use_by: z.array(z.object({ subscription_instance_id: z.string(), subscription_id: z.string() })).optional(),
    };
    for (const [name, spec] of block.fieldSpecs) shape[name] = fieldSchema(spec, lifecycle, [...stack, block]);
    schema = z.strictObject(shape);
    perLifecycle.set(lifecycle, schema);
  }
  return schema;
}

function fieldSchema(spec: FieldSpec, lifecycle: SubscriptionLifecycle, stack: readonly AnyProductBlock[]): z.ZodType {
  switch (spec.kind) {
    case "resource":
      return isRequiredIn(spec.requiredFrom, lifecycle) ? spec.schema : spec.schema.nullish();
    case "block": {
      const schema = buildBlockSchema(spec.block, lifecycle, stack);
      return isRequiredIn(spec.requiredFrom, lifecycle) ? schema : schema.nullish();
    }
    case "blockList": {
      let schema = z.array(buildBlockSchema(spec.block, lifecycle, stack));
      if (spec.max !== undefined) schema = schema.max(spec.max, `at most ${spec.max} ${spec.block.name} allowed`);
      if (spec.min > 0 && isRequiredIn(spec.requiredFrom, lifecycle)) {
        schema = schema.min(spec.min, `at least ${spec.min} ${spec.block.name} required in lifecycle ${lifecycle}`);
      }
      return schema;
    }
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function toDomainIssues(issues: readonly z.core.$ZodIssue[], lifecycle: SubscriptionLifecycle): DomainIssue[] {
  const out: DomainIssue[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    if (issue.code === "invalid_type" && (issue.input === undefined || issue.input === null)) {
      out.push({ code: "required", path, message: `${path} is required in lifecycle ${lifecycle}` });
    } else if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = formatPath([...issue.path, key]);
        out.push({ code: "unknown_field", path: keyPath, message: `${keyPath} is not a field of the model` });
      }
    } else if (issue.code === "too_small" && issue.origin === "array") {
      out.push({ code: "required", path, message: `${path}: ${issue.message}` });
    } else {
      out.push({ code: "invalid", path, message: path === "" ? issue.message : `${path}: ${issue.message}` });
    }
  }
  return out;
}
