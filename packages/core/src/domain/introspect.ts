/**
 * Plain-data descriptions of product types and blocks, for `db migrate-domain-models` (rows to create) and
 * save/load (which resource types and relations a block has).
 */
import { z } from "zod";
import { DomainModelError } from "./errors.js";
import type { BlockField, BlockListField, ResourceValueType } from "./fields.js";
import type { RequiredFrom } from "./lifecycle.js";
import type { AnyProductBlock } from "./product-block.js";
import type { AnyProductType } from "./product-type.js";
import { SUBSCRIPTION_MODEL_REGISTRY } from "./registry.js";

/** A scalar field of a block: one `resource_types` row, values in `subscription_instance_values`. */
export interface ResourceTypeDescription {
  /** `resource_types.resource_type` (the field name). */
  readonly resourceType: string;
  readonly description: string | undefined;
  readonly valueType: ResourceValueType;
  /** One value row per list item, in order. */
  readonly list: boolean;
  /** Allowed values of an enum or literal, as strings. */
  readonly values: readonly string[] | undefined;
  readonly requiredFrom: RequiredFrom | undefined;
}

/** A field whose value is another block (or a list of them): `subscription_instance_relations.domain_model_attr`. */
export interface BlockReference {
  readonly attribute: string;
  /** `product_blocks.name` of the referenced block. */
  readonly block: string;
  readonly list: boolean;
  /** Least number of instances once `requiredFrom` is reached (a single block: 1 when required, else 0). */
  readonly min: number;
  /** Most number of instances; undefined when a list has no limit. */
  readonly max: number | undefined;
  readonly requiredFrom: RequiredFrom | undefined;
}

export interface BlockDescription {
  /** `product_blocks.name`. */
  readonly name: string;
  readonly tag: string | undefined;
  readonly description: string | undefined;
  /** Every field name in declaration order, scalar and block fields alike. */
  readonly attributes: readonly string[];
  readonly resourceTypes: readonly ResourceTypeDescription[];
  readonly blockReferences: readonly BlockReference[];
}

/** One `product_block_relations` candidate; several attributes may give the same (inUseBy, dependsOn) pair. */
export interface BlockRelation extends BlockReference {
  /** The block holding the attribute (`in_use_by`). */
  readonly inUseBy: string;
  /** The block referenced (`depends_on`), the same as `block`. */
  readonly dependsOn: string;
}

export interface FixedInputDescription {
  /** `fixed_inputs.name`. */
  readonly name: string;
  /** The allowed values (stored as `fixed_inputs.value`); undefined when any string of the type is allowed. */
  readonly values: readonly string[] | undefined;
}

export interface ProductTypeDescription {
  /** `products.product_type`. */
  readonly productType: string;
  readonly description: string | undefined;
  readonly fixedInputs: readonly FixedInputDescription[];
  /** The product's own blocks (`product_product_blocks`), by attribute. */
  readonly rootBlocks: readonly BlockReference[];
  /** Every block reachable from the root blocks, each once, a block after the blocks it uses. */
  readonly blocks: readonly BlockDescription[];
  /** Which block uses which, one entry per attribute, in the order of `blocks`. */
  readonly relations: readonly BlockRelation[];
}

/** Describe one product block (its own fields only; referenced blocks are named, not described). */
export function describeBlock(block: AnyProductBlock): BlockDescription {
  const resourceTypes: ResourceTypeDescription[] = [];
  const blockReferences: BlockReference[] = [];
  for (const [attribute, spec] of block.fieldSpecs) {
    if (spec.kind === "resource") {
      resourceTypes.push({
        resourceType: attribute,
        description: spec.description,
        valueType: spec.valueType,
        list: spec.list,
        values: spec.values,
        requiredFrom: spec.requiredFrom,
      });
    } else {
      blockReferences.push(reference(attribute, spec));
    }
  }
  return {
    name: block.name,
    tag: block.tag,
    description: block.description,
    attributes: [...block.fieldSpecs.keys()],
    resourceTypes,
    blockReferences,
  };
}

/** Describe a product type with every block it reaches; `DomainModelError` when two different blocks share a name. */
export function describeProductType(productType: AnyProductType): ProductTypeDescription {
  const ordered = collectBlocks([...productType.blockSpecs.values()].map((spec) => spec.block));
  const blocks = ordered.map(describeBlock);
  const relations = blocks.flatMap((block) =>
    block.blockReferences.map((ref) => ({ ...ref, inUseBy: block.name, dependsOn: ref.block })),
  );
  return {
    productType: productType.name,
    description: productType.description,
    fixedInputs: Object.entries(productType.fixedInputs).map(([name, schema]) => ({ name, values: allowedValues(schema) })),
    rootBlocks: [...productType.blockSpecs].map(([attribute, spec]) => reference(attribute, spec)),
    blocks,
    relations,
  };
}

export interface RegistryDescription {
  /** Product name → `products.product_type`, in registration order. */
  readonly products: ReadonlyArray<{ readonly name: string; readonly productType: string }>;
  /** Each registered product type once. */
  readonly productTypes: readonly ProductTypeDescription[];
  /** Every block of every registered product type, each once, a block after the blocks it uses. */
  readonly blocks: readonly BlockDescription[];
  /** Every resource type name, sorted. */
  readonly resourceTypes: readonly string[];
}

/**
 * Describe every registered product (what `db migrate-domain-models` compares with the database);
 * `DomainModelError` when two different blocks or product types share a name.
 */
export function describeRegistry(
  registry: ReadonlyMap<string, AnyProductType> = SUBSCRIPTION_MODEL_REGISTRY,
): RegistryDescription {
  const types = new Map<string, AnyProductType>();
  for (const productType of registry.values()) {
    const known = types.get(productType.name);
    if (known !== undefined && known !== productType) {
      throw new DomainModelError(`two different product types are named ${productType.name}`);
    }
    types.set(productType.name, productType);
  }
  const allBlocks = collectBlocks([...types.values()].flatMap((pt) => [...pt.blockSpecs.values()].map((s) => s.block)));
  const blocks = allBlocks.map(describeBlock);
  return {
    products: [...registry].map(([name, pt]) => ({ name, productType: pt.name })),
    productTypes: [...types.values()].map(describeProductType),
    blocks,
    resourceTypes: [...new Set(blocks.flatMap((b) => b.resourceTypes.map((r) => r.resourceType)))].sort(),
  };
}

function reference(attribute: string, spec: BlockField | BlockListField): BlockReference {
  if (spec.kind === "blockList") {
    return { attribute, block: spec.block.name, list: true, min: spec.min, max: spec.max, requiredFrom: spec.requiredFrom };
  }
  return {
    attribute,
    block: spec.block.name,
    list: false,
    min: spec.requiredFrom === undefined ? 0 : 1,
    max: 1,
    requiredFrom: spec.requiredFrom,
  };
}

/** Depth-first, dependencies first; one block object per name. */
function collectBlocks(roots: readonly AnyProductBlock[]): AnyProductBlock[] {
  const out: AnyProductBlock[] = [];
  const byName = new Map<string, AnyProductBlock>();
  const visit = (block: AnyProductBlock, stack: readonly AnyProductBlock[]): void => {
    if (stack.includes(block)) {
      throw new DomainModelError(`product block ${block.name} contains itself: ${[...stack, block].map((b) => b.name).join(" → ")}`);
    }
    const known = byName.get(block.name);
    if (known !== undefined) {
      if (known !== block) throw new DomainModelError(`two different product blocks are named ${block.name}`);
      return;
    }
    for (const spec of block.fieldSpecs.values()) {
      if (spec.kind !== "resource") visit(spec.block, [...stack, block]);
    }
    byName.set(block.name, block);
    out.push(block);
  };
  for (const root of roots) visit(root, []);
  return out;
}

function allowedValues(schema: z.ZodType): readonly string[] | undefined {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (Array.isArray(json.enum)) return json.enum.map(String);
  if ("const" in json) return [String(json.const)];
  if (json.type === "boolean") return ["true", "false"];
  return undefined;
}
