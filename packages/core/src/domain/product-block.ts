/** Product blocks: a named group of fields, stored as one `subscription_instances` row per instance. */
import { DomainModelError } from "./errors.js";
import { type FieldInput, type FieldSpec, normalizeField } from "./fields.js";

export type BlockFields = { readonly [name: string]: FieldInput };

export interface ProductBlock<N extends string = string, F extends BlockFields = BlockFields> {
  readonly kind: "productBlock";
  /** `product_blocks.name`. */
  readonly name: N;
  /** The fields as declared (bare blocks included); see `fieldSpecs` for the normalised form. */
  readonly fields: F;
  /** Every field as a `FieldSpec`, in declaration order. */
  readonly fieldSpecs: ReadonlyMap<string, FieldSpec>;
  /** `product_blocks.tag`, when declared (otherwise asked by `db migrate-domain-models`). */
  readonly tag: string | undefined;
  readonly description: string | undefined;
}

/** Any product block (the constraint of generic helpers). */
export type AnyProductBlock = ProductBlock;

/**
 * Fields every block instance has besides its declared ones (the original's `ProductBlockModel` instance fields);
 * the save/load code fills them in.
 */
export const BLOCK_INSTANCE_FIELDS = ["name", "subscription_instance_id", "owner_subscription_id", "label", "in_use_by"] as const;

const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

export interface ProductBlockOptions {
  readonly tag?: string;
  readonly description?: string;
}

/** Declare a product block; `name` is its `product_blocks.name`. */
export function productBlock<const N extends string, const F extends BlockFields>(
  name: N,
  fields: F,
  options: ProductBlockOptions = {},
): ProductBlock<N, F> {
  if (name.trim() === "") throw new DomainModelError("productBlock(): the name must not be empty");
  const fieldSpecs = new Map<string, FieldSpec>();
  for (const [fieldName, input] of Object.entries(fields)) {
    checkFieldName(`product block ${name}`, fieldName);
    if ((BLOCK_INSTANCE_FIELDS as readonly string[]).includes(fieldName)) {
      throw new DomainModelError(`product block ${name}: '${fieldName}' is reserved for the instance's own data`);
    }
    fieldSpecs.set(fieldName, normalizeField(input));
  }
  return Object.freeze({
    kind: "productBlock",
    name,
    fields,
    fieldSpecs,
    tag: options.tag,
    description: options.description,
  });
}

export function checkFieldName(owner: string, fieldName: string): void {
  if (!FIELD_NAME.test(fieldName)) {
    throw new DomainModelError(`${owner}: field name '${fieldName}' must be snake_case (a-z, 0-9, _)`);
  }
  // a model is a plain object: assigning __proto__ would set its prototype instead of a field
  if (fieldName === "__proto__") throw new DomainModelError(`${owner}: '__proto__' cannot be a field name`);
}
