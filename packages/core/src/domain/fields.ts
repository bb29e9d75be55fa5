/**
 * Field declarations of product blocks and product types: resource-type fields (scalars or lists of scalars),
 * references to other product blocks, and lists of product blocks.
 */
import { z } from "zod";
import { DomainModelError } from "./errors.js";
import { MODEL_VARIANTS, type RequiredFrom } from "./lifecycle.js";
import type { AnyProductBlock } from "./product-block.js";

/** The scalar type of a resource-type field, as JSON Schema names it. */
export type ResourceValueType = "string" | "integer" | "number" | "boolean";

export interface FieldOptions<R extends RequiredFrom | undefined = RequiredFrom | undefined> {
  /** From which model variant on the field must be filled in; leave it out for a field that is never required. */
  readonly requiredFrom?: R;
  readonly title?: string;
  /** For resource types: `resource_types.description` in `db migrate-domain-models`. */
  readonly description?: string;
}

/** A field stored as `subscription_instance_values` rows of resource type `<field name>`. */
export interface ResourceField<S extends z.ZodType = z.ZodType, R extends RequiredFrom | undefined = RequiredFrom | undefined> {
  readonly kind: "resource";
  readonly schema: S;
  readonly requiredFrom: R;
  readonly title: string | undefined;
  readonly description: string | undefined;
  /** The scalar type (of the items, for a list). */
  readonly valueType: ResourceValueType;
  /** A list of scalars: one value row per item. */
  readonly list: boolean;
  /** The allowed values of an enum or literal, as strings; undefined when any value of the type is allowed. */
  readonly values: readonly string[] | undefined;
}

/** A field whose value is one instance of another product block. */
export interface BlockField<B extends AnyProductBlock = AnyProductBlock, R extends RequiredFrom | undefined = RequiredFrom | undefined> {
  readonly kind: "block";
  readonly block: B;
  readonly requiredFrom: R;
  readonly title: string | undefined;
  readonly description: string | undefined;
}

export interface BlockListOptions<R extends RequiredFrom = RequiredFrom> {
  /** The least number of items, enforced from `requiredFrom` on. Default 0. */
  readonly min?: number;
  /** The most number of items, enforced in every lifecycle. Default: no limit. */
  readonly max?: number;
  /** From which model variant on `min` is enforced. Default "initial" (always). */
  readonly requiredFrom?: R;
  readonly title?: string;
  readonly description?: string;
}

/** A field whose value is a list of instances of another product block; the list itself is always present. */
export interface BlockListField<B extends AnyProductBlock = AnyProductBlock, R extends RequiredFrom = RequiredFrom> {
  readonly kind: "blockList";
  readonly block: B;
  readonly min: number;
  readonly max: number | undefined;
  readonly requiredFrom: R;
  readonly title: string | undefined;
  readonly description: string | undefined;
}

export type FieldSpec = ResourceField | BlockField | BlockListField;

/** What `productBlock` accepts per field: a declaration, or a bare block (an instance that is always present). */
export type FieldInput = FieldSpec | AnyProductBlock;

/** Declare a resource-type field (zod schema of a scalar or a list of scalars) or a reference to another block. */
export function field<S extends z.ZodType, const R extends RequiredFrom | undefined = undefined>(
  schema: S,
  options?: FieldOptions<R>,
): ResourceField<S, R>;
export function field<B extends AnyProductBlock, const R extends RequiredFrom | undefined = undefined>(
  block: B,
  options?: FieldOptions<R>,
): BlockField<B, R>;
export function field(target: z.ZodType | AnyProductBlock, options: FieldOptions = {}): ResourceField | BlockField {
  const requiredFrom = checkRequiredFrom(options.requiredFrom);
  if (isProductBlock(target)) {
    return Object.freeze({
      kind: "block",
      block: target,
      requiredFrom,
      title: options.title,
      description: options.description,
    });
  }
  if (!(target instanceof z.ZodType)) {
    throw new DomainModelError("field() takes a zod schema or a product block");
  }
  return Object.freeze({
    kind: "resource",
    schema: target,
    requiredFrom,
    title: options.title,
    description: options.description,
    ...resourceShape(target),
  });
}

/** Declare a list of instances of another product block, with optional bounds. */
export function blockList<B extends AnyProductBlock, const R extends RequiredFrom = "initial">(
  block: B,
  options: BlockListOptions<R> = {},
): BlockListField<B, R> {
  if (!isProductBlock(block)) throw new DomainModelError("blockList() takes a product block");
  const min = options.min ?? 0;
  const max = options.max;
  if (!Number.isInteger(min) || min < 0) throw new DomainModelError(`blockList(${block.name}): min must be an integer >= 0`);
  if (max !== undefined && (!Number.isInteger(max) || max < Math.max(min, 1))) {
    throw new DomainModelError(`blockList(${block.name}): max must be an integer >= max(min, 1)`);
  }
  return Object.freeze({
    kind: "blockList",
    block,
    min,
    max,
    requiredFrom: (checkRequiredFrom(options.requiredFrom) ?? "initial") as R,
    title: options.title,
    description: options.description,
  });
}

export function isProductBlock(value: unknown): value is AnyProductBlock {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "productBlock";
}

/** A bare block in a field list means "always present", like a non-optional block field in the original. */
export function normalizeField(input: FieldInput): FieldSpec {
  if (isProductBlock(input)) return field(input, { requiredFrom: "initial" });
  return input;
}

function checkRequiredFrom<R extends RequiredFrom | undefined>(value: R): R {
  if (value !== undefined && !(MODEL_VARIANTS as readonly string[]).includes(value)) {
    throw new DomainModelError(`requiredFrom must be one of ${MODEL_VARIANTS.join(", ")}, not '${String(value)}'`);
  }
  return value;
}

const WRAPPERS_MANAGED_BY_LIFECYCLE = new Set(["optional", "nullable", "undefined", "null"]);

/** Check that a schema is a scalar or a list of scalars and find its value type. */
function resourceShape(schema: z.ZodType): Pick<ResourceField, "valueType" | "list" | "values"> {
  const defType = (schema as unknown as { _zod: { def: { type: string } } })._zod.def.type;
  if (WRAPPERS_MANAGED_BY_LIFECYCLE.has(defType)) {
    throw new DomainModelError(
      `field(): do not make the schema ${defType}; whether a field may be empty follows from its requiredFrom`,
    );
  }
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: "output" }) as Record<string, unknown>;
  } catch {
    throw new DomainModelError(`field(): a resource type must be a string, number, boolean or a list of those (got ${defType})`);
  }
  const items = json.type === "array" ? (json.items as Record<string, unknown> | undefined) : undefined;
  const scalar = scalarOf(items ?? json);
  if (scalar === undefined) {
    throw new DomainModelError(`field(): a resource type must be a string, number, boolean or a list of those (got ${defType})`);
  }
  return { ...scalar, list: items !== undefined };
}

function scalarOf(json: Record<string, unknown>): Pick<ResourceField, "valueType" | "values"> | undefined {
  const type = json.type;
  if (type !== "string" && type !== "integer" && type !== "number" && type !== "boolean") return undefined;
  const values = Array.isArray(json.enum) ? json.enum.map(String) : "const" in json ? [String(json.const)] : undefined;
  return { valueType: type, values };
}
