/**
 * `db migrate-domain-models`: compare the registered domain models (SUBSCRIPTION_MODEL_REGISTRY) with the product
 * catalogue in the database and write a data migration — SQL that creates what is new (products, fixed inputs,
 * product blocks, resource types, their links and block relations) and removes what the models no longer have, with
 * the exact reverse as downgrade. Descriptions, tags and fixed-input values the models do not give are asked for,
 * or taken from `--inputs`; renamed resource types come from `--updates` or are confirmed in the menu.
 *
 * Existing subscriptions follow the models (orchestrator-core's `migrate_domain_models.py` and its
 * `domain_gen_helpers`): a block added to a product type or to a block gets an instance in every existing
 * subscription (related to its owner under the attribute name), with default values for its resource types; a
 * resource type added to a block gets a default value in its instances; renamed resource types keep their values;
 * removed blocks, block attributes and resource types take their instances, relations and values with them — backed
 * up in the database, so the downgrade puts them back (the original's downgrade cannot).
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import pc from "picocolors";
import type { Database } from "../db/index.js";
import { describeRegistry, type RegistryDescription } from "../domain/index.js";
import { OrchestratorError } from "../errors.js";
import { CORE_PACKAGE } from "../migrations/index.js";
import { readCatalogue, type DbCatalogue } from "./domain-catalogue.js";
import { allInstances, blockId, productId, q, rtId } from "./domain-data-sql.js";
import { Script, type DomainUpdates, type PlanContext } from "./domain-plan-context.js";
import { Questions, type DomainInputs } from "./domain-questions.js";
import {
  planAttributeRenamesAndRemovals,
  planNewInstances,
  planNewResourceTypeValues,
  planRemovedBlockRelations,
  planRemovedResourceTypeValues,
  planRemovedRootBlocks,
  removeData,
} from "./domain-subscription-plan.js";
import type { LineInput } from "./prompt.js";

export type { DomainInputs } from "./domain-questions.js";
export type { DomainUpdates } from "./domain-plan-context.js";

export interface DomainMigration {
  upgrade: string[];
  downgrade: string[];
  /** One line per change, for the summary. */
  changes: string[];
  /** New products: the migration links them to DEFAULT_PRODUCT_WORKFLOWS (`ensureDefaultWorkflows`) after its SQL. */
  linkDefaultWorkflows: boolean;
}

export interface DomainMigrationOptions {
  inputs?: DomainInputs;
  updates?: DomainUpdates;
  /** Asks for what the models and inputs do not say; undefined = non-interactive (missing answers are errors). */
  io?: LineInput;
  registry?: RegistryDescription;
  /** Key of the backup of deleted subscription data (default: a new random one). */
  backupKey?: string;
}

/**
 * Compute the SQL (upgrade and downgrade) that brings the database's catalogue — and the subscriptions using it —
 * to the registered models. Throws `OrchestratorError` ("invalid_input") for missing or invalid answers and
 * ("model_mismatch") when a product's type differs between model and database.
 */
export async function planDomainMigration(db: Kysely<Database>, options: DomainMigrationOptions = {}): Promise<DomainMigration> {
  const registry = options.registry ?? describeRegistry();
  const questions = new Questions({ inputs: options.inputs, io: options.io });
  const before = await readCatalogue(db);
  const dbc = await readCatalogue(db); // simulated: changed as the plan goes
  const plan = new Planner(registry, before, dbc, questions, options.updates ?? {}, options.backupKey ?? randomUUID());
  return plan.run();
}

class Planner {
  private readonly ctx: PlanContext;

  constructor(
    private readonly registry: RegistryDescription,
    /** The catalogue as it is. */
    private readonly before: DbCatalogue,
    /** The catalogue as it will be after what is planned so far. */
    private readonly dbc: DbCatalogue,
    private readonly questions: Questions,
    private readonly updates: DomainUpdates,
    backupKey: string,
  ) {
    this.ctx = {
      registry,
      modelBlocks: new Map(registry.blocks.map((b) => [b.name, b])),
      before,
      dbc,
      questions,
      updates,
      backupKey,
      backupStarted: false,
      moves: [],
      renames: new Script(),
      removals: new Script(),
      catalogue: new Script(),
      additions: new Script(),
      changes: [],
    };
  }

  async run(): Promise<DomainMigration> {
    const { ctx } = this;
    await this.planResourceTypeRenames();
    await planAttributeRenamesAndRemovals(ctx);
    planRemovedResourceTypeValues(ctx);
    planRemovedBlockRelations(ctx);
    planRemovedRootBlocks(ctx);
    await this.planCatalogue();
    const newProducts = await this.planProducts();
    await this.planUnmodelled();
    await planNewInstances(ctx);
    await planNewResourceTypeValues(ctx);
    if (newProducts) ctx.changes.push("link DEFAULT_PRODUCT_WORKFLOWS to the new products (ensureDefaultWorkflows)");
    return {
      upgrade: [...ctx.renames.up, ...ctx.removals.up, ...ctx.catalogue.up, ...ctx.additions.up],
      downgrade: [...ctx.additions.down, ...ctx.catalogue.down, ...ctx.removals.down, ...ctx.renames.down],
      changes: ctx.changes,
      linkDefaultWorkflows: newProducts,
    };
  }

  // --- renames ------------------------------------------------------------------------------------------------------

  /**
   * Resource types renamed in blocks (`--updates` or confirmed when one attribute went and one came): a rename of the
   * resource type itself when nothing else keeps the old name, otherwise a move of that block's link and values.
   */
  private async planResourceTypeRenames(): Promise<void> {
    const perBlock = new Map<string, Map<string, string>>();
    const renamesOf = (block: string) => perBlock.get(block) ?? perBlock.set(block, new Map()).get(block)!;
    const global = Object.entries(this.updates.resource_types ?? {});
    for (const [from] of global) {
      if (!this.before.resourceTypes.has(from)) throw new OrchestratorError("invalid_input", `Cannot rename resource type ${from}: it is not in the database`);
    }
    for (const [block, renames] of Object.entries(this.updates.block_resource_types ?? {})) {
      for (const [from, to] of Object.entries(renames)) {
        if (!this.before.blocks.get(block)?.resourceTypes.has(from)) {
          throw new OrchestratorError("invalid_input", `Cannot rename resource type ${from} of product block ${block}: the block has no such resource type in the database`);
        }
        renamesOf(block).set(from, to);
      }
    }
    for (const block of this.registry.blocks) {
      const inDb = this.before.blocks.get(block.name);
      if (!inDb) continue;
      const model = new Set(block.resourceTypes.map((r) => r.resourceType));
      const mine = renamesOf(block.name);
      for (const [from, to] of global) if (inDb.resourceTypes.has(from) && !model.has(from) && model.has(to) && !inDb.resourceTypes.has(to)) mine.set(from, to);
      const added = [...model].filter((rt) => !inDb.resourceTypes.has(rt) && ![...mine.values()].includes(rt));
      const removed = [...inDb.resourceTypes].filter((rt) => !model.has(rt) && !mine.has(rt));
      if (added.length === 1 && removed.length === 1) {
        if (await this.questions.confirm(`In product block ${block.name}, is ${pc.bold(added[0]!)} a rename of ${pc.bold(removed[0]!)}?`)) mine.set(removed[0]!, added[0]!);
      }
    }
    // a whole resource type is renamed when every block that has it renames it the same way and no model keeps it
    const modelRts = new Set(this.registry.resourceTypes);
    const byFrom = new Map<string, { block: string; to: string }[]>();
    for (const [block, renames] of perBlock) for (const [from, to] of renames) (byFrom.get(from) ?? byFrom.set(from, []).get(from)!).push({ block, to });
    for (const [from, uses] of byFrom) {
      const holders = [...this.before.blocks].filter(([, b]) => b.resourceTypes.has(from)).map(([name]) => name);
      const to = uses[0]!.to;
      const whole =
        uses.every((u) => u.to === to) && holders.every((h) => uses.some((u) => u.block === h)) && !modelRts.has(from) && !this.dbc.resourceTypes.has(to);
      if (whole) {
        this.ctx.renames.add(
          `UPDATE resource_types SET resource_type = ${q(to)} WHERE resource_type = ${q(from)}`,
          `UPDATE resource_types SET resource_type = ${q(from)} WHERE resource_type = ${q(to)}`,
        );
        this.ctx.changes.push(`rename resource type ${from} → ${to} (values are kept)`);
        this.dbc.resourceTypes.set(to, this.dbc.resourceTypes.get(from) ?? null);
        this.dbc.resourceTypes.delete(from);
      } else {
        for (const u of uses) this.ctx.moves.push({ block: u.block, from, to: u.to });
      }
      for (const u of uses) {
        const b = this.dbc.blocks.get(u.block)!;
        b.resourceTypes.delete(from);
        b.resourceTypes.add(u.to);
      }
    }
  }

  // --- catalogue ----------------------------------------------------------------------------------------------------

  private async planCatalogue(): Promise<void> {
    const dbc = this.dbc;
    const c = this.ctx.catalogue;
    for (const rt of this.registry.resourceTypes) {
      if (dbc.resourceTypes.has(rt)) continue;
      const fromModel = this.registry.blocks.flatMap((b) => b.resourceTypes).find((r) => r.resourceType === rt)?.description;
      const description = await this.questions.ask(rt, "description", `Supply description for new resource type ${pc.magenta(rt)}: `, fromModel);
      c.add(`INSERT INTO resource_types (resource_type, description) VALUES (${q(rt)}, ${q(description)})`, `DELETE FROM resource_types WHERE resource_type = ${q(rt)}`);
      dbc.resourceTypes.set(rt, description);
      this.ctx.changes.push(`create resource type ${rt}`);
    }
    for (const { block, from, to } of this.ctx.moves) {
      const values = (a: string, b: string) =>
        `UPDATE subscription_instance_values SET resource_type_id = ${rtId(b)} WHERE resource_type_id = ${rtId(a)} AND subscription_instance_id IN (SELECT subscription_instance_id FROM subscription_instances WHERE product_block_id = ${blockId(block)})`;
      const link = (a: string, b: string) =>
        `UPDATE product_block_resource_types SET resource_type_id = ${rtId(b)} WHERE resource_type_id = ${rtId(a)} AND product_block_id = ${blockId(block)}`;
      c.add([values(from, to), link(from, to)], [link(to, from), values(to, from)]);
      this.ctx.changes.push(`rename resource type ${from} → ${to} in ${block} (values are kept)`);
    }

    for (const block of this.registry.blocks) {
      if (dbc.blocks.has(block.name)) continue;
      const description = await this.questions.ask(block.name, "description", `Supply the product block description for ${pc.bold(block.name)}: `, block.description);
      const tag = await this.questions.ask(block.name, "tag", `Supply the product block tag for ${pc.bold(block.name)}: `, block.tag);
      c.add(`INSERT INTO product_blocks (name, description, tag, status) VALUES (${q(block.name)}, ${q(description)}, ${q(tag)}, 'active')`, `DELETE FROM product_blocks WHERE name = ${q(block.name)}`);
      this.ctx.changes.push(`create product block ${block.name}`);
    }
    for (const block of this.registry.blocks) {
      const inDb = dbc.blocks.get(block.name);
      for (const r of block.resourceTypes) {
        if (inDb?.resourceTypes.has(r.resourceType)) continue;
        c.add(
          `INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES (${blockId(block.name)}, ${rtId(r.resourceType)})`,
          `DELETE FROM product_block_resource_types WHERE product_block_id = ${blockId(block.name)} AND resource_type_id = ${rtId(r.resourceType)}`,
        );
        this.ctx.changes.push(`link resource type ${r.resourceType} to ${block.name}`);
      }
      if (inDb) {
        const instances = this.before.blocks.get(block.name)!.instances;
        for (const rt of inDb.resourceTypes) {
          if (block.resourceTypes.some((r) => r.resourceType === rt)) continue;
          c.add(
            `DELETE FROM product_block_resource_types WHERE product_block_id = ${blockId(block.name)} AND resource_type_id = ${rtId(rt)}`,
            `INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES (${blockId(block.name)}, ${rtId(rt)})`,
          );
          this.ctx.changes.push(`remove resource type ${rt} from ${block.name}${instances ? ` (the values of ${instances} instance(s) are backed up for the downgrade)` : ""}`);
        }
      }
      for (const dep of new Set(block.blockReferences.map((r) => r.block))) {
        if (inDb?.dependsOn.has(dep)) continue;
        const ref = block.blockReferences.find((r) => r.block === dep)!;
        const min = ref.requiredFrom === undefined && !ref.list ? 0 : ref.min;
        c.add(
          `INSERT INTO product_block_relations (in_use_by_id, depends_on_id, min, max) VALUES (${blockId(block.name)}, ${blockId(dep)}, ${ref.list ? min : "NULL"}, ${ref.list && ref.max !== undefined ? ref.max : "NULL"})`,
          `DELETE FROM product_block_relations WHERE in_use_by_id = ${blockId(block.name)} AND depends_on_id = ${blockId(dep)}`,
        );
        this.ctx.changes.push(`relate ${block.name} → ${dep}`);
      }
      for (const [dep, bounds] of inDb?.dependsOn ?? []) {
        if (block.blockReferences.some((r) => r.block === dep)) continue;
        c.add(`DELETE FROM product_block_relations WHERE in_use_by_id = ${blockId(block.name)} AND depends_on_id = ${blockId(dep)}`, this.insertRelation(block.name, dep, bounds));
        this.ctx.changes.push(`remove relation ${block.name} → ${dep}`);
      }
    }
  }

  private insertRelation(inUseBy: string, dependsOn: string, bounds: { min: number | null; max: number | null }): string {
    const n = (v: number | null) => (v === null ? "NULL" : String(v));
    return `INSERT INTO product_block_relations (in_use_by_id, depends_on_id, min, max) VALUES (${blockId(inUseBy)}, ${blockId(dependsOn)}, ${n(bounds.min)}, ${n(bounds.max)})`;
  }

  /** Products, their fixed inputs and root blocks; true when a product is created. */
  private async planProducts(): Promise<boolean> {
    const c = this.ctx.catalogue;
    let created = false;
    for (const { name, productType } of this.registry.products) {
      const type = this.registry.productTypes.find((t) => t.productType === productType)!;
      const inDb = this.dbc.products.get(name);
      if (inDb && inDb.product_type !== productType) {
        throw new OrchestratorError("model_mismatch", `Product ${name} has product type ${inDb.product_type} in the database but ${productType} in the model`);
      }
      if (!inDb) {
        const description = await this.questions.ask(name, "description", `Supply the product description for ${pc.bold(name)}: `);
        const tag = await this.questions.ask(name, "tag", `Supply the product tag for ${pc.bold(name)}: `);
        c.add(
          `INSERT INTO products (name, description, product_type, tag, status) VALUES (${q(name)}, ${q(description)}, ${q(productType)}, ${q(tag)}, 'active')`,
          `DELETE FROM products WHERE name = ${q(name)}`,
        );
        this.ctx.changes.push(`create product ${name}`);
        created = true;
      }
      for (const fi of type.fixedInputs) {
        const renamedFrom = Object.entries(this.updates.fixed_inputs?.[name] ?? {}).find(([, to]) => to === fi.name)?.[0];
        if (inDb?.fixedInputs.has(fi.name)) continue;
        if (renamedFrom && inDb?.fixedInputs.has(renamedFrom)) {
          c.add(
            `UPDATE fixed_inputs SET name = ${q(fi.name)} WHERE name = ${q(renamedFrom)} AND product_id = ${productId(name)}`,
            `UPDATE fixed_inputs SET name = ${q(renamedFrom)} WHERE name = ${q(fi.name)} AND product_id = ${productId(name)}`,
          );
          inDb.fixedInputs.set(fi.name, inDb.fixedInputs.get(renamedFrom)!);
          inDb.fixedInputs.delete(renamedFrom);
          this.ctx.changes.push(`rename fixed input ${renamedFrom} → ${fi.name} of ${name}`);
          continue;
        }
        const value = await this.questions.choose(name, fi.name, `Which value of fixed input ${pc.bold(fi.name)} does product ${pc.bold(name)} have?`, fi.values);
        c.add(
          `INSERT INTO fixed_inputs (name, value, product_id) VALUES (${q(fi.name)}, ${q(value)}, ${productId(name)})`,
          `DELETE FROM fixed_inputs WHERE name = ${q(fi.name)} AND product_id = ${productId(name)}`,
        );
        this.ctx.changes.push(`create fixed input ${fi.name}=${value} of ${name}`);
      }
      for (const [fiName, value] of inDb?.fixedInputs ?? []) {
        if (type.fixedInputs.some((f) => f.name === fiName)) continue;
        c.add(
          `DELETE FROM fixed_inputs WHERE name = ${q(fiName)} AND product_id = ${productId(name)}`,
          `INSERT INTO fixed_inputs (name, value, product_id) VALUES (${q(fiName)}, ${q(value)}, ${productId(name)})`,
        );
        this.ctx.changes.push(`remove fixed input ${fiName} of ${name}`);
      }
      for (const root of new Set(type.rootBlocks.map((r) => r.block))) {
        if (inDb?.blocks.has(root)) continue;
        c.add(
          `INSERT INTO product_product_blocks (product_id, product_block_id) VALUES (${productId(name)}, ${blockId(root)})`,
          `DELETE FROM product_product_blocks WHERE product_id = ${productId(name)} AND product_block_id = ${blockId(root)}`,
        );
        this.ctx.changes.push(`link product block ${root} to ${name}`);
      }
      for (const root of inDb?.blocks ?? []) {
        if (type.rootBlocks.some((r) => r.block === root)) continue;
        c.add(
          `DELETE FROM product_product_blocks WHERE product_id = ${productId(name)} AND product_block_id = ${blockId(root)}`,
          `INSERT INTO product_product_blocks (product_id, product_block_id) VALUES (${productId(name)}, ${blockId(root)})`,
        );
        this.ctx.changes.push(`unlink product block ${root} from ${name}`);
      }
    }
    return created;
  }

  /** Products, blocks and resource types in the database that no model has. */
  private async planUnmodelled(): Promise<void> {
    const registered = new Set(this.registry.products.map((p) => p.name));
    for (const [name] of this.dbc.products) {
      if (registered.has(name)) continue;
      this.ctx.changes.push(`${pc.yellow("not in the models")}: product ${name} (not deleted; remove it with deleteProduct in a migration of its own)`);
    }
    // a block is offered for deletion once no block that stays uses it (users first, so the downgrade restores the
    // blocks they use before them); a root block of a product no model describes stays
    const deleted = new Set<string>();
    const kept = new Set<string>();
    const unmodelled = [...this.dbc.blocks.keys()].filter((name) => !this.ctx.modelBlocks.has(name));
    for (let progress = true; progress; ) {
      progress = false;
      for (const name of unmodelled) {
        if (deleted.has(name) || kept.has(name)) continue;
        const users = unmodelled.filter((other) => other !== name && !deleted.has(other) && this.dbc.blocks.get(other)!.dependsOn.has(name));
        if (users.some((u) => !kept.has(u))) continue; // decide about its users first
        progress = true;
        const rootOf = [...this.dbc.products].some(([p, prod]) => !registered.has(p) && prod.blocks.has(name));
        const instances = this.before.blocks.get(name)!.instances;
        const question = `Product block ${name} is in no model; delete it${instances ? " and its instances in the subscriptions (backed up for the downgrade)" : ""}?`;
        if (users.length || rootOf || !(await this.questions.confirm(question))) kept.add(name);
        else {
          deleted.add(name);
          this.deleteBlock(name);
        }
      }
    }
    for (const name of unmodelled) if (!deleted.has(name)) this.ctx.changes.push(`${pc.yellow("not in the models")}: product block ${name}`);
    const modelRts = new Set(this.registry.resourceTypes);
    for (const [rt, description] of this.dbc.resourceTypes) {
      if (modelRts.has(rt)) continue;
      const stillLinked = [...this.dbc.blocks].some(([name, b]) => b.resourceTypes.has(rt) && !this.ctx.modelBlocks.has(name) && !deleted.has(name));
      if (stillLinked) continue;
      this.ctx.catalogue.add(`DELETE FROM resource_types WHERE resource_type = ${q(rt)}`, `INSERT INTO resource_types (resource_type, description) VALUES (${q(rt)}, ${description === null ? "NULL" : q(description)})`);
      this.ctx.changes.push(`delete resource type ${rt}`);
    }
  }

  /**
   * Delete a block no model has, with its instances (backed up); the downgrade puts back the row as it was, its
   * resource types and the relations to the blocks it uses (its users are deleted before it and restored after it).
   */
  private deleteBlock(name: string): void {
    const b = this.dbc.blocks.get(name)!;
    if (this.before.blocks.get(name)!.instances) removeData(this.ctx, allInstances(name));
    const text = (v: string | null) => (v === null ? "NULL" : q(v));
    this.ctx.catalogue.add(
      [
        `DELETE FROM product_block_relations WHERE in_use_by_id = ${blockId(name)} OR depends_on_id = ${blockId(name)}`,
        `DELETE FROM product_block_resource_types WHERE product_block_id = ${blockId(name)}`,
        `DELETE FROM product_product_blocks WHERE product_block_id = ${blockId(name)}`,
        `DELETE FROM product_blocks WHERE name = ${q(name)}`,
      ],
      [
        `INSERT INTO product_blocks (name, description, tag, status) VALUES (${q(name)}, ${q(b.description)}, ${text(b.tag)}, ${text(b.status)})`,
        ...[...b.resourceTypes].map((rt) => `INSERT INTO product_block_resource_types (product_block_id, resource_type_id) VALUES (${blockId(name)}, ${rtId(rt)})`),
        ...[...b.dependsOn].map(([dep, bounds]) => this.insertRelation(name, dep, bounds)),
      ],
    );
    this.ctx.changes.push(`delete product block ${name}`);
  }

}

/** The body of the migration file: the statements as readable lists, run one by one. */
export function domainMigrationBody(plan: DomainMigration) {
  const list = (name: string, statements: string[]) =>
    `const ${name}: string[] = [\n${statements.map((s) => `  ${JSON.stringify(s)},`).join("\n")}\n];`;
  const link = plan.linkDefaultWorkflows ? "\n  // link DEFAULT_PRODUCT_WORKFLOWS (of the environment the migration runs in) to the new products\n  await ensureDefaultWorkflows(conn);" : "";
  return {
    imports: [`import { ${plan.linkDefaultWorkflows ? "ensureDefaultWorkflows, " : ""}sql } from "${CORE_PACKAGE}";`],
    preamble: `${list("upgrade_sql", plan.upgrade)}\n\n${list("downgrade_sql", plan.downgrade)}`,
    upgradeBody: `  for (const statement of upgrade_sql) await sql.raw(statement).execute(conn);${link}`,
    downgradeBody: "  for (const statement of downgrade_sql) await sql.raw(statement).execute(conn);",
  };
}
