/** Product types: the root blocks of a subscription plus the product's fixed inputs. */
import { z } from "zod";
import { DomainModelError } from "./errors.js";
import { type BlockField, type BlockListField, type FieldSpec, isProductBlock, normalizeField } from "./fields.js";
import { type AnyProductBlock, checkFieldName } from "./product-block.js";

/** A root block of a product type: a bare block (always present), `field(block, …)` or `blockList(block, …)`. */
export type RootBlockInput = AnyProductBlock | BlockField | BlockListField;
export type RootBlocks = { readonly [name: string]: RootBlockInput };
export type FixedInputs = { readonly [name: string]: z.ZodType };

export interface ProductType<N extends string = string, B extends RootBlocks = RootBlocks, FI extends FixedInputs = FixedInputs> {
  readonly kind: "productType";
  /** `products.product_type`. */
  readonly name: N;
  readonly blocks: B;
  /** Every root block as a `FieldSpec`, in declaration order. */
  readonly blockSpecs: ReadonlyMap<string, BlockField | BlockListField>;
  /** `fixed_inputs.name` → schema of its value (e.g. `z.enum(["internal", "external"])`). */
  readonly fixedInputs: FI;
  readonly description: string | undefined;
}

/** Any product type (the constraint of generic helpers). */
export type AnyProductType = ProductType;

export interface ProductTypeOptions<FI extends FixedInputs> {
  readonly fixedInputs?: FI;
  readonly description?: string;
}

/**
 * Fields every subscription has besides its blocks and fixed inputs (`subscriptions` columns and the product);
 * no block or fixed input may use these names.
 */
export const SUBSCRIPTION_FIELDS = [
  "subscription_id",
  "customer_id",
  "description",
  "status",
  "insync",
  "start_date",
  "end_date",
  "note",
  "version",
  "product",
] as const;

/** Declare a product type; `name` is its `products.product_type`. */
export function productType<const N extends string, const B extends RootBlocks, const FI extends FixedInputs = {}>(
  name: N,
  blocks: B,
  options: ProductTypeOptions<FI> = {},
): ProductType<N, B, FI> {
  if (name.trim() === "") throw new DomainModelError("productType(): the name must not be empty");
  const owner = `product type ${name}`;
  const blockSpecs = new Map<string, BlockField | BlockListField>();
  for (const [fieldName, input] of Object.entries(blocks)) {
    checkName(owner, fieldName);
    const spec: FieldSpec = isProductBlock(input) ? normalizeField(input) : (input as FieldSpec);
    if (spec.kind === "resource") {
      throw new DomainModelError(
        `${owner}: '${fieldName}' is a resource type; a product type holds product blocks and fixed inputs only`,
      );
    }
    blockSpecs.set(fieldName, spec);
  }
  const fixedInputs = (options.fixedInputs ?? {}) as FI;
  for (const [fieldName, schema] of Object.entries(fixedInputs)) {
    checkName(owner, fieldName);
    if (blockSpecs.has(fieldName)) throw new DomainModelError(`${owner}: '${fieldName}' is both a block and a fixed input`);
    if (!(schema instanceof z.ZodType)) throw new DomainModelError(`${owner}: fixed input '${fieldName}' must be a zod schema`);
  }
  return Object.freeze({
    kind: "productType",
    name,
    blocks,
    blockSpecs,
    fixedInputs,
    description: options.description,
  });
}

export function isProductType(value: unknown): value is AnyProductType {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "productType";
}

function checkName(owner: string, fieldName: string): void {
  checkFieldName(owner, fieldName);
  if ((SUBSCRIPTION_FIELDS as readonly string[]).includes(fieldName)) {
    throw new DomainModelError(`${owner}: '${fieldName}' is reserved for the subscription's own data`);
  }
}
