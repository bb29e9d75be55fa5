/** `subscriptions`, the SubscriptionInterface with its one implementation, product-block instances and descriptions. */
import type { GraphQLResolveInfo } from "graphql";
import type { StoredBlock } from "../../../domain/index.js";
import { PROCESS_LIST } from "../../queries/processes.js";
import { SUBSCRIPTION_LIST, listSubscriptions, subscriptionCondition } from "../../queries/subscriptions.js";
import type { SubscriptionListItem } from "../../responses.js";
import { camelCase, parseListArgs, type ListArgs } from "../arguments.js";
import type { GraphqlContext } from "../context.js";
import type { SubscriptionGroup } from "../loaders.js";
import { selectsPage, toConnection } from "../paging.js";
import type { QueryTarget } from "../search-query.js";
import { defaultCustomer, enumName, snakeFields } from "./common.js";
import { argsKey, rootConnection } from "./lists.js";

/** Subscriptions' free text: a word is contained in a column (the original searches a full-text index). */
export const SUBSCRIPTION_QUERY: QueryTarget = {
  condition: subscriptionCondition,
  textColumns: ["s.subscription_id", "s.description", "s.status", "s.note", "s.customer_id", "pr.name", "pr.tag", "pr.product_type", "pr.description"],
  words: "contains",
};

type Context = GraphqlContext;
type Subscription = SubscriptionListItem;

/** A nested list of subscriptions (of a process, a product, or related to a subscription). */
export async function subscriptionsOf(group: SubscriptionGroup, parent: string, args: ListArgs, context: Context, info: GraphQLResolveInfo) {
  const request = parseListArgs(args, SUBSCRIPTION_LIST, context, info);
  const { items, total } = await context.loaders.subscriptionsOf(group, request.list, argsKey(args), selectsPage(info)).load(parent);
  return toConnection(request, items, total);
}

export interface BlockInstance {
  id: number;
  parent: number | null;
  block: StoredBlock;
}

/**
 * The blocks of a subscription's tree, depth first, numbered from 0 with the number of the enclosing block as parent
 * (orchestrator-core's `productBlockInstances`); blocks owned by other subscriptions that it uses are included.
 */
export function blockInstances(roots: readonly StoredBlock[]): BlockInstance[] {
  const result: BlockInstance[] = [];
  const visit = (block: StoredBlock, parent: number | null) => {
    const id = result.length;
    result.push({ id, parent, block });
    for (const children of Object.values(block.relations)) for (const child of children) visit(child, id);
  };
  for (const root of roots) visit(root, null);
  return result;
}

/** A block's values as [{field, value}]: its name, label and resource values (a list field as a list). */
function blockValues(block: StoredBlock): { field: string; value: unknown }[] {
  const values: { field: string; value: unknown }[] = [{ field: "name", value: block.name }];
  if (block.label !== null) values.push({ field: "label", value: block.label });
  for (const [key, list] of Object.entries(block.values)) values.push({ field: camelCase(key), value: list.length === 1 ? list[0] : list });
  return values;
}

const subscriptionFields = {
  ...snakeFields<Subscription>(["subscriptionId", "description", "insync", "note", "startDate", "endDate", "productId", "customerId", "version"]),
  status: (s: Subscription) => enumName(s.status),
  product: (s: Subscription) => s.product,
  customer: (_: Subscription, __: unknown, context: Context) => defaultCustomer(context.settings),
  customerDescriptions: (s: Subscription, _: unknown, context: Context) => context.loaders.customerDescriptions.load(s.subscription_id),
  fixedInputs: async (s: Subscription, _: unknown, context: Context) =>
    (await context.loaders.fixedInputs.load(s.product_id)).map((f: { name: string; value: string }) => ({ field: f.name, value: f.value })),
  metadata: (s: Subscription, _: unknown, context: Context) => context.loaders.metadata.load(s.subscription_id),
  productBlockInstances: async (s: Subscription, _: unknown, context: Context) => blockInstances((await context.loaders.tree.load(s.subscription_id)).blocks),
  processes: async (s: Subscription, args: ListArgs, context: Context, info: GraphQLResolveInfo) => {
    const request = parseListArgs(args, PROCESS_LIST, context, info);
    const { items, total } = await context.loaders.processesOf(request.list, argsKey(args), selectsPage(info)).load(s.subscription_id);
    return toConnection(request, items, total);
  },
  inUseBySubscriptions: (s: Subscription, args: ListArgs, context: Context, info: GraphQLResolveInfo) => subscriptionsOf("inUseBy", s.subscription_id, args, context, info),
  dependsOnSubscriptions: (s: Subscription, args: ListArgs, context: Context, info: GraphQLResolveInfo) => subscriptionsOf("dependsOn", s.subscription_id, args, context, info),
};

export const subscriptionResolvers = {
  Query: {
    subscriptions: (_: unknown, args: ListArgs, context: Context, info: GraphQLResolveInfo) =>
      rootConnection(args, SUBSCRIPTION_LIST, SUBSCRIPTION_QUERY, context, info, ({ list }) => listSubscriptions(context.db, list)),
  },
  SubscriptionInterface: { resolveType: () => "SubscriptionType" },
  SubscriptionType: subscriptionFields,
  ProductBlockInstance: {
    subscriptionInstanceId: (b: BlockInstance) => b.block.subscription_instance_id,
    ownerSubscriptionId: (b: BlockInstance) => b.block.owner_subscription_id,
    productBlockInstanceValues: (b: BlockInstance) => blockValues(b.block),
    inUseByRelations: (b: BlockInstance) => b.block.in_use_by.map((u) => ({ subscription_instance_id: u.subscription_instance_id, subscription_id: u.subscription_id })),
    subscription: (b: BlockInstance, _: unknown, context: Context) => context.loaders.subscription.load(b.block.owner_subscription_id),
  },
  CustomerDescription: snakeFields(["id", "subscriptionId", "customerId", "description", "createdAt", "version"]),
};
