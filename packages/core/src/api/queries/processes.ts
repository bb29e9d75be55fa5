/**
 * Reads of processes for the API: the list (filtered, sorted, paged; a constant number of queries per request) and
 * one process with its steps, state deltas, the steps still to come and the form of a suspended step.
 */
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { Database } from "../../db/index.js";
import { firstPage } from "../../forms/index.js";
import {
  runWithFormContext,
  loadSteps,
  recoverState,
  type StepRow,
  getWorkflow,
  ProcessStatus,
} from "../../workflow/index.js";
import { boolValue, containsPattern, uuidValues, type Filter, type ListQuery, type ListSpec } from "../list-query.js";
import type { ProcessDetail, ProcessListItem, ProcessStep, ProcessSubscriptionRef, ProductRef } from "../responses.js";

export const PROCESS_LIST: ListSpec = {
  sortFields: ["started_at", "last_modified_at", "last_status", "workflow_name", "last_step", "created_by", "assignee", "workflow_target", "is_task", "note", "process_id"],
  filterFields: ["last_status", "is_task", "workflow_name", "subscription_id", "product", "tag", "target", "workflow_target", "created_by", "assignee", "customer", "process_id", "pid"],
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
function linkedSubscription(condition: ReturnType<typeof sql<SqlBool>>): Expression<SqlBool> {
  return sql<SqlBool>`EXISTS (
    SELECT 1 FROM processes_subscriptions ps
    JOIN subscriptions s ON s.subscription_id = ps.subscription_id
    JOIN products pr ON pr.product_id = s.product_id
    WHERE ps.pid = p.pid AND ${condition})`;
}

function applyFilter(query: ProcessQuery, filter: Filter): ProcessQuery {
  const values = filter.values;
  switch (filter.field) {
    case "last_status":
      return query.where("p.last_status", "in", values.map((v) => v.toLowerCase()));
    case "is_task":
      return query.where("p.is_task", "=", boolValue(filter));
    case "workflow_name":
      return query.where("w.name", "in", values);
    case "target":
    case "workflow_target":
      return query.where("w.target", "in", values.map((v) => v.toUpperCase()));
    case "created_by":
      return query.where("p.created_by", "in", values);
    case "assignee":
      return query.where("p.assignee", "in", values);
    case "process_id":
    case "pid":
      return query.where("p.pid", "in", uuidValues(filter));
    case "subscription_id":
      return query.where(linkedSubscription(sql<SqlBool>`s.subscription_id = ANY(${uuidValues(filter)}::uuid[])`));
    case "product":
      return query.where(linkedSubscription(sql<SqlBool>`pr.name = ANY(${values})`));
    case "tag":
      return query.where(linkedSubscription(sql<SqlBool>`pr.tag = ANY(${values})`));
    case "customer":
      return query.where(linkedSubscription(sql<SqlBool>`s.customer_id = ${filter.raw}`));
    default:
      return query;
  }
}

function filtered(db: Kysely<Database>, list: ListQuery, base: ProcessQuery = baseQuery(db)): ProcessQuery {
  let query = base;
  for (const filter of list.filters) query = applyFilter(query, filter);
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

/** The rows of one page with their subscriptions (two queries). */
async function pageOfProcesses(db: Kysely<Database>, list: ListQuery): Promise<ProcessListItem[]> {
  let page = filtered(db, list)
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
  for (const key of list.sort) page = page.orderBy(sql.ref(SORT_COLUMN[key.field]!), key.direction);
  // the unique tie-breaker runs the same way as the last key, so an index (key, pid) serves the page
  page = page.orderBy("p.pid", list.sort.at(-1)?.direction ?? "asc").offset(list.offset).limit(list.limit);
  const rows = await page.execute();
  const subscriptions = await subscriptionsOf(db, rows.map((r) => r.process_id));
  // target and status columns hold the values the engine and the migrations write (see ../responses.ts)
  return rows.map((r) => ({ ...r, subscriptions: subscriptions.get(r.process_id) ?? [] }) as ProcessListItem);
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
  const row = await db.selectFrom("processes").select(["traceback"]).where("pid", "=", processId).executeTakeFirst();
  return {
    ...item,
    traceback: row?.traceback ?? null,
    current_state: steps.at(-1)?.state ?? {},
    steps: views,
    form,
  };
}
