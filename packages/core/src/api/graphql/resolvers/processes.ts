/** `processes` and the Process type. */
import type { GraphQLResolveInfo } from "graphql";
import { getWorkflow, isAuthorized, recoverState } from "../../../workflow/index.js";
import { PROCESS_LIST, listProcesses, processCondition, stepsAndForm } from "../../queries/processes.js";
import { SUBSCRIPTION_LIST } from "../../queries/subscriptions.js";
import type { ProcessListItem } from "../../responses.js";
import { parseListArgs, type ListArgs } from "../arguments.js";
import type { GraphqlContext } from "../context.js";
import { selectsPage, toConnection } from "../paging.js";
import type { QueryTarget } from "../search-query.js";
import { defaultCustomer, enumName, snakeFields } from "./common.js";
import { argsKey, rootConnection } from "./lists.js";

export const PROCESS_QUERY: QueryTarget = {
  condition: processCondition,
  textColumns: ["p.pid", "w.name", "w.target", "p.last_step", "p.last_status", "p.assignee", "p.created_by", "p.note", "p.failed_reason"],
  words: "exact",
};

type Context = GraphqlContext;

const details = new WeakMap<ProcessListItem, ReturnType<typeof stepsAndForm>>();

/** The steps, state and form of a process (its steps read for the whole page at once), worked out once per row. */
function detail(process: ProcessListItem, context: Context) {
  let result = details.get(process);
  if (!result) details.set(process, (result = context.loaders.steps.load(process.process_id).then((steps) => stepsAndForm(context.db, process, steps))));
  return result;
}

export const processResolvers = {
  Query: {
    processes: (_: unknown, args: ListArgs, context: Context, info: GraphQLResolveInfo) =>
      rootConnection(args, PROCESS_LIST, PROCESS_QUERY, context, info, ({ list }) => listProcesses(context.db, list)),
  },
  Process: {
    ...snakeFields<ProcessListItem>(["processId", "workflowId", "workflowName", "isTask", "lastStep", "failedReason", "createdBy", "startedAt", "lastModifiedAt", "note", "productId", "customerId"]),
    workflowTarget: (p: ProcessListItem) => enumName(p.workflow_target),
    lastStatus: (p: ProcessListItem) => enumName(p.last_status),
    assignee: (p: ProcessListItem) => enumName(p.assignee),
    product: (p: ProcessListItem) => p.product,
    customer: (_: ProcessListItem, __: unknown, context: Context) => defaultCustomer(context.settings),
    traceback: (p: ProcessListItem, _: unknown, context: Context) => context.loaders.traceback.load(p.process_id),
    steps: async (p: ProcessListItem, _: unknown, context: Context) => (await detail(p, context)).steps,
    form: async (p: ProcessListItem, _: unknown, context: Context) => (await detail(p, context)).form,
    currentState: async (p: ProcessListItem, _: unknown, context: Context) => (await detail(p, context)).current_state,
    userPermissions: async (p: ProcessListItem, _: unknown, context: Context) => {
      const workflow = await getWorkflow(p.workflow_name).catch(() => undefined);
      if (!workflow) return { retryAllowed: false, resumeAllowed: false };
      const current = recoverState(await context.loaders.steps.load(p.process_id)).completedSteps;
      const [retryAllowed, resumeAllowed] = await Promise.all([
        isAuthorized(workflow, "retry_workflow", context.user, current),
        isAuthorized(workflow, "resume_workflow", context.user, current),
      ]);
      return { retryAllowed, resumeAllowed };
    },
    subscriptions: async (p: ProcessListItem, args: ListArgs, context: Context, info: GraphQLResolveInfo) => {
      const request = parseListArgs(args, SUBSCRIPTION_LIST, context, info);
      const { items, total } = await context.loaders.subscriptionsOf("process", request.list, argsKey(args), selectsPage(info)).load(p.process_id);
      return toConnection(request, items, total);
    },
  },
  ProcessStep: {
    stepId: (s: { step_id?: string }) => s.step_id ?? null,
    createdBy: (s: { created_by?: string | null }) => s.created_by ?? null,
    // the REST detail gives epoch seconds
    started: (s: { started?: number | null }) => (s.started == null ? null : new Date(s.started * 1000)),
    completed: (s: { completed?: number | null }) => (s.completed == null ? null : new Date(s.completed * 1000)),
    stateDelta: (s: { state_delta?: unknown }) => s.state_delta ?? null,
    state: (s: { state?: unknown }) => s.state ?? null,
  },
};
