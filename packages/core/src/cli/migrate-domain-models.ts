/**
 * `db migrate-domain-models`: compare the registered domain models (SUBSCRIPTION_MODEL_REGISTRY) with the product
 * catalogue in the database and write a data migration — SQL that creates what is new (products, fixed inputs,
 * product blocks, resource types, their links and block relations) and removes what the models no longer have, with
 * the exact reverse as downgrade. Descriptions, tags and fixed-input values the models do not give are asked for,
 * or taken from `--inputs`; renamed resource types come from `--updates` or are confirmed in the menu.
 */
import type { Kysely } from "kysely";
import pc from "picocolors";
import type { Database } from "../db/types.js";
import { describeRegistry, type RegistryDescription } from "../domain/introspect.js";
import { OrchestratorError } from "../errors.js";
import type { LineInput } from "./prompt.js";

/** `--inputs`: prefilled answers, keyed by product, block or resource type name (orchestrator-core's format). */
export type DomainInputs = Record<string, Record<string, string>>;
/** `--updates`: renames. */
export interface DomainUpdates {
  resource_types?: Record<string, string>;
  fixed_inputs?: Record<string, Record<string, string>>;
}

interface DbCatalogue {
  products: Map<string, { product_type: string; fixedInputs: Map<string, string>; blocks: Set<string> }>;
  blocks: Map<string, { resourceTypes: Set<string>; dependsOn: Set<string>; instances: number }>;
  resourceTypes: Set<string>;
}

async function readCatalogue(db: Kysely<Database>): Promise<DbCatalogue> {
  const products = await db.selectFrom("products").select(["product_id", "name", "product_type"]).execute();
  const fixed = await db.selectFrom("fixed_inputs").select(["product_id", "name", "value"]).execute();
  const ppb = await db
    .selectFrom("product_product_blocks as l")
    .innerJoin("product_blocks as b", "b.product_block_id", "l.product_block_id")
    .select(["l.product_id", "b.name"])
    .execute();
  const blocks = await db.selectFrom("product_blocks").select(["product_block_id", "name"]).execute();
  const links = await db
    .selectFrom("product_block_resource_types as l")
    .innerJoin("resource_types as r", "r.resource_type_id", "l.resource_type_id")
    .select(["l.product_block_id", "r.resource_type"])
    .execute();
  const relations = await db
    .selectFrom("product_block_relations as r")
    .innerJoin("product_blocks as d", "d.product_block_id", "r.depends_on_id")
    .select(["r.in_use_by_id", "d.name"])
    .execute();
  const instances = await db
    .selectFrom("subscription_instances")
    .select(["product_block_id", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("product_block_id")
    .execute();
  const rts = await db.selectFrom("resource_types").select("resource_type").execute();
  const catalogue: DbCatalogue = { products: new Map(), blocks: new Map(), resourceTypes: new Set(rts.map((r) => r.resource_type)) };
  for (const p of products) {
    catalogue.products.set(p.name, {
      product_type: p.product_type,
      fixedInputs: new Map(fixed.filter((f) => f.product_id === p.product_id).map((f) => [f.name, f.value])),
      blocks: new Set(ppb.filter((l) => l.product_id === p.product_id).map((l) => l.name)),
    });
  }
  for (const b of blocks) {
    catalogue.blocks.set(b.name, {
      resourceTypes: new Set(links.filter((l) => l.product_block_id === b.product_block_id).map((l) => l.resource_type)),
      dependsOn: new Set(relations.filter((r) => r.in_use_by_id === b.product_block_id).map((r) => r.name)),
      instances: Number(instances.find((i) => i.product_block_id === b.product_block_id)?.n ?? 0),
    });
  }
  return catalogue;
}

/** A SQL string literal. */
const q = (value: string) => `'${value.replace(/'/g, "''")}'`;
const productId = (name: string) => `(SELECT product_id FROM products WHERE name = ${q(name)})`;
const blockId = (name: string) => `(SELECT product_block_id FROM product_blocks WHERE name = ${q(name)})`;
const rtId = (name: string) => `(SELECT resource_type_id FROM resource_types WHERE resource_type = ${q(name)})`;

export interface DomainMigration {
  upgrade: string[];
  downgrade: string[];
  /** One line per change, for the summary. */
  changes: string[];
}

export interface DomainMigrationOptions {
  inputs?: DomainInputs;
  updates?: DomainUpdates;
  /** Asks for what the models and inputs do not say; undefined = non-interactive (missing answers are errors). */
  io?: LineInput;
  registry?: RegistryDescription;
}

/** Compute the SQL (upgrade and downgrade) that brings the database's catalogue to the registered models. */
export async function planDomainMigration(db: Kysely<Database>, options: DomainMigrationOptions = {}): Promise<DomainMigration> {
  const registry = options.registry ?? describeRegistry();
  const inputs = options.inputs ?? {};
  const renames = new Map(Object.entries(options.updates?.resource_types ?? {}));
  const dbc = await readCatalogue(db);
  const up: string[] = [];
  const down: string[] = [];
  const changes: string[] = [];

  const ask = async (key: string, field: string, question: string, fallback?: string): Promise<string> => {
    const given = inputs[key]?.[field] ?? fallback;
    if (given !== undefined && given !== "") return given;
    if (!options.io) throw new OrchestratorError("invalid_input", `Missing input: ${key}.${field} (give it in --inputs, e.g. {"${key}": {"${field}": "…"}})`);
    for (;;) {
      const answer = await options.io.ask(question);
      if (answer === undefined) throw new OrchestratorError("invalid_input", `Input ended before ${key}.${field} was given; nothing written`);
      if (answer) return answer;
    }
  };
  const choose = async (key: string, field: string, question: string, values: readonly string[] | undefined): Promise<string> => {
    const given = inputs[key]?.[field];
    if (given !== undefined) {
      if (values && !values.includes(given)) throw new OrchestratorError("invalid_input", `${key}.${field} must be one of ${values.join(", ")}, not ${given}`);
      return given;
    }
    if (values?.length === 1) return values[0]!;
    if (!options.io || !values) return ask(key, field, question);
    options.io.line(question);
    const picked = await options.io.menu(values.map((v, i) => [String(i + 1), v] as const));
    if (picked === undefined) throw new OrchestratorError("invalid_input", `Input ended before ${key}.${field} was given; nothing written`);
    return values[Number(picked) - 1]!;
  };
  const confirm = async (question: string): Promise<boolean> => {
    if (!options.io) return false;
    return (await options.io.ask(`${question} [y/n]: `)) === "y";
  };

  const modelBlocks = new Map(registry.blocks.map((b) => [b.name, b]));
  const typeOf = new Map(registry.productTypes.map((t) => [t.productType, t]));
  const modelResourceTypes = new Set(registry.resourceTypes);

  // --- resource types: renames first, then new ones -------------------------------------------------------------
  for (const block of registry.blocks) {
    const inDb = dbc.blocks.get(block.name);
    if (!inDb) continue;
    const added = block.resourceTypes.map((r) => r.resourceType).filter((rt) => !inDb.resourceTypes.has(rt));
    const removed = [...inDb.resourceTypes].filter((rt) => !block.resourceTypes.some((r) => r.resourceType === rt) && !renames.has(rt));
    if (added.length === 1 && removed.length === 1 && !renames.has(removed[0]!) && ![...renames.values()].includes(added[0]!)) {
      if (await confirm(`In product block ${block.name}, is ${pc.bold(added[0]!)} a rename of ${pc.bold(removed[0]!)}?`)) renames.set(removed[0]!, added[0]!);
    }
  }
  for (const [from, to] of renames) {
    if (!dbc.resourceTypes.has(from)) throw new OrchestratorError("invalid_input", `Cannot rename resource type ${from}: it is not in the database`);
    if (dbc.resourceTypes.has(to)) {
      // to an existing resource type: move the links and values over
      for (const [blockName, b] of dbc.blocks) {
        if (!b.resourceTypes.has(from)) continue;
        up.push(`UPDATE subscription_instance_values SET resource_type_id = ${rtId(to)} WHERE resource_type_id = ${rtId(from)} AND subscription_instance_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(blockName)})`);
        up.push(`UPDATE product_block_resource_types SET resource_type_id = ${rtId(to)} WHERE resource_type_id = ${rtId(from)} AND product_block_id = ${blockId(blockName)}`);
        down.unshift(`UPDATE product_block_resource_types SET resource_type_id = ${rtId(from)} WHERE resource_type_id = ${rtId(to)} AND product_block_id = ${blockId(blockName)}`);
        down.unshift(`UPDATE subscription_instance_values SET resource_type_id = ${rtId(from)} WHERE resource_type_id = ${rtId(to)} AND subscription_instance_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(blockName)})`);
      }
    } else {
      up.push(`UPDATE resource_types SET resource_type = ${q(to)} WHERE resource_type = ${q(from)}`);
      down.unshift(`UPDATE resource_types SET resource_type = ${q(from)} WHERE resource_type = ${q(to)}`);
    }
    changes.push(`rename resource type ${from} → ${to}`);
    // the catalogue as it will be after the rename
    for (const b of dbc.blocks.values()) if (b.resourceTypes.delete(from)) b.resourceTypes.add(to);
    dbc.resourceTypes.delete(from);
    dbc.resourceTypes.add(to);
  }
  for (const rt of registry.resourceTypes) {
    if (dbc.resourceTypes.has(rt)) continue;
    const fromModel = registry.blocks.flatMap((b) => b.resourceTypes).find((r) => r.resourceType === rt)?.description;
    const description = await ask(rt, "description", `Supply description for new resource type ${pc.magenta(rt)}: `, fromModel);
    up.push(`INSERT INTO resource_types (resource_type, description) VALUES (${q(rt)}, ${q(description)})`);
    down.unshift(`DELETE FROM resource_types WHERE resource_type = ${q(rt)}`);
    changes.push(`create resource type ${rt}`);
  }

  // --- product blocks ---------------------------------------------------------------------------------------------
  for (const block of registry.blocks) {
    if (dbc.blocks.has(block.name)) continue;
    const description = await ask(block.name, "description", `Supply the product block description for ${pc.bold(block.name)}: `, block.description);
    const tag = await ask(block.name, "tag", `Supply the product block tag for ${pc.bold(block.name)}: `, block.tag);
    up.push(`INSERT INTO product_blocks (name, description, tag, status) VALUES (${q(block.name)}, ${q(description)}, ${q(tag)}, 'active')`);
    down.unshift(`DELETE FROM product_blocks WHERE name = ${q(block.name)}`);
    changes.push(`create product block ${block.name}`);
  }
  for (const block of registry.blocks) {
    const inDb = dbc.blocks.get(block.name);
    for (const r of block.resourceTypes) {
      if (inDb?.resourceTypes.has(r.resourceType)) continue;
      up.push(`INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES (${blockId(block.name)}, ${rtId(r.resourceType)})`);
      down.unshift(`DELETE FROM product_block_resource_types WHERE product_block_id = ${blockId(block.name)} AND resource_type_id = ${rtId(r.resourceType)}`);
      changes.push(`link resource type ${r.resourceType} to ${block.name}`);
      if (inDb && inDb.instances > 0) {
        // existing instances get a value for the new resource type when one is given
        const value = inputs[r.resourceType]?.[block.name] ?? inputs[r.resourceType]?.value;
        const answer = value ?? (options.io ? await options.io.ask(`Supply default subscription instance value for resource type ${pc.magenta(r.resourceType)} and product block ${pc.bold(block.name)} (empty: none): `) : undefined);
        if (answer) {
          up.push(`INSERT INTO subscription_instance_values (subscription_instance_id, resource_type_id, value) SELECT subscription_instance_id, ${rtId(r.resourceType)}, ${q(answer)} FROM subscription_instances WHERE product_block_id = ${blockId(block.name)}`);
          down.unshift(`DELETE FROM subscription_instance_values WHERE resource_type_id = ${rtId(r.resourceType)} AND subscription_instance_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(block.name)})`);
        }
      }
    }
    if (inDb) {
      for (const rt of inDb.resourceTypes) {
        if (block.resourceTypes.some((r) => r.resourceType === rt)) continue;
        up.push(`DELETE FROM subscription_instance_values WHERE resource_type_id = ${rtId(rt)} AND subscription_instance_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(block.name)})`);
        up.push(`DELETE FROM product_block_resource_types WHERE product_block_id = ${blockId(block.name)} AND resource_type_id = ${rtId(rt)}`);
        down.unshift(`INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES (${blockId(block.name)}, ${rtId(rt)})`);
        changes.push(`remove resource type ${rt} from ${block.name}${inDb.instances ? ` (values of ${inDb.instances} instance(s) are deleted)` : ""}`);
      }
    }
    // block relations
    for (const dep of new Set(block.blockReferences.map((r) => r.block))) {
      if (inDb?.dependsOn.has(dep)) continue;
      const ref = block.blockReferences.find((r) => r.block === dep)!;
      const min = ref.requiredFrom === undefined && !ref.list ? 0 : ref.min;
      up.push(`INSERT INTO product_block_relations (in_use_by_id, depends_on_id, min, max) VALUES (${blockId(block.name)}, ${blockId(dep)}, ${ref.list ? min : "NULL"}, ${ref.list && ref.max !== undefined ? ref.max : "NULL"})`);
      down.unshift(`DELETE FROM product_block_relations WHERE in_use_by_id = ${blockId(block.name)} AND depends_on_id = ${blockId(dep)}`);
      changes.push(`relate ${block.name} → ${dep}`);
    }
    for (const dep of inDb?.dependsOn ?? []) {
      if (block.blockReferences.some((r) => r.block === dep)) continue;
      up.push(`DELETE FROM product_block_relations WHERE in_use_by_id = ${blockId(block.name)} AND depends_on_id = ${blockId(dep)}`);
      down.unshift(`INSERT INTO product_block_relations (in_use_by_id, depends_on_id) VALUES (${blockId(block.name)}, ${blockId(dep)})`);
      changes.push(`remove relation ${block.name} → ${dep}`);
    }
  }

  // --- products and their fixed inputs and blocks ----------------------------------------------------------------
  for (const { name, productType } of registry.products) {
    const type = typeOf.get(productType)!;
    const inDb = dbc.products.get(name);
    if (inDb && inDb.product_type !== productType) {
      throw new OrchestratorError("model_mismatch", `Product ${name} has product type ${inDb.product_type} in the database but ${productType} in the model`);
    }
    if (!inDb) {
      const description = await ask(name, "description", `Supply the product description for ${pc.bold(name)}: `);
      const tag = await ask(name, "tag", `Supply the product tag for ${pc.bold(name)}: `);
      up.push(`INSERT INTO products (name, description, product_type, tag, status) VALUES (${q(name)}, ${q(description)}, ${q(productType)}, ${q(tag)}, 'active')`);
      down.unshift(`DELETE FROM products WHERE name = ${q(name)}`);
      changes.push(`create product ${name}`);
    }
    for (const fi of type.fixedInputs) {
      const renamedFrom = Object.entries(options.updates?.fixed_inputs?.[name] ?? {}).find(([, to]) => to === fi.name)?.[0];
      if (inDb?.fixedInputs.has(fi.name)) continue;
      if (renamedFrom && inDb?.fixedInputs.has(renamedFrom)) {
        up.push(`UPDATE fixed_inputs SET name = ${q(fi.name)} WHERE name = ${q(renamedFrom)} AND product_id = ${productId(name)}`);
        down.unshift(`UPDATE fixed_inputs SET name = ${q(renamedFrom)} WHERE name = ${q(fi.name)} AND product_id = ${productId(name)}`);
        inDb.fixedInputs.set(fi.name, inDb.fixedInputs.get(renamedFrom)!);
        inDb.fixedInputs.delete(renamedFrom);
        changes.push(`rename fixed input ${renamedFrom} → ${fi.name} of ${name}`);
        continue;
      }
      const value = await choose(name, fi.name, `Which value of fixed input ${pc.bold(fi.name)} does product ${pc.bold(name)} have?`, fi.values);
      up.push(`INSERT INTO fixed_inputs (name, value, product_id) VALUES (${q(fi.name)}, ${q(value)}, ${productId(name)})`);
      down.unshift(`DELETE FROM fixed_inputs WHERE name = ${q(fi.name)} AND product_id = ${productId(name)}`);
      changes.push(`create fixed input ${fi.name}=${value} of ${name}`);
    }
    for (const [fiName, value] of inDb?.fixedInputs ?? []) {
      if (type.fixedInputs.some((f) => f.name === fiName)) continue;
      up.push(`DELETE FROM fixed_inputs WHERE name = ${q(fiName)} AND product_id = ${productId(name)}`);
      down.unshift(`INSERT INTO fixed_inputs (name, value, product_id) VALUES (${q(fiName)}, ${q(value)}, ${productId(name)})`);
      changes.push(`remove fixed input ${fiName} of ${name}`);
    }
    for (const root of new Set(type.rootBlocks.map((r) => r.block))) {
      if (inDb?.blocks.has(root)) continue;
      up.push(`INSERT INTO product_product_blocks (product_id, product_block_id) VALUES (${productId(name)}, ${blockId(root)})`);
      down.unshift(`DELETE FROM product_product_blocks WHERE product_id = ${productId(name)} AND product_block_id = ${blockId(root)}`);
      changes.push(`link product block ${root} to ${name}`);
    }
    for (const root of inDb?.blocks ?? []) {
      if (type.rootBlocks.some((r) => r.block === root)) continue;
      up.push(`DELETE FROM product_product_blocks WHERE product_id = ${productId(name)} AND product_block_id = ${blockId(root)}`);
      down.unshift(`INSERT INTO product_product_blocks (product_id, product_block_id) VALUES (${productId(name)}, ${blockId(root)})`);
      changes.push(`unlink product block ${root} from ${name}`);
    }
  }

  // --- what the models no longer have -----------------------------------------------------------------------------
  const registered = new Set(registry.products.map((p) => p.name));
  for (const [name] of dbc.products) {
    if (registered.has(name)) continue;
    changes.push(`${pc.yellow("not in the models")}: product ${name} (not deleted; remove it with deleteProduct in a migration of its own)`);
  }
  for (const [name, b] of dbc.blocks) {
    if (modelBlocks.has(name)) continue;
    if (b.instances === 0 && (await confirm(`Product block ${name} is in no model; delete it?`))) {
      up.push(`DELETE FROM product_block_relations WHERE in_use_by_id = ${blockId(name)} OR depends_on_id = ${blockId(name)}`);
      up.push(`DELETE FROM product_block_resource_types WHERE product_block_id = ${blockId(name)}`);
      up.push(`DELETE FROM product_product_blocks WHERE product_block_id = ${blockId(name)}`);
      up.push(`DELETE FROM product_blocks WHERE name = ${q(name)}`);
      down.unshift(`INSERT INTO product_blocks (name, description, status) VALUES (${q(name)}, ${q(name)}, 'active')`);
      changes.push(`delete product block ${name}`);
    } else changes.push(`${pc.yellow("not in the models")}: product block ${name}`);
  }
  for (const rt of dbc.resourceTypes) {
    if (modelResourceTypes.has(rt)) continue;
    const stillLinked = [...dbc.blocks].some(([name, b]) => b.resourceTypes.has(rt) && !modelBlocks.has(name));
    if (stillLinked) continue;
    up.push(`DELETE FROM resource_types WHERE resource_type = ${q(rt)}`);
    down.unshift(`INSERT INTO resource_types (resource_type, description) VALUES (${q(rt)}, ${q(rt)})`);
    changes.push(`delete resource type ${rt}`);
  }
  return { upgrade: up, downgrade: down, changes };
}

/** The body of the migration file: the statements as readable lists, run one by one. */
export function domainMigrationBody(plan: DomainMigration) {
  const list = (name: string, statements: string[]) =>
    `const ${name}: string[] = [\n${statements.map((s) => `  ${JSON.stringify(s)},`).join("\n")}\n];`;
  return {
    imports: [`import { sql } from "@orchestrator-ts/core";`],
    preamble: `${list("upgrade_sql", plan.upgrade)}\n\n${list("downgrade_sql", plan.downgrade)}`,
    upgradeBody: "  for (const statement of upgrade_sql) await sql.raw(statement).execute(conn);",
    downgradeBody: "  for (const statement of downgrade_sql) await sql.raw(statement).execute(conn);",
  };
}
