/**
 * The subscription side of `db migrate-domain-models` (orchestrator-core's `domain_gen_helpers`
 * `generate_create_product_instance_relations_sql`, `generate_create_product_block_instance_relations_sql`,
 * `generate_create_resource_type_instance_values_sql`, `generate_delete_product_blocks_sql`): new block instances
 * with relations and default values for the blocks the models add; renamed block attributes; the instances, values
 * and relations of what the models drop, backed up so the downgrade restores them.
 */
import pc from "picocolors";
import type { BlockReference } from "../domain/index.js";
import { OrchestratorError } from "../errors.js";
import {
  allInstances,
  backupInstances,
  backupRelations,
  backupValues,
  childInstances,
  createBackupTable,
  createChildInstances,
  createRootInstances,
  deleteInstances,
  deleteValues,
  insertDefaultValues,
  ownedChildren,
  ownedClosure,
  q,
  relationCondition,
  restoreBackup,
  rootInstances,
  rtId,
  type InstanceSet,
} from "./domain-data-sql.js";
import type { PlanContext } from "./domain-plan-context.js";

/** How many instances a block reference gets in an existing subscription: one, or a list's minimum. */
const instanceCount = (ref: BlockReference) => (ref.list ? Math.max(1, ref.min) : 1);

/**
 * Block attributes (the `domain_model_attr` of instance relations) a block's model no longer has, for a block it
 * still references: renamed (`--updates block_attributes`, or confirmed when one went and one came, as for
 * resource types) or removed with the instances they own.
 */
export async function planAttributeRenamesAndRemovals(ctx: PlanContext): Promise<void> {
  for (const block of ctx.registry.blocks) {
    const inDb = ctx.before.blocks.get(block.name);
    if (!inDb) continue;
    const given = Object.entries(ctx.updates.block_attributes?.[block.name] ?? {});
    for (const dep of new Set(block.blockReferences.map((r) => r.block))) {
      if (!inDb.dependsOn.has(dep)) continue; // a new relation: planNewInstances
      const modelAttrs = block.blockReferences.filter((r) => r.block === dep).map((r) => r.attribute);
      const dataAttrs = inDb.attributes.get(dep) ?? new Set<string>();
      const renames = new Map(given.filter(([, to]) => modelAttrs.includes(to)));
      const stray = [...dataAttrs].filter((a) => !modelAttrs.includes(a) && !renames.has(a));
      const unused = modelAttrs.filter((a) => !dataAttrs.has(a) && ![...renames.values()].includes(a));
      if (stray.length === 1 && unused.length === 1) {
        if (await ctx.questions.confirm(`In product block ${block.name}, is attribute ${pc.bold(unused[0]!)} a rename of ${pc.bold(stray[0]!)}?`)) {
          renames.set(stray.pop()!, unused[0]!);
        }
      }
      for (const [from, to] of renames) {
        const rename = (a: string, b: string) =>
          `UPDATE subscription_instance_relations r SET domain_model_attr = ${q(b)} WHERE r.domain_model_attr = ${q(a)} AND ${relationCondition(block.name, dep)}`;
        ctx.renames.add(rename(from, to), rename(to, from));
        ctx.changes.push(`rename attribute ${block.name}.${from} → ${to} (its blocks are kept)`);
      }
      if (stray.length) {
        removeData(ctx, ownedChildren(block.name, dep, modelAttrs), relationCondition(block.name, dep, modelAttrs));
        ctx.changes.push(`remove attribute ${stray.map((a) => `${block.name}.${a}`).join(", ")} from the subscriptions (backed up for the downgrade)`);
      }
    }
  }
  for (const [block, renames] of Object.entries(ctx.updates.block_attributes ?? {})) {
    const model = ctx.modelBlocks.get(block);
    for (const to of Object.values(renames)) {
      if (!model?.blockReferences.some((r) => r.attribute === to)) {
        throw new OrchestratorError("invalid_input", `Cannot rename an attribute of ${block} to ${to}: the model of ${block} has no block attribute ${to}`);
      }
    }
  }
}

// --- removals -------------------------------------------------------------------------------------------------------

/** Start the backup of this migration (once): the downgrade's last step puts it back. */
function startBackup(ctx: PlanContext): void {
  if (ctx.backupStarted) return;
  ctx.backupStarted = true;
  ctx.removals.add(createBackupTable(), restoreBackup(ctx.backupKey));
}

/**
 * Remove the instances of `seed` with every instance they own, and the relations matching `relations` (to blocks
 * of other subscriptions too), after backing all of it up.
 */
export function removeData(ctx: PlanContext, seed: InstanceSet, relations?: string): void {
  startBackup(ctx);
  const doomed = ownedClosure(seed);
  ctx.removals.add([...backupInstances(ctx.backupKey, doomed), ...(relations ? backupRelations(ctx.backupKey, relations) : [])]);
  ctx.removals.add(deleteInstances(doomed));
  if (relations) ctx.removals.add(`DELETE FROM subscription_instance_relations r WHERE ${relations}`);
}

/** Values of resource types a block's model no longer has (and did not rename). */
export function planRemovedResourceTypeValues(ctx: PlanContext): void {
  for (const block of ctx.registry.blocks) {
    const inDb = ctx.dbc.blocks.get(block.name);
    if (!inDb) continue;
    for (const rt of inDb.resourceTypes) {
      if (block.resourceTypes.some((r) => r.resourceType === rt)) continue;
      startBackup(ctx);
      const condition = `v.resource_type_id = ${rtId(rt)} AND v.subscription_instance_id IN (SELECT id FROM (${allInstances(block.name).sql}) x)`;
      ctx.removals.add(backupValues(ctx.backupKey, condition));
      ctx.removals.add(deleteValues(allInstances(block.name), rt));
    }
  }
}

/** Block references a block's model no longer has: the relations, and the instances the subscriptions owned there. */
export function planRemovedBlockRelations(ctx: PlanContext): void {
  for (const block of ctx.registry.blocks) {
    const inDb = ctx.before.blocks.get(block.name);
    if (!inDb) continue;
    for (const dep of inDb.dependsOn.keys()) {
      if (block.blockReferences.some((r) => r.block === dep)) continue;
      removeData(ctx, ownedChildren(block.name, dep), relationCondition(block.name, dep));
      if (inDb.instances) ctx.changes.push(`remove the ${dep} instances of ${block.name} from the subscriptions (backed up for the downgrade)`);
    }
  }
}

/** Root blocks a product's model no longer has: their instances in the product's subscriptions. */
export function planRemovedRootBlocks(ctx: PlanContext): void {
  for (const { name, productType } of ctx.registry.products) {
    const inDb = ctx.before.products.get(name);
    if (!inDb) continue;
    const type = ctx.registry.productTypes.find((t) => t.productType === productType)!;
    for (const root of inDb.blocks) {
      if (type.rootBlocks.some((r) => r.block === root)) continue;
      removeData(ctx, rootInstances(name, root));
      if (inDb.statuses.size) ctx.changes.push(`remove the ${root} instances of the subscriptions of ${name} (backed up for the downgrade)`);
    }
  }
}


// --- additions ------------------------------------------------------------------------------------------------------

/** New block instances with their values, for the blocks that models add to existing products and blocks. */
export async function planNewInstances(ctx: PlanContext): Promise<void> {
  const created: { set: InstanceSet; statuses: Set<string> }[] = [];
  const planned = new Map<string, Set<string>>();
  const isNewPair = (block: string, dep: string) => !ctx.before.blocks.get(block)?.dependsOn.has(dep);

  /** Record new instances of `set` and give them the blocks they always have through existing relations. */
  const fill = (set: InstanceSet, statuses: Set<string>): void => {
    const known = planned.get(set.block) ?? planned.set(set.block, new Set()).get(set.block)!;
    for (const s of statuses) known.add(s);
    created.push({ set, statuses });
    for (const ref of ctx.modelBlocks.get(set.block)?.blockReferences ?? []) {
      if (isNewPair(set.block, ref.block)) continue; // every instance of the block gets it below
      ctx.additions.add(
        createChildInstances(set, ref.attribute, ref.block, instanceCount(ref)),
        deleteInstances(childInstances(set, ref.attribute, ref.block, { owned: true })),
      );
      fill(childInstances(set, ref.attribute, ref.block), statuses);
    }
  };

  for (const { name, productType } of ctx.registry.products) {
    const inDb = ctx.before.products.get(name);
    if (!inDb) continue;
    const type = ctx.registry.productTypes.find((t) => t.productType === productType)!;
    for (const ref of type.rootBlocks) {
      if (inDb.blocks.has(ref.block)) continue;
      ctx.additions.add(createRootInstances(name, ref.block, instanceCount(ref)), deleteInstances(rootInstances(name, ref.block)));
      if (inDb.statuses.size) ctx.changes.push(`create a ${ref.block} instance (${ref.attribute}) in every subscription of ${name}`);
      fill(rootInstances(name, ref.block), inDb.statuses);
    }
  }
  // parents before children: the registry lists a block after the blocks it uses
  for (const block of [...ctx.registry.blocks].reverse()) {
    const existing = ctx.before.blocks.get(block.name);
    if (!existing && !planned.has(block.name)) continue;
    const statuses = new Set([...(existing?.ownerStatuses ?? []), ...(planned.get(block.name) ?? [])]);
    for (const ref of block.blockReferences) {
      if (!isNewPair(block.name, ref.block)) continue;
      const parents = allInstances(block.name);
      const children = childInstances(parents, ref.attribute, ref.block);
      ctx.additions.add(createChildInstances(parents, ref.attribute, ref.block, instanceCount(ref)), [
        deleteInstances(childInstances(parents, ref.attribute, ref.block, { owned: true })),
        `DELETE FROM subscription_instance_relations r WHERE r.domain_model_attr = ${q(ref.attribute)} AND r.in_use_by_id IN (SELECT id FROM (${parents.sql}) p)`,
      ]);
      if (statuses.size) ctx.changes.push(`create a ${ref.block} instance (${ref.attribute}) in every ${block.name} instance`);
      fill(children, statuses);
    }
  }
  for (const { set, statuses } of created) {
    if (statuses.size === 0) continue; // no subscription has the block yet: nothing to fill in
    for (const rt of ctx.modelBlocks.get(set.block)?.resourceTypes ?? []) {
      const value = await ctx.questions.defaultValue(rt, set.block, statuses);
      if (value !== undefined) ctx.additions.add(insertDefaultValues(set, rt.resourceType, value));
    }
  }
}

/** Default values of resource types added to blocks that have instances (orchestrator-core asks for them too). */
export async function planNewResourceTypeValues(ctx: PlanContext): Promise<void> {
  for (const block of ctx.registry.blocks) {
    const existing = ctx.before.blocks.get(block.name);
    if (!existing || existing.instances === 0) continue;
    const renamedTo = new Set(ctx.moves.filter((m) => m.block === block.name).map((m) => m.to));
    for (const rt of block.resourceTypes) {
      if (existing.resourceTypes.has(rt.resourceType) || ctx.dbc.blocks.get(block.name)!.resourceTypes.has(rt.resourceType) || renamedTo.has(rt.resourceType)) continue;
      const value = await ctx.questions.defaultValue(rt, block.name, existing.ownerStatuses);
      if (value === undefined) continue;
      ctx.additions.add(insertDefaultValues(allInstances(block.name), rt.resourceType, value), deleteValues(allInstances(block.name), rt.resourceType));
      ctx.changes.push(`give resource type ${rt.resourceType} the value ${JSON.stringify(value)} in the ${existing.instances} instance(s) of ${block.name}`);
    }
  }
}
