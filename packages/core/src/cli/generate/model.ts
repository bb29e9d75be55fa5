/**
 * What `generate` writes, worked out from a checked product config: names, the TypeScript type of each field, the
 * block tree (root block, dependency order), the product variants of the fixed inputs. The rules follow
 * orchestrator-core's generator (cli/generator/generator/helpers.py: get_variable, find_root_product_block,
 * sort_product_blocks_by_dependencies, set_resource_types; migration.py: one product per combination of fixed input
 * values). Problems are GenerateConfigError naming the YAML line.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { BLOCK_INSTANCE_FIELDS, SUBSCRIPTION_FIELDS } from "../../domain/index.js";
import { GenerateConfigError, type FieldConfig, type LoadedConfig, type ProductBlockConfig } from "./config.js";

/** Products one config may make (one per combination of fixed input values). */
const MAX_VARIANTS = 1000;

/** Properties every object has: not field names (a model is a plain object). */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Field names the domain models accept (product-block.ts checkFieldName). */
const FIELD_NAME = /^[a-z_][a-z0-9_]*$/;

/** Words a generated function or constant cannot be named: JavaScript's reserved words and the names the generated files use. */
const TAKEN = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
    "private protected public await arguments eval undefined NaN Infinity " +
    "begin changeLifecycle createWorkflow formPage fromProductId fromSubscription step storeProcessSubscription z randomUUID formDb label " +
    "modifyWorkflow terminateWorkflow validateWorkflow newBlockInstance current initialInputForm constructModel initializeSubscription " +
    "provisionSubscription updateSubscription deprovisionSubscription checkModel productBlock productType field blockList registerProducts " +
    "LazyWorkflowInstance SubscriptionModel InputForm assert " +
    "String Number Boolean Object Array JSON Math Date Error Promise Record Map Set Symbol BigInt RegExp Function Reflect Proxy Intl " +
    "console process globalThis"
  ).split(" "),
);

/** Scalar resource types and the zod schema each becomes. */
const SCALARS: Record<string, { zod: string; check: z.ZodType; ts: "string" | "number" | "boolean"; placeholder: string }> = {
  str: { zod: "z.string()", check: z.string(), ts: "string", placeholder: "" },
  int: { zod: "z.number().int()", check: z.number().int(), ts: "number", placeholder: "0" },
  float: { zod: "z.number()", check: z.number(), ts: "number", placeholder: "0" },
  bool: { zod: "z.boolean()", check: z.boolean(), ts: "boolean", placeholder: "false" },
  UUID: { zod: "z.uuid()", check: z.uuid(), ts: "string", placeholder: '"00000000-0000-4000-8000-000000000000"' },
  "uuid.UUID": { zod: "z.uuid()", check: z.uuid(), ts: "string", placeholder: '"00000000-0000-4000-8000-000000000000"' },
  "ipaddress.IPv4Address": { zod: "z.ipv4()", check: z.ipv4(), ts: "string", placeholder: '"192.0.2.1"' },
  "ipaddress.IPv6Address": { zod: "z.ipv6()", check: z.ipv6(), ts: "string", placeholder: '"2001:db8::1"' },
  "ipaddress.IPv4Network": { zod: "z.cidrv4()", check: z.cidrv4(), ts: "string", placeholder: '"192.0.2.0/24"' },
  "ipaddress.IPv6Network": { zod: "z.cidrv6()", check: z.cidrv6(), ts: "string", placeholder: '"2001:db8::/48"' },
  "datetime.datetime": { zod: "z.iso.datetime({ offset: true })", check: z.iso.datetime({ offset: true }), ts: "string", placeholder: '"1970-01-01T00:00:00Z"' },
};
export const SUPPORTED_TYPES = [...Object.keys(SCALARS), "enum", "list", "<a product block type>"];

/** A resource type (a field stored as values). */
export interface ResourceFieldModel {
  kind: "resource";
  name: string;
  description: string;
  required?: "initial" | "provisioning" | "active";
  modifiable: boolean;
  /** The zod schema of the domain model's field, e.g. `z.number().int().min(1)`. */
  zod: string;
  /** Literal TypeScript of `default`, if given. */
  defaultValue?: string;
  /** A value that passes the schema, for fields required before the form or your systems fill them. */
  placeholder: string;
  /** The TypeScript type of a value, e.g. `string`, `"Cisco" | "Nokia"`, `number[]`. */
  tsType: string;
  /** Whether the create / modify forms can ask for it (scalars, enums, not lists). */
  input: boolean;
  validations: { id: string; description: string }[];
}

/** A field holding one or more instances of another product block. */
export interface BlockFieldModel {
  kind: "block";
  name: string;
  description: string;
  required?: "initial" | "provisioning" | "active";
  block: BlockRef;
  list?: { min: number; max?: number };
}

export interface BlockRef {
  /** `<Type>Block`: the TypeScript constant. */
  constName: string;
  /** Module path from products/product_blocks, without extension, e.g. "port". */
  module: string;
  /** Defined by this config (owned by the product's subscriptions), or an existing block of the app. */
  own: boolean;
}

export interface BlockModel {
  type: string;
  /** Name in the database (`product_blocks.name`): `block_name`, else the type. */
  dbName: string;
  constName: string;
  variable: string;
  tag: string;
  description: string;
  fields: (ResourceFieldModel | BlockFieldModel)[];
  /** Types of this config's blocks (and existing ones) this block uses. */
  dependsOn: string[];
}

export interface FixedInputModel {
  name: string;
  description: string;
  /** Allowed values as stored (strings); undefined for a fixed input without `values` (not set by the migration). */
  values?: string[];
}

export interface ProductModel {
  name: string;
  type: string;
  variable: string;
  tag: string;
  description: string;
  fixedInputs: FixedInputModel[];
  /** Blocks of this config, dependencies first; the root last. */
  blocks: BlockModel[];
  root: BlockModel;
  /** Existing blocks of the app this config uses, by type. */
  existingBlocks: Map<string, ExistingBlock>;
  /** One product per combination of fixed input values: its name and fixed inputs. */
  variants: { name: string; fixedInputs: Record<string, string> }[];
  workflows: Record<
    "create" | "modify" | "terminate" | "validate",
    { enabled: boolean; validations: { id: string; description: string }[]; additionalSteps: { id: string; title: string }[] }
  >;
  summaryForms: boolean;
}

export interface ExistingBlock {
  constName: string;
  dbName: string;
  module: string;
}

/** "UserGroup" → "user_group", "node" → "node", "Port-Channel" → "port_channel" (orchestrator-core's camel_to_snake). */
export function snakeCase(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "") // "Nœud" keeps its letters: é → e
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join("_")
    .toLowerCase();
}

/** Product blocks already in the app's code: `export const <X>Block = productBlock("<db name>", …)` in products/product_blocks. */
export function existingAppBlocks(appRoot: string): Map<string, ExistingBlock> {
  const folder = join(appRoot, "products", "product_blocks");
  const found = new Map<string, ExistingBlock>();
  if (!existsSync(folder)) return found;
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".ts")).sort()) {
    const text = readFileSync(join(folder, file), "utf8");
    for (const m of text.matchAll(/export const (\w+)Block\s*=\s*productBlock\(\s*["']([^"']+)["']/g)) {
      found.set(m[1]!, { constName: `${m[1]}Block`, dbName: m[2]!, module: file.replace(/\.ts$/, "") });
    }
  }
  return found;
}

const ts = (value: unknown): string => JSON.stringify(value);

/** Work out the product from a loaded config; `appRoot` is searched for existing product blocks. */
export function buildModel(loaded: LoadedConfig, appRoot: string): ProductModel {
  const { config, where } = loaded;
  const fail = (path: (string | number)[], message: string): never => {
    throw new GenerateConfigError(`${where(path)} ${pathText(path)}: ${message}`);
  };
  const existing = existingAppBlocks(appRoot);
  const ownTypes = new Set(config.product_blocks.map((b) => b.type));
  config.product_blocks.forEach((b, i) => {
    if (config.product_blocks.findIndex((o) => o.type === b.type) !== i) fail(["product_blocks", i, "type"], `product block type "${b.type}" appears twice`);
  });
  const usedExisting = new Map<string, ExistingBlock>();

  const blockRef = (type: string): BlockRef | undefined => {
    if (ownTypes.has(type)) {
      const own = config.product_blocks.find((b) => b.type === type)!;
      return { constName: `${type}Block`, module: own.variable ?? snakeCase(own.name), own: true };
    }
    const found = existing.get(type);
    if (!found) return undefined;
    usedExisting.set(type, found);
    return { constName: found.constName, module: found.module, own: false };
  };

  const blocks = config.product_blocks.map((b, bi): BlockModel => {
    const fields = b.fields.map((f, fi) => fieldModel(f, ["product_blocks", bi, "fields", fi], blockRef, fail));
    b.fields.forEach((f, fi) => {
      if (b.fields.findIndex((o) => o.name === f.name) !== fi) fail(["product_blocks", bi, "fields", fi, "name"], `field "${f.name}" appears twice in block ${b.type}`);
    });
    const tag = b.tag ?? b.type.toUpperCase();
    if (tag.length > 20) fail(["product_blocks", bi, b.tag ? "tag" : "type"], `the tag "${tag}" is longer than 20 characters (product_blocks.tag is varchar(20)); give a shorter tag`);
    return {
      type: b.type,
      dbName: b.block_name ?? b.type,
      constName: `${b.type}Block`,
      variable: b.variable ?? snakeCase(b.name),
      tag,
      description: b.description ?? `${b.name} product block`,
      fields,
      dependsOn: [...new Set(fields.filter((f): f is BlockFieldModel => f.kind === "block").map((f) => f.block.constName.replace(/Block$/, "")))],
    };
  });

  const ordered = dependencyOrder(blocks, config.product_blocks, fail);
  const used = new Set(blocks.flatMap((b) => b.dependsOn.filter((d) => ownTypes.has(d))));
  const roots = blocks.filter((b) => !used.has(b.type));
  if (roots.length !== 1) {
    fail(["product_blocks"], roots.length === 0 ? "there must be exactly one root product block (used by no other block of this file); found none" : `there must be exactly one root product block (used by no other block of this file); found ${roots.length}: ${roots.map((r) => r.type).join(", ")}`);
  }
  checkNames(loaded, roots[0]!, fail);
  const tag = config.tag ?? config.type.toUpperCase();
  if (tag.length > 20) fail([config.tag ? "tag" : "type"], `the tag "${tag}" is longer than 20 characters (products.tag is varchar(20)); give a shorter tag`);

  const fixedInputs = (config.fixed_inputs ?? []).map((fi, i): FixedInputModel => {
    if (fi.type === "enum" && !fi.values) fail(["fixed_inputs", i], `an enum fixed input needs "values"`);
    if (fi.enum_type && fi.type !== "enum") fail(["fixed_inputs", i, "enum_type"], `"enum_type" is for type enum only`);
    const values = fi.values?.map((v) => (typeof v === "boolean" ? (v ? "True" : "False") : String(v)));
    if (values && new Set(values).size !== values.length) fail(["fixed_inputs", i, "values"], "the values must differ");
    const kind = fi.type === "enum" ? fi.enum_type : fi.type;
    if (kind === "int" && fi.values?.some((v) => typeof v !== "number" || !Number.isInteger(v))) fail(["fixed_inputs", i, "values"], "the values of an int fixed input must be integers");
    if (kind === "bool" && fi.values?.some((v) => typeof v !== "boolean")) fail(["fixed_inputs", i, "values"], "the values of a bool fixed input must be true or false");
    return { name: fi.name, description: fi.description ?? fi.name, values };
  });
  fixedInputs.forEach((fi, i) => {
    if (fixedInputs.findIndex((o) => o.name === fi.name) !== i) fail(["fixed_inputs", i, "name"], `fixed input "${fi.name}" appears twice`);
  });
  const withValues = fixedInputs.filter((fi) => fi.values);
  const count = withValues.reduce((n, fi) => n * fi.values!.length, 1);
  if (count > MAX_VARIANTS) {
    fail(["fixed_inputs"], `the values of the fixed inputs make ${count} combinations, one product each; at most ${MAX_VARIANTS} are generated (fewer values, or fixed inputs without values)`);
  }
  let variants: ProductModel["variants"] = [{ name: config.name, fixedInputs: {} }];
  for (const fi of withValues) {
    variants = variants.flatMap((v) => fi.values!.map((value) => ({ name: `${v.name} ${value}`, fixedInputs: { ...v.fixedInputs, [fi.name]: value } })));
  }

  variants.forEach((v, i) => {
    const first = variants.findIndex((o) => o.name === v.name);
    if (first !== i) {
      fail(["fixed_inputs"], `two combinations of fixed input values make the same product name "${v.name}" (${JSON.stringify(variants[first]!.fixedInputs)} and ${JSON.stringify(v.fixedInputs)})`);
    }
  });

  const workflows = {} as ProductModel["workflows"];
  for (const name of ["create", "modify", "terminate", "validate"] as const) {
    const found = config.workflows?.find((w) => w.name === name);
    workflows[name] = {
      enabled: found?.enabled ?? true,
      validations: (found?.validations ?? []).map((v) => ({ id: v.id, description: v.description ?? v.id })),
      additionalSteps: stepIds(found?.additional_steps ?? []),
    };
  }
  config.workflows?.forEach((w, i) => {
    if (config.workflows!.findIndex((o) => o.name === w.name) !== i) fail(["workflows", i, "name"], `workflow "${w.name}" appears twice`);
  });

  const variable = config.variable ?? snakeCase(config.name);
  checkApp(appRoot, { type: config.type, variable, blocks, variants, existing }, fail);

  return {
    name: config.name,
    type: config.type,
    variable,
    tag,
    description: config.description ?? config.name,
    fixedInputs,
    blocks: ordered,
    root: roots[0]!,
    existingBlocks: usedExisting,
    variants,
    workflows,
    summaryForms: config.config?.summary_forms ?? config.config?.create_summary_forms ?? false,
  };
}

/**
 * The app's own code must not be taken over: a product type or product name it has already (by hand, or generated
 * from another config), or a block file of another block. Re-generating the same config meets only its own files.
 */
function checkApp(
  appRoot: string,
  product: { type: string; variable: string; blocks: BlockModel[]; variants: { name: string }[]; existing: Map<string, ExistingBlock> },
  fail: (path: (string | number)[], message: string) => never,
): void {
  const read = (path: string) => (existsSync(join(appRoot, path)) ? readFileSync(join(appRoot, path), "utf8") : undefined);
  const typesFolder = join(appRoot, "products", "product_types");
  const own = `${product.variable}.ts`;
  for (const file of existsSync(typesFolder) ? readdirSync(typesFolder).filter((f) => f.endsWith(".ts") && f !== own) : []) {
    const text = readFileSync(join(typesFolder, file), "utf8");
    for (const m of text.matchAll(/export const (\w+)\s*=\s*productType\(\s*["']([^"']+)["']/g)) {
      if (m[1] === product.type || m[2] === product.type) fail(["type"], `the app has a product type ${product.type} already (products/product_types/${file}); choose another type`);
    }
  }
  const registry = read("products/index.ts");
  if (registry !== undefined) {
    // names registered outside this product's generated section
    const outside = registry.replace(new RegExp(`^// generate: ${product.variable}$[^]*?^// end generate: ${product.variable}$`, "m"), "");
    for (const v of product.variants) {
      if (outside.includes(`${JSON.stringify(v.name)}:`)) fail(["name"], `the app registers a product named "${v.name}" already (products/index.ts); choose another name`);
    }
  }
  for (const b of product.blocks) {
    const there = product.existing.get(b.type);
    if (there && there.module !== b.variable) {
      fail(["product_blocks", product.blocks.indexOf(b), "type"], `the app has the block ${b.constName} already (products/product_blocks/${there.module}.ts): leave it out of product_blocks and use ${b.type} as a field type`);
    }
    const text = read(`products/product_blocks/${b.variable}.ts`);
    if (text !== undefined && !new RegExp(`export const ${b.constName}\\s*=`).test(text)) {
      const other = /export const (\w+)\s*=\s*productBlock/.exec(text)?.[1] ?? "another module";
      fail(["product_blocks", product.blocks.indexOf(b), "name"], `products/product_blocks/${b.variable}.ts holds ${other}, not ${b.constName}; give this block another name (or "variable")`);
    }
  }
}

/** Constant names for step titles: "Update IMS" → update_ims, made unique (update_ims_2). */
function stepIds(titles: readonly string[]): { id: string; title: string }[] {
  const used = new Set<string>();
  return titles.map((title) => {
    let base = snakeCase(title) || "step";
    if (/^\d/.test(base)) base = `step_${base}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    return { id, title };
  });
}

/** Names that become fields, functions or constants of the generated code: what the domain and TypeScript accept. */
function checkNames(loaded: LoadedConfig, root: BlockModel, fail: (path: (string | number)[], message: string) => never): void {
  const { config } = loaded;
  // the names the generated files declare for this product, on top of the fixed ones
  const T = config.type;
  const declared = new Set([T, `${T}Inactive`, `${T}Provisioning`, `${T}Active`, `${T}Input`, `${T}ModifyInput`]);
  for (const b of config.product_blocks) declared.add(`${b.type}Block`).add(`new${b.type}Block`);
  const code = (path: (string | number)[], name: string, what: string) => {
    if (TAKEN.has(name)) fail(path, `"${name}" cannot be the name of ${what}: it is a reserved word or a name the generated code uses`);
  };
  const check = (path: (string | number)[], name: string) => {
    code(path, name, "a check function");
    if (declared.has(name)) fail(path, `"${name}" cannot be the name of a check function: the generated code declares it (the product type, a block or their helpers)`);
  };
  // a check id names one function: fields may share one when their values have the same type; the workflow checks
  // (create, modify, terminate) share the form-page signature; a validate step's id is a constant of its own file
  const checks = new Map<string, { kind: string; path: (string | number)[] }>();
  const claim = (path: (string | number)[], id: string, kind: string) => {
    check(path, id);
    const earlier = checks.get(id);
    if (earlier && earlier.kind !== kind) fail(path, `the check "${id}" is also used at ${pathText(earlier.path)} for another kind of value; give it another id`);
    if (!earlier) checks.set(id, { kind, path });
  };
  code(["type"], config.type, "the product type's constant");
  const constants = new Map<string, (string | number)[]>([[config.type, ["type"]]]);
  config.product_blocks.forEach((b, bi) => {
    code(["product_blocks", bi, "type"], `${b.type}Block`, "a product block's constant");
    if (constants.has(`${b.type}Block`)) fail(["product_blocks", bi, "type"], `the block's constant ${b.type}Block is also the product type's name`);
    b.fields.forEach((f, fi) => {
      const at = ["product_blocks", bi, "fields", fi, "name"];
      if (!FIELD_NAME.test(f.name)) fail(at, `"${f.name}" is not a field name: lower case letters, digits and _, not starting with a digit`);
      if ((BLOCK_INSTANCE_FIELDS as readonly string[]).includes(f.name)) fail(at, `"${f.name}" is reserved for a block's own data (${BLOCK_INSTANCE_FIELDS.join(", ")})`);
      if (PROTOTYPE_KEYS.has(f.name)) fail(at, `"${f.name}" cannot be a field name: it is a property every JavaScript object has`);
      const valueType = f.type === "enum" ? `enum ${JSON.stringify(f.values)}` : f.type === "list" ? `list ${f.list_type}` : f.type;
      (f.validations ?? []).forEach((v, vi) => claim(["product_blocks", bi, "fields", fi, "validations", vi, "id"], v.id, `field ${valueType}`));
    });
  });
  const rootName = root.variable;
  const rootAt = ["product_blocks", config.product_blocks.findIndex((b) => b.type === root.type), "name"];
  if (!FIELD_NAME.test(rootName)) fail(rootAt, `the root block's name gives the product type's field "${rootName}": lower case letters, digits and _ only`);
  if ((SUBSCRIPTION_FIELDS as readonly string[]).includes(rootName)) fail(rootAt, `the root block's name gives the field "${rootName}", which is reserved for the subscription's own data`);
  (config.fixed_inputs ?? []).forEach((fi, i) => {
    if (!FIELD_NAME.test(fi.name)) fail(["fixed_inputs", i, "name"], `"${fi.name}" is not a field name: lower case letters, digits and _, not starting with a digit`);
    if ((SUBSCRIPTION_FIELDS as readonly string[]).includes(fi.name)) fail(["fixed_inputs", i, "name"], `"${fi.name}" is reserved for the subscription's own data`);
    if (fi.name === rootName) fail(["fixed_inputs", i, "name"], `"${fi.name}" is also the root block's field`);
  });
  (config.workflows ?? []).forEach((w, wi) => {
    const steps = new Set<string>();
    (w.validations ?? []).forEach((v, vi) => {
      const at = ["workflows", wi, "validations", vi, "id"];
      if (w.name !== "validate") return claim(at, v.id, "form");
      check(at, v.id);
      if (steps.has(v.id)) fail(at, `the validation "${v.id}" appears twice`);
      steps.add(v.id);
    });
    stepIds(w.additional_steps ?? []).forEach((step, si) => {
      if (steps.has(`${step.id}_step`)) fail(["workflows", wi, "additional_steps", si], `the step's constant ${step.id}_step is also a validation's id`);
    });
  });
  // file names and workflow names come from the snake-case names
  const variable = config.variable ?? snakeCase(config.name);
  if (!FIELD_NAME.test(variable)) fail([config.variable ? "variable" : "name"], `the name gives the file and workflow name "${variable}"; set "variable" to a snake-case name`);
  const files = new Map<string, number>();
  config.product_blocks.forEach((b, bi) => {
    const name = b.variable ?? snakeCase(b.name);
    if (!FIELD_NAME.test(name)) fail(["product_blocks", bi, b.variable ? "variable" : "name"], `the name gives the file name "${name}.ts"; set "variable" to a snake-case name`);
    const other = files.get(name);
    if (other !== undefined) fail(["product_blocks", bi, "name"], `this block and product_blocks[${other}] would both be written to products/product_blocks/${name}.ts`);
    files.set(name, bi);
  });
}

function pathText(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${key}` : key), "") || "(top level)";
}

function fieldModel(
  f: FieldConfig,
  path: (string | number)[],
  blockRef: (type: string) => BlockRef | undefined,
  fail: (path: (string | number)[], message: string) => never,
): ResourceFieldModel | BlockFieldModel {
  const description = f.description ?? f.name;
  const validations = (f.validations ?? []).map((v) => ({ id: v.id, description: v.description ?? v.id }));
  const modifiable = f.modifiable !== undefined && f.modifiable !== false;
  const only = (keys: (keyof FieldConfig)[], forWhat: string) => {
    for (const key of ["enum_type", "values", "list_type", "min_items", "max_items", "min_value", "max_value"] as const) {
      if (f[key] !== undefined && !keys.includes(key)) fail([...path, key], `"${key}" does not apply to ${forWhat}`);
    }
  };
  if (f.required === "initial" && f.default === undefined && f.type !== "list" && !blockRef(f.type)) {
    fail([...path, "required"], `a field required from "initial" needs a "default" (it is set before any form is filled in)`);
  }

  if (f.type === "list") {
    only(["list_type", "min_items", "max_items"], "a list");
    if (!f.list_type) fail(path, `a list needs "list_type"`);
    if (f.min_items !== undefined && f.max_items !== undefined && f.max_items < f.min_items) fail([...path, "max_items"], "max_items is less than min_items");
    const ref = blockRef(f.list_type!);
    if (ref) {
      if (f.default !== undefined) fail([...path, "default"], "a list of product blocks cannot have a default");
      if (!ref.own && ((f.min_items ?? 0) > 0 || f.required)) {
        fail([...path, f.min_items ? "min_items" : "required"], `${f.list_type} is a block of another product (products/product_blocks/${ref.module}.ts): generate leaves it to you to choose which subscriptions' blocks to use, so the list must be allowed to be empty (min_items 0, no "required")`);
      }
      return { kind: "block", name: f.name, description, required: f.required, block: ref, list: { min: f.min_items ?? 0, max: f.max_items } };
    }
    const scalar = SCALARS[f.list_type!];
    if (!scalar) fail([...path, "list_type"], `unknown list_type "${f.list_type}": a scalar type (${Object.keys(SCALARS).join(", ")}) or a product block of this file or of products/product_blocks`);
    let zod = `z.array(${scalar!.zod})`;
    if (f.min_items !== undefined) zod += `.min(${f.min_items})`;
    if (f.max_items !== undefined) zod += `.max(${f.max_items})`;
    const items = Math.max(f.min_items ?? 0, f.required ? 1 : 0);
    const item = scalar!.ts === "string" && scalar!.placeholder === "" ? ts(`${f.name} 1`) : scalar!.placeholder;
    return {
      kind: "resource", name: f.name, description, required: f.required, modifiable: false, zod, tsType: `${scalar!.ts}[]`,
      defaultValue: f.default !== undefined ? fail([...path, "default"], "a list cannot have a default") : undefined,
      placeholder: `[${Array.from({ length: items }, () => item).join(", ")}]`, input: false, validations,
    };
  }

  if (f.type === "enum") {
    only(["enum_type", "values"], "an enum");
    if (!f.values) fail(path, `an enum needs "values"`);
    const isInt = (f.enum_type ?? (f.values!.every((v) => typeof v === "number") ? "int" : "str")) === "int";
    if (isInt && f.values!.some((v) => typeof v !== "number" || !Number.isInteger(v))) fail([...path, "values"], "the values of an int enum must be integers");
    const values = isInt ? f.values! : f.values!.map(String);
    if (new Set(values).size !== values.length) fail([...path, "values"], "the values must differ");
    if (f.default !== undefined && !values.includes(isInt ? (f.default as number) : String(f.default))) fail([...path, "default"], `the default must be one of the values (${values.join(", ")})`);
    const zod = isInt ? `z.literal([${values.join(", ")}])` : `z.enum([${values.map(ts).join(", ")}])`;
    return {
      kind: "resource", name: f.name, description, required: f.required, modifiable, zod, tsType: values.map(ts).join(" | "),
      defaultValue: f.default !== undefined ? ts(isInt ? f.default : String(f.default)) : undefined,
      placeholder: ts(values[0]), input: true, validations,
    };
  }

  const ref = blockRef(f.type);
  if (ref) {
    only([], "a product block field");
    if (f.default !== undefined) fail([...path, "default"], "a product block field cannot have a default");
    if (!ref.own && f.required) {
      fail([...path, "required"], `${f.type} is a block of another product (products/product_blocks/${ref.module}.ts): generate leaves it to you to choose which subscription's block to use, so it cannot be required; leave "required" out and set it in the create workflow`);
    }
    return { kind: "block", name: f.name, description, required: f.required, block: ref };
  }

  const scalar = SCALARS[f.type];
  if (!scalar) fail([...path, "type"], `unknown type "${f.type}": use one of ${SUPPORTED_TYPES.join(", ")} (a product block of this file, or one in products/product_blocks)`);
  const ranged = f.min_value !== undefined || f.max_value !== undefined;
  if (ranged && f.type !== "int") fail([...path, f.min_value !== undefined ? "min_value" : "max_value"], "min_value and max_value apply to int fields only");
  only(["min_value", "max_value"], `a field of type ${f.type}`);
  if (f.min_value !== undefined && f.max_value !== undefined && f.max_value < f.min_value) fail([...path, "max_value"], "max_value is less than min_value");
  let zod = scalar!.zod;
  if (f.min_value !== undefined) zod += `.min(${f.min_value})`;
  if (f.max_value !== undefined) zod += `.max(${f.max_value})`;
  if (f.default !== undefined) {
    let check = scalar!.check;
    if (ranged) check = z.number().int().min(f.min_value ?? Number.MIN_SAFE_INTEGER).max(f.max_value ?? Number.MAX_SAFE_INTEGER);
    const result = check.safeParse(f.default);
    if (!result.success) fail([...path, "default"], `the default ${JSON.stringify(f.default)} is not a valid ${f.type}${ranged ? ` from ${f.min_value ?? "-∞"} to ${f.max_value ?? "∞"}` : ""}: ${result.error.issues[0]!.message}`);
  }
  let placeholder = scalar!.placeholder;
  if (f.type === "str") placeholder = ts(`${f.name}`);
  if (f.type === "int") placeholder = String(f.min_value ?? (f.max_value !== undefined ? Math.min(1, f.max_value) : 1));
  return {
    kind: "resource", name: f.name, description, required: f.required, modifiable, zod, tsType: scalar!.ts,
    defaultValue: f.default !== undefined ? ts(f.default) : undefined,
    placeholder, input: f.type in { str: 1, int: 1, float: 1, bool: 1 } || f.type.startsWith("ipaddress.") || f.type.endsWith("UUID") || f.type === "datetime.datetime", validations,
  };
}

/** Topological order of the config's blocks (dependencies first); a cycle is an error naming the blocks. */
function dependencyOrder(blocks: BlockModel[], configs: ProductBlockConfig[], fail: (path: (string | number)[], message: string) => never): BlockModel[] {
  const own = new Set(blocks.map((b) => b.type));
  const done = new Set<string>();
  const out: BlockModel[] = [];
  let remaining = [...blocks];
  while (remaining.length) {
    const ready = remaining.filter((b) => b.dependsOn.every((d) => !own.has(d) || done.has(d)));
    if (ready.length === 0) {
      const index = configs.findIndex((c) => c.type === remaining[0]!.type);
      fail(["product_blocks", index], `the product blocks ${remaining.map((b) => b.type).join(", ")} use each other in a cycle (or use blocks that do)`);
    }
    for (const b of ready) {
      done.add(b.type);
      out.push(b);
    }
    remaining = remaining.filter((b) => !done.has(b.type));
  }
  return out;
}
