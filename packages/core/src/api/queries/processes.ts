/**
 * Reads of processes for the API: the list (filtered, sorted, paged; a constant number of queries per request) and
 * one process with its steps, state deltas, the steps still to come and the form of a suspended step.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import { rebuildStepStates, type Database } from "../../db/index.js";
import { firstPage } from "../../forms/index.js";
import {
  runWithFormContext,
  loadSteps,
  recoverState,
  type StepRow,
  getWorkflow,
  ProcessStatus,
} from "../../workflow/index.js";
import { containsPattern, uuidValues, type Filter, type ListQuery, type ListSpec } from "../list-query.js";
import { boolIs, dateCompare, maybeNot, pagePerParent, storedCaseIn, textIn, uuidIn, type Condition } from "./conditions.js";
import type { ProcessDetail, ProcessListItem, ProcessStep, ProcessSubscriptionRef, ProductRef } from "../responses.js";

export const PROCESS_LIST: ListSpec = {
  sortFields: ["started_at", "last_modified_at", "last_status", "workflow_name", "last_step", "created_by", "assignee", "workflow_target", "is_task", "note", "process_id"],
  filterFields: [
    "last_status", "is_task", "workflow_name", "subscription_id", "product", "product_description", "tag", "target", "workflow_target", "created_by",
    "assignee", "customer", "process_id", "pid", "workflow_id", "last_step", "note", "failed_reason", "started_at", "last_modified_at",
  ],
  defaultSort: [{ field: "started_at", direction: "desc" }],
};

const SORT_COLUMN: Record<string, string> = {
  started_at: "p.started_at",
  last_modified_at: "p.last_modified_at",
  last_status: "p.last_status",
  workflow_name: "w.name",
  last_step: "p.last_step",
  created_by: "p.created_by",
  assignee: "p.assignee",
  workflow_target: "w.target",
  is_task: "p.is_task",
  note: "p.note",
  process_id: "p.pid",
};

type ProcessQuery = ReturnType<typeof baseQuery>;

function baseQuery(db: Kysely<Database>) {
  return db.selectFrom("processes as p").innerJoin("workflows as w", "w.workflow_id", "p.workflow_id");
}

/** Processes linked to a subscription matching `condition` (product name, tag, customer, id). */
function linkedSubscription(condition: Condition): Condition {
  return sql<SqlBool>`EXISTS (
    SELECT 1 FROM processes_subscriptions ps
    JOIN subscriptions s ON s.subscription_id = ps.subscription_id
    JOIN products pr ON pr.product_id = s.product_id
    WHERE ps.pid = p.pid AND ${condition})`;
}

/** The condition of one filter (see ./conditions.ts); undefined for a field the list does not filter on. */
export function processCondition(filter: Filter): Condition | undefined {
  const values = filter.values;
  switch (filter.field) {
    case "last_status":
      return storedCaseIn("p.last_status", values, "lower");
    case "is_task":
      return boolIs("p.is_task", filter);
    case "workflow_name":
      return textIn("w.name", values);
    case "target":
    case "workflow_target":
      return storedCaseIn("w.target", values, "upper");
    case "created_by":
      return textIn("p.created_by", values);
    case "assignee":
      return textIn("p.assignee", values);
    case "last_step":
      return textIn("p.last_step", values);
    case "note":
      return textIn("p.note", values);
    case "failed_reason":
      return textIn("p.failed_reason", values);
    case "started_at":
      return dateCompare("p.started_at", filter);
    case "last_modified_at":
      return dateCompare("p.last_modified_at", filter);
    case "process_id":
    case "pid":
      return uuidIn("p.pid", filter);
    case "workflow_id":
      return uuidIn("p.workflow_id", filter);
    case "subscription_id":
      return linkedSubscription(sql<SqlBool>`s.subscription_id = ANY(${uuidValues(filter)}::uuid[])`);
    case "product":
      return linkedSubscription(textIn("pr.name", values));
    case "product_description":
      return linkedSubscription(textIn("pr.description", values));
    case "tag":
      return linkedSubscription(textIn("pr.tag", values));
    case "customer":
      return linkedSubscription(sql<SqlBool>`s.customer_id = ${filter.raw}`);
    default:
      return undefined;
  }
}

function applyFilter(query: ProcessQuery, filter: Filter): ProcessQuery {
  const condition = processCondition(filter);
  return condition ? query.where(maybeNot(filter, condition)) : query;
}

function filtered(db: Kysely<Database>, list: ListQuery, base: ProcessQuery = baseQuery(db)): ProcessQuery {
  let query = base;
  for (const filter of list.filters) query = applyFilter(query, filter);
  for (const condition of list.where ?? []) query = query.where(condition);
  if (list.query) {
    const like = containsPattern(list.query);
    query = query.where(
      sql<SqlBool>`(w.name ILIKE ${like} OR p.last_step ILIKE ${like} OR p.last_status ILIKE ${like} OR p.note ILIKE ${like}
        OR p.created_by ILIKE ${like} OR p.pid::text ILIKE ${like}
        OR EXISTS (SELECT 1 FROM processes_subscriptions ps JOIN subscriptions s ON s.subscription_id = ps.subscription_id
                   WHERE ps.pid = p.pid AND (s.description ILIKE ${like} OR s.subscription_id::text ILIKE ${like})))`,
    );
  }
  return query;
}

export type { ProcessListItem };

/** One page of processes and the total count: three queries whatever the page size. */
export async function listProcesses(db: Kysely<Database>, list: ListQuery): Promise<{ items: ProcessListItem[]; total: number }> {
  // Counted over a LEFT JOIN: every process has its workflow (a NOT NULL foreign key), so the rows are the same, and
  // PostgreSQL drops the join altogether when no filter names the workflow (the count costs a third less). The type
  // is the inner join's: the filters read the same columns either way.
  const countBase = db.selectFrom("processes as p").leftJoin("workflows as w", "w.workflow_id", "p.workflow_id") as unknown as ProcessQuery;
  const countRow = await filtered(db, list, countBase).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return { items: await pageOfProcesses(db, list), total: Number(countRow.n) };
}

/** The columns of a list item (its first subscription's product and customer joined). */
function selectItem(query: ProcessQuery) {
  return query
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom("processes_subscriptions as ps")
          .innerJoin("subscriptions as s", "s.subscription_id", "ps.subscription_id")
          .select(["s.product_id", "s.customer_id"])
          .whereRef("ps.pid", "=", "p.pid")
          .orderBy("ps.created_at")
          .limit(1)
          .as("fs"),
      (join) => join.onTrue(),
    )
    .leftJoin("products as pr", "pr.product_id", "fs.product_id")
    .select([
      "p.pid as process_id",
      "p.workflow_id",
      "w.name as workflow_name",
      "w.target as workflow_target",
      "p.is_task",
      "p.created_by",
      "p.failed_reason",
      "p.started_at",
      "p.last_modified_at",
      "p.last_status",
      "p.last_step",
      "p.assignee",
      "p.note",
      "fs.product_id",
      "fs.customer_id",
      sql<ProductRef | null>`CASE WHEN pr.product_id IS NULL THEN NULL ELSE json_build_object(
        'product_id', pr.product_id, 'name', pr.name, 'description', pr.description, 'product_type', pr.product_type,
        'tag', pr.tag, 'status', pr.status, 'created_at', pr.created_at, 'end_date', pr.end_date) END`.as("product"),
    ]);
}

/** The ORDER BY of a list: its sort keys, then the process id the same way as the last key. */
function orderBy(list: ListQuery) {
  const keys = list.sort.map((key) => sql`${sql.ref(SORT_COLUMN[key.field]!)} ${sql.raw(key.direction)}`);
  keys.push(sql`p.pid ${sql.raw(list.sort.at(-1)?.direction ?? "asc")}`);
  return sql.join(keys);
}

/** The rows of one page with their subscriptions (two queries). */
async function pageOfProcesses(db: Kysely<Database>, list: ListQuery): Promise<ProcessListItem[]> {
  let page = selectItem(filtered(db, list));
  for (const key of list.sort) page = page.orderBy(sql.ref(SORT_COLUMN[key.field]!), key.direction);
  // the unique tie-breaker runs the same way as the last key, so an index (key, pid) serves the page
  page = page.orderBy("p.pid", list.sort.at(-1)?.direction ?? "asc").offset(list.offset).limit(list.limit);
  const rows = await page.execute();
  const subscriptions = await subscriptionsOf(db, rows.map((r) => r.process_id));
  // target and status columns hold the values the engine and the migrations write (see ../responses.ts)
  return rows.map((r) => ({ ...r, subscriptions: subscriptions.get(r.process_id) ?? [] }) as ProcessListItem);
}

/**
 * Lists of processes for many parents at once (the processes of each of a page's subscriptions): `groups` is a
 * statement of `(parent, pid)` pairs; each parent gets the page `list` asks for of its processes and their count.
 * Two queries whatever the number of parents (one when `withItems` is false: counts only).
 */
export async function listProcessesGrouped(
  db: Kysely<Database>,
  list: ListQuery,
  groups: RawBuilder<{ parent: string; pid: string }>,
  withItems = true,
): Promise<Map<string, { items: ProcessListItem[]; total: number }>> {
  const joined = (query: ProcessQuery) =>
    query.innerJoin(groups.as("g") as unknown as "processes_subscriptions as g", (join) => join.onRef("g.pid" as never, "=", "p.pid")) as unknown as ProcessQuery;
  const counts = await filtered(db, list, joined(baseQuery(db)))
    .select([sql<string>`g.parent`.as("parent"), (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(sql`g.parent`)
    .execute();
  const result = new Map<string, { items: ProcessListItem[]; total: number }>();
  for (const c of counts) result.set(c.parent, { items: [], total: Number(c.n) });
  if (!withItems || counts.length === 0) return result;
  const inner = selectItem(filtered(db, list, joined(baseQuery(db)))).select([
    sql<string>`g.parent`.as("parent"),
    sql<number>`row_number() OVER (PARTITION BY g.parent ORDER BY ${orderBy(list)})`.as("rn"),
  ]);
  const rows = await pagePerParent(db, inner, list);
  const subscriptions = await subscriptionsOf(db, [...new Set(rows.map((r) => r.process_id))]);
  for (const { parent, rn: _rn, ...row } of rows) {
    result.get(parent)!.items.push({ ...row, subscriptions: subscriptions.get(row.process_id) ?? [] } as ProcessListItem);
  }
  return result;
}

/** The subscriptions of the given processes (one query). */
async function subscriptionsOf(db: Kysely<Database>, pids: string[]): Promise<Map<string, ProcessSubscriptionRef[]>> {
  const result = new Map<string, ProcessSubscriptionRef[]>();
  if (pids.length === 0) return result;
  const rows = await db
    .selectFrom("processes_subscriptions as ps")
    .innerJoin("subscriptions as s", "s.subscription_id", "ps.subscription_id")
    .innerJoin("products as pr", "pr.product_id", "s.product_id")
    .select([
      "ps.pid",
      "ps.workflow_target",
      "s.subscription_id",
      "s.description",
      "s.status",
      "s.insync",
      "s.customer_id",
      "s.start_date",
      "s.end_date",
      "s.note",
      "pr.product_id",
      "pr.name as product_name",
      "pr.tag as product_tag",
      "pr.product_type",
    ])
    .where("ps.pid", "in", pids)
    .orderBy("ps.created_at")
    .execute();
  for (const r of rows) {
    const { pid, product_id, product_name, product_tag, product_type, ...subscription } = r;
    const list = result.get(pid) ?? [];
    list.push({ ...subscription, product: { product_id, name: product_name, tag: product_tag, product_type } } as ProcessSubscriptionRef);
    result.set(pid, list);
  }
  return result;
}

type ProcessStepView = ProcessStep;

const epoch = (d: Date | null | undefined) => (d ? d.getTime() / 1000 : null);

/** Keys whose value differs from the previous step's state (added or changed). */
function stateDelta(previous: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (JSON.stringify(previous[key]) !== JSON.stringify(value)) delta[key] = value;
  }
  return delta;
}

function stepViews(steps: StepRow[]): ProcessStepView[] {
  let previous: Record<string, unknown> = {};
  return steps.map((s) => {
    const view: ProcessStepView = {
      step_id: s.stepid,
      stepid: s.stepid,
      name: s.name,
      status: s.status as ProcessStep["status"],
      created_by: s.created_by,
      executed: epoch(s.completed_at),
      started: epoch(s.started_at),
      completed: epoch(s.completed_at),
      state: s.state,
      state_delta: stateDelta(previous, s.state),
    };
    previous = s.state;
    return view;
  });
}

/** The process as orchestrator-core's ProcessSchema, or undefined. */
export async function processDetail(db: Kysely<Database>, processId: string): Promise<ProcessDetail | undefined> {
  const [item] = await pageOfProcesses(db, {
    offset: 0,
    limit: 1,
    sort: [],
    filters: [{ field: "process_id", raw: processId, values: [processId] }],
  });
  if (!item) return undefined;
  const steps = await loadSteps(db, processId);
  const row = await db.selectFrom("processes").select(["traceback"]).where("pid", "=", processId).executeTakeFirst();
  return {
    ...item,
    traceback: row?.traceback ?? null,
    ...(await stepsAndForm(db, item, steps)),
  };
}

/**
 * What the detail of a process shows of its steps: the steps run (with their state deltas), then, unless it has
 * ended, the workflow's steps still to come (status pending); the state after the last step; and the form a
 * suspended process waits for.
 */
export async function stepsAndForm(
  db: Kysely<Database>,
  item: { workflow_name: string; last_status: string },
  steps: StepRow[],
): Promise<Pick<ProcessDetail, "steps" | "form" | "current_state">> {
  const views = stepViews(steps);
  const workflow = await getWorkflow(item.workflow_name).catch(() => undefined);
  const recovered = recoverState(steps);
  let form: ProcessDetail["form"] = null;
  if (workflow) {
    const names = workflow.steps.steps.map((s) => s.name);
    // steps not yet executed: after the completed ones and the one the process stopped at (failed, suspended…)
    const terminal = item.last_status === ProcessStatus.COMPLETED || item.last_status === ProcessStatus.ABORTED;
    if (!terminal) {
      const stoppedAt = views.length > 0 && !["success", "skipped", "complete"].includes(views.at(-1)!.status) ? 1 : 0;
      for (const name of names.slice(recovered.completedSteps + stoppedAt)) views.push({ name, status: "pending" });
    }
    const current = workflow.steps.steps[recovered.completedSteps];
    if (item.last_status === ProcessStatus.SUSPENDED && current?.form) {
      form = await runWithFormContext({ db }, () => firstPage(current.form, recovered.outcome.state)).catch(() => null);
    }
  }
  return { current_state: steps.at(-1)?.state ?? {}, steps: views, form };
}

/** The steps of many processes (their states rebuilt from the stored deltas), by process id: one query. */
export async function stepsOfProcesses(db: Kysely<Database>, pids: readonly string[]): Promise<Map<string, StepRow[]>> {
  const result = new Map<string, StepRow[]>();
  if (pids.length === 0) return result;
  const rows = await db.selectFrom("process_steps").selectAll().where("pid", "in", pids).orderBy("pid").orderBy("seq").execute();
  const byPid = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = byPid.get(row.pid);
    if (list) list.push(row);
    else byPid.set(row.pid, [row]);
  }
  for (const [pid, list] of byPid) result.set(pid, rebuildStepStates(list) as StepRow[]);
  return result;
}
