/** Reads of subscriptions for the API: the list (filtered, sorted, paged; constant queries) and one subscription. */
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Database } from "../../db/index.js";
import { containsPattern, type Filter, type ListQuery, type ListSpec } from "../list-query.js";
import { boolIs, dateCompare, maybeNot, pagePerParent, storedCaseIn, textIn, uuidIn, type Condition } from "./conditions.js";
import type { ProductRef, SubscriptionDetail, SubscriptionListItem } from "../responses.js";

export const SUBSCRIPTION_LIST: ListSpec = {
  sortFields: [
    "description", "status", "insync", "start_date", "end_date", "note", "product", "product_name", "tag", "product_tag", "customer_id", "product_type",
    "subscription_id", "product_id", "version",
  ],
  filterFields: ["status", "insync", "product", "product_name", "tag", "product_type", "type", "product_id", "customer_id", "subscription_id", "description", "note", "start_date", "end_date"],
  defaultSort: [{ field: "start_date", direction: "desc" }],
};

const SORT_COLUMN: Record<string, string> = {
  description: "s.description",
  status: "s.status",
  insync: "s.insync",
  start_date: "s.start_date",
  end_date: "s.end_date",
  note: "s.note",
  product: "pr.name",
  product_name: "pr.name",
  tag: "pr.tag",
  product_tag: "pr.tag",
  product_id: "s.product_id",
  version: "s.version",
  customer_id: "s.customer_id",
  product_type: "pr.product_type",
  subscription_id: "s.subscription_id",
};

function baseQuery(db: Kysely<Database>) {
  return db.selectFrom("subscriptions as s").innerJoin("products as pr", "pr.product_id", "s.product_id");
}
type SubscriptionQuery = ReturnType<typeof baseQuery>;

/** The condition of one filter (see ./conditions.ts); undefined for a field the list does not filter on. */
export function subscriptionCondition(filter: Filter): Condition | undefined {
  const values = filter.values;
  switch (filter.field) {
    case "status":
      return storedCaseIn("s.status", values, "lower");
    case "insync":
      return boolIs("s.insync", filter);
    case "product":
    case "product_name":
      return textIn("pr.name", values);
    case "tag":
      return textIn("pr.tag", values);
    case "product_type":
    case "type":
      return textIn("pr.product_type", values);
    case "product_id":
      return uuidIn("s.product_id", filter);
    case "subscription_id":
      return uuidIn("s.subscription_id", filter);
    case "customer_id":
      return sql<SqlBool>`${sql.ref("s.customer_id")} = ${filter.raw}`;
    case "description":
      return sql<SqlBool>`${sql.ref("s.description")} ILIKE ${containsPattern(filter.raw)}`;
    case "note":
      return sql<SqlBool>`${sql.ref("s.note")} ILIKE ${containsPattern(filter.raw)}`;
    case "start_date":
      return dateCompare("s.start_date", filter);
    case "end_date":
      return dateCompare("s.end_date", filter);
    default:
      return undefined;
  }
}

function applyFilter(query: SubscriptionQuery, filter: Filter): SubscriptionQuery {
  const condition = subscriptionCondition(filter);
  return condition ? query.where(maybeNot(filter, condition)) : query;
}

/** The filtered rows; `joinProducts` false is for counts that touch no product column (the cast is safe then). */
function filtered(db: Kysely<Database>, list: ListQuery, joinProducts = true): SubscriptionQuery {
  let query = joinProducts ? baseQuery(db) : (db.selectFrom("subscriptions as s") as unknown as SubscriptionQuery);
  for (const filter of list.filters) query = applyFilter(query, filter);
  for (const condition of list.where ?? []) query = query.where(condition);
  if (list.query) {
    const like = containsPattern(list.query);
    query = query.where(
      sql<SqlBool>`(s.description ILIKE ${like} OR pr.name ILIKE ${like} OR pr.tag ILIKE ${like} OR s.note ILIKE ${like}
        OR s.customer_id ILIKE ${like} OR s.subscription_id::text ILIKE ${like} OR s.status ILIKE ${like})`,
    );
  }
  return query;
}

const PRODUCT_JSON = sql<ProductRef>`json_build_object(
  'product_id', pr.product_id, 'name', pr.name, 'description', pr.description, 'product_type', pr.product_type,
  'tag', pr.tag, 'status', pr.status, 'created_at', pr.created_at, 'end_date', pr.end_date)`;

function selectItem(query: SubscriptionQuery) {
  return query.select([
    "s.subscription_id",
    "s.description",
    "s.status",
    "s.insync",
    "s.customer_id",
    "s.start_date",
    "s.end_date",
    "s.note",
    "s.version",
    "s.product_id",
    PRODUCT_JSON.as("product"),
  ]);
}

/**
 * One page of subscriptions and the total: two queries whatever the page size. With `rank` (a relevance of each row,
 * higher is better: the search endpoint's free text) every row gets it as `score` and the page is ordered by it first.
 */
export async function listSubscriptions(
  db: Kysely<Database>,
  list: ListQuery,
  rank?: RawBuilder<number>,
): Promise<{ items: (SubscriptionListItem & { score?: number })[]; total: number }> {
  // without filters on products the count needs no join (the foreign key guarantees the product exists)
  const needsProduct = list.query !== undefined || (list.where?.length ?? 0) > 0 || list.filters.some((f) => ["product", "product_name", "tag", "product_type", "type"].includes(f.field));
  const countRow = await filtered(db, list, needsProduct)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  let page = selectItem(filtered(db, list));
  if (rank) page = page.select(rank.as("score")).orderBy(sql`score`, "desc") as unknown as typeof page;
  for (const key of list.sort) page = page.orderBy(sql.ref(SORT_COLUMN[key.field]!), key.direction);
  // the unique tie-breaker runs the same way as the last key, so an index (key, subscription_id) serves the page
  const rows = await page.orderBy("s.subscription_id", list.sort.at(-1)?.direction ?? "asc").offset(list.offset).limit(list.limit).execute();
  // the status column holds a lifecycle (see ../responses.ts)
  return { items: rows as (SubscriptionListItem & { score?: number })[], total: Number(countRow.n) };
}

/**
 * Lists of subscriptions for many parents at once (a page's processes, products, or the subscriptions a page's
 * subscriptions use or are used by): `groups` is a statement of `(parent, sid)` pairs; each parent gets the page `list`
 * asks for and its count. Two queries whatever the number of parents (one when `withItems` is false: counts only).
 */
export async function listSubscriptionsGrouped(
  db: Kysely<Database>,
  list: ListQuery,
  groups: RawBuilder<{ parent: string; sid: string }>,
  withItems = true,
): Promise<Map<string, { items: SubscriptionListItem[]; total: number }>> {
  const joined = () =>
    filtered(db, list).innerJoin(groups.as("g") as unknown as "subscriptions as g", (join) => join.onRef("g.sid" as never, "=", "s.subscription_id")) as unknown as SubscriptionQuery;
  const counts = await joined()
    .select([sql<string>`g.parent`.as("parent"), (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(sql`g.parent`)
    .execute();
  const result = new Map<string, { items: SubscriptionListItem[]; total: number }>();
  for (const c of counts) result.set(c.parent, { items: [], total: Number(c.n) });
  if (!withItems || counts.length === 0) return result;
  const keys = list.sort.map((key) => sql`${sql.ref(SORT_COLUMN[key.field]!)} ${sql.raw(key.direction)}`);
  keys.push(sql`s.subscription_id ${sql.raw(list.sort.at(-1)?.direction ?? "asc")}`);
  const inner = selectItem(joined()).select([
    sql<string>`g.parent`.as("parent"),
    sql<number>`row_number() OVER (PARTITION BY g.parent ORDER BY ${sql.join(keys)})`.as("rn"),
  ]);
  const rows = await pagePerParent(db, inner, list);
  for (const { parent, rn: _rn, ...row } of rows) result.get(parent)!.items.push(row as SubscriptionListItem);
  return result;
}

/** One subscription with its product's fixed inputs, customer descriptions, metadata and processes. */
export async function subscriptionDetail(db: Kysely<Database>, subscriptionId: string): Promise<SubscriptionDetail | undefined> {
  const item = await selectItem(baseQuery(db)).where("s.subscription_id", "=", subscriptionId).executeTakeFirst();
  if (!item) return undefined;
  const [fixedInputs, descriptions, metadata, processes] = await Promise.all([
    db.selectFrom("fixed_inputs").select(["fixed_input_id", "name", "value", "created_at"]).where("product_id", "=", item.product_id).orderBy("name").execute(),
    db.selectFrom("subscription_customer_descriptions").selectAll().where("subscription_id", "=", subscriptionId).orderBy("created_at").execute(),
    db.selectFrom("subscription_metadata").select("metadata").where("subscription_id", "=", subscriptionId).executeTakeFirst(),
    db
      .selectFrom("processes_subscriptions as ps")
      .innerJoin("processes as p", "p.pid", "ps.pid")
      .innerJoin("workflows as w", "w.workflow_id", "p.workflow_id")
      .select([
        "p.pid as process_id",
        "w.name as workflow_name",
        "w.target as workflow_target",
        "p.is_task",
        "p.last_status",
        "p.last_step",
        "p.created_by",
        "p.started_at",
        "p.last_modified_at",
      ])
      .where("ps.subscription_id", "=", subscriptionId)
      .orderBy("p.started_at")
      .execute(),
  ]);
  return {
    ...item,
    product: { ...item.product, fixed_inputs: fixedInputs },
    customer_descriptions: descriptions,
    metadata: metadata?.metadata ?? null,
    processes,
  } as SubscriptionDetail;
}
