/** `version`, `customers` (the default customer) and `scheduledTasks` (the schedules, filtered and sorted here). */
import { readFileSync } from "node:fs";
import type { GraphQLResolveInfo } from "graphql";
import { listSchedules, triggerText, type Schedule } from "../../../workflow/index.js";
import type { ListSpec } from "../../list-query.js";
import { parseListArgs, type ListArgs, type PageRequest } from "../arguments.js";
import type { GraphqlContext } from "../context.js";
import { toConnection } from "../paging.js";
import { defaultCustomer } from "./common.js";
import { subscriptionsOf } from "./subscriptions.js";

type Context = GraphqlContext;

const VERSION = (JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

interface ScheduledTask {
  id: string;
  name: string;
  next_run_time: Date | null;
  trigger: string;
  workflow_id: string | null;
  workflow_name: string;
}

export const SCHEDULED_TASK_LIST: ListSpec = {
  sortFields: ["id", "name", "next_run_time", "trigger", "workflow_id", "workflow_name"],
  filterFields: ["id", "name", "next_run_time", "trigger", "workflow_id", "workflow_name"],
  defaultSort: [{ field: "next_run_time", direction: "asc" }],
};

export const CUSTOMER_LIST: ListSpec = {
  sortFields: ["customer_id", "fullname", "shortcode"],
  filterFields: ["customer_id", "fullname", "shortcode"],
  defaultSort: [{ field: "fullname", direction: "asc" }],
};

/** A list held in memory, filtered (a value's alternatives: contained, case-insensitively), sorted and paged. */
function inMemory<T extends Record<string, unknown>>(rows: T[], request: PageRequest) {
  const text = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? "" : String(v)).toLowerCase();
  let result = rows.filter((row) =>
    request.list.filters.every((f) => f.values.some((v) => text(row[f.field]).includes(v.toLowerCase())) !== (f.negate === true)),
  );
  result = [...result].sort((a, b) => {
    for (const key of request.list.sort) {
      const [x, y] = [text(a[key.field]), text(b[key.field])];
      if (x !== y) return (x < y ? -1 : 1) * (key.direction === "asc" ? 1 : -1);
    }
    return 0;
  });
  return { items: result.slice(request.after, request.after + request.first + 1), total: result.length };
}

/** The orchestrator-core release whose API (REST, GraphQL, websocket) this server answers as, for the WFO UI 9. */
export const CORE_API_VERSION = "5.4.0";

export const otherResolvers = {
  Customer: {
    subscriptions: (c: { customerId: string }, args: ListArgs, context: Context, info: GraphQLResolveInfo) => subscriptionsOf("customer", c.customerId, args, context, info),
  },
  Query: {
    // The WFO UI reads the first entry as "orchestrator-core: <version>" and flags a server below the version its
    // release needs (5.4.0 for UI 9: the structured search endpoints): the first entry names the orchestrator-core API this server answers to.
    version: () => ({ applicationVersions: [`orchestrator-core: ${CORE_API_VERSION}`, `orchestrator-ts: ${VERSION}`] }),
    // as in orchestrator-core, the customer list is the default customer whatever filterBy says (the UI's general
    // tab asks with an empty customerId)
    customers: (_: unknown, { filterBy: _filterBy, ...args }: ListArgs, context: Context, info: GraphQLResolveInfo) => {
      const request = parseListArgs(args, CUSTOMER_LIST, context, info, 1);
      const c = defaultCustomer(context.settings);
      const { items, total } = inMemory([{ customer_id: c.customerId, fullname: c.fullname, shortcode: c.shortcode }], request);
      return toConnection(request, items.map(() => c), total);
    },
    scheduledTasks: async (_: unknown, args: ListArgs, context: Context, info: GraphQLResolveInfo) => {
      const request = parseListArgs(args, SCHEDULED_TASK_LIST, context, info);
      const [schedules, workflows] = await Promise.all([
        listSchedules(context.db),
        context.db.selectFrom("workflows").select(["workflow_id", "name"]).where("deleted_at", "is", null).execute(),
      ]);
      const ids = new Map(workflows.map((w) => [w.name, w.workflow_id]));
      const rows: ScheduledTask[] = schedules.map((s) => ({
        id: s.schedule_id,
        name: s.name,
        next_run_time: s.next_run_at,
        trigger: triggerText(s),
        workflow_id: ids.get(s.workflow_name) ?? null,
        workflow_name: s.workflow_name,
      }));
      const { items, total } = inMemory(rows as unknown as Record<string, unknown>[], request);
      return toConnection(request, items as unknown as ScheduledTask[], total);
    },
  },
  ScheduledTask: {
    nextRunTime: (t: ScheduledTask) => t.next_run_time,
    workflowId: (t: ScheduledTask) => t.workflow_id,
    workflowName: (t: ScheduledTask) => t.workflow_name,
  },
};
