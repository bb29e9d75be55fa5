/** Reads of subscriptions for the API: the list (filtered, sorted, paged; constant queries) and one subscription. */
import { sql, type Kysely, type SqlBool } from "kysely";
import type { Database } from "../../db/index.js";
import { boolValue, containsPattern, uuidValues, type Filter, type ListQuery, type ListSpec } from "../list-query.js";
import type { ProductRef, SubscriptionDetail, SubscriptionListItem } from "../responses.js";

export const SUBSCRIPTION_LIST: ListSpec = {
  sortFields: ["description", "status", "insync", "start_date", "end_date", "note", "product", "product_name", "tag", "customer_id", "product_type", "subscription_id"],
  filterFields: ["status", "insync", "product", "product_name", "tag", "product_type", "product_id", "customer_id", "subscription_id", "description", "note"],
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
  customer_id: "s.customer_id",
  product_type: "pr.product_type",
  subscription_id: "s.subscription_id",
};

function baseQuery(db: Kysely<Database>) {
  return db.selectFrom("subscriptions as s").innerJoin("products as pr", "pr.product_id", "s.product_id");
}
type SubscriptionQuery = ReturnType<typeof baseQuery>;

function applyFilter(query: SubscriptionQuery, filter: Filter): SubscriptionQuery {
  const values = filter.values;
  switch (filter.field) {
    case "status":
      return query.where("s.status", "in", values.map((v) => v.toLowerCase()));
    case "insync":
      return query.where("s.insync", "=", boolValue(filter));
    case "product":
    case "product_name":
      return query.where("pr.name", "in", values);
    case "tag":
      return query.where("pr.tag", "in", values);
    case "product_type":
      return query.where("pr.product_type", "in", values);
    case "product_id":
      return query.where("s.product_id", "in", uuidValues(filter));
    case "subscription_id":
      return query.where("s.subscription_id", "in", uuidValues(filter));
    case "customer_id":
      return query.where("s.customer_id", "=", filter.raw);
    case "description":
      return query.where("s.description", "ilike", containsPattern(filter.raw));
    case "note":
      return query.where("s.note", "ilike", containsPattern(filter.raw));
    default:
      return query;
  }
}

/** The filtered rows; `joinProducts` false is for counts that touch no product column (the cast is safe then). */
function filtered(db: Kysely<Database>, list: ListQuery, joinProducts = true): SubscriptionQuery {
  let query = joinProducts ? baseQuery(db) : (db.selectFrom("subscriptions as s") as unknown as SubscriptionQuery);
  for (const filter of list.filters) query = applyFilter(query, filter);
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

/** One page of subscriptions and the total: two queries whatever the page size. */
export async function listSubscriptions(db: Kysely<Database>, list: ListQuery): Promise<{ items: SubscriptionListItem[]; total: number }> {
  // without filters on products the count needs no join (the foreign key guarantees the product exists)
  const needsProduct = list.query !== undefined || list.filters.some((f) => ["product", "product_name", "tag", "product_type"].includes(f.field));
  const countRow = await filtered(db, list, needsProduct)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  let page = selectItem(filtered(db, list));
  for (const key of list.sort) page = page.orderBy(sql.ref(SORT_COLUMN[key.field]!), key.direction);
  // the unique tie-breaker runs the same way as the last key, so an index (key, subscription_id) serves the page
  const rows = await page.orderBy("s.subscription_id", list.sort.at(-1)?.direction ?? "asc").offset(list.offset).limit(list.limit).execute();
  // the status column holds a lifecycle (see ../responses.ts)
  return { items: rows as SubscriptionListItem[], total: Number(countRow.n) };
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
