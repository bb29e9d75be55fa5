/**
 * The batching loaders of one GraphQL request (dataloader): a field asked of every row of a page (each process's
 * subscriptions, each subscription's processes, each product's blocks, …) is read for all of the rows in one query,
 * so that a page costs the same number of queries whatever its size. Nested connections with arguments get one
 * loader per distinct set of arguments.
 */
import DataLoader from "dataloader";
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Database } from "../../db/index.js";
import { loadStoredSubscriptions, type StoredSubscription } from "../../domain/index.js";
import type { ListQuery } from "../list-query.js";
import {
  blocksOfProducts,
  blocksOfResourceTypes,
  fixedInputsOfProducts,
  productsOfWorkflows,
  relatedBlocks,
  resourceTypesOfBlocks,
  workflowsOfProducts,
} from "../queries/catalogue.js";
import { listProcessesGrouped, stepsOfProcesses } from "../queries/processes.js";
import { listSubscriptions, listSubscriptionsGrouped } from "../queries/subscriptions.js";
import type { ProcessListItem, SubscriptionListItem } from "../responses.js";

type Grouped<T> = { items: T[]; total: number };

/** A loader of one value per key from a function that reads many keys into a map (missing keys get `empty`). */
function mapLoader<V>(read: (keys: readonly string[]) => Promise<Map<string, V>>, empty: () => V): DataLoader<string, V> {
  return new DataLoader(async (keys) => {
    const found = await read(keys);
    return keys.map((k) => found.get(k) ?? empty());
  });
}

/** Which subscriptions belong to a parent, as a statement of (parent, sid) pairs. */
export type SubscriptionGroup = "process" | "product" | "customer" | "inUseBy" | "dependsOn";

function subscriptionPairs(group: SubscriptionGroup, parents: readonly string[]): RawBuilder<{ parent: string; sid: string }> {
  const ids = sql`${[...parents]}::uuid[]`;
  switch (group) {
    case "process":
      return sql`(SELECT pid AS parent, subscription_id AS sid FROM processes_subscriptions WHERE pid = ANY(${ids}))`;
    case "product":
      return sql`(SELECT product_id AS parent, subscription_id AS sid FROM subscriptions WHERE product_id = ANY(${ids}))`;
    case "customer":
      return sql`(SELECT customer_id AS parent, subscription_id AS sid FROM subscriptions WHERE customer_id = ANY(${[...parents]}::text[]))`;
    case "inUseBy":
      // the subscriptions owning a block that uses one of the parent's blocks
      return sql`(SELECT DISTINCT d.subscription_id AS parent, u.subscription_id AS sid FROM subscription_instance_relations r
        JOIN subscription_instances d ON d.subscription_instance_id = r.depends_on_id
        JOIN subscription_instances u ON u.subscription_instance_id = r.in_use_by_id
        WHERE d.subscription_id = ANY(${ids}) AND u.subscription_id <> d.subscription_id)`;
    case "dependsOn":
      return sql`(SELECT DISTINCT u.subscription_id AS parent, d.subscription_id AS sid FROM subscription_instance_relations r
        JOIN subscription_instances d ON d.subscription_instance_id = r.depends_on_id
        JOIN subscription_instances u ON u.subscription_instance_id = r.in_use_by_id
        WHERE u.subscription_id = ANY(${ids}) AND u.subscription_id <> d.subscription_id)`;
  }
}

export function createLoaders(db: Kysely<Database>) {
  const nested = new Map<string, DataLoader<string, Grouped<unknown>>>();
  /** The loader of a nested connection for one set of arguments (`key` names them). */
  function nestedLoader<T>(key: string, read: (parents: readonly string[]) => Promise<Map<string, Grouped<T>>>): DataLoader<string, Grouped<T>> {
    let loader = nested.get(key);
    if (!loader) nested.set(key, (loader = mapLoader(read, () => ({ items: [], total: 0 })) as DataLoader<string, Grouped<unknown>>));
    return loader as DataLoader<string, Grouped<T>>;
  }

  return {
    fixedInputs: mapLoader((ids) => fixedInputsOfProducts(db, ids), () => []),
    productBlocks: mapLoader((ids) => blocksOfProducts(db, ids), () => []),
    productWorkflows: mapLoader((ids) => workflowsOfProducts(db, ids), () => []),
    workflowProducts: mapLoader((ids) => productsOfWorkflows(db, ids), () => []),
    blockResourceTypes: mapLoader((ids) => resourceTypesOfBlocks(db, ids), () => []),
    blockDependsOn: mapLoader((ids) => relatedBlocks(db, ids, "dependsOn"), () => []),
    blockInUseBy: mapLoader((ids) => relatedBlocks(db, ids, "inUseBy"), () => []),
    resourceTypeBlocks: mapLoader((ids) => blocksOfResourceTypes(db, ids), () => []),
    steps: mapLoader((ids) => stepsOfProcesses(db, ids), () => []),
    traceback: mapLoader(async (ids) => {
      const rows = await db.selectFrom("processes").select(["pid", "traceback"]).where("pid", "in", ids).execute();
      return new Map(rows.map((r) => [r.pid, r.traceback]));
    }, () => null),
    customerDescriptions: mapLoader(async (ids) => {
      const rows = await db.selectFrom("subscription_customer_descriptions").selectAll().where("subscription_id", "in", ids).orderBy("created_at").execute();
      const result = new Map<string, typeof rows>();
      for (const row of rows) result.set(row.subscription_id, [...(result.get(row.subscription_id) ?? []), row]);
      return result;
    }, () => []),
    metadata: mapLoader(async (ids) => {
      const rows = await db.selectFrom("subscription_metadata").select(["subscription_id", "metadata"]).where("subscription_id", "in", ids).execute();
      return new Map(rows.map((r) => [r.subscription_id, r.metadata as Record<string, unknown>]));
    }, () => ({})),
    /** Subscriptions by id (the owners of product-block instances): one query for all. */
    subscription: mapLoader(async (ids) => {
      const { items } = await listSubscriptions(db, {
        offset: 0,
        limit: ids.length,
        sort: [],
        filters: [{ field: "subscription_id", raw: ids.join("|"), values: [...ids] }],
      });
      return new Map(items.map((s) => [s.subscription_id, s]));
    }, () => undefined as SubscriptionListItem | undefined),
    /** Subscriptions' whole product-block trees: one statement for all the subscriptions of a page. */
    tree: new DataLoader<string, StoredSubscription>((ids) => loadStoredSubscriptions(db, ids)),
    /** The processes of subscriptions, one page per subscription. */
    processesOf(list: ListQuery, key: string, withItems: boolean): DataLoader<string, Grouped<ProcessListItem>> {
      return nestedLoader(`processes ${key} ${withItems}`, (parents) =>
        listProcessesGrouped(db, list, sql`(SELECT subscription_id AS parent, pid FROM processes_subscriptions WHERE subscription_id = ANY(${[...parents]}::uuid[]))`, withItems),
      );
    },
    /** The subscriptions of processes, products, or the subscriptions they use or are used by: one page per parent. */
    subscriptionsOf(group: SubscriptionGroup, list: ListQuery, key: string, withItems: boolean): DataLoader<string, Grouped<SubscriptionListItem>> {
      return nestedLoader(`subscriptions ${group} ${key} ${withItems}`, (parents) => listSubscriptionsGrouped(db, list, subscriptionPairs(group, parents), withItems));
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
